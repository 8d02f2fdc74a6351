import type { IHttpRequest, PrismHttpInstance } from '@stoplight/prism-http';
import type { HttpMethod } from '@stoplight/types';
import type { Exchange, Handler, MockResponse } from '../pipeline/types';
import type { PreparedOperation } from '../openapi/prepare';
import { findResponse, isJsonMediaType, isTextMediaType } from './negotiate';
import { conformToSchema } from '../openapi/schema/repair';
import { schemaTools } from '../validation/request-validator';
import { placeholderBytes } from './binary-bodies';

/**
 * Prism's mocker as the source of default answers. Routing, request checks and content
 * negotiation are done before it (our own, see notes 1-6, 8), so Prism is handed the one matched
 * operation and a media type, with its own validation and security checks off.
 */
export function createPrismEngine(): Handler {
  const baseConfig = () => ({
    validateRequest: false,
    validateResponse: false,
    checkSecurity: false,
    errors: false,
    upstreamProxy: undefined,
    isProxy: false as const,
    mock: { dynamic: false },
  });
  // Loading Prism costs 0.3-0.6 s of the event loop and about 50 MiB resident (faker, proxy
  // agents, postman-collection), and most answers never need it: realism answers from the
  // documented examples prepared with the spec. So Prism loads on the first request that does
  // need it, and never ahead of one: warmed in the background, it was a third of an idle
  // command's memory, and every load test's peak started from there.
  let prism: PrismHttpInstance | undefined;
  const loadPrism = (): PrismHttpInstance => {
    if (prism) return prism;
    const { createInstance } = require('@stoplight/prism-http') as typeof import('@stoplight/prism-http');
    const { createLogger } = require('@stoplight/prism-core') as typeof import('@stoplight/prism-core');
    // Prism's mocker calls `logger.success`, which only prism-core's pino logger has. It logs
    // every request at length; our front logs one line per request instead.
    prism = createInstance(baseConfig(), { logger: createLogger('prism', { level: 'silent' }) });
    return prism;
  };

  // Prism routes the request against the operation it is handed; a path key such as
  // `/responses?beta=true` never matches a request path, so it gets the path without the query.
  const routable = new WeakMap<PreparedOperation, PreparedOperation>();
  // json-schema-faker (dynamic mode) writes into the schemas it is given: Prism clones the
  // operation's schema but hands it the `__bundled__` components as they are. Those objects are
  // shared with our validators, whose compiled code reads them at run time, so dynamic mode gets
  // its own copy of each operation.
  const sandboxes = new WeakMap<PreparedOperation, PreparedOperation>();
  const sandboxed = (operation: PreparedOperation): PreparedOperation => {
    let copy = sandboxes.get(operation);
    if (!copy) sandboxes.set(operation, (copy = structuredClone(forPrism(operation))));
    return copy;
  };

  const forPrism = (operation: PreparedOperation): PreparedOperation => {
    if (!operation.path.includes('?')) return operation;
    let copy = routable.get(operation);
    if (!copy) routable.set(operation, (copy = { ...operation, path: operation.path.split('?')[0]! }));
    return copy;
  };

  // Static answers depend only on the operation, status, example and media type: each is made,
  // brought into its schema, and kept once; every request gets its own copy to change.
  const memo = new WeakMap<PreparedOperation, Map<string, MockResponse>>();

  const engine = async (exchange: Exchange): Promise<MockResponse> => {
    const { operation, preferences, responseMediaType } = exchange;
    const key = preferences.dynamic ? undefined : `${preferences.code ?? ''}|${preferences.example ?? ''}|${responseMediaType}`;
    const known = key === undefined ? undefined : memo.get(operation)?.get(key);
    if (known) return copyOf(known);
    const answer = await answerFromPrism(exchange);
    if (key !== undefined) {
      let byKey = memo.get(operation);
      if (!byKey) memo.set(operation, (byKey = new Map()));
      byKey.set(key, answer);
      return copyOf(answer);
    }
    return answer;
  };
  return engine;

  async function answerFromPrism(exchange: Exchange): Promise<MockResponse> {
    const { request, operation, preferences, responseMediaType } = exchange;
    const input: IHttpRequest = {
      method: request.method.toLowerCase() as HttpMethod,
      url: { path: operation.path.split('?')[0]!, query: {} },
      headers: { accept: responseMediaType },
      body: request.body,
    };
    // Prism mutates the mock config it is given: a fresh one per call.
    const config = {
      ...baseConfig(),
      mock: {
        dynamic: preferences.dynamic ?? false,
        seed: preferences.seed,
        code: preferences.code,
        exampleKey: preferences.example,
        mediaTypes: [responseMediaType],
      },
    };
    const result = await loadPrism().request(input, [preferences.dynamic ? sandboxed(operation) : forPrism(operation)], config)();
    if (result._tag === 'Left') {
      const error = result.left as Error & { status?: number; detail?: string };
      // json-schema-faker fails now and then on this spec's schemas (dynamic mode only, e.g. a
      // TypeError on `items` for createResponse): the static answer is still a right one.
      if (preferences.dynamic && (error.status ?? 500) >= 500) return answerFromPrism({ ...exchange, preferences: { ...preferences, dynamic: false } });
      throw new EngineError(error.detail ?? error.message, error.status ?? 500);
    }
    const output = result.right.output;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(output.headers ?? {})) {
      const key = name.toLowerCase();
      // The spec documents `Transfer-Encoding: chunked` on speech; framing is the HTTP layer's job.
      if (!HOP_BY_HOP.has(key)) headers[key] = String(value);
    }
    const mediaType = (headers['content-type'] ?? responseMediaType).split(';')[0]!.trim().toLowerCase();
    headers['content-type'] = mediaType;
    let body: unknown = output.body;
    if (!isJsonMediaType(mediaType) && !isTextMediaType(mediaType)) {
      body = Buffer.isBuffer(body) ? body : placeholderBytes(mediaType);
    } else if (isTextMediaType(mediaType) && typeof body !== 'string') {
      body = body === undefined ? '' : String(body);
    } else if (isJsonMediaType(mediaType) && body !== undefined) {
      // The spec's examples, which Prism answers with, do not always fit the spec's schemas.
      const schema = findResponse(operation, output.statusCode)?.contents?.find((c) => c.mediaType.toLowerCase() === mediaType)?.schema;
      if (schema) {
        try {
          body = conformToSchema(body, schema, schemaTools(operation, 'json'));
        } catch (error) {
          // json-schema-faker's bodies can be odd enough to make Ajv's compiled code itself throw
          // (about 1 in 4 for cancelResponse): the static answer is a right one.
          if (preferences.dynamic) return answerFromPrism({ ...exchange, preferences: { ...preferences, dynamic: false } });
          throw error;
        }
      }
    }
    return { status: output.statusCode, headers, body };
  }
}

function copyOf(response: MockResponse): MockResponse {
  const body = Buffer.isBuffer(response.body) ? Buffer.from(response.body) : structuredClone(response.body);
  return { ...response, headers: { ...response.headers }, body };
}

const HOP_BY_HOP = new Set(['transfer-encoding', 'content-length', 'connection', 'keep-alive', 'upgrade', 'trailer', 'te']);

export class EngineError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}
