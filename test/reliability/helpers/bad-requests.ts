/**
 * Generates bad requests by mutating valid SDK-style bodies. Each case says what it must get:
 * `error` - certainly invalid, so a 4xx in OpenAI's error shape; `no5xx` - a mutation that may
 * still be valid (an extra field, a huge but well-typed string), so any answer but a 5xx.
 */
import { buildRequest } from './raw-http';
import type { Random } from './prng';

export interface BadCase {
  name: string;
  bytes: Buffer;
  expect: 'error' | 'no5xx';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const AUTH = 'Bearer sk-reliability-0123456789abcdef';

/** Valid bodies as the official SDK sends them, with fields whose wrong values are certainly invalid. */
export const SEEDS: { path: string; body: Record<string, Json>; invalid: Record<string, Json[]>; required: string[] }[] = [
  {
    path: '/v1/chat/completions',
    body: {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hi' },
      ],
      temperature: 0.2,
      max_completion_tokens: 50,
    },
    invalid: {
      model: [42, null, {}, [], true],
      messages: ['hi', 42, {}, null, [], [42], [{ role: 'bot', content: 'x' }], [{ content: 'no role' }]],
      temperature: ['hot', {}, [], 5, -1],
      max_completion_tokens: ['many', 1.5, {}],
      n: ['two', 0, 1000],
      stream: ['yes', 1, {}],
      tools: ['none', [{ type: 'function' }], [42]],
      response_format: ['json', { type: 'yaml' }],
      reasoning_effort: ['extreme', 3],
    },
    required: ['model', 'messages'],
  },
  {
    path: '/v1/embeddings',
    body: { model: 'text-embedding-3-small', input: ['first text', 'second text'], encoding_format: 'float' },
    invalid: {
      model: [7, null, []],
      input: [{}, null, true, [{}]],
      encoding_format: ['hex', 1],
      dimensions: ['many', {}],
    },
    required: ['model', 'input'],
  },
  {
    path: '/v1/completions',
    body: { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7, temperature: 0 },
    invalid: { model: [1, {}], max_tokens: ['x', -5], temperature: ['warm', 9], n: ['x'] },
    required: ['model', 'prompt'],
  },
  {
    path: '/v1/moderations',
    body: { model: 'omni-moderation-latest', input: 'some text to check' },
    invalid: { input: [42, null, {}, true] },
    required: ['input'],
  },
  {
    path: '/v1/images/generations',
    body: { prompt: 'a cat wearing a hat', n: 1, size: '1024x1024' },
    invalid: { prompt: [42, null, {}], n: ['one', {}], size: [7, {}, ['1024x1024']] },
    required: ['prompt'],
  },
  {
    path: '/v1/audio/speech',
    body: { model: 'tts-1', input: 'Hello there', voice: 'alloy' },
    invalid: { model: [3, {}], input: [12, null], voice: [null, 7, []] },
    required: ['model', 'input', 'voice'],
  },
  {
    path: '/v1/responses',
    body: { model: 'gpt-4o-mini', input: 'Tell me a joke', temperature: 0.5 },
    invalid: { model: [3, []], input: [42, true, [42]], temperature: ['x', 7], tools: ['all', [{ type: 'nope' }]] },
    // The spec requires nothing here: a stored prompt can stand for model and input.
    required: [],
  },
];

const jsonHeaders = (extra: Record<string, string> = {}) => ({ Authorization: AUTH, 'Content-Type': 'application/json', Accept: 'application/json', ...extra });

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

function randomString(random: Random, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789-_é漢😀"\\/\n\t';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[random.int(0, alphabet.length - 1)];
  return out;
}

function randomValue(random: Random, depth = 0): Json {
  switch (random.int(0, depth > 2 ? 4 : 6)) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.pick([0, -1, 1.5, 1e308, -1e-308, 2 ** 53, 42]);
    case 3:
      return randomString(random, random.int(0, 20));
    case 4:
      return random.pick(['', ' ', '0', 'null', '{}', '\u0000', '\ud800']);
    case 5:
      return Array.from({ length: random.int(0, 3) }, () => randomValue(random, depth + 1));
    default: {
      const out: Record<string, Json> = {};
      for (let i = random.int(0, 3); i > 0; i--) out[randomString(random, random.int(1, 8))] = randomValue(random, depth + 1);
      return out;
    }
  }
}

function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Every place in a JSON tree: [container, key] pairs. */
function places(value: Json, out: [Record<string, Json> | Json[], string | number][] = []) {
  if (Array.isArray(value)) value.forEach((v, i) => (out.push([value, i]), places(v, out)));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push([value, k]), places(v, out);
  return out;
}

