/**
 * Every operation of the spec that takes `multipart/form-data`, found in the prepared spec (not a
 * list kept by hand), with a valid form for each, and the ways a client can get such a form
 * wrong: what the multipart abuse and process-level suites send.
 */
import { loadSpec } from '../../../src/openapi/load-spec';
import { locateSpec } from '../../../src/openapi/locate';
import { defaultCacheDir } from '../../../src/openapi/cache';
import type { PreparedOperation } from '../../../src/openapi/prepare';
import { minimalRequest } from '../../foundation/minimal-request';
import { SPEC } from '../../helpers/server';
import type { Random } from './prng';
import { buildRequest } from './raw-http';

export const AUTH = 'Bearer sk-multipart-abuse';

export interface MultipartTarget {
  operation: PreparedOperation;
  method: string;
  url: string;
  boundary: string;
  /** A valid form for the operation, as the SDK would send it. */
  body: Buffer;
}

export async function multipartTargets(): Promise<MultipartTarget[]> {
  const loaded = await loadSpec(locateSpec({ flag: SPEC, env: process.env.OPENAI_MOCK_SPEC, cwd: process.cwd() }), {
    dir: process.env.OPENAI_MOCK_CACHE_DIR || defaultCacheDir(),
  });
  const targets: MultipartTarget[] = [];
  for (const operation of loaded.spec.operations) {
    const contents = operation.request?.body?.contents ?? [];
    if (!contents.some((c) => c.mediaType === 'multipart/form-data')) continue;
    const request = minimalRequest(operation, 'multipart/form-data');
    const encoded = new Request('http://127.0.0.1/', { method: 'POST', body: request.body as FormData });
    const boundary = /boundary=(.+)$/.exec(encoded.headers.get('content-type') ?? '')?.[1];
    if (!boundary) throw new Error(`${operation.iid}: the form has no boundary`);
    targets.push({ operation, method: request.method, url: request.url, boundary, body: Buffer.from(await encoded.arrayBuffer()) });
  }
  return targets;
}

/** A raw request for `target` with `body` and a multipart type (`boundary` by default). */
export function multipartRequest(target: MultipartTarget, body: Buffer, contentType = `multipart/form-data; boundary=${target.boundary}`, extra: Record<string, string> = {}): Buffer {
  return buildRequest(target.method, target.url, { Authorization: AUTH, 'Content-Type': contentType, ...extra }, body);
}

const CRLF = '\r\n';
const part = (boundary: string, headers: string[], content: string | Buffer) =>
  Buffer.concat([Buffer.from(`--${boundary}${CRLF}${headers.join(CRLF)}${CRLF}${CRLF}`, 'latin1'), Buffer.isBuffer(content) ? content : Buffer.from(content), Buffer.from(CRLF)]);
const closing = (boundary: string) => Buffer.from(`--${boundary}--${CRLF}`, 'latin1');

/** The valid form without its closing delimiter, so that parts can be added after its own. */
function opened(target: MultipartTarget): Buffer {
  const end = target.body.lastIndexOf(`--${target.boundary}--`);
  return target.body.subarray(0, end);
}

