import { isErrorResponse, requestUrl } from './errors';

/** What the WHATWG parser makes of a request target, as the front read it before the shortcut. */
const parsed = (target: string) => {
  const url = new URL(target, 'http://localhost');
  return { pathname: url.pathname, search: url.search, query: [...url.searchParams] };
};

test.each([
  '/v1/models',
  '/v1/chat/completions',
  '/v1/files/file-abc_123/content',
  '/v1/models/ft:gpt-4o-mini:org::abc',
  '/v1/a.b/c~d',
  '/v1/models/',
  '/',
  '/__admin/journal',
  '/v1/models?limit=2&after=x',
  '/v1/models?',
  '/v1/models#frag',
  '//v1/models',
  '/v1/../v1/models',
  '/v1/./models',
  '/v1/models/..',
  '/v1/models/.',
  '/v1/%6Dodels',
  '/v1/mo dels',
  '/v1\\models',
  '/v1/models/ünï',
  '/v1/models?a=%20b+c',
])('the request target %s reads as a URL parser reads it', (target) => {
  const url = requestUrl({ method: 'GET', url: target });
  if (isErrorResponse(url)) throw new Error(`refused: ${url.body.error.message}`);
  expect({ pathname: url.pathname, search: url.search, query: [...url.searchParams] }).toEqual(parsed(target));
});

test('a target no URL parser takes is the API-shaped 400', () => {
  const url = requestUrl({ method: 'get', url: 'http://[::1' });
  expect(isErrorResponse(url) && url.status).toBe(400);
  expect(isErrorResponse(url) && url.body.error.message).toBe('Invalid URL (GET http://[::1)');
});