/** A mutation that may leave the request valid: the server may accept it, but must never fail on it. */
function mutateAnywhere(random: Random, body: Record<string, Json>): { name: string; text: string } {
  const copy = clone(body);
  const spots = places(copy);
  const [container, key] = random.pick(spots);
  const set = (value: Json) => ((container as Record<string | number, Json>)[key] = value);
  switch (random.int(0, 8)) {
    case 0: {
      const value = randomValue(random);
      set(value);
      return { name: `replace ${String(key)} with ${JSON.stringify(value).slice(0, 40)}`, text: JSON.stringify(copy) };
    }
    case 1:
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key as string];
      return { name: `delete ${String(key)}`, text: JSON.stringify(copy) };
    case 2: {
      const name = random.pick(['extra', 'user', 'metadata', 'x-unknown', '', ' ', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']);
      // Inside the object at the chosen place, or at the top when that place holds no object.
      const here = (container as Record<string | number, Json>)[key];
      const target = here && typeof here === 'object' && !Array.isArray(here) ? here : copy;
      target[name] = randomValue(random);
      return { name: `extra field ${JSON.stringify(name)}`, text: JSON.stringify(copy) };
    }
    case 3: {
      const size = random.pick([10_000, 100_000, 1_000_000]);
      set('x'.repeat(size));
      return { name: `huge string (${size}) at ${String(key)}`, text: JSON.stringify(copy) };
    }
    case 4: {
      const depth = random.pick([100, 1_000, 10_000, 50_000]);
      const marker = '"__NESTED__"';
      set('__NESTED__');
      return { name: `nesting ${depth} deep at ${String(key)}`, text: JSON.stringify(copy).replace(marker, nested(depth, random.chance(0.5) ? 'array' : 'object')) };
    }
    case 5: {
      const text = JSON.stringify(copy);
      const payload = random.pick(['{"polluted":"yes"}', '{"prototype":{"polluted":"yes"}}']);
      const key2 = random.pick(['__proto__', 'constructor']);
      return { name: `${key2} key`, text: text.replace(/^\{/, `{"${key2}":${payload},`) };
    }
    case 6: {
      const text = JSON.stringify(copy);
      const field = random.pick(Object.keys(copy));
      return { name: `duplicate key ${field}`, text: text.replace(/^\{/, `{"${field}":${JSON.stringify(randomValue(random))},`) };
    }
    case 7: {
      // Invalid UTF-8 inside a string: decoded as U+FFFD, so the JSON itself stays readable.
      return { name: 'invalid UTF-8 in a string', text: JSON.stringify(copy).replace(/"([a-z])/, '"\u0000INVALID\u0000$1') };
    }
    default: {
      const config = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } as Record<string, Json>;
      const depth = random.pick([1_000, 20_000]);
      config.response_format = { type: 'json_schema', json_schema: { name: 'deep', schema: '__NESTED__' } };
      return { name: `nesting ${depth} deep in a free-form schema`, text: JSON.stringify(config).replace('"__NESTED__"', nested(depth, 'object')) };
    }
  }
}

/** Positions just after a structural character ({ [ , :) that is not inside a string. */
function structuralPositions(text: string): number[] {
  const out: number[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if ('{[,:'.includes(c!)) out.push(i + 1);
  }
  return out;
}

/** The text of a body with invalid UTF-8 bytes where the marker stood. */
function withInvalidUtf8(text: string): Buffer {
  const parts = text.split('\u0000INVALID\u0000');
  if (parts.length === 1) return Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from(parts[0]!, 'utf8'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]), Buffer.from(parts.slice(1).join(''), 'utf8')]);
}

/** One generated case; `index` makes each one distinct and names it for replay. */
export function generateCase(random: Random, index: number): BadCase {
  const seed = random.pick(SEEDS);
  const jsonCase = (name: string, body: Buffer | string, expect: BadCase['expect'], headers = jsonHeaders()): BadCase => ({
    name: `#${index} ${seed.path}: ${name}`,
    bytes: buildRequest('POST', seed.path, headers, body),
    expect,
  });
  const kind = random.int(0, 21);
  switch (kind) {
    case 0:
    case 1:
    case 2: {
      const field = random.pick(Object.keys(seed.invalid));
      const value = random.pick(seed.invalid[field]!);
      const body = clone(seed.body);
      body[field] = value;
      if (random.chance(0.3)) body[randomString(random, 6)] = randomValue(random);
      return jsonCase(`${field} = ${JSON.stringify(value)}`, JSON.stringify(body), 'error');
    }
    case 3: {
      if (seed.required.length === 0) return generateCase(random, index);
      const body = clone(seed.body);
      const field = random.pick(seed.required);
      delete body[field];
      return jsonCase(`missing ${field}`, JSON.stringify(body), 'error');
    }
    case 4:
    case 5: {
      const text = JSON.stringify(seed.body);
      const cut = random.int(1, text.length - 1);
      return jsonCase(`truncated at ${cut}`, text.slice(0, cut), 'error');
    }
    case 6: {
      // Outside a string, so the JSON cannot be read (inside one they would decode as U+FFFD).
      const text = JSON.stringify(seed.body);
      const spots = structuralPositions(text);
      const at = random.pick(spots);
      return jsonCase(`invalid UTF-8 bytes at ${at}`, withInvalidUtf8(text.slice(0, at) + '\u0000INVALID\u0000' + text.slice(at)), 'error');
    }
    case 7: {
      const type = random.pick(['text/plain', 'application/xml', 'image/png', 'multipart/form-data', 'multipart/form-data; boundary=', 'application/x-www-form-urlencoded', 'application/octet-stream', '*/*', 'application/jsonx']);
      return jsonCase(`content type ${type}`, JSON.stringify(seed.body), 'error', jsonHeaders({ 'Content-Type': type }));
    }
    case 8: {
      const field = random.pick(Object.keys(seed.invalid));
      const bad = JSON.stringify(random.pick(seed.invalid[field]!));
      // JSON.parse keeps the last of duplicate keys: the last one here is the invalid one.
      const text = JSON.stringify(seed.body).replace(/\}$/, `,"${field}":${bad}}`);
      return jsonCase(`duplicate key ${field}, last invalid`, text, 'error');
    }
    case 9: {
      const depth = random.pick([1_000, 10_000, 100_000]);
      const field = random.pick(Object.keys(seed.invalid));
      const text = JSON.stringify({ ...seed.body, [field]: '__NESTED__' }).replace('"__NESTED__"', nested(depth, 'array'));
      return jsonCase(`${field} nested ${depth} deep`, text, 'error');
    }
    case 10: {
      const field = random.pick(Object.keys(seed.invalid));
      const size = random.pick([100_000, 1_000_000]);
      const wrong = random.chance(0.5) ? { [randomString(random, 4)]: 'y'.repeat(size) } : ['z'.repeat(size)];
      const body = { ...seed.body, [field]: wrong };
      return jsonCase(`${field} = huge ${Array.isArray(wrong) ? 'array' : 'object'} (${size})`, JSON.stringify(body), 'no5xx');
    }
    case 11: {
      const method = random.pick(['FOO', 'BREW', 'get', 'G E T', 'PROPFIND', 'TRACE', 'PURGE', 'LINK', 'CONNECT', 'DELETE', 'PUT', 'PATCH', 'OPTIONS']);
      const target = method === 'CONNECT' ? '127.0.0.1:1' : seed.path;
      return { name: `#${index} method ${method} ${target}`, bytes: buildRequest(method, target, jsonHeaders(), JSON.stringify(seed.body)), expect: 'error' };
    }
    case 12: {
      const length = random.pick([9_000, 20_000, 70_000]);
      const where = random.pick(['path', 'query']);
      const target = where === 'path' ? `${seed.path}/${'a'.repeat(length)}` : `${seed.path}?q=${'b'.repeat(length)}`;
      // A long query on a POST route is still a valid request; a long path is an unknown route.
      return { name: `#${index} ${where} of ${length} bytes`, bytes: buildRequest('POST', target, jsonHeaders(), JSON.stringify(seed.body)), expect: where === 'path' || length > 16_000 ? 'error' : 'no5xx' };
    }
    case 13: {
      const length = random.pick([20_000, 70_000]);
      const many = random.chance(0.5);
      const headers: [string, string][] = Object.entries(jsonHeaders());
      if (many) for (let i = 0; i < length / 20; i++) headers.push([`X-Filler-${i}`, 'v'.repeat(12)]);
      else headers.push(['X-Long', 'h'.repeat(length)]);
      return { name: `#${index} ${many ? 'many headers' : 'one long header'} (${length} bytes)`, bytes: buildRequest('POST', seed.path, headers, JSON.stringify(seed.body)), expect: 'error' };
    }
    case 14: {
      const headers = random.pick<[string, Record<string, string> | [string, string][]]>([
        ['no auth', { 'Content-Type': 'application/json' }],
        ['auth without Bearer', { Authorization: 'sk-abc', 'Content-Type': 'application/json' }],
        ['Basic auth', { Authorization: 'Basic dXNlcjpwYXNz', 'Content-Type': 'application/json' }],
        ['bad Content-Length', [['Authorization', AUTH], ['Content-Type', 'application/json'], ['Content-Length', 'abc']]],
        ['two Content-Lengths', [['Authorization', AUTH], ['Content-Type', 'application/json'], ['Content-Length', '5'], ['Content-Length', '6']]],
        ['Content-Length and chunked', [['Authorization', AUTH], ['Content-Type', 'application/json'], ['Content-Length', '5'], ['Transfer-Encoding', 'chunked']]],
        ['a NUL in a header', [['Authorization', AUTH], ['X-Bad', 'a\u0000b']]],
        ['a header without a colon', [['Authorization', AUTH], ['JustAName', '']]],
        ['Expect: teapot', [['Authorization', AUTH], ['Content-Type', 'application/json'], ['Expect', 'teapot']]],
      ]);
      let bytes = buildRequest('POST', seed.path, headers[1], JSON.stringify(seed.body));
      if (headers[0] === 'a header without a colon') bytes = Buffer.from(bytes.toString('latin1').replace('JustAName: ', 'JustAName'), 'latin1');
      return { name: `#${index} ${seed.path}: ${headers[0]}`, bytes, expect: 'error' };
    }
    case 15: {
      const boundary = random.chance(0.5) ? '' : '; boundary=xyz';
      const body = random.chance(0.5) ? '--xyz\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--xyz--\r\n' : 'not multipart at all';
      const target = random.pick(['/v1/audio/transcriptions', '/v1/files', '/v1/images/edits', '/v1/uploads/up_1/parts']);
      return {
        name: `#${index} ${target}: multipart${boundary || ' without boundary'}, ${body.length} bytes`,
        bytes: buildRequest('POST', target, { Authorization: AUTH, 'Content-Type': `multipart/form-data${boundary}` }, body),
        expect: 'error',
      };
    }
    case 16: {
      const text = JSON.stringify(seed.body);
      const chunks = [text.slice(0, 5), text.slice(5)].map((c) => `${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`).join('');
      const broken = random.pick(['zz\r\n', '5\r\nab', '-1\r\n', '']);
      const headers: [string, string][] = [['Authorization', AUTH], ['Content-Type', 'application/json'], ['Transfer-Encoding', 'chunked']];
      return { name: `#${index} ${seed.path}: broken chunked framing ${JSON.stringify(broken)}`, bytes: buildRequest('POST', seed.path, headers, chunks + broken + (broken ? '' : 'x\r\n')), expect: 'error' };
    }
    case 18: {
      const target = random.pick(['http://[bad/v1/models', 'http://a:b@/v1/models', 'http://x:99999/v1/models', 'http://h/%', '*', '/v1/models/%E0%A4%A', `/v1/models?${'a[]=1&'.repeat(2000)}`, `/v1/models?${'a['.repeat(500)}=1`]);
      return { name: `#${index} request target ${target.slice(0, 40)}`, bytes: buildRequest('GET', target, { Authorization: AUTH }), expect: 'no5xx' };
    }
    case 19: {
      // Prefer and Accept as a client might garble them; `dynamic=true` runs json-schema-faker.
      const header = random.pick<[string, string]>([
        ['Prefer', random.pick(['code=abc', 'code=99999', 'code=418', 'code=404', 'dynamic=maybe', 'dynamic=true', `dynamic=true, seed=${random.int(1, 1e6)}`, 'example=nope', ',,,=,', 'code=200, code=201'])],
        ['Accept', random.pick(['text/html', ';;;,*/*;q=abc', 'application/xml', '*/*;q=0', 'application/json;q=2', '\u00ff'])],
      ]);
      const target = random.pick(['/v1/chat/completions', '/v1/responses', '/v1/embeddings', '/v1/moderations']);
      const body = SEEDS.find((s) => s.path === target)!.body;
      return { name: `#${index} ${target}: ${header[0]}: ${header[1]}`, bytes: buildRequest('POST', target, jsonHeaders({ [header[0]]: header[1] }), JSON.stringify(body)), expect: 'no5xx' };
    }
    case 17: {
      const body = JSON.stringify(random.pick<Json>(['a string', 42, null, [], [1, 2], true, nested(50, 'array')]));
      return jsonCase(`body ${body.slice(0, 30)}`, body, 'error');
    }
    default: {
      const mutation = mutateAnywhere(random, seed.body);
      return jsonCase(mutation.name, withInvalidUtf8(mutation.text), 'no5xx');
    }
  }
}
