/**
 * Stateful mode's own logic, without a server: list paging as the API pages, the lexical ranking
 * that search documents, and the lifecycle clock.
 */
import { pageOf } from '../../src/state/store';
import { chunk, score } from '../../src/state/resources/search';
import { createClock, progress } from '../../src/state/clock';

const objects = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));

test('paging: default desc, after and before cursors, has_more, ids of the page, filters before paging', () => {
  expect(pageOf(objects, { limit: 2 })).toEqual({ object: 'list', data: [{ id: 'e' }, { id: 'd' }], first_id: 'e', last_id: 'd', has_more: true });
  expect(pageOf(objects, { limit: 2, after: 'd' }).data.map((o) => o.id)).toEqual(['c', 'b']);
  expect(pageOf(objects, { limit: 2, after: 'b' })).toMatchObject({ data: [{ id: 'a' }], has_more: false });
  expect(pageOf(objects, { limit: 2, before: 'b' })).toMatchObject({ data: [{ id: 'd' }, { id: 'c' }], has_more: true });
  expect(pageOf(objects, { order: 'asc', limit: 3, after: 'a' }).data.map((o) => o.id)).toEqual(['b', 'c', 'd']);
  expect(pageOf(objects, { where: (o) => o.id !== 'e', limit: 1 }).data).toEqual([{ id: 'd' }]);
  expect(pageOf(objects, { after: 'gone' })).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
  expect(pageOf([], {})).toMatchObject({ data: [], has_more: false });
});

test('search ranking: all query terms beat some, density breaks ties, no term scores 0', () => {
  expect(score(['capital of Italy'], 'Rome is the capital of Italy.')).toBeCloseTo(0.8 + 0.2 * 0.5);
  expect(score(['capital of Italy'], 'Paris is the capital of France.')).toBeLessThan(score(['capital of Italy'], 'Rome is the capital of Italy.'));
  expect(score(['Eiffel'], 'Rome is the capital of Italy.')).toBe(0);
  expect(score(['PARIS!'], 'paris')).toBe(1);
});

test('chunks follow the static strategy, words standing for tokens', () => {
  const text = Array.from({ length: 10 }, (_, i) => `w${i}`).join(' ');
  expect(chunk(text, { max: 4, overlap: 2 })).toEqual(['w0 w1 w2 w3', 'w2 w3 w4 w5', 'w4 w5 w6 w7', 'w6 w7 w8 w9']);
  expect(chunk('', { max: 4, overlap: 0 })).toEqual([]);
});

test('the clock moves statuses by their durations, and advance moves the clock', () => {
  let wall = 1_000;
  const clock = createClock({ 'batch.validating': 100, in_progress: 50 }, () => wall);
  const steps = ['validating', 'in_progress', 'finalizing', 'completed'];
  expect(progress(clock, 'batch', steps, 1_000)).toEqual({ status: 'validating', index: 0, enteredAt: [1_000] });
  wall = 1_100;
  expect(progress(clock, 'batch', steps, 1_000).status).toBe('in_progress');
  clock.advance(50);
  // finalizing has no duration: it is passed at once.
  expect(progress(clock, 'batch', steps, 1_000)).toEqual({ status: 'completed', index: 3, enteredAt: [1_000, 1_100, 1_150, 1_150] });
  expect(() => clock.advance(-1)).toThrow(RangeError);
});
