import { isRecord } from '../context';
import { sampleJson } from '../sample-json';
import { splitTokens } from '../tokens';

/**
 * What the "model" answers, decided from the request alone, shared by chat completions and
 * responses: one kind of output at a time. A tool call when tools are offered and the
 * conversation is not just back from a tool (or a tool is required); JSON matching the schema
 * when a structured output is asked for; otherwise text.
 */

export const DEFAULT_REPLY = 'Hello! How can I assist you today?';

export type PlannedOutput =
  | { kind: 'text'; text: string; truncated: boolean }
  | { kind: 'tool'; name: string; arguments: string; custom: boolean };

export interface ToolOffer {
  name: string;
  /** JSON Schema of the arguments (function tools). */
  parameters?: unknown;
  custom: boolean;
}

/** Chat tools are `{type:'function', function:{name, parameters}}`; Responses tools are flat. */
export function offeredTools(tools: unknown): ToolOffer[] {
  if (!Array.isArray(tools)) return [];
  const out: ToolOffer[] = [];
  for (const tool of tools) {
    if (!isRecord(tool)) continue;
    const inner = isRecord(tool.function) ? tool.function : isRecord(tool.custom) ? tool.custom : tool;
    if ((tool.type === 'function' || tool.type === 'custom') && typeof inner.name === 'string') {
      out.push({ name: inner.name, parameters: inner.parameters, custom: tool.type === 'custom' });
    }
  }
  return out;
}

/** The tool the request makes the model call, or undefined for a text answer. */
export function chosenTool(tools: ToolOffer[], toolChoice: unknown, backFromTool: boolean): ToolOffer | undefined {
  if (tools.length === 0 || toolChoice === 'none') return undefined;
  if (isRecord(toolChoice)) {
    const named = isRecord(toolChoice.function) ? toolChoice.function.name : isRecord(toolChoice.custom) ? toolChoice.custom.name : toolChoice.name;
    if (typeof named === 'string') return tools.find((tool) => tool.name === named) ?? tools[0];
    // `allowed_tools` and the like: a tool of the allowed set is called when required.
    if (toolChoice.mode === 'required') return tools[0];
    return backFromTool ? undefined : tools[0];
  }
  if (toolChoice === 'required') return tools[0];
  return backFromTool ? undefined : tools[0];
}

export interface Generated {
  text: string;
  /** The budget ran out: the text is cut there, as the API cuts at `max_tokens`. */
  truncated: boolean;
}

/** Arguments of a call to `tool`, JSON for its `parameters`, within `maxTokens`. */
export function toolArguments(tool: ToolOffer, maxTokens: number): Generated {
  if (tool.custom) return limitText('example input', maxTokens);
  const schema = isRecord(tool.parameters) ? tool.parameters : { type: 'object', properties: {} };
  return sampledText(schema, maxTokens);
}

/** Structured output: the text is JSON valid for the schema the request gave, within `maxTokens`. */
export function structuredText(format: unknown, fallback: string, maxTokens: number): Generated | undefined {
  if (!isRecord(format)) return undefined;
  if (format.type === 'json_schema') {
    const schema = isRecord(format.json_schema) ? format.json_schema.schema : format.schema;
    return sampledText(isRecord(schema) ? schema : { type: 'object' }, maxTokens);
  }
  if (format.type === 'json_object') return limitText(JSON.stringify({ response: fallback }), maxTokens);
  return undefined;
}

/** About four characters a token (see tokens.ts): the most characters `maxTokens` allow. */
const charsFor = (maxTokens: number) => Math.max(0, Math.floor(maxTokens)) * 4;

/**
 * JSON for a schema, sampled within the budget: the sampler stops once it has built a little more
 * than the budget, and the text is cut at it.
 */
function sampledText(schema: unknown, maxTokens: number): Generated {
  const limit = charsFor(maxTokens);
  const { value, complete } = sampleJson(schema, limit + 64);
  const text = JSON.stringify(value) ?? 'null';
  if (complete && text.length <= limit) return { text, truncated: false };
  return { text: text.slice(0, limit), truncated: true };
}

/** The output budget of a request: its `max_tokens`-like field if a number, capped by the model's limit. */
export function outputBudget(asked: unknown, modelMax: number): number {
  return typeof asked === 'number' && Number.isFinite(asked) ? Math.min(asked, modelMax) : modelMax;
}

/** Cuts the text to at most `maxTokens` tokens, at a word boundary. O(length). */
export function limitText(text: string, maxTokens: unknown): Generated {
  if (typeof maxTokens !== 'number' || !Number.isFinite(maxTokens)) return { text, truncated: false };
  const limit = charsFor(maxTokens);
  if (text.length <= limit) return { text, truncated: false };
  // The last end of a word at or before the limit (pieces are whitespace then a word, see splitTokens).
  let end = limit;
  while (end > 0 && !(/\S/.test(text[end - 1]!) && /\s/.test(text[end]!))) end--;
  return { text: text.slice(0, end > 0 ? end : limit), truncated: true };
}

/** OpenAI-style logprobs for a text: one entry per token piece, each likely. */
export function logprobsFor(text: string, topCount: number): { token: string; logprob: number; bytes: number[]; top_logprobs: unknown[] }[] {
  return splitTokens(text).map((token, i) => {
    const logprob = -Number((0.0001 * ((i % 7) + 1)).toFixed(6));
    const entry = { token, logprob, bytes: [...Buffer.from(token, 'utf8')] };
    const top = Array.from({ length: Math.max(0, Math.min(topCount, 20)) }, (_, k) =>
      k === 0 ? { ...entry } : { token: `${token}${k}`, logprob: Number((logprob - 2 * k).toFixed(6)), bytes: [...Buffer.from(`${token}${k}`, 'utf8')] },
    );
    return { ...entry, top_logprobs: top };
  });
}

/** The reply text a documented example carries, unless it is a placeholder. */
export function usableText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' && value !== 'string' ? value : undefined;
}
