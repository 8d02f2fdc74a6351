/**
 * The same request sent again and again (a load test) is answered from a template of its answer
 * (src/realism/templates.ts): still fresh ids every time, still the current second, the same
 * answer otherwise; and every step above it (overrides editing in place, the journal, metrics,
 * streaming) sees the answer as it would without the template.
 */
import type { MockServer } from '../../src';
import { AnswerTemplates } from '../../src/realism/templates';
import { sdk, startMock } from '../helpers/server';

const HEADERS = { authorization: 'Bearer sk-test', 'content-type': 'application/json' };

async function post(mock: MockServer, path: string, body: unknown): Promise<{ status: number; text: string; json: any }> {
  const response = await fetch(`${mock.url}/v1${path}`, { method: 'POST', headers: HEADERS, body: JSON.stringify(body) });
  const text = await response.text();
  expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(text));
  return { status: response.status, text, json: JSON.parse(text) };
}

/** The answer with its ids and timestamps blanked: what stays the same from one time to the next. */
function withoutFresh(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, v) => (key === 'id' || key === 'created' || key === 'created_at' || key === 'completed_at' ? '*' : v));
}

const TOOL_CHAT = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
  tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
  tool_choice: 'required',
};

describe('a repeated request', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMock();
  });
  afterAll(() => mock?.close());

  test('chat: every answer has fresh ids (the tool call too), the rest is the same answer', async () => {
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await post(mock, '/chat/completions', TOOL_CHAT));
    const ids = answers.map((a) => a.json.id);
    const calls = answers.map((a) => a.json.choices[0].message.tool_calls[0].id);
    expect(new Set(ids).size).toBe(5);
    expect(new Set(calls).size).toBe(5);
    for (const id of ids) expect(id).toMatch(/^chatcmpl-[A-Za-z0-9]{24}$/);
    for (const call of calls) expect(call).toMatch(/^call_[A-Za-z0-9]{24}$/);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(Math.abs(answer.json.created - Date.now() / 1000)).toBeLessThan(5);
      expect(withoutFresh(answer.json)).toEqual(withoutFresh(answers[0]!.json));
    }
    // A different request is a different answer, not the template of the first.
    const other = await post(mock, '/chat/completions', { model: 'gpt-4.1', messages: [{ role: 'user', content: 'Hello' }] });
    expect(other.json.model).toBe('gpt-4.1');
    expect(other.json.choices[0].message.tool_calls).toBeUndefined();
  });

  test('responses and embeddings: fresh ids each time, the same vector for the same text', async () => {
    const responses = [];
    for (let i = 0; i < 4; i++) responses.push((await post(mock, '/responses', { model: 'gpt-4o-mini', input: 'Say hello' })).json);
    expect(new Set(responses.map((r) => r.id)).size).toBe(4);
    expect(new Set(responses.map((r) => r.output[0].id)).size).toBe(4);
    for (const r of responses) expect(withoutFresh(r)).toEqual(withoutFresh(responses[0]));
    const embeddings = [];
    for (let i = 0; i < 3; i++) embeddings.push((await post(mock, '/embeddings', { model: 'text-embedding-3-small', input: 'the same text' })).text);
    expect(embeddings[1]).toBe(embeddings[0]);
    expect(embeddings[2]).toBe(embeddings[0]);
  });

  test('the journal keeps the answer each client got, and metrics count its tokens each time', async () => {
    const session = `templates-${Date.now()}`;
    const tokens = async () => {
      const text = await (await fetch(`${mock.url}/__admin/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('openai_mock_tokens_generated_total{operation="createChatCompletion",model="gpt-4o-mini"}'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await tokens();
    const got = [];
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${mock.url}/v1/chat/completions`, { method: 'POST', headers: { ...HEADERS, 'x-mock-session': session }, body: JSON.stringify(TOOL_CHAT) });
      got.push(await response.json());
    }
    const entries = mock.session(session).journal.requests();
    expect(entries.map((e) => (e.response.body as { id: string }).id)).toEqual(got.map((g) => g.id));
    const each = got[0].usage.completion_tokens;
    expect(each).toBeGreaterThan(0);
    expect((await tokens()) - before).toBe(4 * each);
  });

  test('a streamed request gets the streamed form of the same answer', async () => {
    const client = sdk(mock);
    for (let i = 0; i < 3; i++) {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Stream it' }], stream: true });
      let text = '';
      const ids = new Set<string>();
      for await (const chunk of stream) {
        ids.add(chunk.id);
        text += chunk.choices[0]?.delta?.content ?? '';
      }
      expect(ids.size).toBe(1);
      expect(text.length).toBeGreaterThan(0);
    }
  });
});

