import type { StateContext, StateHandlers, StoredObject } from '../types';
import { prngFrom } from '../../realism/ids';
import { countTokens } from '../../realism/tokens';
import {
  badRequest,
  bodyOf,
  dueAt,
  enter,
  exclusive,
  isObject,
  listQuery,
  notFound,
  ok,
  paramOf,
  pollAfter,
  startTimeline,
  timelineOf,
  type Json,
} from './assist-common';
import { FILE, putFile } from './files';

/**
 * Fine-tuning jobs: `validating_files -> queued -> running -> succeeded` on the state clock, with
 * the events the API logs on the way, a checkpoint per epoch, a result file (`step_metrics.csv`,
 * a file of the store) and the fine-tuned model's name, `ft:<model>:org:<suffix>:<id>`. Losses
 * are made up, falling, and follow from the job's id.
 */

export const JOB = 'fine_tuning.job';
const eventKind = (jobId: string) => `fine_tuning.job.event:${jobId}`;
const checkpointKind = (jobId: string) => `fine_tuning.job.checkpoint:${jobId}`;

interface Job extends StoredObject {
  object: 'fine_tuning.job';
  status: string;
  model: string;
  training_file: string;
  hyperparameters: Json;
}

const jobNotFound = (id: string) => notFound(JOB, id);
const ACTIVE = new Set(['validating_files', 'queued', 'running']);
const NEXT: Record<string, string> = { validating_files: 'queued', queued: 'running', running: 'succeeded' };

function addEvent(context: StateContext, jobId: string, at: number, message: string, extra: Json = {}): void {
  context.store.put(eventKind(jobId), {
    id: context.newId('ftevent-'),
    object: 'fine_tuning.job.event',
    created_at: at,
    level: 'info',
    message,
    type: 'message',
    data: {},
    ...extra,
  });
}

/** The hyperparameters the request gave (top level, or under `method`), `auto` where it gave none. */
function requestedHyperparameters(body: Json): Json {
  const method = isObject(body.method) ? body.method : {};
  const under = isObject(method[method.type]) && isObject(method[method.type].hyperparameters) ? method[method.type].hyperparameters : {};
  const given = { ...(isObject(body.hyperparameters) ? body.hyperparameters : {}), ...under };
  return {
    batch_size: given.batch_size ?? 'auto',
    learning_rate_multiplier: given.learning_rate_multiplier ?? 'auto',
    n_epochs: given.n_epochs ?? 'auto',
  };
}

/** Examples in the training file (its lines), when the store holds its bytes. */
function exampleCount(context: StateContext, fileId: string): { lines: number; tokens: number } {
  const bytes = context.store.getBytes(fileId);
  if (!bytes) return { lines: 10, tokens: 1000 };
  const text = bytes.toString('utf8');
  const lines = text.split('\n').filter((line) => line.trim() !== '').length || 1;
  return { lines, tokens: countTokens(text) };
}

/** Training starts: `auto` settles to numbers, steps and losses are laid out. */
function startTraining(context: StateContext, job: Job, at: number): Job {
  const examples = exampleCount(context, job.training_file);
  const auto = job.hyperparameters;
  const hyperparameters = {
    batch_size: auto.batch_size === 'auto' ? 1 : auto.batch_size,
    learning_rate_multiplier: auto.learning_rate_multiplier === 'auto' ? 1.8 : auto.learning_rate_multiplier,
    n_epochs: auto.n_epochs === 'auto' ? 3 : auto.n_epochs,
  };
  addEvent(context, job.id, at, 'Fine-tuning job started');
  return { ...job, status: 'running', hyperparameters, method: methodWith(job.method, hyperparameters), estimated_finish: at + 60 + examples.lines };
}

function methodWith(method: unknown, hyperparameters: Json): Json {
  const type = isObject(method) && typeof method.type === 'string' ? method.type : 'supervised';
  const current = isObject(method) && isObject(method[type]) ? method[type] : {};
  return { type, [type]: { ...current, hyperparameters: { ...(current.hyperparameters ?? {}), ...hyperparameters } } };
}

