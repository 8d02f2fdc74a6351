import { countField, isRecord, type Builder } from '../context';
import { PNG_BASE64 } from './media';

/** Lists (`object: "list"`): no more items than `limit`, `first_id`/`last_id` naming the ends, `has_more` telling the truth. */
export const list: Builder = (body, context) => {
  if (!Array.isArray(body.data)) return;
  const limit = countField(context.exchange.request.query.limit, 10_000);
  const more = limit !== undefined && body.data.length > limit;
  if (more) body.data = body.data.slice(0, limit);
  const data = body.data as unknown[];
  const idOf = (item: unknown) => (isRecord(item) && typeof item.id === 'string' ? item.id : undefined);
  if (data.length > 0) {
    if (typeof body.first_id === 'string' && idOf(data[0])) body.first_id = idOf(data[0]);
    if (typeof body.last_id === 'string' && idOf(data[data.length - 1])) body.last_id = idOf(data[data.length - 1]);
  }
  if (typeof body.has_more === 'boolean') body.has_more = more;
};

/** Image generations, edits and variations: `n` images, as URLs or base64 as asked. */
export const images: Builder = (body, context) => {
  const request = context.request;
  const n = countField(request.n, 10) ?? 1;
  const model = typeof request.model === 'string' ? request.model : '';
  // DALL·E answers URLs unless asked for base64; the GPT image models always answer base64.
  const asUrl = model.startsWith('dall-e') ? request.response_format !== 'b64_json' : request.response_format === 'url';
  const first = Array.isArray(body.data) && isRecord(body.data[0]) ? body.data[0] : {};
  body.data = Array.from({ length: n }, (_, i) => {
    const image: Record<string, unknown> = {};
    if (typeof first.revised_prompt === 'string') image.revised_prompt = first.revised_prompt;
    if (asUrl) image.url = `https://images.openai.example/${context.ids.next('img-')}-${i}.png`;
    else image.b64_json = PNG_BASE64;
    return image;
  });
};

/** Moderations: one result per input, none flagged: the ordinary case a happy path expects. */
export const moderations: Builder = (body, context) => {
  const input = context.request.input;
  const count = Array.isArray(input) && input.every((item) => typeof item === 'string') ? Math.max(1, input.length) : 1;
  const first = Array.isArray(body.results) && isRecord(body.results[0]) ? body.results[0] : undefined;
  if (!first) return;
  const result = structuredClone(first);
  result.flagged = false;
  if (isRecord(result.categories)) for (const key of Object.keys(result.categories)) result.categories[key] = false;
  if (isRecord(result.category_scores)) {
    for (const [key, score] of Object.entries(result.category_scores)) {
      if (typeof score === 'number') result.category_scores[key] = Number(Math.min(score, 0.0001 * (1 + (key.length % 9))).toPrecision(6));
    }
  }
  body.results = Array.from({ length: count }, () => structuredClone(result));
};

/** An upload's file part gives the object its `filename` and `bytes`. */
export const uploadedFile: Builder = (body, context) => {
  const files = Object.values(context.exchange.request.files);
  if (files.length !== 1) return;
  const file = files[0]!;
  if (typeof body.filename === 'string' && file.filename) body.filename = file.filename;
  if (typeof body.bytes === 'number') body.bytes = file.bytes;
  // A file the API has taken in is "processed"; Prism's placeholder is the enum's first value.
  if (body.object === 'file' && typeof body.status === 'string') body.status = 'processed';
};
