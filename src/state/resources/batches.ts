import type { MockResponse } from '../../pipeline/types';
import { progress } from '../clock';
import { badRequest, json, listQueryOf, notFound } from '../respond';
import type { StateContext, StateHandlers, StoredObject } from '../types';
import { bodyOf, isObject, metadataOf, param, realistic, stringField, type Fields } from './common';
import { FILE, putFile, type FileObject } from './files';

/**
 * Batches: the input file's lines are answered when the batch is created, each by the whole
 * pipeline for its `url` and `body` (`answer()`: scripts and overrides apply, as for a client's
 * own request), and kept until the batch reaches `completed` on the clock
 * (`validating -> in_progress -> finalizing -> completed`, durations `batch.<status>`). Then the
 * output file (one line per 2xx answer, in input order) and the error file (lines that could not
 * be read, and non-2xx answers) are made, and their ids set.
 */

const BATCH = 'batch';
const STEPS = ['validating', 'in_progress', 'finalizing', 'completed'] as const;
const CANCEL_STEPS = ['cancelling', 'cancelled'] as const;
const DAY = 86_400;

interface Batch extends StoredObject {
  id: string;
  object: 'batch';
  endpoint: string;
  input_file_id: string;
  completion_window: string;
  status: string;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
  _mock_since: number;
  _mock_cancel_since?: number;
  _mock_created_ms: number;
  _mock_output: string[];
  _mock_errors: string[];
  _mock_counts: { total: number; completed: number; failed: number };
  _mock_output_expires?: number;
}

interface Usage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** Seconds of the clock ms `ms`, on the batch's own scale (its `created_at` at `_mock_created_ms`). */
const secondsAt = (batch: Batch, ms: number) => batch.created_at + Math.floor((ms - batch._mock_created_ms) / 1000);

