import { DONE, type SseEvent, type StreamError, type StreamPlan } from './events';
import { splitText } from './split';
import { derivedId, isObject, type Json } from './json';
import type { Exchange } from '../pipeline/types';

/**
 * A run's final object says how it ends but not what the assistant wrote: the message streamed
 * for a completed run is this text.
 */
export const ASSISTANT_REPLY = 'Hello! This is a streamed reply from openai-mock.';

/**
 * The text a stored run's assistant message holds (stateful mode), by the request that streams
 * it: the stream then carries that text instead of the stateless reply.
 */
const storedReplies = new WeakMap<Exchange, string>();

export function streamStoredReply(exchange: Exchange, text: string): void {
  storedReplies.set(exchange, text);
}

export const storedReply = (exchange: Exchange): string | undefined => storedReplies.get(exchange);

const TERMINAL = new Set(['requires_action', 'completed', 'failed', 'cancelled', 'expired', 'incomplete']);

/** How the streamed run ends: the final body's state when it is one a stream ends in, else completed. */
function finalRun(run: Json): Json {
  if (TERMINAL.has(run.status) && (run.status !== 'requires_action' || isObject(run.required_action))) return run;
  return { ...run, status: 'completed', required_action: null, last_error: null, completed_at: run.completed_at || run.created_at };
}

function queued(run: Json): Json {
  return {
    ...run,
    status: 'queued',
    required_action: null,
    last_error: null,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    incomplete_details: null,
    usage: null,
  };
}

/** A run step at its start (`in_progress`); stateful runs (state/resources/runs.ts) keep theirs. */
export function runStep(run: Json, details: Json, id = derivedId('step_', `${run.id}/${details.type}`), at = run.created_at): Json & { id: string } {
  return {
    id,
    object: 'thread.run.step',
    created_at: at,
    assistant_id: run.assistant_id,
    thread_id: run.thread_id,
    run_id: run.id,
    type: details.type,
    status: 'in_progress',
    step_details: details,
    last_error: null,
    expired_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    metadata: {},
    usage: null,
  };
}

/** A message step: the message created empty, its text in deltas, completed; the step completed. */
function messageEvents(run: Json, text: string): SseEvent[] {
  const messageId = derivedId('msg_', String(run.id));
  const created = runStep(run, { type: 'message_creation', message_creation: { message_id: messageId } });
  const message: Json = {
    id: messageId,
    object: 'thread.message',
    created_at: run.created_at,
    assistant_id: run.assistant_id,
    thread_id: run.thread_id,
    run_id: run.id,
    status: 'in_progress',
    incomplete_details: null,
    incomplete_at: null,
    completed_at: null,
    role: 'assistant',
    content: [],
    attachments: [],
    metadata: {},
  };
  const deltas = splitText(text).map((value, i) => ({
    event: 'thread.message.delta',
    data: {
      id: messageId,
      object: 'thread.message.delta',
      delta: { content: [{ index: 0, type: 'text', text: i === 0 ? { value, annotations: [] } : { value } }] },
    },
  }));
  const completedAt = run.completed_at || run.created_at;
  return [
    { event: 'thread.run.step.created', data: created },
    { event: 'thread.run.step.in_progress', data: created },
    { event: 'thread.message.created', data: message },
    { event: 'thread.message.in_progress', data: message },
    ...deltas,
    {
      event: 'thread.message.completed',
      data: { ...message, status: 'completed', completed_at: completedAt, content: [{ type: 'text', text: { value: text, annotations: [] } }] },
    },
    {
      event: 'thread.run.step.completed',
      data: { ...created, status: 'completed', completed_at: completedAt, usage: run.usage ?? null },
    },
  ];
}

/** A tool-calls step: the calls the run requires, names first, then their arguments in fragments. */
function toolCallEvents(run: Json): SseEvent[] {
  const calls: Json[] = (run.required_action?.submit_tool_outputs?.tool_calls ?? []).filter(isObject);
  const created = runStep(run, { type: 'tool_calls', tool_calls: [] });
  const delta = (tool_calls: Json[]) => ({
    event: 'thread.run.step.delta',
    data: { id: created.id, object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls } } },
  });
  const events: SseEvent[] = [
    { event: 'thread.run.step.created', data: created },
    { event: 'thread.run.step.in_progress', data: created },
  ];
  calls.forEach((call, index) => {
    const fn: Json = isObject(call.function) ? call.function : {};
    events.push(delta([{ index, id: call.id, type: 'function', function: { name: fn.name, arguments: '', output: null } }]));
    for (const piece of splitText(typeof fn.arguments === 'string' ? fn.arguments : '')) {
      events.push(delta([{ index, type: 'function', function: { arguments: piece } }]));
    }
  });
  return events;
}

/**
 * Assistants run streams (`threads/runs`, `threads/{id}/runs`, `submit_tool_outputs`): the run
 * queued and in progress, then a message step (completed runs) or a tool-calls step (runs that
 * require action), then the run's final event, then `event: done` / `data: [DONE]`.
 */
export function runStream(body: Json, operationId: string, reply: string = ASSISTANT_REPLY): StreamPlan {
  const run = finalRun(body);
  const waiting = queued(run);
  const running = { ...waiting, status: 'in_progress', started_at: run.started_at || run.created_at };
  const events: SseEvent[] = [];
  if (operationId === 'createThreadAndRun') {
    events.push({
      event: 'thread.created',
      data: { id: run.thread_id, object: 'thread', created_at: run.created_at, tool_resources: null, metadata: {} },
    });
  }
  // Submitting tool outputs resumes a run that already exists.
  if (operationId !== 'submitToolOuputsToRun') events.push({ event: 'thread.run.created', data: waiting });
  events.push({ event: 'thread.run.queued', data: waiting }, { event: 'thread.run.in_progress', data: running });
  if (run.status === 'completed') events.push(...messageEvents(run, reply));
  if (run.status === 'requires_action') events.push(...toolCallEvents(run));
  events.push({ event: `thread.run.${run.status}`, data: run });
  return {
    events,
    end: { event: 'done', data: DONE },
    error: (error: StreamError): SseEvent => ({ event: 'error', data: error }),
  };
}
