/**
 * What a wrong request gets: raw HTTP for what the SDK would never send, and the SDK for how
 * its error classes expose the answer. Every answer is OpenAI's error shape with the right status.
 */
import http from 'node:http';
import OpenAI, { toFile } from 'openai';
import type { MockServer } from '../../src';
import { sdk, startMock } from '../helpers/server';

let mock: MockServer;
let small: MockServer;
const BODY_LIMIT = 2048;

beforeAll(async () => {
  [mock, small] = await Promise.all([startMock(), startMock({ bodyLimit: BODY_LIMIT })]);
});

afterAll(async () => {
  await Promise.all([mock?.close(), small?.close()]);
});

const AUTH = { authorization: 'Bearer sk-test' };

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** Sends a request and reads the JSON answer; a hang fails the test through the abort signal. */
async function send(
  method: string,
  path: string,
  options: { body?: string | Buffer | FormData; headers?: Record<string, string>; server?: MockServer } = {},
): Promise<Answer> {
  const server = options.server ?? mock;
  const response = await fetch(server.url + path, {
    method,
    headers: { ...AUTH, ...options.headers },
    body: options.body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // left as text: the assertion on the shape will say so
  }
  return { status: response.status, headers: response.headers, body };
}

const postJson = (path: string, value: unknown, headers: Record<string, string> = {}) =>
  send('POST', path, { body: JSON.stringify(value), headers: { 'content-type': 'application/json', ...headers } });

/** OpenAI's error shape: exactly these four keys, strings or null. */
function expectErrorShape(answer: Answer, status: number, param: string | null, code?: string | null) {
  expect({ status: answer.status, param: answer.body?.error?.param }).toEqual({ status, param });
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(answer.body).sort()).toEqual(['error']);
  expect(Object.keys(answer.body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(typeof answer.body.error.message).toBe('string');
  expect(answer.body.error.message.length).toBeGreaterThan(10);
  expect(answer.body.error.type).toBe(status === 401 ? answer.body.error.type : 'invalid_request_error');
  if (code !== undefined) expect(answer.body.error.code).toBe(code);
}

const chat = (extra: Record<string, unknown>) => ({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], ...extra });

describe('JSON bodies', () => {
  test('a valid chat request passes (the baseline for the cases below)', async () => {
    const answer = await postJson('/v1/chat/completions', chat({}));
    expect(answer.status).toBe(200);
    expect(answer.body.object).toBe('chat.completion');
  });

  test('messages of the wrong type', async () => {
    const answer = await postJson('/v1/chat/completions', { model: 'gpt-4o', messages: 'hi' });
    expectErrorShape(answer, 400, 'messages', 'invalid_type');
    expect(answer.body.error.message).toBe("Invalid type for 'messages': expected an array, but got a string instead.");
  });

  test('temperature of the wrong type', async () => {
    const answer = await postJson('/v1/chat/completions', chat({ temperature: 'hot' }));
    expectErrorShape(answer, 400, 'temperature', 'invalid_type');
    expect(answer.body.error.message).toBe("Invalid type for 'temperature': expected a decimal, but got a string instead.");
  });

  test('temperature above its maximum', async () => {
    const answer = await postJson('/v1/chat/completions', chat({ temperature: 5 }));
    expectErrorShape(answer, 400, 'temperature', 'decimal_above_max_value');
    expect(answer.body.error.message).toBe("Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 5 instead.");
  });

  test('n below its minimum', async () => {
    const answer = await postJson('/v1/chat/completions', chat({ n: 0 }));
    expectErrorShape(answer, 400, 'n', 'integer_below_min_value');
    expect(answer.body.error.message).toBe("Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead.");
  });

  test('a missing required field: model', async () => {
    const answer = await postJson('/v1/chat/completions', { messages: [{ role: 'user', content: 'Hi' }] });
    expectErrorShape(answer, 400, 'model', 'missing_required_parameter');
    expect(answer.body.error.message).toBe("Missing required parameter: 'model'.");
  });

  test('a missing required field: messages', async () => {
    const answer = await postJson('/v1/chat/completions', { model: 'gpt-4o' });
    expectErrorShape(answer, 400, 'messages', 'missing_required_parameter');
  });

  test('a missing required field deep inside: messages[0].content of a user message', async () => {
    const answer = await postJson('/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user' }] });
    expectErrorShape(answer, 400, 'messages[0].content', 'missing_required_parameter');
  });

  test('an unknown enum value: messages[0].role', async () => {
    const answer = await postJson('/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'bot', content: 'Hi' }] });
    expectErrorShape(answer, 400, 'messages[0].role', 'invalid_value');
    expect(answer.body.error.message).toBe(
      "Invalid value: 'bot'. Supported values are: 'developer', 'system', 'user', 'assistant', 'tool', and 'function'.",
    );
  });

  test('a union branch chosen by its tag reports its own missing field: a tool message without tool_call_id', async () => {
    const answer = await postJson('/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'tool', content: 'result' }] });
    expectErrorShape(answer, 400, 'messages[0].tool_call_id', 'missing_required_parameter');
  });

  test('an unknown content part type inside a message', async () => {
    const answer = await postJson('/v1/chat/completions', {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'video_url', video_url: { url: 'https://x' } }] }],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toMatch(/^messages\[0\]\.content/);
  });

  test('an unknown enum value: reasoning_effort', async () => {
    const answer = await postJson('/v1/chat/completions', chat({ reasoning_effort: 'extreme' }));
    expectErrorShape(answer, 400, 'reasoning_effort', 'invalid_value');
    expect(answer.body.error.message).toMatch(/^Invalid value: 'extreme'\. Supported values are: .*'low'/);
  });

  test('an unknown enum value in another operation: embeddings encoding_format', async () => {
    const answer = await postJson('/v1/embeddings', { model: 'text-embedding-3-small', input: 'x', encoding_format: 'hex' });
    expectErrorShape(answer, 400, 'encoding_format', 'invalid_value');
    expect(answer.body.error.message).toBe("Invalid value: 'hex'. Supported values are: 'float' and 'base64'.");
  });

  test('the wrong type deep in the responses input', async () => {
    const answer = await postJson('/v1/responses', {
      model: 'gpt-4o',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 42 }] }],
    });
    expectErrorShape(answer, 400, 'input[0].content[0].text', 'invalid_type');
  });

  test('an invalid nested vector store filter', async () => {
    const answer = await postJson('/v1/vector_stores/vs_1/search', {
      query: 'q',
      filters: { type: 'and', filters: [{ type: 'eq', key: 'a', value: 1 }, { type: 'near', key: 'b', value: 2 }] },
    });
    expectErrorShape(answer, 400, 'filters.filters[1].type', 'invalid_value');
  });

  test('a body that is not an object', async () => {
    const answer = await postJson('/v1/chat/completions', ['model', 'gpt-4o']);
    expectErrorShape(answer, 400, null, 'invalid_type');
  });

  test('a required body left out', async () => {
    const answer = await send('POST', '/v1/chat/completions', { headers: { 'content-type': 'application/json' } });
    expectErrorShape(answer, 400, null);
  });

  test.each([
    ['cut short', '{"model": "gpt-4o", "messages": ['],
    ['a trailing comma', '{"model": "gpt-4o",}'],
    ['not JSON at all', 'model=gpt-4o'],
    ['a lone quote', '"'],
  ])('malformed JSON (%s) is answered at once with 400', async (_name, body) => {
    const answer = await send('POST', '/v1/chat/completions', { body, headers: { 'content-type': 'application/json' } });
    expectErrorShape(answer, 400, null);
    expect(answer.body.error.message).toMatch(/^We could not parse the JSON body of your request/);
  });

  test('malformed JSON over a raw socket that keeps the connection open still gets its answer', async () => {
    const body = '{"model": ';
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(
        `${mock.url}/v1/chat/completions`,
        { method: 'POST', agent: new http.Agent({ keepAlive: true }), headers: { ...AUTH, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode!, body: text }));
        },
      );
      request.setTimeout(10_000, () => request.destroy(new Error('the server did not answer')));
      request.on('error', reject);
      request.end(body);
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error.type).toBe('invalid_request_error');
  });
});

