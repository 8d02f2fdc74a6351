/**
 * A stored response retrieved as a stream (`GET /responses/{id}?stream=true`): the SDK's
 * `responses.retrieve(id, { stream: true })` and `responses.stream({ response_id })` get the events
 * of the stored response, and `starting_after` resumes after a sequence number.
 */
import { FUNCTION_CALL_ITEM, MESSAGE_ITEM, RESPONSE_TEXT, parseEventStream, responseBody, rewritingMock, withBody } from './support';

const env = rewritingMock();
const { rewrites } = env;

const stored = () => ({ ...responseBody([MESSAGE_ITEM, FUNCTION_CALL_ITEM]), id: 'resp_123' });

/** What the SDK's final response and the plain one share (the SDK adds parsed fields of its own). */
const comparable = (response: unknown) =>
  JSON.parse(JSON.stringify(response, (key, value) => (['parsed', 'parsed_arguments', 'output_parsed'].includes(key) ? undefined : value)));

describe('responses.retrieve(id, { stream: true })', () => {
  test('gives the stored response as numbered events, from response.created to response.completed', async () => {
    rewrites.getResponse = withBody(stored());
    const events = [];
    for await (const event of await env.client.responses.retrieve('resp_123', { stream: true })) events.push(event);

    expect(events.length).toBeGreaterThan(10);
    expect(events[0]!.type).toBe('response.created');
    expect(events.at(-1)!.type).toBe('response.completed');
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.filter((e) => e.type === 'response.output_text.delta');
    expect(deltas.map((e) => e.delta).join('')).toBe(RESPONSE_TEXT);
    const completed = events.at(-1)!;
    expect(completed.type === 'response.completed' && completed.response).toMatchObject({ id: 'resp_123', output: [MESSAGE_ITEM, FUNCTION_CALL_ITEM] });
  });

  test("streams the engine's default answer too", async () => {
    const events = [];
    for await (const event of await env.client.responses.retrieve('resp_123', { stream: true })) events.push(event);
    expect(events[0]!.type).toBe('response.created');
    expect(['response.completed', 'response.failed', 'response.incomplete']).toContain(events.at(-1)!.type);
  });

  test('starting_after skips the events numbered up to it', async () => {
    rewrites.getResponse = withBody(stored());
    const all = [];
    for await (const event of await env.client.responses.retrieve('resp_123', { stream: true })) all.push(event);
    const rest = [];
    for await (const event of await env.client.responses.retrieve('resp_123', { stream: true, starting_after: 3 })) rest.push(event);

    expect(rest.map((e) => e.sequence_number)).toEqual(all.slice(4).map((e) => e.sequence_number));
    expect(rest).toEqual(all.slice(4));
  });

  test('an error event after starting_after keeps counting from where the stream resumed', async () => {
    rewrites.getResponse = withBody(stored(), { errorAfter: 2, error: { message: 'Overloaded', code: 'overloaded' } });
    const response = await fetch(`${env.mock.url}/v1/responses/resp_123?stream=true&starting_after=4`, { headers: { authorization: 'Bearer sk-test' } });
    const events = parseEventStream(await response.text()).map((e) => JSON.parse(e.data));
    expect(events.map((e) => e.sequence_number)).toEqual([5, 6, 7]);
    expect(events[2]).toMatchObject({ type: 'error', message: 'Overloaded', code: 'overloaded' });
  });
});

describe('responses.stream({ response_id })', () => {
  test('finalResponse() equals the plain retrieved response, output_text included', async () => {
    rewrites.getResponse = withBody(stored());
    const plain = await env.client.responses.retrieve('resp_123');

    const stream = env.client.responses.stream({ response_id: 'resp_123' });
    const seen: string[] = [];
    stream.on('event', (event) => seen.push(event.type));
    const final = await stream.finalResponse();

    expect(final.output_text).toBe(RESPONSE_TEXT);
    expect(comparable(final)).toEqual(comparable(plain));
    expect(seen[0]).toBe('response.created');
    expect(seen.at(-1)).toBe('response.completed');
  });

  test('starting_after: only the later events are emitted, the final response is whole', async () => {
    rewrites.getResponse = withBody(stored());
    const stream = env.client.responses.stream({ response_id: 'resp_123', starting_after: 5 });
    const numbers: number[] = [];
    stream.on('event', (event) => numbers.push(event.sequence_number));
    const final = await stream.finalResponse();

    expect(numbers[0]).toBe(6);
    expect(final.output_text).toBe(RESPONSE_TEXT);
  });
});

describe('GET /v1/responses/{id} over raw HTTP', () => {
  const get = (query: string) => fetch(`${env.mock.url}/v1/responses/resp_123${query}`, { headers: { authorization: 'Bearer sk-test' } });

  test.each(['?stream=true', '?beta=true&stream=true'])('%s answers text/event-stream', async (query) => {
    rewrites.getResponse = withBody(stored());
    rewrites.beta_getResponse = withBody(stored());
    const response = await get(query);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = parseEventStream(await response.text());
    expect(events[0]!.event).toBe('response.created');
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ type: 'response.completed', response: { id: 'resp_123' } });
  });

  test.each(['', '?stream=false'])('%s answers the response as JSON', async (query) => {
    rewrites.getResponse = withBody(stored());
    const response = await get(query);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ id: 'resp_123', object: 'response' });
  });
});
