import { isRecord } from '../context';
import { sampleJson } from '../sample-json';
import { countTokens, splitTokens } from '../tokens';

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

export function toolArguments(tool: ToolOffer): string {
  if (tool.custom) return 'example input';
  const schema = isRecord(tool.parameters) ? tool.parameters : { type: 'object', properties: {} };
  return JSON.stringify(sampleJson(schema));
}

/** Structured output: the text is JSON valid for the schema the request gave. */
export function structuredText(format: unknown, fallback: string): string | undefined {
  if (!isRecord(format)) return undefined;
  if (format.type === 'json_schema') {
    const schema = isRecord(format.json_schema) ? format.json_schema.schema : format.schema;
    return JSON.stringify(sampleJson(isRecord(schema) ? schema : { type: 'object' }));
  }
  if (format.type === 'json_object') return JSON.stringify({ response: fallback });
  return undefined;
}

/** Cuts the text to at most `maxTokens` tokens, at a word boundary. */
export function limitText(text: string, maxTokens: unknown): { text: string; truncated: boolean } {
  if (typeof maxTokens !== 'number' || !Number.isFinite(maxTokens) || countTokens(text) <= maxTokens) return { text, truncated: false };
  let out = '';
  for (const piece of splitTokens(text)) {
    if (countTokens(out + piece) > maxTokens) break;
    out += piece;
  }
  if (out === '' && maxTokens >= 1) out = text.slice(0, Math.max(1, Math.floor(maxTokens)) * 4);
  return { text: out, truncated: true };
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
