import { countField, isRecord, type Builder } from '../context';
import { PNG_BASE64 } from './media';

/**
 * Lists (`object: "list"`): the page after the `after` cursor (or before `before`), no more items
 * than `limit`, `first_id`/`last_id` naming the ends, `has_more` telling the truth. A cursor that
 * names no item of the list gives an empty last page, so that the SDK's auto-pagination ends.
 */
export const list: Builder = (body, context) => {
  if (!Array.isArray(body.data)) return;
  const idOfItem = (item: unknown) => (isRecord(item) && typeof item.id === 'string' ? item.id : undefined);
  const { after, before } = context.exchange.request.query;
  let items = body.data as unknown[];
  if (typeof after === 'string' && after !== '') {
    const at = items.findIndex((item) => idOfItem(item) === after);
    items = at >= 0 ? items.slice(at + 1) : [];
  }
  if (typeof before === 'string' && before !== '') {
    const at = items.findIndex((item) => idOfItem(item) === before);
    items = at >= 0 ? items.slice(0, at) : [];
  }
  const limit = countField(context.exchange.request.query.limit, 10_000);
  const more = limit !== undefined && items.length > limit;
  const data = more ? items.slice(0, limit) : items;
  body.data = data;
  if (data.length > 0) {
    if (typeof body.first_id === 'string' && idOfItem(data[0])) body.first_id = idOfItem(data[0]);
    if (typeof body.last_id === 'string' && idOfItem(data[data.length - 1])) body.last_id = idOfItem(data[data.length - 1]);
  }
  if (typeof body.has_more === 'boolean') body.has_more = more;
};

/** Image generations, edits and variations: `n` images, as URLs or base64 as asked. */
export const images: Builder = (body, context) => {
  const request = context.request;
  const n = countField(request.n, 10) ?? 1;
  // Without a model the API uses DALL·E 2 (variations exist only for it).
  const model = typeof request.model === 'string' ? request.model : 'dall-e-2';
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
