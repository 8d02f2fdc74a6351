import type { PreparedOperation } from '../openapi/prepare';
import { objectProperties, refsOf } from '../openapi/schema/walk';
import type { ParsedBody } from './parse-body';

/**
 * On Azure OpenAI the deployment in the path names the model: a client may leave `model` out of
 * the body, and the answer names the deployment. So the deployment becomes the request's `model`
 * wherever the operation's body has one (batches, say, have none).
 */
export function withDeploymentModel(operation: PreparedOperation, parsed: ParsedBody, deployment: string, mediaType: string | undefined): ParsedBody {
  if (parsed.kind !== 'json' && parsed.kind !== 'form' && parsed.kind !== 'none') return parsed;
  const contents = operation.request?.body?.contents ?? [];
  const content = contents.find((c) => c.mediaType === mediaType) ?? contents[0];
  if (!content?.schema || !objectProperties(content.schema, refsOf(operation))?.has('model')) return parsed;
  if (parsed.kind === 'form') return { ...parsed, value: { ...parsed.value, model: deployment } };
  if (parsed.kind === 'none') return { kind: 'json', value: { model: deployment } };
  const body = parsed.value;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return parsed;
  return { kind: 'json', value: { ...body, model: deployment } };
}
