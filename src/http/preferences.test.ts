import { PreferError, readPreferences } from './preferences';

test('reads code, example, dynamic and seed from the Prefer header', () => {
  expect(readPreferences('code=429, example=Default, dynamic=true, seed=abc', {})).toEqual({ code: 429, example: 'Default', dynamic: true, seed: 'abc' });
  expect(readPreferences('seed="quoted value"', {})).toEqual({ seed: 'quoted value' });
});

test('without the header, reads the __code-style query parameters', () => {
  expect(readPreferences(undefined, { __code: '404', __dynamic: 'false' })).toEqual({ code: 404, dynamic: false });
});

test('refuses what it cannot use, saying why', () => {
  expect(() => readPreferences('code=abc', {})).toThrow(PreferError);
  expect(() => readPreferences('code=4290', {})).toThrow(/three-digit/);
  expect(() => readPreferences('dynamic=maybe', {})).toThrow(/true or false/);
  expect(() => readPreferences('seed', {})).toThrow(/seed must have a value/);
});
