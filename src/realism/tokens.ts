/**
 * Token counts that behave like real ones: about four characters a token, a few tokens of
 * overhead per chat message, so that usage grows with the input. Not a tokenizer: exact counts
 * are not what a mock is for.
 */

export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  return Math.max(1, Math.ceil(text.length / 4));
}

const IMAGE_TOKENS = 85;
const MESSAGE_OVERHEAD = 4;
const REPLY_PRIMER = 3;

/** Tokens of any input value: strings counted, parts and messages walked, images a flat cost. */
export function countInputTokens(value: unknown, depth = 0): number {
  if (depth > 32 || value === null || value === undefined) return 0;
  if (typeof value === 'string') return countTokens(value);
  if (typeof value === 'number') return 1;
  if (Array.isArray(value)) {
    // Token arrays (`[1234, 5678]`) count one token per number.
    let total = 0;
    for (const item of value) total += countInputTokens(item, depth + 1);
    return total;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const type = record.type;
    if (type === 'image_url' || type === 'input_image' || type === 'input_file' || type === 'input_audio') return IMAGE_TOKENS;
    let total = 0;
    // for...in, not Object.entries: a wide object from a request is walked without copying it.
    for (const key in record) {
      // Field names and enum-like values are structure, not content.
      if (!Object.hasOwn(record, key) || key === 'type' || key === 'role' || key === 'id' || key === 'call_id') continue;
      total += countInputTokens(record[key], depth + 1);
    }
    return total;
  }
  return 0;
}

/** Chat messages: content and names, plus per-message overhead, plus the reply primer. */
export function countMessageTokens(messages: unknown): number {
  if (!Array.isArray(messages)) return countInputTokens(messages);
  let total = REPLY_PRIMER;
  for (const message of messages) total += MESSAGE_OVERHEAD + countInputTokens(message);
  return total;
}

/** Whitespace-kept pieces of a text, one per token-ish: for logprobs and length cut-offs. */
export function splitTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}