describe('query and path parameters', () => {
  test('a valid list query passes', async () => {
    const answer = await send('GET', '/v1/files?limit=2&order=asc&purpose=batch');
    expect(answer.status).toBe(200);
  });

  test('a query value of the wrong type', async () => {
    const answer = await send('GET', '/v1/files?limit=many');
    expectErrorShape(answer, 400, 'limit', 'invalid_type');
  });

  test('an unknown enum value in the query', async () => {
    const answer = await send('GET', '/v1/files?order=sideways');
    expectErrorShape(answer, 400, 'order', 'invalid_value');
    expect(answer.body.error.message).toBe("Invalid value: 'sideways'. Supported values are: 'asc' and 'desc'.");
  });

  test('the SDK array format (include[]=) is read as an array, and checked item by item', async () => {
    const ok = await send('GET', '/v1/responses/resp_1?include[]=reasoning.encrypted_content&include[]=message.output_text.logprobs');
    expect(ok.status).toBe(200);
    const bad = await send('GET', '/v1/responses/resp_1?include[]=reasoning.encrypted_content&include[]=everything');
    expectErrorShape(bad, 400, 'include[1]', 'invalid_value');
  });

  test('a missing required query parameter', async () => {
    const answer = await send('GET', '/v1/organization/costs?bucket_width=1d');
    expectErrorShape(answer, 400, 'start_time', 'missing_required_parameter');
    const ok = await send('GET', '/v1/organization/costs?start_time=1730419200&project_ids[]=p1&project_ids[]=p2');
    expect(ok.status).toBe(200);
  });

  test('a single include= value is taken as an array of one', async () => {
    const answer = await send('GET', '/v1/responses/resp_1?include=reasoning.encrypted_content');
    expect(answer.status).toBe(200);
  });
});