test('an override that edits the answer in place is heard on every repetition, and not after it is gone', async () => {
  const mock = await startMock();
  try {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] };
    const plain = (await post(mock, '/chat/completions', body)).json.choices[0].message.content;
    mock.setOverrides([
      {
        operation: 'createChatCompletion',
        response: (ctx) => {
          (ctx.response.body as { choices: { message: { content: string } }[] }).choices[0]!.message.content = 'edited in place';
        },
      },
    ]);
    for (let i = 0; i < 4; i++) expect((await post(mock, '/chat/completions', body)).json.choices[0].message.content).toBe('edited in place');
    mock.setOverrides([]);
    for (let i = 0; i < 3; i++) expect((await post(mock, '/chat/completions', body)).json.choices[0].message.content).toBe(plain);
  } finally {
    await mock.close();
  }
});

test('a seeded server still answers the same request with the same bytes', async () => {
  const mock = await startMock({ seed: 7 });
  try {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] };
    const first = (await post(mock, '/chat/completions', body)).text;
    for (let i = 0; i < 3; i++) expect((await post(mock, '/chat/completions', body)).text).toBe(first);
  } finally {
    await mock.close();
  }
});

describe('AnswerTemplates, on its own', () => {
  const ID = 'abcdefghijklmnopqrstuvwx';
  const answer = (body: unknown) => ({ status: 200, headers: { 'content-type': 'application/json' }, body });

  test('a request is templated from its second sighting; its template fills only in its own second', () => {
    const templates = new AnswerTemplates();
    expect(templates.wanted('k')).toBe(false);
    expect(templates.wanted('k')).toBe(true);
    const kept = templates.keep('k', 100, answer({ id: `chatcmpl-${ID}`, again: ID, n: 1 }), [ID])!;
    expect(kept.raw!.toString()).toBe(`{"id":"chatcmpl-${ID}","again":"${ID}","n":1}`);
    const filled = JSON.parse(templates.fill('k', 100)!.raw!.toString());
    expect(filled.id).toMatch(/^chatcmpl-[A-Za-z0-9]{24}$/);
    expect(filled.id).not.toBe(`chatcmpl-${ID}`);
    // An id that appears twice gets the same new value in both places.
    expect(filled.again).toBe(filled.id.slice('chatcmpl-'.length));
    expect(templates.fill('k', 101)).toBeUndefined();
    expect(templates.fill('other', 100)).toBeUndefined();
  });

  test('an answer that cannot be cut at its ids is not templated, nor tried again', () => {
    const templates = new AnswerTemplates();
    templates.wanted('k');
    expect(templates.wanted('k')).toBe(true);
    // The id drawn does not appear whole (a step changed it): no template.
    expect(templates.keep('k', 100, answer({ id: `x-${ID.slice(0, 10)}` }), [ID])).toBeUndefined();
    expect(templates.fill('k', 100)).toBeUndefined();
    expect(templates.wanted('k')).toBe(false);
  });

  test('keys seen once are bounded', () => {
    const templates = new AnswerTemplates();
    templates.wanted('first');
    for (let i = 0; i < 1024; i++) templates.wanted(`key ${i}`);
    // Forgotten with the rest when the set was full: seen once again, not yet wanted.
    expect(templates.wanted('first')).toBe(false);
  });
});
