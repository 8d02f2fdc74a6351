import { DONE, type SseEvent, type StreamError, type StreamPlan } from './events';
import { splitText } from './split';
import { interleave, isObject, type Json } from './json';

/**
 * Legacy `text_completion` chunks: each choice's text by words (logprobs with its first piece),
 * then a chunk with its finish_reason; a usage chunk with no choices when
 * `stream_options.include_usage` is set; then `[DONE]`.
 */
export function completionStream(body: Json, request: Json): StreamPlan {
  const includeUsage = request.stream_options?.include_usage === true;
  const base: Json = { id: body.id, object: 'text_completion', created: body.created, model: body.model };
  if (body.system_fingerprint !== undefined) base.system_fingerprint = body.system_fingerprint;
  if (includeUsage) base.usage = null;

  const choices: Json[] = Array.isArray(body.choices) ? body.choices.filter(isObject) : [];
  const perChoice = choices.map((choice, i) => {
    const index = choice.index ?? i;
    const pieces = splitText(typeof choice.text === 'string' ? choice.text : '');
    const frames: Json[] = pieces.map((text, n) => ({ text, index, logprobs: n === 0 ? (choice.logprobs ?? null) : null, finish_reason: null }));
    frames.push({ text: '', index, logprobs: pieces.length === 0 ? (choice.logprobs ?? null) : null, finish_reason: choice.finish_reason ?? 'stop' });
    return frames;
  });
  const chunks: Json[] = interleave(perChoice).map((choice) => ({ ...base, choices: [choice] }));
  if (includeUsage) chunks.push({ ...base, choices: [], usage: body.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } });

  return {
    events: chunks.map((data) => ({ data })),
    end: { data: DONE },
    error: (error: StreamError): SseEvent => ({ data: { error } }),
  };
}
