/**
 * The inverse of the streaming step, for the operations overrides rewrite most: a stream's events
 * folded back into the final answer, so that an override can see and rewrite a proxied or replayed
 * stream whole; the streaming step then streams the rewritten answer with the recorded pacing.
 */

export interface TimedChunk {
  /** Milliseconds since the request. */
  at: number;
  text: string;
}

/** The `data` of each event, parsed; `[DONE]` and comments left out. */
export function eventData(texts: readonly string[]): unknown[] {
  const out: unknown[] = [];
  for (const text of texts) {
    const data = text
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data === '' || data === '[DONE]') continue;
    try {
      out.push(JSON.parse(data));
    } catch {
      return [];
    }
  }
  return out;
}

type Json = Record<string, any>;

function chatCompletion(chunks: Json[]): Json | undefined {
  const first = chunks.find((c) => c?.object === 'chat.completion.chunk');
  if (!first) return undefined;
  const choices: Json[] = [];
  let usage: Json | undefined;
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      const slot = (choices[choice.index ?? 0] ??= {
        index: choice.index ?? 0,
        message: { role: 'assistant', content: null, refusal: null },
        logprobs: null,
        finish_reason: null,
      });
      const delta = choice.delta ?? {};
      if (delta.role) slot.message.role = delta.role;
      if (typeof delta.content === 'string') slot.message.content = (slot.message.content ?? '') + delta.content;
      if (typeof delta.refusal === 'string') slot.message.refusal = (slot.message.refusal ?? '') + delta.refusal;
      for (const call of delta.tool_calls ?? []) {
        const calls = (slot.message.tool_calls ??= []);
        const kept = (calls[call.index ?? 0] ??= { id: call.id, type: call.type ?? 'function', function: { name: '', arguments: '' } });
        if (call.id) kept.id = call.id;
        if (call.function?.name) kept.function.name += call.function.name;
        if (call.function?.arguments) kept.function.arguments += call.function.arguments;
      }
      if (choice.finish_reason) slot.finish_reason = choice.finish_reason;
    }
  }
  const answer: Json = { id: first.id, object: 'chat.completion', created: first.created, model: first.model };
  if (first.service_tier !== undefined) answer.service_tier = first.service_tier;
  if (first.system_fingerprint !== undefined) answer.system_fingerprint = first.system_fingerprint;
  answer.choices = choices.filter(Boolean);
  if (usage) answer.usage = usage;
  return answer;
}

function response(events: Json[]): Json | undefined {
  return events.find((e) => e?.type === 'response.completed')?.response;
}

const COLLAPSERS: Record<string, (events: Json[]) => Json | undefined> = {
  createChatCompletion: chatCompletion,
  createResponse: response,
  beta_createResponse: response,
};

export const canCollapse = (operationId: string) => operationId in COLLAPSERS;

/** The final answer, with the stream's pacing as a stream control, or undefined when the events do not fold. */
export function collapse(operationId: string, events: readonly string[], timing: { headersAt: number; at: readonly number[] }) {
  const fold = COLLAPSERS[operationId];
  if (!fold) return undefined;
  const data = eventData(events);
  const body = data.length > 0 ? fold(data as Json[]) : undefined;
  if (!body) return undefined;
  const at = timing.at;
  const firstEventDelayMs = at.length > 0 ? Math.max(0, Math.round(at[0]! - timing.headersAt)) : 0;
  const intervalMs = at.length > 1 ? Math.max(0, Math.round((at[at.length - 1]! - at[0]!) / (at.length - 1))) : 0;
  return { body, stream: { firstEventDelayMs, intervalMs } };
}
