import type { SseEvent, StreamError, StreamPlan } from './events';
import { splitText } from './split';
import { isObject, type Json } from './json';

type Emit = (event: Json) => void;

/** The response as `response.created` and `response.in_progress` show it: running, nothing out yet. */
function inProgress(response: Json): Json {
  const { output_text: _derived, ...rest } = response;
  const snapshot: Json = { ...rest, status: 'in_progress', output: [] };
  for (const key of ['completed_at', 'error', 'incomplete_details']) if (key in snapshot) snapshot[key] = null;
  // Nothing is counted yet; the spec's usage is an object or absent, never null.
  delete snapshot.usage;
  return snapshot;
}

function textPart(emit: Emit, ids: Json, part: Json): void {
  emit({ type: 'response.content_part.added', ...ids, part: { ...part, text: '', annotations: [], logprobs: [] } });
  const text = typeof part.text === 'string' ? part.text : '';
  for (const delta of splitText(text)) emit({ type: 'response.output_text.delta', ...ids, delta, logprobs: [] });
  const annotations: unknown[] = Array.isArray(part.annotations) ? part.annotations : [];
  annotations.forEach((annotation, annotation_index) =>
    emit({ type: 'response.output_text.annotation.added', ...ids, annotation_index, annotation }),
  );
  emit({ type: 'response.output_text.done', ...ids, text, logprobs: Array.isArray(part.logprobs) ? part.logprobs : [] });
  emit({ type: 'response.content_part.done', ...ids, part });
}

function refusalPart(emit: Emit, ids: Json, part: Json): void {
  emit({ type: 'response.content_part.added', ...ids, part: { ...part, refusal: '' } });
  const refusal = typeof part.refusal === 'string' ? part.refusal : '';
  for (const delta of splitText(refusal)) emit({ type: 'response.refusal.delta', ...ids, delta });
  emit({ type: 'response.refusal.done', ...ids, refusal });
  emit({ type: 'response.content_part.done', ...ids, part });
}

function reasoningTextPart(emit: Emit, ids: Json, part: Json): void {
  emit({ type: 'response.content_part.added', ...ids, part: { ...part, text: '' } });
  const text = typeof part.text === 'string' ? part.text : '';
  for (const delta of splitText(text)) emit({ type: 'response.reasoning_text.delta', ...ids, delta });
  emit({ type: 'response.reasoning_text.done', ...ids, text });
  emit({ type: 'response.content_part.done', ...ids, part });
}

function message(emit: Emit, item: Json, output_index: number): void {
  const content: Json[] = Array.isArray(item.content) ? item.content.filter(isObject) : [];
  emit({ type: 'response.output_item.added', output_index, item: { ...item, status: 'in_progress', content: [] } });
  content.forEach((part, content_index) => {
    const ids = { item_id: item.id, output_index, content_index };
    if (part.type === 'output_text') textPart(emit, ids, part);
    else if (part.type === 'refusal') refusalPart(emit, ids, part);
    else {
      emit({ type: 'response.content_part.added', ...ids, part });
      emit({ type: 'response.content_part.done', ...ids, part });
    }
  });
  emit({ type: 'response.output_item.done', output_index, item });
}

/** Function and custom tool calls: the call with empty arguments, then the arguments in fragments. */
function toolCall(emit: Emit, item: Json, output_index: number, field: 'arguments' | 'input'): void {
  const value = typeof item[field] === 'string' ? (item[field] as string) : '';
  const status = 'status' in item ? { status: 'in_progress' } : {};
  emit({ type: 'response.output_item.added', output_index, item: { ...item, ...status, [field]: '' } });
  const ids = { item_id: item.id, output_index };
  if (field === 'arguments') {
    for (const delta of splitText(value)) emit({ type: 'response.function_call_arguments.delta', ...ids, delta });
    emit({ type: 'response.function_call_arguments.done', ...ids, name: item.name, arguments: value });
  } else {
    for (const delta of splitText(value)) emit({ type: 'response.custom_tool_call_input.delta', ...ids, delta });
    emit({ type: 'response.custom_tool_call_input.done', ...ids, input: value });
  }
  emit({ type: 'response.output_item.done', output_index, item });
}

function reasoning(emit: Emit, item: Json, output_index: number): void {
  const summary: Json[] = Array.isArray(item.summary) ? item.summary.filter(isObject) : [];
  const content: Json[] = Array.isArray(item.content) ? item.content.filter(isObject) : [];
  const added: Json = { ...item, summary: [] };
  if (Array.isArray(item.content)) added.content = [];
  if ('status' in item) added.status = 'in_progress';
  emit({ type: 'response.output_item.added', output_index, item: added });
  summary.forEach((part, summary_index) => {
    const ids = { item_id: item.id, output_index, summary_index };
    const text = typeof part.text === 'string' ? part.text : '';
    emit({ type: 'response.reasoning_summary_part.added', ...ids, part: { ...part, text: '' } });
    for (const delta of splitText(text)) emit({ type: 'response.reasoning_summary_text.delta', ...ids, delta });
    emit({ type: 'response.reasoning_summary_text.done', ...ids, text });
    emit({ type: 'response.reasoning_summary_part.done', ...ids, part });
  });
  content.forEach((part, content_index) => {
    const ids = { item_id: item.id, output_index, content_index };
    if (part.type === 'reasoning_text') reasoningTextPart(emit, ids, part);
  });
  emit({ type: 'response.output_item.done', output_index, item });
}

function outputItem(emit: Emit, item: Json, index: number): void {
  // Deltas name their item by id: an item without one can only be sent whole.
  const streamable = typeof item.id === 'string' && item.id !== '';
  if (streamable && item.type === 'message') return message(emit, item, index);
  if (streamable && item.type === 'function_call') return toolCall(emit, item, index, 'arguments');
  if (streamable && item.type === 'custom_tool_call') return toolCall(emit, item, index, 'input');
  if (streamable && item.type === 'reasoning') return reasoning(emit, item, index);
  emit({ type: 'response.output_item.added', output_index: index, item });
  emit({ type: 'response.output_item.done', output_index: index, item });
}

const TERMINAL: Record<string, string> = { failed: 'response.failed', incomplete: 'response.incomplete' };

/**
 * Responses API events, each named in an `event:` line and numbered by `sequence_number`:
 * created, in_progress, then every output item (added, its parts and deltas, done), then
 * completed (or failed, incomplete) with the final response itself.
 */
export function responseStream(body: Json): StreamPlan {
  const payloads: Json[] = [];
  const emit: Emit = (event) => payloads.push(event);
  const running = inProgress(body);
  emit({ type: 'response.created', response: running });
  emit({ type: 'response.in_progress', response: running });
  const output: Json[] = Array.isArray(body.output) ? body.output.filter(isObject) : [];
  output.forEach((item, index) => outputItem(emit, item, index));
  emit({ type: TERMINAL[body.status] ?? 'response.completed', response: body });

  return {
    events: payloads.map((payload, sequence_number): SseEvent => ({ event: payload.type, data: { ...payload, sequence_number } })),
    // The spec's flat fields, and the nested `error` the API sends as well.
    error: (error: StreamError, sequence_number: number): SseEvent => ({
      event: 'error',
      data: { type: 'error', code: error.code, message: error.message, param: error.param, sequence_number, error },
    }),
  };
}