describe('multipart bodies', () => {
  const form = (fields: Record<string, string>, file = true) => {
    const data = new FormData();
    if (file) data.append('file', new Blob(['{"a":1}\n'], { type: 'application/jsonl' }), 'a.jsonl');
    for (const [k, v] of Object.entries(fields)) data.append(k, v);
    return data;
  };

  test('a valid upload passes', async () => {
    const answer = await send('POST', '/v1/files', { body: form({ purpose: 'batch' }) });
    expect(answer.status).toBe(200);
    expect(answer.body.object).toBe('file');
  });

  test('a missing field in a multipart upload', async () => {
    const answer = await send('POST', '/v1/files', { body: form({}) });
    expectErrorShape(answer, 400, 'purpose', 'missing_required_parameter');
  });

  test('a missing file in a multipart upload', async () => {
    const answer = await send('POST', '/v1/files', { body: form({ purpose: 'batch' }, false) });
    expectErrorShape(answer, 400, 'file', 'missing_required_parameter');
  });

  test('an unknown enum value in a multipart upload', async () => {
    const answer = await send('POST', '/v1/files', { body: form({ purpose: 'everything' }) });
    expectErrorShape(answer, 400, 'purpose', 'invalid_value');
  });

  test('a JSON-encoded multipart part is read as JSON and checked', async () => {
    const data = new FormData();
    data.append('sdp', new Blob(['v=0\r\n'], { type: 'application/sdp' }), '');
    data.append('session', new Blob([JSON.stringify({ type: 'realtime', model: 'gpt-realtime', output_modalities: ['smell'] })], { type: 'application/json' }), '');
    const answer = await send('POST', '/v1/realtime/calls', { body: data });
    expectErrorShape(answer, 400, 'session.output_modalities[0]', 'invalid_value');
  });

  test('a multipart part declared as JSON that is not JSON gets 400 naming the part', async () => {
    const data = new FormData();
    data.append('sdp', 'v=0');
    data.append('session', new Blob(['{"type": '], { type: 'application/json' }), '');
    const answer = await send('POST', '/v1/realtime/calls', { body: data });
    expectErrorShape(answer, 400, null);
    expect(answer.body.error.message).toContain("'session'");
  });

  test('an array field in a multipart upload is checked item by item', async () => {
    const data = new FormData();
    data.append('file', new Blob(['RIFF'], { type: 'audio/wav' }), 'a.wav');
    data.append('model', 'whisper-1');
    data.append('response_format', 'verbose_json');
    data.append('timestamp_granularities[]', 'word');
    data.append('timestamp_granularities[]', 'syllable');
    const answer = await send('POST', '/v1/audio/transcriptions', { body: data });
    expectErrorShape(answer, 400, 'timestamp_granularities[1]', 'invalid_value');
  });

  test('a multipart body with a broken boundary', async () => {
    const answer = await send('POST', '/v1/files', {
      body: '--nope\r\ncontent-disposition: form-data; name="purpose"\r\n\r\nbatch',
      headers: { 'content-type': 'multipart/form-data' },
    });
    expectErrorShape(answer, 400, null);
  });
});

