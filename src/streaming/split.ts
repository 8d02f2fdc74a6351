/**
 * How streamed text is cut into deltas: word by word (each word with the whitespace before it),
 * long words in pieces of at most eight characters, as a tokenizer would. Joining the pieces gives
 * back the text exactly; `u` keeps surrogate pairs (emoji) whole.
 */
const PIECE = /\s*\S{1,8}|\s+/gu;

export function splitText(text: string): string[] {
  return text.match(PIECE) ?? [];
}

/** Opaque payloads (base64 audio, JSON arguments with no spaces) in pieces of `size` characters. */
export function splitFixed(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}
