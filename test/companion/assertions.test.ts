/**
 * `expect(mock).toHaveReceived(...)` / `toHaveReceivedTimes(...)` (openai-mock/jest) and the plain
 * helpers for any runner, with messages that show what was received and where it differs.
 */
import '../../src/jest';
import OpenAI from 'openai';
import { assertReceived, assertReceivedTimes, text, type MockServer } from '../../src';
import { createLogger } from '../../src/log/logger';
import { startMock, sdk } from '../helpers/server';

let mock: MockServer;
let client: OpenAI;
beforeAll(async () => {
  mock = await startMock();
  client = sdk(mock);
  await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello there' }], temperature: 0.2 });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Again' }] });
});
afterAll(() => mock.close());

test('Jest matchers with asymmetric matchers', () => {
  expect(mock).toHaveReceived('createChatCompletion', { body: expect.objectContaining({ model: 'gpt-4o-mini' }) });
  expect(mock).toHaveReceived('POST /v1/chat/completions', { body: expect.objectContaining({ temperature: 0.2 }) });
  expect(mock).toHaveReceivedTimes('createChatCompletion', 2);
  expect(mock).toHaveReceivedTimes('createChatCompletion', 1, { body: expect.objectContaining({ model: 'gpt-4o' }) });
  expect(mock).not.toHaveReceived('createEmbedding');
  expect(mock).not.toHaveReceived('createChatCompletion', { body: expect.objectContaining({ model: 'o3' }) });
  expect(mock.session('elsewhere')).not.toHaveReceived('createChatCompletion');
});

test('a failing matcher shows the received requests and where each differs', () => {
  let message = '';
  try {
    expect(mock).toHaveReceived('createChatCompletion', { body: expect.objectContaining({ model: 'o3' }) });
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(/expected at least one createChatCompletion request with body ObjectContaining/);
  expect(message).toMatch(/0 matched\. Received:\n {2}#\d+ POST \/v1\/chat\/completions -> 200\n {6}body: expected ObjectContaining/);
});

test('plain helpers compare partially and throw readable differences', () => {
  assertReceived(mock, 'createChatCompletion', { body: { messages: [{ content: 'Again' }] } });
  assertReceivedTimes(mock, 'createChatCompletion', 2);
  expect(() => assertReceived(mock, 'createChatCompletion', { body: { model: 'o3', messages: [{ role: 'system' }] } })).toThrow(
    /body\.model: expected "o3", got "gpt-4o"\n {6}body\.messages\[0\]\.role: expected "system", got "user"/,
  );
  expect(() => assertReceivedTimes(mock, 'createEmbedding', 1)).toThrow('expected exactly 1 createEmbedding request, 0 matched. Received:\n  no createEmbedding request was received.');
});

test('scripts never used are reported: assertAllUsed throws, close() warns', async () => {
  const lines: string[] = [];
  const other = await startMock({ logger: createLogger('warn', (line) => lines.push(line)) });
  other.on('createChatCompletion').replyOnce(text('used'));
  other.on('createEmbedding').times(2).fail({ status: 500 });
  other.session('w2').on('listModels').reply({ data: [] });
  await sdk(other).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
  expect(() => other.assertAllUsed()).toThrow(
    /^2 scripts not used up:\n {2}- mock\.on\("createEmbedding"\) #\d+ \(createEmbedding\): used 0 of 2\n {2}- mock\.session\("w2"\)\.on\("listModels"\) #\d+ \(listModels, session w2\): used 0$/,
  );
  other.session('w2').resetScripts();
  await other.close();
  expect(lines).toEqual([expect.stringMatching(/^warn: 1 script not used up:\n {2}- mock\.on\("createEmbedding"\)/)]);
});
