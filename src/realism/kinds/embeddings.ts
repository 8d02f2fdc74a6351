import { countField, type Builder } from '../context';
import { prngFrom } from '../ids';
import { countInputTokens } from '../tokens';
import { lookupModel } from '../../models/catalogue';

/** The vector size of models the catalogue does not know as embedding models: the small model's. */
export const DEFAULT_DIMENSIONS = 1536;
/** The largest `dimensions` any embedding model takes (text-embedding-3-large's). */
export const MAX_DIMENSIONS = 3072;

export function modelDimensions(model: string): number {
  return lookupModel(model).model.embeddingDimensions ?? DEFAULT_DIMENSIONS;
}

/** The inputs one embedding is made for each: a string, a token array, or a list of either. */
export function embeddingInputs(input: unknown): unknown[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input)) {
    if (input.length > 0 && input.every((item) => typeof item === 'number')) return [input];
    return input;
  }
  return [input];
}

/**
 * A unit-length vector that follows from the input and the model: the same text always gets the
 * same embedding, different texts different ones.
 */
export function embeddingVector(input: unknown, model: string, dimensions: number): Float32Array {
  const next = prngFrom(`${model}\u0000${JSON.stringify(input)}`);
  const vector = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    const value = next() * 2 - 1;
    vector[i] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 1;
  for (let i = 0; i < dimensions; i++) vector[i] = vector[i]! * scale;
  return vector;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function float32LittleEndian(vector: Float32Array): Buffer {
  // The vector's own bytes are the answer on a little-endian machine (all that Node runs on, in practice).
  if (LITTLE_ENDIAN) return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
  const out = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) out.writeFloatLE(vector[i]!, i * 4);
  return out;
}

/**
 * Base64 vectors by model, size and input text: the same text always gets the same vector, and a
 * load test sends the same few texts again and again (the SDK asks for base64 by default). Strings
 * are immutable, so a remembered one can go into any number of answers. Bounded: forgotten all at
 * once past VECTORS entries, inputs over VECTOR_INPUT_MAX characters never kept.
 */
const vectors = new Map<string, string>();
const VECTORS = 256;
const VECTOR_INPUT_MAX = 2048;

function base64Vector(input: unknown, model: string, dimensions: number): string {
  const key = typeof input === 'string' && input.length <= VECTOR_INPUT_MAX ? `${model}\u0000${dimensions}\u0000${input}` : undefined;
  const known = key === undefined ? undefined : vectors.get(key);
  if (known !== undefined) return known;
  const encoded = float32LittleEndian(embeddingVector(input, model, dimensions)).toString('base64');
  if (key !== undefined) {
    if (vectors.size >= VECTORS) vectors.clear();
    vectors.set(key, encoded);
  }
  return encoded;
}

/** `POST /embeddings`: one item per input, of the model's size (or `dimensions`); base64 of float32 LE when asked. */
export const embeddings: Builder = (body, context) => {
  const request = context.request;
  const model = typeof request.model === 'string' ? request.model : 'text-embedding-3-small';
  // The front refuses `dimensions` above the model's size (limits/input-limits.ts); the cap is for other callers.
  const dimensions = countField(request.dimensions, MAX_DIMENSIONS) ?? modelDimensions(model);
  const base64 = request.encoding_format === 'base64';
  const inputs = embeddingInputs(request.input);
  // Float text is about twelve characters a number; base64, four bytes a number and a third more.
  const perVector = 60 + dimensions * (base64 ? 16 / 3 : 12);
  context.meter.charge(inputs.length * perVector, `${inputs.length} embeddings of ${dimensions} dimensions`);
  body.data = inputs.map((input, index) => {
    if (index % 64 === 63) context.meter.checkTime(`${inputs.length} embeddings of ${dimensions} dimensions`);
    // Short numbers (nine decimals: about eight significant digits at these magnitudes), rounded by
    // arithmetic: toPrecision took 40% of the time of a request.
    const embedding = base64
      ? base64Vector(input, model, dimensions)
      : Array.from(embeddingVector(input, model, dimensions), (v) => Math.round(v * 1e9) / 1e9);
    return { object: 'embedding', index, embedding };
  });
  body.object = 'list';
  const tokens = countInputTokens(request.input);
  body.usage = { prompt_tokens: tokens, total_tokens: tokens };
};
