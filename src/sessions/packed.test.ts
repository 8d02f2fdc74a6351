import { Journal, type JournalEntry } from './journal';
import { BODY_MAX, type PackedFields } from './packed';
import { sharedText } from '../pipeline/text-answer';

const fields = (i: number, more: Partial<PackedFields> = {}): PackedFields => ({
  arrivedMs: Date.UTC(2026, 11, 3, 12, 0, 0) + i,
  durationMs: 1.25,
  status: 200,
  session: i % 2 === 0 ? 'even' : 'odd',
  method: 'POST',
  path: '/v1/chat/completions',
  operation: 'createChatCompletion',
  script: undefined,
  interrupted: undefined,
  query: undefined,
  headers: { authorization: 'Bearer sk-test-1234567890', 'content-type': 'application/json' },
  text: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `request ${i} ✓` }] }),
  body: undefined,
  responseHeaders: { 'content-type': 'application/json' },
  responseJson: JSON.stringify({ id: `chatcmpl-${i}`, object: 'chat.completion' }),
  responseBody: undefined,
  ...more,
});

test('a packed entry reads back as the object entry it stands for: masked, parsed, a fresh object each time', () => {
  const journal = new Journal(10);
  journal.addPacked(fields(1, { query: { limit: '2', api_key: 'sk-abcdefghijkl' }, script: 'mock.on #1', headers: { 'set-cookie': ['a=1', 'b=2'], 'x-name': 'ünïcode' } }));
  const [entry] = journal.list();
  expect(entry).toEqual({
    id: '1',
    time: '2026-12-03T12:00:00.001Z',
    session: 'odd',
    method: 'POST',
    path: '/v1/chat/completions',
    operation: 'createChatCompletion',
    query: { limit: '2', api_key: 'sk-…ijkl' },
    headers: { 'set-cookie': ['***', '***'], 'x-name': 'ünïcode' },
    body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'request 1 ✓' }] },
    response: { status: 200, headers: { 'content-type': 'application/json' }, streamed: false, body: { id: 'chatcmpl-1', object: 'chat.completion' } },
    durationMs: 1.25,
    script: 'mock.on #1',
  });
  expect(journal.get('1')).toEqual(entry);
  expect(journal.get('1')).not.toBe(entry);
});

test('bodies kept as values (a summary, a text answer) and no body at all read back as they were', () => {
  const journal = new Journal(10);
  journal.addPacked(fields(1, { text: undefined, body: { file: { filename: 'a.wav', bytes: 3, sha256: 'ab' } }, responseJson: undefined, responseBody: 'plain text' }));
  journal.addPacked(fields(2, { text: undefined, body: undefined, responseJson: undefined, responseBody: undefined, responseHeaders: undefined, operation: null, status: 404, interrupted: 'client went away before the answer' }));
  const [first, second] = journal.list();
  expect(first!.body).toEqual({ file: { filename: 'a.wav', bytes: 3, sha256: 'ab' } });
  expect(first!.response.body).toBe('plain text');
  expect(second).toMatchObject({ operation: null, body: undefined, response: { status: 404, headers: {}, body: undefined, interrupted: 'client went away before the answer' } });
});

test('the ring of packed entries wraps round and grows: records move, dropped ones go, ids, sessions and shared answers survive', () => {
  const journal = new Journal(50);
  const list = sharedText(Buffer.from(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o' }] })));
  // About 12 KB each: fifty of them outgrow the first 256 KiB ring, and 400 go round the grown one.
  const padding = 'x'.repeat(12000);
  for (let i = 1; i <= 400; i++) {
    journal.addPacked(i % 3 === 0 ? fields(i, { responseJson: list }) : fields(i, { text: JSON.stringify({ model: 'gpt-4o', padding, i }) }));
    // An object entry now and then, as a stream's is.
    if (i % 40 === 0) journal.add({ time: '', session: 'stream', method: 'POST', path: '/v1/responses', operation: 'createResponse', query: {}, headers: {}, body: undefined, response: { status: 200, headers: {}, streamed: true }, durationMs: 0 });
  }
  const entries = journal.list();
  expect(entries).toHaveLength(50);
  const ids = entries.map((e) => Number(e.id));
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  expect(ids.at(-1)).toBe(410);
  for (const entry of entries.filter((e) => e.session !== 'stream')) {
    const i = (entry.body as { i?: number }).i;
    if (i === undefined) expect(entry.response.body).toEqual({ object: 'list', data: [{ id: 'gpt-4o' }] });
    else expect(entry.response.body).toEqual({ id: `chatcmpl-${i}`, object: 'chat.completion' });
  }
  // Object entries among the packed ones keep their place (ids 369 and 410).
  expect(journal.list({ session: 'stream' }).map((e) => e.id)).toEqual(['369', '410']);
  expect(journal.get(String(ids[0]))!.id).toBe(String(ids[0]));

  const even = journal.list({ session: 'even' }).length;
  expect(journal.clear('even')).toBe(even);
  expect(journal.list().every((e: JournalEntry) => e.session !== 'even')).toBe(true);
  expect(journal.list()).toHaveLength(50 - even);
});

test('the packed entries are bounded in bytes as well as in number: the oldest go first, a body too large is kept as its size', () => {
  const journal = new Journal(1000);
  const answer = (i: number, bytes: number) => JSON.stringify({ id: `img-${i}`, b64_json: 'A'.repeat(bytes) });
  for (let i = 1; i <= 12; i++) journal.addPacked(fields(i, { responseJson: answer(i, 3 * 1024 * 1024) }));
  const kept = journal.list();
  // 16 MiB hold five answers of 3 MiB, not twelve.
  expect(kept.map((e) => e.id)).toEqual(['8', '9', '10', '11', '12']);
  expect((kept[4]!.response.body as { id: string }).id).toBe('img-12');

  const huge = answer(13, BODY_MAX + 1);
  journal.addPacked(fields(13, { responseJson: huge }));
  expect(journal.get('13')!.response.body).toEqual({ omitted: `an answer over ${BODY_MAX} bytes`, bytes: Buffer.byteLength(huge) });
});
