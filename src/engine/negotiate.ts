import type { IHttpOperation, IHttpOperationResponse } from '@stoplight/types';

const STREAM_TYPE = 'text/event-stream';

/** The response the spec gives for a status: an exact code, then `4XX`-style ranges, then `default`. */
export function findResponse(operation: IHttpOperation, status: number): IHttpOperationResponse | undefined {
  const code = String(status);
  return (
    operation.responses.find((r) => r.code === code) ??
    operation.responses.find((r) => r.code.toUpperCase() === `${code[0]}XX`) ??
    operation.responses.find((r) => r.code === 'default')
  );
}

// Per operation and per response, worked out once: every request asks again.
const successes = new WeakMap<IHttpOperation, IHttpOperationResponse | undefined>();
const chosenTypes = new WeakMap<object, Map<string, string>>();
/** Distinct Accept headers remembered per response; past this, the choice is worked out each time. */
const MAX_ACCEPTS = 64;

export function defaultSuccess(operation: IHttpOperation): IHttpOperationResponse | undefined {
  if (successes.has(operation)) return successes.get(operation);
  const success = [...operation.responses].filter((r) => /^2\d\d$/.test(r.code)).sort((a, b) => Number(a.code) - Number(b.code))[0];
  successes.set(operation, success);
  return success;
}

function acceptedTypes(accept: string | undefined): string[] {
  if (!accept) return [];
  return accept
    .split(',')
    .map((part) => part.split(';')[0]!.trim().toLowerCase())
    .filter((t) => t !== '' && t !== '*/*');
}

function matches(accepted: string, declared: string): boolean {
  if (accepted === declared) return true;
  const [type, sub] = accepted.split('/');
  return sub === '*' && declared.startsWith(`${type}/`);
}

/**
 * The media type to answer with. The API never answers 406: the SDK asks for file content with
 * `Accept: application/binary`, which the spec does not list, and gets the bytes. Streaming is
 * decided by the body (`stream: true`), not by Accept, so the event-stream type is never picked here.
 */
export function chooseMediaType(response: IHttpOperationResponse | undefined, accept: string | undefined): string {
  if (!response) return pickMediaType(response, accept);
  let byAccept = chosenTypes.get(response);
  if (!byAccept) chosenTypes.set(response, (byAccept = new Map()));
  const key = accept ?? '';
  let chosen = byAccept.get(key);
  if (chosen === undefined) {
    chosen = pickMediaType(response, accept);
    if (byAccept.size < MAX_ACCEPTS) byAccept.set(key, chosen);
  }
  return chosen;
}

function pickMediaType(response: IHttpOperationResponse | undefined, accept: string | undefined): string {
  const declared = (response?.contents ?? []).map((c) => c.mediaType.toLowerCase()).filter((t) => t !== STREAM_TYPE);
  for (const wanted of acceptedTypes(accept)) {
    const hit = declared.find((d) => matches(wanted, d));
    if (hit) return hit;
  }
  return declared[0] ?? 'application/json';
}

export const isJsonMediaType = (mediaType: string) => mediaType === 'application/json' || /\+json$/.test(mediaType);
export const isTextMediaType = (mediaType: string) => mediaType.startsWith('text/') || mediaType === 'application/sdp';
