/**
 * No silent fallback: when realism cannot build an answer (a request shape no builder foresaw),
 * the log says so with the operation and the reason, and the answer is the smallest valid body
 * for the operation, never the engine's placeholders (`"id": "string"`, `"created": 0`).
 */
import type { MockServer, Step } from '../../src';
import { createLogger } from '../../src/log/logger';
import { startMock } from '../helpers/server';
import { post } from './support';

const lines: string[] = [];
let mock: MockServer;

// A step before realism hands it a body whose `messages` cannot be read: the builders throw.
const unreadable: Step = async (exchange, next) => {
  const body = { ...(exchange.request.body as Record<string, unknown>) };
  Object.defineProperty(body, 'messages', { enumerable: true, get: () => { throw new Error('messages are unreadable'); } });
  return next({ ...exchange, request: { ...exchange.request, body } });
};

beforeAll(async () => {
  mock = await startMock({ logger: createLogger('warn', (line) => lines.push(line)), steps: [unreadable] });
});
afterAll(async () => {
  await mock?.close();
});

test('a builder that throws: the smallest valid body, and a warning with the operation and the reason', async () => {
  const answer = await post(mock.url, '/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
  expect(answer.status).toBe(200);
  const body = answer.json();
  expect(body).toMatchObject({ object: 'chat.completion', model: 'gpt-4o', choices: [] });
  expect(body.id).toMatch(/^chatcmpl-/);
  expect(body.created).toBeGreaterThan(1_700_000_000);
  expect(answer.text).not.toContain('"string"');
  expect(lines.join('\n')).toMatch(
    /warn: POST \/v1\/chat\/completions \(createChatCompletion\): realism could not build the answer \(messages are unreadable\); answering the smallest valid body/,
  );
});
