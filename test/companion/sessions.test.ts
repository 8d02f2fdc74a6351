/**
 * Sessions: tests running in parallel against one server, each with its own scripts and journal,
 * named by the x-mock-session header or (when configured) by the client's API key.
 */
import OpenAI from 'openai';
import '../../src/jest';
import { connectMock, text, type MockServer } from '../../src';
import { startMock } from '../helpers/server';

const ask = (content: string) => ({ model: 'gpt-4o', messages: [{ role: 'user' as const, content }] });

describe('by header', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMock();
  });
  afterAll(() => mock.close());

  test('two sessions in parallel: each sees its own scripts and journal, no cross-talk', async () => {
    const clientFor = (session: string) =>
      new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-test-key', maxRetries: 0, defaultHeaders: { 'x-mock-session': session } });
    const sessions = ['alpha', 'beta'] as const;
    for (const name of sessions) {
      // Both script the same operation, each its own sequence.
      const session = mock.session(name);
      for (let i = 0; i < 20; i++) session.on('createChatCompletion').replyOnce(text(`${name} ${i}`));
    }
    const run = async (name: (typeof sessions)[number]) => {
      const client = clientFor(name);
      const answers: string[] = [];
      for (let i = 0; i < 20; i++) answers.push((await client.chat.completions.create(ask(`${name} asks ${i}`))).choices[0]!.message.content!);
      return answers;
    };
    const [alpha, beta] = await Promise.all([run('alpha'), run('beta')]);
    expect(alpha).toEqual(Array.from({ length: 20 }, (_, i) => `alpha ${i}`));
    expect(beta).toEqual(Array.from({ length: 20 }, (_, i) => `beta ${i}`));

    for (const name of sessions) {
      const handle = mock.session(name);
      const entries = handle.journal.requests();
      expect(entries).toHaveLength(20);
      expect(entries.every((e) => e.session === name && JSON.stringify(e.body).includes(`${name} asks`))).toBe(true);
      handle.assertAllUsed();
    }
    // The server's own journal sees every session, and filters by one.
    expect(mock.journal.requests()).toHaveLength(40);
    expect(mock.journal.requests({ session: 'beta' })).toHaveLength(20);

    // Clearing one session's journal leaves the other's.
    mock.session('alpha').journal.clear();
    expect(mock.session('alpha').journal.requests()).toHaveLength(0);
    expect(mock.session('beta').journal.requests()).toHaveLength(20);
  });

  test("a session's scripts come first, then the default session's; a request without a session never meets another session's", async () => {
    mock.resetScripts();
    mock.on('createChatCompletion').reply('from the default session');
    mock.session('gamma').on('createChatCompletion').replyOnce('from gamma');
    const plain = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-test-key', maxRetries: 0 });
    const gamma = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-test-key', maxRetries: 0, defaultHeaders: { 'x-mock-session': 'gamma' } });
    expect((await plain.chat.completions.create(ask('x'))).choices[0]!.message.content).toBe('from the default session');
    expect((await gamma.chat.completions.create(ask('x'))).choices[0]!.message.content).toBe('from gamma');
    expect((await gamma.chat.completions.create(ask('x'))).choices[0]!.message.content).toBe('from the default session');
    expect(mock.session('gamma').scripts()).toEqual([expect.objectContaining({ session: 'gamma', used: 1, times: 1, pending: false })]);
    mock.resetScripts();
  });
});

test('by API key (sessions: { byApiKey: true }): each client its own key, no header', async () => {
  const mock = await startMock({ sessions: { byApiKey: true } });
  try {
    const clients = ['sk-test-worker-1', 'sk-test-worker-2'].map((apiKey) => new OpenAI({ baseURL: `${mock.url}/v1`, apiKey, maxRetries: 0 }));
    mock.session('sk-test-worker-1').on('createResponse').reply(text('one'));
    mock.session('sk-test-worker-2').on('createResponse').reply(text('two'));
    const answers = await Promise.all(clients.flatMap((client) => [1, 2, 3].map(() => client.responses.create({ model: 'gpt-4o', input: 'Hi' }))));
    expect(answers.map((a) => a.output_text)).toEqual(['one', 'one', 'one', 'two', 'two', 'two']);
    expect(mock.session('sk-test-worker-1').journal.requests()).toHaveLength(3);
    // The key names the session but is masked in the recorded headers.
    expect(mock.session('sk-test-worker-2').journal.last()!.headers.authorization).toBe('Bearer sk-…er-2');
  } finally {
    await mock.close();
  }
});

test('workers sharing one server (globalSetup): each connects over HTTP with its own session', async () => {
  const mock = await startMock();
  try {
    // What each Jest/Vitest worker does, with only the server's URL from globalSetup.
    const worker = async (id: number) => {
      const remote = connectMock(mock.url, { session: `worker-${id}` });
      await remote.script({ operation: 'createChatCompletion', replies: [{ toolCall: { name: 'lookup', arguments: { id } } }, { text: `done ${id}` }] });
      const client = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-test-key', maxRetries: 0, defaultHeaders: remote.headers });
      const first = await client.chat.completions.create(ask(`worker ${id}`));
      const second = await client.chat.completions.create(ask(`worker ${id} again`));
      await remote.assertAllUsed();
      const entries = await remote.requests({ operation: 'createChatCompletion' });
      expect(entries).toHaveReceivedTimes('POST /v1/chat/completions', 2);
      expect(entries).toHaveReceived('createChatCompletion', { body: expect.objectContaining({ messages: [{ role: 'user', content: `worker ${id} again` }] }) });
      return [first.choices[0]!.message.tool_calls![0]!.type === 'function' && JSON.parse(first.choices[0]!.message.tool_calls![0]!.function.arguments).id, second.choices[0]!.message.content, entries.length];
    };
    expect(await Promise.all([1, 2, 3, 4].map(worker))).toEqual([1, 2, 3, 4].map((id) => [id, `done ${id}`, 2]));
    await expect(connectMock(mock.url, { session: 'idle' }).script({ operation: 'createEmbedding', reply: {} }).then(() => connectMock(mock.url, { session: 'idle' }).assertAllUsed())).rejects.toThrow(/1 script not used up/);
  } finally {
    await mock.close();
  }
});
