/**
 * LangChain's OpenAI integration (@langchain/openai) against the real server, the way an app
 * configures it for tests: `configuration.baseURL`. Chat (plain, streamed, with tools bound, with
 * structured output), embeddings, and the API's error for a bad parameter.
 */
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { HumanMessage, ToolMessage, type AIMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import { text, toolCall, type MockServer } from '../../src';
import { startMock } from '../helpers/server';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());
afterEach(() => {
  mock.resetScripts();
  mock.journal.clear();
});

const chat = (extra: Record<string, unknown> = {}) =>
  new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-langchain-test', configuration: { baseURL: `${mock.url}/v1` }, maxRetries: 0, ...extra });

test('invoke: an AIMessage with text and token usage', async () => {
  const answer = (await chat().invoke('Say hello')) as AIMessage;
  expect(typeof answer.content).toBe('string');
  expect((answer.content as string).length).toBeGreaterThan(0);
  expect(answer.usage_metadata?.input_tokens).toBeGreaterThan(0);
  expect(answer.usage_metadata?.total_tokens).toBe(answer.usage_metadata!.input_tokens + answer.usage_metadata!.output_tokens);
  const [entry] = mock.journal.requests({ operation: 'createChatCompletion' });
  expect(entry!.body).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
});

test('stream: the chunks join into the scripted text', async () => {
  mock.on('createChatCompletion').replyOnce(text('Streaming through LangChain works.'));
  let joined = '';
  for await (const chunk of await chat({ streaming: true }).stream([new HumanMessage('Go')])) joined += chunk.content as string;
  expect(joined).toBe('Streaming through LangChain works.');
  expect(mock.journal.requests()[0]!.response.streamed).toBe(true);
  mock.assertAllUsed();
});

test('bindTools: a tool call parsed into tool_calls, its result sent back, the final text', async () => {
  const weather = tool(async ({ city }: { city: string }) => `21C in ${city}`, {
    name: 'get_weather',
    description: 'The weather in a city',
    schema: z.object({ city: z.string() }),
  });
  mock.on('createChatCompletion').replyOnce(toolCall('get_weather', { city: 'Rome' })).replyOnce(text('It is 21C in Rome.'));
  const model = chat().bindTools([weather]);
  const question = new HumanMessage('Weather in Rome?');
  const first = (await model.invoke([question])) as AIMessage;
  expect(first.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: 'Rome' } })]);
  const call = first.tool_calls![0]!;
  const result = await weather.invoke(call.args as { city: string });
  const second = (await model.invoke([question, first, new ToolMessage({ content: result, tool_call_id: call.id! })])) as AIMessage;
  expect(second.content).toBe('It is 21C in Rome.');
  const sent = mock.journal.requests({ operation: 'createChatCompletion' })[1]!.body as { messages: Array<{ role: string; tool_call_id?: string }> };
  expect(sent.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: call.id });
  mock.assertAllUsed();
});

test('withStructuredOutput: a JSON schema answer parsed into the object', async () => {
  const schema = z.object({ name: z.string(), age: z.number() });
  const structured = chat().withStructuredOutput(schema, { name: 'person', method: 'jsonSchema' });
  const person = await structured.invoke('Make up a person');
  // Realism fills the schema the request sends: whatever it makes must parse as the schema says.
  expect(schema.safeParse(person).success).toBe(true);
  const [entry] = mock.journal.requests({ operation: 'createChatCompletion' });
  expect(entry!.body).toMatchObject({ response_format: { type: 'json_schema', json_schema: { name: 'person' } } });
});

test('OpenAIEmbeddings: one vector per document, of the size asked', async () => {
  const embeddings = new OpenAIEmbeddings({ model: 'text-embedding-3-small', dimensions: 64, apiKey: 'sk-langchain-test', configuration: { baseURL: `${mock.url}/v1` }, maxRetries: 0 });
  const vectors = await embeddings.embedDocuments(['first document', 'second document', 'third']);
  expect(vectors).toHaveLength(3);
  for (const vector of vectors) expect(vector).toHaveLength(64);
  const query = await embeddings.embedQuery('a question');
  expect(query).toHaveLength(64);
});

test('a bad request reaches LangChain as the API error it would get', async () => {
  await expect(chat({ model: 'gpt-4o-mini', temperature: 7 }).invoke('Hi')).rejects.toThrow(/temperature/);
});