function refresh(context: StateContext, batch: Batch): Batch {
  if (['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) return batch;
  const next: Batch = { ...batch };
  if (batch._mock_cancel_since !== undefined) {
    const now = progress(context.clock, 'batch', CANCEL_STEPS, batch._mock_cancel_since);
    if (now.status === batch.status) return batch;
    next.status = 'cancelled';
    next.cancelled_at = secondsAt(batch, now.enteredAt[1]!);
    return context.store.put(BATCH, next);
  }
  const now = progress(context.clock, 'batch', STEPS, batch._mock_since);
  if (now.status === batch.status) return batch;
  next.status = now.status;
  const at = now.enteredAt.map((ms) => secondsAt(batch, ms));
  if (now.index >= 1) {
    next.in_progress_at = at[1]!;
    next.request_counts = { total: batch._mock_counts.total, completed: 0, failed: 0 };
  }
  if (now.index >= 2) {
    next.finalizing_at = at[2]!;
    next.request_counts = batch._mock_counts;
  }
  if (now.index >= 3) {
    next.completed_at = at[3]!;
    const name = (kind: string) => `batch_${batch.id}_${kind}.jsonl`;
    const expires = batch._mock_output_expires;
    if (batch._mock_output.length > 0) {
      next.output_file_id = putFile(context, { filename: name('output'), purpose: 'batch_output', bytes: Buffer.from(batch._mock_output.join('\n') + '\n'), expiresAfterSeconds: expires }).id;
    }
    if (batch._mock_errors.length > 0) {
      next.error_file_id = putFile(context, { filename: name('error'), purpose: 'batch_output', bytes: Buffer.from(batch._mock_errors.join('\n') + '\n'), expiresAfterSeconds: expires }).id;
    }
    next._mock_output = [];
    next._mock_errors = [];
  }
  return context.store.put(BATCH, next);
}

function addUsage(total: Usage, body: unknown): void {
  const usage = isObject(body) && isObject(body.usage) ? body.usage : undefined;
  if (!usage) return;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const input = n(usage.input_tokens ?? usage.prompt_tokens);
  const output = n(usage.output_tokens ?? usage.completion_tokens);
  total.input_tokens += input;
  total.output_tokens += output;
  total.total_tokens += n(usage.total_tokens) || input + output;
  const inDetails = (usage.input_tokens_details ?? usage.prompt_tokens_details) as Fields | undefined;
  const outDetails = (usage.output_tokens_details ?? usage.completion_tokens_details) as Fields | undefined;
  total.input_tokens_details.cached_tokens += n(inDetails?.cached_tokens);
  total.output_tokens_details.reasoning_tokens += n(outDetails?.reasoning_tokens);
}

/** Runs every line of the input file; what the output and error files will hold. */
async function runLines(context: StateContext, batchId: string, endpoint: string, text: string) {
  const output: string[] = [];
  const errors: string[] = [];
  const counts = { total: 0, completed: 0, failed: 0 };
  const usage: Usage = { input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0 };
  const seen = new Set<string>();
  let model: string | undefined;
  const requestId = () => context.newId('req_');
  const lineId = () => context.newId('batch_req_');
  const fail = (customId: string | null, code: string, message: string, line: number) => {
    counts.failed += 1;
    errors.push(JSON.stringify({ id: lineId(), custom_id: customId, response: null, error: { code, message: `Line ${line}: ${message}` } }));
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    counts.total += 1;
    const number = i + 1;
    let line: unknown;
    try {
      line = JSON.parse(raw);
    } catch {
      fail(null, 'invalid_json_line', 'This line is not parseable as valid JSON.', number);
      continue;
    }
    if (!isObject(line)) {
      fail(null, 'invalid_request', 'Each line must be a JSON object with custom_id, method, url and body.', number);
      continue;
    }
    const customId = typeof line.custom_id === 'string' ? line.custom_id : null;
    if (customId === null) {
      fail(null, 'missing_required_parameter', "Missing required parameter: 'custom_id'.", number);
      continue;
    }
    if (seen.has(customId)) {
      fail(customId, 'duplicate_custom_id', `The custom_id '${customId}' is used by more than one request.`, number);
      continue;
    }
    seen.add(customId);
    const method = typeof line.method === 'string' ? line.method : '';
    if (method.toUpperCase() !== 'POST') {
      fail(customId, 'invalid_method', `The method must be POST, got '${method}'.`, number);
      continue;
    }
    const url = typeof line.url === 'string' ? line.url : '';
    if (url !== endpoint) {
      fail(customId, 'mismatched_endpoint', `The URL provided for this request ('${url}') does not match the batch endpoint ('${endpoint}').`, number);
      continue;
    }
    if (!isObject(line.body)) {
      fail(customId, 'invalid_request', "Missing required parameter: 'body'.", number);
      continue;
    }
    if (line.body.stream === true) {
      fail(customId, 'invalid_request', 'Streaming is not supported in batches.', number);
      continue;
    }
    const operationId = context.operationFor('POST', url);
    if (!operationId) {
      fail(customId, 'invalid_url', `The URL '${url}' names no operation.`, number);
      continue;
    }
    model ??= stringField(line.body.model);
    let answer: MockResponse;
    try {
      answer = await context.answer(operationId, line.body);
    } catch (error) {
      fail(customId, 'server_error', `The mock could not answer this line: ${(error as Error).message}`, number);
      continue;
    }
    const body = Buffer.isBuffer(answer.body) ? answer.body.toString('utf8') : answer.body;
    const entry = { id: lineId(), custom_id: customId, response: { status_code: answer.status, request_id: requestId(), body }, error: null };
    if (answer.status >= 200 && answer.status < 300) {
      counts.completed += 1;
      addUsage(usage, body);
      output.push(JSON.stringify(entry));
    } else {
      counts.failed += 1;
      errors.push(JSON.stringify(entry));
    }
  }
  return { output, errors, counts, usage, model, batchId };
}

function batchOf(context: StateContext): { batch: Batch } | { response: MockResponse } {
  const id = param(context, 'batch_id');
  const batch = context.store.get<Batch>(BATCH, id);
  return batch ? { batch: refresh(context, batch) } : { response: notFound(BATCH, id) };
}

export const batches: StateHandlers = {
  async createBatch(context) {
    const body = bodyOf(context);
    const inputId = stringField(body.input_file_id) ?? '';
    const input = context.store.get<FileObject>(FILE, inputId);
    if (!input) return notFound(FILE, inputId, undefined, 'input_file_id');
    if (input.purpose !== 'batch') return badRequest(`The input file ${inputId} must have purpose 'batch', not '${input.purpose}'.`, 'input_file_id');
    const endpoint = stringField(body.endpoint) ?? '';
    const start = await realistic(context);
    if ('response' in start) return start.response;
    const id = context.newId('batch_');
    const ran = await runLines(context, id, endpoint, context.store.getBytes(inputId)?.toString('utf8') ?? '');
    const created = context.nowSeconds();
    const expiresAfter = isObject(body.output_expires_after) && typeof body.output_expires_after.seconds === 'number' ? body.output_expires_after.seconds : undefined;
    const batch: Batch = {
      ...start.body,
      id,
      object: 'batch',
      endpoint,
      ...(ran.model ? { model: ran.model } : {}),
      errors: null,
      input_file_id: inputId,
      completion_window: stringField(body.completion_window) ?? '24h',
      status: 'validating',
      output_file_id: null,
      error_file_id: null,
      created_at: created,
      in_progress_at: null,
      expires_at: created + DAY,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      usage: ran.usage,
      metadata: metadataOf(body.metadata),
      _mock_since: context.clock.now(),
      _mock_created_ms: context.clock.now(),
      _mock_output: ran.output,
      _mock_errors: ran.errors,
      _mock_counts: ran.counts,
      _mock_output_expires: expiresAfter,
    };
    return json(refresh(context, context.store.put(BATCH, batch)));
  },

  async retrieveBatch(context) {
    const found = batchOf(context);
    return 'response' in found ? found.response : json(found.batch);
  },

  async listBatches(context) {
    const page = context.store.list<Batch>(BATCH, listQueryOf(context.exchange.request.query));
    return json({ ...page, data: page.data.map((b) => refresh(context, b)) });
  },

  async cancelBatch(context) {
    const found = batchOf(context);
    if ('response' in found) return found.response;
    const { batch } = found;
    if (!['validating', 'in_progress', 'finalizing'].includes(batch.status)) {
      return badRequest(`Cannot cancel a batch with status '${batch.status}'.`);
    }
    const now = context.clock.now();
    const cancelling: Batch = { ...batch, status: 'cancelling', cancelling_at: secondsAt(batch, now), _mock_cancel_since: now, _mock_output: [], _mock_errors: [] };
    return json(refresh(context, context.store.put(BATCH, cancelling)));
  },
};
