/**
 * Stateful fine-tuning through the real server and the official SDK: a job made from an uploaded
 * JSONL goes `validating_files -> queued -> running -> succeeded` on the clock, with events,
 * checkpoints, a result file and the fine-tuned model's name; cancel, pause, 404s.
 */
import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { MockServer } from '../../src';
import { sdk, startMock } from '../helpers/server';

jest.setTimeout(60_000);

const DAY = 86_400_000;
let mock: MockServer;
let client: OpenAI;

const lines = Array.from({ length: 4 }, (_, i) =>
  JSON.stringify({ messages: [{ role: 'user', content: `Question ${i}` }, { role: 'assistant', content: `Answer ${i}` }] }),
).join('\n');

// Every status but the last holds for a day, so each step is seen, moved on by the admin clock.
beforeAll(async () => {
  mock = await startMock({
    state: { durations: { 'fine_tuning.job.validating_files': DAY, 'fine_tuning.job.queued': DAY, 'fine_tuning.job.running': DAY } },
  });
  client = sdk(mock);
});

afterAll(async () => {
  await mock?.close();
});

const upload = async () => client.files.create({ file: await toFile(Buffer.from(lines), 'train.jsonl'), purpose: 'fine-tune' });

test('a job reaches succeeded on the clock, with its events, checkpoints, result file and model', async () => {
  const file = await upload();
  const job = await client.fineTuning.jobs.create({ model: 'gpt-4o-mini-2024-07-18', training_file: file.id, suffix: 'demo', hyperparameters: { n_epochs: 2 } });
  expect(job).toMatchObject({ object: 'fine_tuning.job', status: 'validating_files', training_file: file.id, fine_tuned_model: null, finished_at: null });
  expect(job.id).toMatch(/^ftjob-/);

  const statuses = [job.status];
  for (let i = 0; i < 3; i++) {
    mock.state!.advance(DAY);
    statuses.push((await client.fineTuning.jobs.retrieve(job.id)).status);
  }
  expect(statuses).toEqual(['validating_files', 'queued', 'running', 'succeeded']);

  const done = await client.fineTuning.jobs.retrieve(job.id);
  expect(done.fine_tuned_model).toBe(`ft:gpt-4o-mini-2024-07-18:org:demo:${job.id.slice('ftjob-'.length, 'ftjob-'.length + 8)}`);
  expect(done.finished_at).toBeGreaterThanOrEqual(done.created_at);
  expect(done.trained_tokens).toBeGreaterThan(0);
  expect(done.hyperparameters).toMatchObject({ n_epochs: 2, batch_size: 1 });

  const events = await client.fineTuning.jobs.listEvents(job.id, { limit: 100 });
  const messages = events.data.map((e) => e.message);
  expect(messages[0]).toBe('The job has successfully completed');
  expect(messages).toContain(`Validating training file: ${file.id}`);
  expect(messages).toContain('Fine-tuning job started');
  expect(events.data.some((e) => e.type === 'metrics')).toBe(true);
  const firstPage = await client.fineTuning.jobs.listEvents(job.id, { limit: 2 });
  expect(firstPage.data).toHaveLength(2);
  expect(firstPage.has_more).toBe(true);

  const checkpoints = await client.fineTuning.jobs.checkpoints.list(job.id);
  expect(checkpoints.data.map((c) => c.step_number)).toEqual([8, 4]);
  expect(checkpoints.data[0]!.fine_tuned_model_checkpoint).toBe(done.fine_tuned_model);

  // The result file is a file of the store: its CSV comes back from files.content.
  const result = await client.files.retrieve(done.result_files[0]!);
  expect(result).toMatchObject({ purpose: 'fine-tune-results', filename: 'step_metrics.csv' });
  const csv = await (await client.files.content(result.id)).text();
  expect(csv.split('\n')[0]).toBe('step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy');
  expect(csv.trim().split('\n')).toHaveLength(9);

  expect((await client.fineTuning.jobs.list({ limit: 100 })).data.map((j) => j.id)).toContain(job.id);
});

test('cancel while queued, pause and resume while running; the API refusals and 404', async () => {
  const file = await upload();
  const job = await client.fineTuning.jobs.create({ model: 'gpt-4o-mini-2024-07-18', training_file: file.id });
  mock.state!.advance(DAY);
  const cancelled = await client.fineTuning.jobs.cancel(job.id);
  expect(cancelled.status).toBe('cancelled');
  mock.state!.advance(3 * DAY);
  expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe('cancelled');
  await expect(client.fineTuning.jobs.cancel(job.id)).rejects.toMatchObject({ status: 400 });

  const other = await client.fineTuning.jobs.create({ model: 'gpt-4o-mini-2024-07-18', training_file: file.id, metadata: { team: 'a' } });
  mock.state!.advance(2 * DAY);
  expect((await client.fineTuning.jobs.pause(other.id)).status).toBe('paused');
  mock.state!.advance(3 * DAY);
  expect((await client.fineTuning.jobs.retrieve(other.id)).status).toBe('paused');
  expect((await client.fineTuning.jobs.resume(other.id)).status).toBe('running');
  mock.state!.advance(DAY);
  expect((await client.fineTuning.jobs.retrieve(other.id)).status).toBe('succeeded');
  expect((await client.fineTuning.jobs.list({ metadata: { team: 'a' } })).data.map((j) => j.id)).toEqual([other.id]);

  await expect(client.fineTuning.jobs.create({ model: 'gpt-4o-mini-2024-07-18', training_file: 'file-abc' })).rejects.toMatchObject({
    status: 400,
    error: { param: 'training_file' },
  });
  await expect(client.fineTuning.jobs.retrieve('ftjob-abc')).rejects.toMatchObject({ status: 404 });
});

test('with no durations a job has succeeded by its first retrieve', async () => {
  const quick = await startMock({ state: true });
  try {
    const api = sdk(quick);
    const file = await api.files.create({ file: await toFile(Buffer.from(lines), 'train.jsonl'), purpose: 'fine-tune' });
    const job = await api.fineTuning.jobs.create({ model: 'gpt-4o-mini-2024-07-18', training_file: file.id });
    const read = await api.fineTuning.jobs.retrieve(job.id);
    expect(read.status).toBe('succeeded');
    expect(read.fine_tuned_model).toMatch(/^ft:gpt-4o-mini-2024-07-18:org::/);
  } finally {
    await quick.close();
  }
});