/** Training ends: metrics events, a checkpoint per epoch (the API keeps the last three), the result file, the model. */
function finishTraining(context: StateContext, job: Job, at: number): Job {
  const { store } = context;
  const examples = exampleCount(context, job.training_file);
  const epochs = Number(job.hyperparameters.n_epochs) || 3;
  const batch = Number(job.hyperparameters.batch_size) || 1;
  const perEpoch = Math.max(1, Math.ceil(examples.lines / batch));
  const steps = perEpoch * epochs;
  const random = prngFrom(job.id);
  const short = job.id.replace(/^ftjob-/, '').slice(0, 8);
  const suffix = typeof job.user_provided_suffix === 'string' ? job.user_provided_suffix : '';
  const model = `ft:${job.model}:org:${suffix}:${short}`;

  const rows = ['step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy'];
  const lossAt = (step: number) => Number((2.2 * Math.exp((-2.5 * step) / steps) + 0.1 + random() * 0.05).toFixed(4));
  for (let step = 1; step <= steps; step++) {
    const loss = lossAt(step);
    const accuracy = Number(Math.min(0.99, 1 - loss / 2.5).toFixed(4));
    rows.push(`${step},${loss},${accuracy},,`);
    if (step === 1 || step === steps || step % perEpoch === 0) {
      addEvent(context, job.id, at, `Step ${step}/${steps}: training loss=${loss.toFixed(2)}`, {
        type: 'metrics',
        data: { step, train_loss: loss, train_mean_token_accuracy: accuracy, total_steps: steps },
      });
    }
    if (step % perEpoch === 0 && step > steps - 3 * perEpoch) {
      store.put(checkpointKind(job.id), {
        id: context.newId('ftckpt_'),
        object: 'fine_tuning.job.checkpoint',
        created_at: at,
        fine_tuned_model_checkpoint: step === steps ? model : `${model}:ckpt-step-${step}`,
        step_number: step,
        metrics: { step, train_loss: loss, train_mean_token_accuracy: accuracy, full_valid_loss: loss, full_valid_mean_token_accuracy: accuracy },
        fine_tuning_job_id: job.id,
      });
    }
  }
  const csv = Buffer.from(rows.join('\n') + '\n');
  const resultFile = putFile(context, { filename: 'step_metrics.csv', purpose: 'fine-tune-results', bytes: csv });
  addEvent(context, job.id, at, `New fine-tuned model created: ${model}`);
  addEvent(context, job.id, at, 'The job has successfully completed');
  return {
    ...job,
    status: 'succeeded',
    finished_at: at,
    fine_tuned_model: model,
    trained_tokens: examples.tokens * epochs,
    result_files: [resultFile.id],
    estimated_finish: null,
  };
}

/** Moves a job as far as the clock allows. */
async function settle(context: StateContext, job: Job): Promise<Job> {
  const { store, clock } = context;
  return exclusive(store, job.id, async () => {
    let current = store.get<Job>(JOB, job.id) ?? job;
    const timeline = timelineOf(store, job.id);
    while (timeline && ACTIVE.has(current.status)) {
      const due = dueAt(clock, JOB, timeline);
      if (due === undefined) break;
      const next = NEXT[current.status]!;
      const at = enter(store, timeline, next, due);
      if (next === 'queued') {
        addEvent(context, job.id, at, 'Files validated, moving job to queued state');
        current = { ...current, status: 'queued' };
      } else if (next === 'running') {
        current = startTraining(context, current, at);
      } else {
        current = finishTraining(context, current, at);
      }
      store.put(JOB, current);
    }
    return current;
  });
}

function jobAnswer(context: StateContext, job: Job) {
  return ok(job, ACTIVE.has(job.status) ? pollAfter(context.clock, JOB, timelineOf(context.store, job.id)) : {});
}

async function pathJob(context: StateContext): Promise<Job | undefined> {
  const job = context.store.get<Job>(JOB, paramOf(context, 'fine_tuning_job_id'));
  return job && settle(context, job);
}

/** `metadata[key]=value` in the query: jobs whose metadata hold every pair. */
function metadataFilter(query: unknown): ((job: Job) => boolean) | undefined {
  if (!isObject(query) || Object.keys(query).length === 0) return undefined;
  return (job) => isObject(job.metadata) && Object.entries(query).every(([key, value]) => (job.metadata as Json)[key] === value);
}

