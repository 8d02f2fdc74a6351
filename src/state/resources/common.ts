import type { MockResponse } from '../../pipeline/types';
import type { StateContext, StoredObject } from '../types';

/**
 * What the resource modules share: the realistic body of a create from the pipeline below, and
 * the request's fields read the way forms and JSON both give them.
 */

export type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);

/**
 * The body the pipeline below (replay, proxy, realism, the engine) gives this request: the start
 * of a create's object, which the handler then fills from the request. A non-2xx or non-object
 * answer (a cassette's 400, an upstream failure) is handed back as it is, to be sent.
 */
export async function realistic(context: StateContext): Promise<{ body: Fields } | { response: MockResponse }> {
  const response = await context.next(context.exchange);
  if (response.status < 200 || response.status > 299 || !isObject(response.body)) return { response };
  return { body: { ...response.body } };
}

/** The request body as an object (JSON or form fields); `{}` when there is none. */
export const bodyOf = (context: StateContext): Fields => (isObject(context.exchange.request.body) ? context.exchange.request.body : {});

export const param = (context: StateContext, name: string): string => context.exchange.request.params[name] ?? '';

/** A form field may come as text: `"123"` for a number. */
export function numberField(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

export const stringField = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** `metadata` as the API keeps it: an object of strings, or null. */
export const metadataOf = (value: unknown): Record<string, string> | null => (isObject(value) ? (value as Record<string, string>) : null);

/** The object with `status` moved on by the clock (see clock.ts `progress`), or as it was. */
export type Refresh<T extends StoredObject> = (object: T, context: StateContext) => T;

export { isObject };
