/**
 * The Responses API streamed to the official SDK: typed events in the API's order with increasing
 * sequence numbers, and the SDK's ResponseStream rebuilding the same response as the plain call.
 */
import { FUNCTION_CALL_ITEM, MESSAGE_ITEM, RESPONSE_TEXT, responseBody, rewritingMock, withBody } from './support';

const env = rewritingMock();
const { rewrites } = env;

const ask = { model: 'gpt-4o', input: 'How tall is the Eiffel Tower?' };

/** Runs of the same type collapsed: `a, b, b, b, c` becomes `a, b+, c`. */
function shape(types: string[]): string[] {
  const out: string[] = [];
  for (const type of types) {
    const last = out.at(-1);
    if (last === type || last === `${type}+`) out[out.length - 1] = `${type}+`;
    else out.push(type);
  }
  return out;
}

/** What the SDK's final response and the plain one share (the SDK adds parsed fields of its own). */
const comparable = (response: unknown) =>
  JSON.parse(JSON.stringify(response, (key, value) => (['parsed', 'parsed_arguments', 'output_parsed'].includes(key) ? undefined : value)));

describe('responses with stream: true', () => {
  test('responses.create({stream: true}) gives the events in order, numbered, with the text in deltas', async () => {
    rewrites.createResponse = withBody(responseBody([MESSAGE_ITEM, FUNCTION_CALL_ITEM]));
    const events = [];
    for await (const event of await env.client.responses.create({ ...ask, stream: true })) events.push(event);

    expect(shape(events.map((e) => e.type))).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta+',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta+',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));

    const deltas = events.filter((e) => e.type === 'response.output_text.delta');
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.map((e) => e.delta).join('')).toBe(RESPONSE_TEXT);
    const args = events.filter((e) => e.type === 'response.function_call_arguments.delta');
    expect(args.map((e) => e.delta).join('')).toBe(FUNCTION_CALL_ITEM.arguments);

    const created = events[0]!;
    expect(created.type === 'response.created' && created.response.status).toBe('in_progress');
    const completed = events.at(-1)!;
    expect(completed.type === 'response.completed' && completed.response.output).toEqual([MESSAGE_ITEM, FUNCTION_CALL_ITEM]);
  });

  test('responses.stream(...).finalResponse() equals the plain response, output_text included', async () => {
    rewrites.createResponse = withBody(responseBody([MESSAGE_ITEM, FUNCTION_CALL_ITEM]));
    const plain = await env.client.responses.create(ask);

    const stream = env.client.responses.stream(ask);
    const seen: string[] = [];
    let lastSnapshot = '';
    stream.on('event', (event) => seen.push(event.type));
    stream.on('response.output_text.delta', (event) => {
      lastSnapshot = event.snapshot;
    });
    const final = await stream.finalResponse();

    expect(final.output_text).toBe(RESPONSE_TEXT);
    expect(lastSnapshot).toBe(RESPONSE_TEXT);
    expect(comparable(final)).toEqual(comparable(plain));
    expect(seen[0]).toBe('response.created');
    expect(seen.at(-1)).toBe('response.completed');
  });

  test('reasoning summaries and refusals stream with their own events', async () => {
    const reasoning = {
      type: 'reasoning',
      id: 'rs_stream_test',
      summary: [{ type: 'summary_text', text: 'The user asks about a height; answer with the number.' }],
    };
    const refusal = {
      type: 'message',
      id: 'msg_refusal',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'refusal', refusal: 'I cannot share that.' }],
    };
    rewrites.createResponse = withBody(responseBody([reasoning, refusal]));
    const stream = env.client.responses.stream(ask);
    const types: string[] = [];
    stream.on('event', (event) => types.push(event.type));
    const final = await stream.finalResponse();
    expect(shape(types)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta+',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.refusal.delta+',
      'response.refusal.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(comparable(final.output)).toEqual([reasoning, refusal]);
  });

  test('a failed or incomplete final response ends with its own event', async () => {
    rewrites.createResponse = withBody({ ...responseBody([MESSAGE_ITEM]), status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    const types = [];
    for await (const event of await env.client.responses.create({ ...ask, stream: true })) types.push(event.type);
    expect(types.at(-1)).toBe('response.incomplete');
  });

  test('the default response (engine and realism) streams, and the helper rebuilds it from the events', async () => {
    // Each request may get fresh ids and text: the deltas are compared with their own stream's result.
    const stream = env.client.responses.stream(ask);
    const deltas: string[] = [];
    let completed: any;
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    stream.on('response.completed', (event) => (completed = event.response));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(deltas.join(''));
    expect(comparable(final)).toEqual(comparable({ ...completed, output_text: final.output_text }));
  });
});
