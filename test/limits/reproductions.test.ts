/**
 * The fuzzing reproductions of issue #20, each over raw HTTP against the command in a child
 * process: every one is answered (the API's error, or an answer cut at the output budget) and the
 * server keeps serving, with the child's resident memory read from /proc at the end. Before the
 * fix these took 55 s and a heap overflow, 1.8 GB, 416 MB answers, or a 500.
 */
import { spawnCli, type CliRun } from '../helpers/cli';
import { expectOpenAIError, post, request, residentMemory } from './support';

// Peak resident memory the child may reach over the whole file: the 50 MB body alone is parsed
// into about 250 MB of objects; before the fix one request took 1.8 GB.
const PEAK_MIB = 700;
const GPT_4O_OUTPUT_CHARS = 16_384 * 4;

let cli: CliRun;
let url: string;

beforeAll(async () => {
  cli = spawnCli(['--port', '0', '--log-level', 'warn', '--max-answer-bytes', '8000000']);
  // Warnings only: the ready line is not printed at this level, so ask until it answers.
  url = await readyUrl(cli);
}, 60_000);

afterAll(async () => {
  await cli?.stop();
});

async function readyUrl(run: CliRun): Promise<string> {
  // The port is the OS's choice: read it from the listening socket of the child.
  for (let i = 0; i < 600; i++) {
    const port = listeningPort(run.child.pid!);
    if (port) return `http://127.0.0.1:${port}`;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the command did not listen:\n${run.output()}`);
}

/** The TCP port a process listens on, from /proc (no output needed). */
function listeningPort(pid: number): number | undefined {
  const fs = require('node:fs') as typeof import('node:fs');
  let inodes: Set<string>;
  try {
    inodes = new Set(
      fs.readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
          return m ? [m[1]!] : [];
        } catch {
          return [];
        }
      }),
    );
  } catch {
    return undefined;
  }
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    // State 0A is LISTEN.
    if (cols[3] === '0A' && inodes.has(cols[9]!)) return parseInt(cols[1]!.split(':')[1]!, 16);
  }
  return undefined;
}

const hi = [{ role: 'user', content: 'hi' }];

async function stillServing() {
  const answer = await post(url, '/v1/chat/completions', { model: 'gpt-4o', messages: hi });
  expect(answer.status).toBe(200);
  expect(answer.json().choices[0].message.content).toEqual(expect.any(String));
}

test('tool parameters nesting three arrays of minItems 1000: arguments cut at the output budget, finish_reason length', async () => {
  const nested = { type: 'array', minItems: 1000, items: { type: 'array', minItems: 1000, items: { type: 'array', minItems: 1000, items: { type: 'string' } } } };
  const answer = await post(url, '/v1/chat/completions', {
    model: 'gpt-4o',
    messages: hi,
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: nested } } } }],
  });
  expect(answer.status).toBe(200);
  const choice = answer.json().choices[0];
  expect(choice.finish_reason).toBe('length');
  const args: string = choice.message.tool_calls[0].function.arguments;
  expect(args.startsWith('{"a":[[["example a"')).toBe(true);
  expect(args.length).toBeLessThanOrEqual(GPT_4O_OUTPUT_CHARS);
  expect(answer.json().usage.completion_tokens).toBeLessThanOrEqual(16_384 + 1);
  await stillServing();
});

test('one array of minItems 10,000,000 and max_tokens 50: 200 characters of arguments, not 20 MB', async () => {
  const answer = await post(url, '/v1/chat/completions', {
    model: 'gpt-4o',
    max_tokens: 50,
    messages: hi,
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'array', minItems: 10_000_000, items: { type: 'integer' } } } } } }],
  });
  expect(answer.status).toBe(200);
  const choice = answer.json().choices[0];
  expect(choice.finish_reason).toBe('length');
  expect(choice.message.tool_calls[0].function.arguments.length).toBeLessThanOrEqual(200);
  expect(answer.text.length).toBeLessThan(2_000);
});

test('response_format with minLength 10^9: the content is cut at the budget; no placeholder body, nothing swallowed', async () => {
  const format = { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', properties: { s: { type: 'string', minLength: 1_000_000_000 } } } } };
  const answer = await post(url, '/v1/chat/completions', { model: 'gpt-4o', messages: hi, response_format: format, max_completion_tokens: 40 });
  expect(answer.status).toBe(200);
  const body = answer.json();
  expect(body.created).toBeGreaterThan(1_700_000_000);
  expect(body.id).toMatch(/^chatcmpl-/);
  expect(body.choices[0].finish_reason).toBe('length');
  expect(body.choices[0].message.content).toMatch(/^\{"s":"example sx+$/);
  expect(body.choices[0].message.content.length).toBeLessThanOrEqual(160);
  // Without max tokens the model's own limit (gpt-4o: 16,384 tokens) is the budget.
  const unbounded = await post(url, '/v1/chat/completions', { model: 'gpt-4o', messages: hi, response_format: format });
  expect(unbounded.json().choices[0].message.content.length).toBeLessThanOrEqual(GPT_4O_OUTPUT_CHARS);
});

test('the Responses API stops at max_output_tokens: incomplete, reason max_output_tokens', async () => {
  const answer = await post(url, '/v1/responses', {
    model: 'gpt-4o',
    input: 'hi',
    max_output_tokens: 20,
    text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object', properties: { s: { type: 'string', minLength: 1_000_000 } } } } },
  });
  expect(answer.status).toBe(200);
  const body = answer.json();
  expect(body.status).toBe('incomplete');
  expect(body.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  expect(body.output[0].status).toBe('incomplete');
  expect(body.output[0].content[0].text.length).toBeLessThanOrEqual(80);
  expect(body.usage.output_tokens).toBeLessThanOrEqual(20);
});

test('completions with 100,000 empty prompts and n 128: the API\'s array limit, before any choice is built', async () => {
  const answer = await post(url, '/v1/completions', { model: 'gpt-3.5-turbo-instruct', prompt: Array(100_000).fill(''), n: 128 });
  const error = expectOpenAIError(answer, 400, 'array_above_max_length');
  expect(error).toMatchObject({
    message: "Invalid 'prompt': array too long. Expected an array with maximum length 2048, but got an array with length 100000 instead.",
    param: 'prompt',
  });
});

test('a 4 MB prompt with n 128 and echo: the model\'s context length, not a 512 MB answer', async () => {
  const answer = await post(url, '/v1/completions', { model: 'gpt-3.5-turbo-instruct', prompt: 'x'.repeat(4 * 1024 * 1024), n: 128, echo: true });
  const error = expectOpenAIError(answer, 400, 'context_length_exceeded');
  expect(error.message).toBe(
    "This model's maximum context length is 4096 tokens, however you requested 1048592 tokens (1048576 in your prompt; 16 for the completion). Please reduce your prompt; or completion length.",
  );
});

test('2,048 embeddings of 16,384 dimensions: the model\'s size is the limit', async () => {
  const answer = await post(url, '/v1/embeddings', { model: 'text-embedding-3-small', input: Array(2048).fill('hello'), dimensions: 16_384 });
  const error = expectOpenAIError(answer, 400, 'integer_above_max_value');
  expect(error).toMatchObject({ param: 'dimensions', message: "Invalid 'dimensions': integer above maximum value. Expected a value <= 1536, but got 16384 instead." });
  const ada = await post(url, '/v1/embeddings', { model: 'text-embedding-ada-002', input: 'hello', dimensions: 256 });
  expect(expectOpenAIError(ada, 400, null).message).toBe('This model does not support specifying dimensions.');
});

test('answers past the ceiling (--max-answer-bytes) get a 400 naming the limit, and a warning naming the request', async () => {
  const from = cli.output().length;
  const answer = await post(url, '/v1/completions', { model: 'gpt-3.5-turbo-instruct', prompt: Array(2048).fill('hello'), n: 128 });
  const error = expectOpenAIError(answer, 400, 'answer_too_large');
  expect(error.message).toMatch(/more than this server's limit of 7\.6 MiB per answer/);
  await cli.waitFor(/warn: POST \/v1\/completions \(createCompletion\): refused: The answer would be about/, from);
  const embeddings = await post(url, '/v1/embeddings', { model: 'text-embedding-3-large', input: Array(2048).fill('hello') });
  expectOpenAIError(embeddings, 400, 'answer_too_large');
  await stillServing();
});

test('max_tokens above the model\'s output limit: the API\'s 400', async () => {
  const answer = await post(url, '/v1/chat/completions', { model: 'gpt-4o-2024-08-06', messages: hi, max_tokens: 100_000 });
  expect(expectOpenAIError(answer, 400, 'invalid_value')).toMatchObject({
    message: 'max_tokens is too large: 100000. This model supports at most 16384 completion tokens, whereas you provided 100000.',
    param: 'max_tokens',
  });
});

test('a 50 MB body of 1.6M messages: context_length_exceeded, counted before validation; memory stays bounded', async () => {
  const body = JSON.stringify({ model: 'gpt-4o', messages: Array(1_600_000).fill({ role: 'user', content: 'hi' }) });
  expect(body.length).toBeGreaterThan(45_000_000);
  const answer = await post(url, '/v1/chat/completions', body);
  const error = expectOpenAIError(answer, 400, 'context_length_exceeded');
  expect(error).toMatchObject({
    param: 'messages',
    message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 8000003 tokens. Please reduce the length of the messages.",
  });
  await stillServing();
  const memory = residentMemory(cli.child.pid!);
  expect(memory.peak).toBeLessThan(PEAK_MIB);
  // Printed for the record (figures, not assertions on speed).
  process.stdout.write(`limits: child peak RSS ${memory.peak.toFixed(0)} MiB, now ${memory.rss.toFixed(0)} MiB\n`);
}, 120_000);

test('nothing above was a 5xx or an unexpected failure in the log', async () => {
  expect(cli.output()).not.toMatch(/error:|failed to answer|unexpected failure/);
  const models = await request(url, 'GET', '/v1/models', { headers: { authorization: 'Bearer x' } });
  expect(models.status).toBe(200);
});