export const fineTuningHandlers: StateHandlers = {
  createFineTuningJob: async (context) => {
    const { store, clock } = context;
    const body = bodyOf(context);
    for (const field of ['training_file', 'validation_file'] as const) {
      const id = body[field];
      if (typeof id === 'string' && !store.get(FILE, id)) return badRequest(`invalid ${field}: ${id}`, field);
    }
    const createdAt = context.nowSeconds();
    const hyperparameters = requestedHyperparameters(body);
    const id = context.newId('ftjob-');
    const job: Job = {
      id,
      object: 'fine_tuning.job',
      model: String(body.model),
      created_at: createdAt,
      finished_at: null,
      fine_tuned_model: null,
      organization_id: 'org-mock',
      result_files: [],
      status: 'validating_files',
      validation_file: body.validation_file ?? null,
      training_file: String(body.training_file),
      hyperparameters,
      trained_tokens: null,
      error: null,
      user_provided_suffix: typeof body.suffix === 'string' ? body.suffix : null,
      seed: typeof body.seed === 'number' ? body.seed : Math.floor(prngFrom(id)() * 2 ** 31),
      estimated_finish: null,
      integrations: Array.isArray(body.integrations) ? body.integrations : null,
      metadata: isObject(body.metadata) ? body.metadata : null,
      method: methodWith(body.method, hyperparameters),
    };
    store.put(JOB, job);
    startTimeline(store, clock, job.id, job.status, createdAt);
    addEvent(context, job.id, createdAt, `Validating training file: ${job.training_file}`);
    addEvent(context, job.id, createdAt, `Created fine-tuning job: ${job.id}`);
    return jobAnswer(context, job);
  },

  retrieveFineTuningJob: async (context) => {
    const job = await pathJob(context);
    return job ? jobAnswer(context, job) : jobNotFound(paramOf(context, 'fine_tuning_job_id'));
  },

  listPaginatedFineTuningJobs: async (context) => {
    for (const job of context.store.all<Job>(JOB)) if (ACTIVE.has(job.status)) await settle(context, job);
    const query = listQuery<Job>(context, 'desc', metadataFilter(context.exchange.request.query.metadata));
    return ok(context.store.list<Job>(JOB, { ...query, order: 'desc' }));
  },

  cancelFineTuningJob: async (context) => {
    const job = await pathJob(context);
    if (!job) return jobNotFound(paramOf(context, 'fine_tuning_job_id'));
    if (!ACTIVE.has(job.status) && job.status !== 'paused') return badRequest(`Job ${job.id} has already ${job.status === 'cancelled' ? 'been cancelled' : job.status}.`);
    const timeline = timelineOf(context.store, job.id);
    const at = timeline ? enter(context.store, timeline, 'cancelled', context.clock.now()) : context.nowSeconds();
    addEvent(context, job.id, at, 'Fine-tuning job cancelled');
    return ok(context.store.put(JOB, { ...job, status: 'cancelled', finished_at: at, estimated_finish: null }));
  },

  pauseFineTuningJob: async (context) => {
    const job = await pathJob(context);
    if (!job) return jobNotFound(paramOf(context, 'fine_tuning_job_id'));
    if (job.status !== 'running') return badRequest(`Job ${job.id} can only be paused while running; it is ${job.status}.`);
    const timeline = timelineOf(context.store, job.id);
    const at = timeline ? enter(context.store, timeline, 'paused', context.clock.now()) : context.nowSeconds();
    addEvent(context, job.id, at, 'Fine-tuning job paused');
    return ok(context.store.put(JOB, { ...job, status: 'paused' }));
  },

  resumeFineTuningJob: async (context) => {
    const job = await pathJob(context);
    if (!job) return jobNotFound(paramOf(context, 'fine_tuning_job_id'));
    if (job.status !== 'paused') return badRequest(`Job ${job.id} is not paused; it is ${job.status}.`);
    const timeline = timelineOf(context.store, job.id);
    const at = timeline ? enter(context.store, timeline, 'running', context.clock.now()) : context.nowSeconds();
    addEvent(context, job.id, at, 'Fine-tuning job resumed');
    return jobAnswer(context, context.store.put(JOB, { ...job, status: 'running' }));
  },

  listFineTuningEvents: async (context) => {
    const job = await pathJob(context);
    if (!job) return jobNotFound(paramOf(context, 'fine_tuning_job_id'));
    return ok(context.store.list(eventKind(job.id), { ...listQuery(context, 'desc'), order: 'desc' }));
  },

  listFineTuningJobCheckpoints: async (context) => {
    const job = await pathJob(context);
    if (!job) return jobNotFound(paramOf(context, 'fine_tuning_job_id'));
    return ok(context.store.list(checkpointKind(job.id), { ...listQuery(context, 'desc'), order: 'desc' }));
  },
};