/** The first file part of the valid form (headers and content), if it has one. */
function filePart(target: MultipartTarget): Buffer | undefined {
  const delimiter = Buffer.from(`--${target.boundary}`);
  let at = target.body.indexOf(delimiter);
  while (at >= 0) {
    const next = target.body.indexOf(delimiter, at + delimiter.length);
    if (next < 0) return undefined;
    const chunk = target.body.subarray(at, next);
    if (/filename="/.test(chunk.subarray(0, 400).toString('latin1'))) return chunk;
    at = next;
  }
  return undefined;
}

export interface Abuse {
  name: string;
  /** Certainly invalid (for this operation): must be a 4xx. Otherwise any answer below 500 will do. */
  invalid: boolean | ((target: MultipartTarget) => boolean);
  /** The client leaves before its body is sent: the server may close without answering. */
  clientLeaves?: boolean;
  bytes(target: MultipartTarget, random: Random): Buffer;
}

/** Every way a multipart body can be wrong that the abuse suite sends, to every operation. */
export const ABUSES: Abuse[] = [
  {
    name: 'truncated in the middle of a part',
    invalid: true,
    bytes: (t) => multipartRequest(t, t.body.subarray(0, Math.floor(t.body.length * 0.6))),
  },
  {
    name: 'no closing delimiter',
    invalid: true,
    bytes: (t) => multipartRequest(t, opened(t)),
  },
  {
    name: 'the last part cut off before its delimiter (the issue #17 crash)',
    invalid: true,
    bytes: (t) => multipartRequest(t, Buffer.concat([opened(t), part(t.boundary, ['Content-Disposition: form-data; name="file"; filename="a.jsonl"'], 'x')])),
  },
  {
    name: 'no boundary parameter',
    invalid: true,
    bytes: (t) => multipartRequest(t, t.body, 'multipart/form-data'),
  },
  {
    name: 'a boundary that is not in the body',
    invalid: true,
    bytes: (t) => multipartRequest(t, t.body, 'multipart/form-data; boundary=not-in-the-body'),
  },
  {
    name: 'an empty boundary',
    invalid: true,
    bytes: (t) => multipartRequest(t, t.body, 'multipart/form-data; boundary='),
  },
  {
    name: 'an empty body',
    // An operation whose spec leaves the body optional may take none.
    invalid: (t) => Boolean(t.operation.request?.body?.required),
    bytes: (t) => multipartRequest(t, Buffer.alloc(0)),
  },
  {
    name: 'a part header of 200 KB',
    invalid: true,
    bytes: (t) =>
      multipartRequest(t, Buffer.concat([part(t.boundary, ['Content-Disposition: form-data; name="pad"', `X-Pad: ${'a'.repeat(200_000)}`], 'x'), opened(t), closing(t.boundary)])),
  },
  {
    name: '2,000 extra parts',
    invalid: false,
    bytes: (t) => {
      const extra = Array.from({ length: 2_000 }, (_, i) => part(t.boundary, [`Content-Disposition: form-data; name="pad_${i}"`], 'x'));
      return multipartRequest(t, Buffer.concat([opened(t), ...extra, closing(t.boundary)]));
    },
  },
  {
    name: '12,000 empty parts (over the parts limit)',
    invalid: true,
    bytes: (t) => {
      const extra = Array.from({ length: 12_000 }, () => part(t.boundary, ['Content-Disposition: form-data; name="p"'], ''));
      return multipartRequest(t, Buffer.concat([...extra, opened(t), closing(t.boundary)]));
    },
  },
  {
    name: 'the file field repeated',
    invalid: false,
    bytes: (t) => {
      const file = filePart(t) ?? part(t.boundary, ['Content-Disposition: form-data; name="file"; filename="a.bin"'], 'abc');
      return multipartRequest(t, Buffer.concat([opened(t), file, file, file, closing(t.boundary)]));
    },
  },
  {
    name: 'binary garbage with a multipart type',
    invalid: true,
    bytes: (t, random) => {
      const garbage = Buffer.alloc(64 * 1024);
      for (let i = 0; i < garbage.length; i++) garbage[i] = random.int(0, 255);
      return multipartRequest(t, garbage);
    },
  },
  {
    name: 'binary garbage inside the delimiters',
    invalid: true,
    bytes: (t, random) => {
      const garbage = Buffer.alloc(16 * 1024);
      for (let i = 0; i < garbage.length; i++) garbage[i] = random.int(0, 255);
      return multipartRequest(t, Buffer.concat([Buffer.from(`--${t.boundary}\r\n`), garbage, Buffer.from('\r\n'), closing(t.boundary)]));
    },
  },
  {
    name: 'a part without Content-Disposition',
    invalid: false,
    bytes: (t) => multipartRequest(t, Buffer.concat([opened(t), part(t.boundary, ['Content-Type: text/plain'], 'orphan'), closing(t.boundary)])),
  },
  {
    name: 'a part header without a colon',
    invalid: true,
    bytes: (t) => multipartRequest(t, Buffer.concat([part(t.boundary, ['this is not a header'], 'x'), opened(t), closing(t.boundary)])),
  },
  {
    name: 'a part declared as JSON that is not JSON',
    invalid: true,
    bytes: (t) => multipartRequest(t, Buffer.concat([opened(t), part(t.boundary, ['Content-Disposition: form-data; name="metadata"', 'Content-Type: application/json'], '{"a":'), closing(t.boundary)])),
  },
  {
    name: 'prototype keys as field names',
    invalid: false,
    bytes: (t) =>
      multipartRequest(
        t,
        Buffer.concat([
          opened(t),
          part(t.boundary, ['Content-Disposition: form-data; name="__proto__[polluted]"'], 'yes'),
          part(t.boundary, ['Content-Disposition: form-data; name="constructor[prototype][polluted]"'], 'yes'),
          closing(t.boundary),
        ]),
      ),
  },
  {
    name: 'a nested multipart/mixed part',
    invalid: false,
    bytes: (t) =>
      multipartRequest(
        t,
        Buffer.concat([
          opened(t),
          part(t.boundary, ['Content-Disposition: form-data; name="nested"', 'Content-Type: multipart/mixed; boundary=inner'], `--inner\r\nContent-Type: text/plain\r\n\r\nhi\r\n--inner--`),
          closing(t.boundary),
        ]),
      ),
  },
  {
    name: 'a declared length longer than the body (the client stops, then closes its side)',
    invalid: true,
    clientLeaves: true,
    bytes: (t) => multipartRequest(t, t.body.subarray(0, Math.floor(t.body.length / 2)), undefined, { 'Content-Length': String(t.body.length) }),
  },
  {
    name: 'a 2 MB file',
    invalid: false,
    bytes: (t) => {
      const file = Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEfmt '), Buffer.alloc(2 * 1024 * 1024, 7)]);
      const name = /name="([^"]+)"; filename/.exec(filePart(t)?.subarray(0, 400).toString('latin1') ?? '')?.[1] ?? 'file';
      return multipartRequest(t, Buffer.concat([opened(t), part(t.boundary, [`Content-Disposition: form-data; name="${name}"; filename="big.wav"`, 'Content-Type: audio/wav'], file), closing(t.boundary)]));
    },
  },
];
