import type { SseEvent, StreamError, StreamPlan } from './events';
import { isObject, type Json } from './json';

const MAX_PARTIAL_IMAGES = 3;

function partialCount(request: Json): number {
  const n = Number(request.partial_images ?? 0);
  return Number.isFinite(n) ? Math.max(0, Math.min(MAX_PARTIAL_IMAGES, Math.floor(n))) : 0;
}

/** `ImagesUsage` needs every count; the plain answer's usage may leave some out. */
function usageOf(body: Json): Json {
  const usage: Json = isObject(body.usage) ? body.usage : {};
  const details: Json = isObject(usage.input_tokens_details) ? usage.input_tokens_details : {};
  const input_tokens = Number(usage.input_tokens ?? 0);
  const output_tokens = Number(usage.output_tokens ?? 0);
  return {
    ...usage,
    input_tokens,
    output_tokens,
    total_tokens: Number(usage.total_tokens ?? input_tokens + output_tokens),
    input_tokens_details: { ...details, text_tokens: Number(details.text_tokens ?? 0), image_tokens: Number(details.image_tokens ?? 0) },
  };
}

/**
 * Image generations (`image_generation.*`) and edits (`image_edit.*`) with `stream: true`: for each
 * image, `partial_images` partial events (the API's previews; here the final image, which is what
 * the plain answer holds), then a completed event with the image and usage.
 */
export function imageStream(body: Json, request: Json, prefix: 'image_generation' | 'image_edit'): StreamPlan {
  const partials = partialCount(request);
  const common = {
    created_at: body.created ?? Math.floor(Date.now() / 1000),
    size: body.size ?? request.size ?? 'auto',
    quality: body.quality ?? request.quality ?? 'auto',
    background: body.background ?? request.background ?? 'auto',
    output_format: body.output_format ?? request.output_format ?? 'png',
  };
  const images: Json[] = Array.isArray(body.data) ? body.data.filter(isObject) : [];
  const payloads: Json[] = [];
  for (const image of images) {
    const b64_json = typeof image.b64_json === 'string' ? image.b64_json : '';
    for (let partial_image_index = 0; partial_image_index < partials; partial_image_index++) {
      payloads.push({ type: `${prefix}.partial_image`, b64_json, ...common, partial_image_index });
    }
    payloads.push({ type: `${prefix}.completed`, b64_json, ...common, usage: usageOf(body) });
  }
  return {
    events: payloads.map((data) => ({ event: data.type, data })),
    error: (error: StreamError): SseEvent => ({ event: 'error', data: { type: 'error', error } }),
  };
}
