import type { Exchange } from '../pipeline/types';
import type { IdSource } from './ids';
import type { AnswerMeter } from './meter';

/** What an answer is made coherent with: the request as a plain record, ids and the clock. */
export interface RealismContext {
  exchange: Exchange;
  /** The request body's fields (form fields for multipart); empty when there is no object body. */
  request: Record<string, unknown>;
  ids: IdSource;
  /** The answer's ceiling: builders charge what they are about to build. */
  meter: AnswerMeter;
}

export type Builder = (body: Record<string, unknown>, context: RealismContext) => void;

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A positive whole number from a JSON or form field (`n: 3` or `n=3`), else undefined. */
export function countField(value: unknown, max = 128): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? Math.min(n, max) : undefined;
}
