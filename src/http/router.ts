import type { PreparedOperation } from '../openapi/prepare';

/**
 * Finds the one operation for a request in a segment trie, so that Prism is handed a single
 * operation instead of scoring all 288 on every call (85% of its per-request time).
 */

export interface RouteMatch {
  operation: PreparedOperation;
  /** The spec's path key, e.g. `/files/{file_id}/content`. */
  template: string;
  params: Record<string, string>;
}

interface Endpoint {
  operation: PreparedOperation;
  template: string;
  paramNames: string[];
}

interface Node {
  literal: Map<string, Node>;
  param?: Node;
  /** method (lower case) -> endpoint, for the plain path and for its `?beta=true` variant. */
  plain: Map<string, Endpoint>;
  beta: Map<string, Endpoint>;
}

const newNode = (): Node => ({ literal: new Map(), plain: new Map(), beta: new Map() });

export interface Router {
  match(method: string, path: string, query: URLSearchParams): RouteMatch | undefined;
  readonly size: number;
}

export function createRouter(operations: readonly PreparedOperation[]): Router {
  const root = newNode();
  for (const operation of operations) {
    const [pathPart, queryPart] = operation.path.split('?');
    const segments = splitPath(pathPart!);
    let node = root;
    const paramNames: string[] = [];
    for (const segment of segments) {
      const param = /^\{(.+)\}$/.exec(segment);
      if (param) {
        paramNames.push(param[1]!);
        node = node.param ??= newNode();
      } else {
        let next = node.literal.get(segment);
        if (!next) node.literal.set(segment, (next = newNode()));
        node = next;
      }
    }
    const table = queryPart === 'beta=true' ? node.beta : node.plain;
    table.set(operation.method.toLowerCase(), { operation, template: operation.path, paramNames });
  }

  const fixed = new Map<string, Endpoint>();

  function find(node: Node, segments: string[], index: number, values: string[], method: string, beta: boolean): Endpoint | undefined {
    if (index === segments.length) {
      const preferred = beta ? node.beta.get(method) ?? node.plain.get(method) : node.plain.get(method) ?? node.beta.get(method);
      return preferred;
    }
    const segment = segments[index]!;
    const literal = node.literal.get(segment);
    if (literal) {
      const found = find(literal, segments, index + 1, values, method, beta);
      if (found) return found;
    }
    if (node.param && segment !== '') {
      values.push(segment);
      const found = find(node.param, segments, index + 1, values, method, beta);
      if (found) return found;
      values.pop();
    }
    return undefined;
  }

  return {
    size: operations.length,
    match(method, path, query) {
      const beta = query.get('beta') === 'true';
      // A path without parameters is looked up once: a load test asks the same few again and again.
      const key = `${method} ${beta ? '?' : ''}${path}`;
      const known = fixed.get(key);
      if (known) return { operation: known.operation, template: known.template, params: {} };
      const segments = splitPath(path);
      const values: string[] = [];
      const endpoint = find(root, segments, 0, values, method.toLowerCase(), beta);
      if (!endpoint) return undefined;
      if (endpoint.paramNames.length === 0) {
        // Bounded: paths come from clients (`//chat/completions/` finds the same operation).
        if (fixed.size >= MAX_FIXED) fixed.clear();
        fixed.set(key, endpoint);
      }
      const params: Record<string, string> = {};
      endpoint.paramNames.forEach((name, i) => {
        params[name] = safeDecode(values[i]!);
      });
      return { operation: endpoint.operation, template: endpoint.template, params };
    },
  };
}

const MAX_FIXED = 512;

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The SDK's base URL ends in `/v1`; Prism-style clients send the spec's paths as they are. */
export function stripVersionPrefix(path: string): string {
  if (path === '/v1') return '/';
  return path.startsWith('/v1/') ? path.slice(3) : path;
}

/** Where a request's path points once its prefix is taken off. */
export interface ApiPath {
  /** The spec's path, e.g. `/chat/completions`. */
  path: string;
  /** Asked through an Azure OpenAI path (`/openai/...`): `api-version` is Azure's, not the operation's. */
  azure: boolean;
  /** The `{deployment}` of `/openai/deployments/{deployment}/...`: the model that answers. */
  deployment?: string;
}

/**
 * The operations Azure OpenAI serves per deployment, as its clients (`AzureOpenAI` in the official
 * SDKs) call them: `/openai/deployments/{deployment}/chat/completions?api-version=...`.
 */
export const AZURE_DEPLOYMENT_PATHS: ReadonlySet<string> = new Set([
  '/completions',
  '/chat/completions',
  '/embeddings',
  '/audio/transcriptions',
  '/audio/translations',
  '/audio/speech',
  '/images/generations',
  '/images/edits',
  '/batches',
]);

const AZURE_DEPLOYMENT = /^\/openai\/deployments\/([^/]+)(\/.*)$/;

/**
 * The spec's path for a request path: OpenAI's `/v1/...` and bare paths; Azure OpenAI's
 * `/openai/deployments/{deployment}/...`, its v1 API `/openai/v1/...`, and `/openai/...` (where
 * `AzureOpenAI` sends files, batches, assistants and the rest).
 */
export function resolveApiPath(pathname: string): ApiPath {
  if (pathname === '/openai' || pathname.startsWith('/openai/')) {
    const deployment = AZURE_DEPLOYMENT.exec(pathname);
    if (deployment) {
      const [, name, rest] = deployment;
      // Any other path under a deployment is not Azure's: left whole, it matches no operation (404).
      if (!AZURE_DEPLOYMENT_PATHS.has(rest!.replace(/\/+$/, ''))) return { path: pathname, azure: true };
      return { path: rest!, azure: true, deployment: safeDecode(name!) };
    }
    return { path: stripVersionPrefix(pathname.slice('/openai'.length) || '/'), azure: true };
  }
  return { path: stripVersionPrefix(pathname), azure: false };
}