describe('auth', () => {
  test.each([
    ['no Authorization header', {}],
    ['an empty one', { authorization: '' }],
    ['Basic with a user name', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['Bearer without a token', { authorization: 'Bearer' }],
    ['Bearer with only spaces', { authorization: 'Bearer    ' }],
    ['a bare token', { authorization: 'sk-test' }],
  ])('%s gets 401', async (_name, headers) => {
    const response = await fetch(`${mock.url}/v1/models`, { headers, signal: AbortSignal.timeout(10_000) });
    const body = await response.json();
    expect(response.status).toBe(401);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(body.error.param).toBeNull();
    expect(body.error.message).toMatch(/Authorization/);
  });

  test('any bearer token is accepted', async () => {
    const response = await fetch(`${mock.url}/v1/models`, { headers: { authorization: 'bearer whatever' } });
    expect(response.status).toBe(200);
  });

  test('auth: false accepts requests without a header', async () => {
    const open = await startMock({ auth: false });
    try {
      const response = await fetch(`${open.url}/v1/models`);
      expect(response.status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('routes', () => {
  test.each([
    ['POST', '/v1/nope'],
    ['GET', '/nope'],
    ['PUT', '/v1/models'],
    ['DELETE', '/v1/chat/completions'],
    ['GET', '/v1/files/file-1/content/extra'],
    ['PATCH', '/v2/models'],
  ])('%s %s gets 404 Invalid URL in the exact shape', async (method, path) => {
    const answer = await send(method, path);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      error: { message: `Invalid URL (${method} ${path})`, type: 'invalid_request_error', param: null, code: null },
    });
  });

  test('an unknown route needs no auth to be told it is unknown', async () => {
    const response = await fetch(`${mock.url}/v1/nope`, { method: 'POST' });
    expect(response.status).toBe(404);
  });
});

describe('content type and size', () => {
  test('a wrong content type gets 415', async () => {
    const answer = await send('POST', '/v1/chat/completions', { body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(answer.status).toBe(415);
    expect(answer.body.error.type).toBe('invalid_request_error');
    expect(answer.body.error.message).toMatch(/text\/plain.*application\/json/);
  });

  test('a content type with parameters or in capitals is still JSON', async () => {
    for (const type of ['application/json; charset=utf-8', 'Application/JSON']) {
      const answer = await send('POST', '/v1/chat/completions', { body: JSON.stringify(chat({})), headers: { 'content-type': type } });
      expect({ type, status: answer.status }).toEqual({ type, status: 200 });
    }
  });

  test('JSON sent to a multipart-only operation gets 415', async () => {
    const answer = await postJson('/v1/files', { purpose: 'batch' });
    expect(answer.status).toBe(415);
    expect(answer.body.error.message).toMatch(/multipart\/form-data/);
  });

  test('a body over the limit gets 413 (declared length)', async () => {
    const answer = await send('POST', '/v1/chat/completions', {
      server: small,
      body: JSON.stringify(chat({ user: 'x'.repeat(BODY_LIMIT) })),
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(413);
    expect(answer.body.error.type).toBe('invalid_request_error');
    expect(answer.body.error.message).toContain(String(BODY_LIMIT));
  });

  test('a chunked body over the limit gets 413', async () => {
    const chunk = Buffer.alloc(1024, 'a');
    const answer = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${small.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode!);
      });
      request.on('error', reject);
      request.setTimeout(10_000, () => request.destroy(new Error('no answer')));
      for (let i = 0; i < 4; i++) request.write(chunk);
      request.end();
    });
    expect(answer).toBe(413);
  });

  test('a body just under the limit passes', async () => {
    const body = JSON.stringify(chat({}));
    expect(body.length).toBeLessThan(BODY_LIMIT);
    const answer = await send('POST', '/v1/chat/completions', { server: small, body, headers: { 'content-type': 'application/json' } });
    expect(answer.status).toBe(200);
  });
});

describe('through the SDK', () => {
  let client: OpenAI;
  beforeAll(() => {
    client = sdk(mock);
  });

  async function rejection(promise: Promise<unknown>): Promise<any> {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    throw new Error('the request was expected to fail');
  }

  test('an unknown role is a BadRequestError naming messages[0].role', async () => {
    const error = await rejection(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'bot', content: 'Hi' }] } as any));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages[0].role');
    expect(error.code).toBe('invalid_value');
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toBe(
      "400 Invalid value: 'bot'. Supported values are: 'developer', 'system', 'user', 'assistant', 'tool', and 'function'.",
    );
  });

  test('a wrong temperature is a BadRequestError naming temperature', async () => {
    const error = await rejection(client.chat.completions.create(chat({ temperature: 'hot' }) as any));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('temperature');
    expect(error.message).toBe("400 Invalid type for 'temperature': expected a decimal, but got a string instead.");
  });

  test('a multipart upload with an unknown purpose is a BadRequestError naming purpose', async () => {
    const error = await rejection(client.files.create({ file: await toFile(Buffer.from('x'), 'x.jsonl'), purpose: 'nope' as any }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('purpose');
  });

  test('an Authorization header without a key is an AuthenticationError', async () => {
    const basic = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'x', maxRetries: 0, defaultHeaders: { authorization: 'Basic abc' } });
    const error = await rejection(basic.models.list());
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.status).toBe(401);
  });

  test('an unknown route is a NotFoundError with the Invalid URL message', async () => {
    const error = await rejection(client.post('/nope', { body: {} }));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.message).toBe('404 Invalid URL (POST /v1/nope)');
  });

  test('the server still answers after all of the above', async () => {
    const page = await client.models.list();
    expect(Array.isArray(page.data)).toBe(true);
  });
});
