import type { StateContext, StateHandlers } from '../types';
import { derivedId } from '../../streaming/json';
import { runStep, streamStoredReply } from '../../streaming/assistants';
import {
  badRequest,
  bodyOf,
  dueAt,
  enter,
  exclusive,
  isObject,
  listQuery,
  ok,
  paramOf,
  pollAfter,
  startTimeline,
  textOf,
  timelineOf,
  type Json,
} from './assist-common';
import { findAssistant, assistantNotFound, type Assistant } from './assistants';
import {
  THREAD,
  activeRun,
  busyThread,
  createThreadIn,
  isActive,
  messageKind,
  newMessage,
  runKind,
  runNotFound,
  stepKind,
  stepNotFound,
  threadNotFound,
  type Message,
  type Run,
  type Thread,
} from './thread-objects';

/**
 * Runs and run steps. A run goes `queued -> in_progress` and then, when the model's answer
 * comes, to `completed` (an assistant message in the thread, a `message_creation` step, usage)
 * or to `requires_action` (function calls to answer with `submit_tool_outputs`, which puts it
 * back in the queue). The answer is the mock's own to `createChatCompletion` for the thread's
 * messages and the run's instructions and function tools, through the whole pipeline: scripts and
 * overrides of `createChatCompletion` decide what the assistant says or calls. Runs move when
 * read (or listed, or when the thread's messages are read), on the state clock: at once by default.
 */

const KIND = 'thread.run';
const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'expired', 'incomplete', 'requires_action']);

/** Usage as a run or step reports it, from a chat completion's. */
function usageOf(body: Json): Json {
  const usage = isObject(body.usage) ? body.usage : {};
  const prompt = Number(usage.prompt_tokens) || 0;
  const completion = Number(usage.completion_tokens) || 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function addUsage(a: Json | null, b: Json): Json {
  if (!a) return b;
  return {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
  };
}

/** The run's function tools, as a chat completion takes them (the other tools have no counterpart there). */
function functionTools(run: Run): Json[] {
  return run.tools.filter((tool) => isObject(tool) && tool.type === 'function' && isObject(tool.function)).map((tool) => ({ type: 'function', function: tool.function }));
}

/** What the model sees: the instructions, the thread's messages before the run, the run's rounds of tool calls and outputs. */
function chatRequest(context: StateContext, run: Run): Json {
  const messages: Json[] = [];
  if (run.instructions) messages.push({ role: 'system', content: run.instructions });
  let thread = context.store.all<Message>(messageKind(run.thread_id)).filter((message) => message.run_id !== run.id);
  // `truncation_strategy: { type: 'last_messages', last_messages: n }`: the model sees the last n only.
  const truncation = isObject(run.truncation_strategy) ? run.truncation_strategy : {};
  if (truncation.type === 'last_messages' && typeof truncation.last_messages === 'number') thread = thread.slice(-Math.max(1, truncation.last_messages));
  for (const message of thread) messages.push({ role: message.role, content: textOf(message.content) });
  for (const step of context.store.all(stepKind(run.id))) {
    const details = step.step_details as Json;
    if (details?.type !== 'tool_calls' || step.status !== 'completed') continue;
    const calls: Json[] = details.tool_calls.filter((call: Json) => call.type === 'function');
    messages.push({
      role: 'assistant',
      content: null,
      tool_calls: calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } })),
    });
    for (const call of calls) messages.push({ role: 'tool', tool_call_id: call.id, content: String(call.function.output ?? '') });
  }
  const request: Json = { model: run.model, messages };
  const tools = functionTools(run);
  if (tools.length > 0) {
    request.tools = tools;
    const choice = run.tool_choice;
    if (typeof choice === 'string' || (isObject(choice) && choice.type === 'function')) request.tool_choice = choice;
    if (typeof run.parallel_tool_calls === 'boolean') request.parallel_tool_calls = run.parallel_tool_calls;
  }
  if (typeof run.temperature === 'number') request.temperature = run.temperature;
  if (typeof run.top_p === 'number') request.top_p = run.top_p;
  if (typeof run.max_completion_tokens === 'number') request.max_completion_tokens = run.max_completion_tokens;
  // Structured output asked of the run shapes the reply as it does a chat completion's.
  if (isObject(run.response_format)) request.response_format = run.response_format;
  return request;
}

/** The model's turn: the run ends with a message, asks for tool outputs, or fails as the answer did. */
async function work(context: StateContext, run: Run, at: number): Promise<Run> {
  const { store } = context;
  const answer = await context.answer('createChatCompletion', chatRequest(context, run));
  const body: Json = isObject(answer.body) ? answer.body : {};
  if (answer.status < 200 || answer.status >= 300 || !Array.isArray(body.choices)) {
    const error = isObject(body.error) ? body.error : {};
    return {
      ...run,
      status: 'failed',
      failed_at: at,
      expires_at: null,
      last_error: {
        code: answer.status === 429 ? 'rate_limit_exceeded' : 'server_error',
        message: typeof error.message === 'string' ? error.message : 'Sorry, something went wrong.',
      },
    };
  }
  const usage = usageOf(body);
  const message: Json = isObject(body.choices[0]) && isObject(body.choices[0].message) ? body.choices[0].message : {};
  const calls: Json[] = Array.isArray(message.tool_calls) ? message.tool_calls.filter((call: Json) => isObject(call) && call.type === 'function' && isObject(call.function)) : [];

  if (calls.length > 0) {
    const rounds = store.all(stepKind(run.id)).filter((step) => step.type === 'tool_calls').length;
    const stepId = derivedId('step_', rounds === 0 ? `${run.id}/tool_calls` : `${run.id}/tool_calls/${rounds}`);
    const toolCalls = calls.map((call) => ({ id: String(call.id), type: 'function', function: { name: call.function.name, arguments: String(call.function.arguments ?? '{}') } }));
    store.put(stepKind(run.id), {
      ...runStep(run, { type: 'tool_calls', tool_calls: toolCalls.map((call) => ({ ...call, function: { ...call.function, output: null } })) }, stepId, at),
      usage,
    });
    return {
      ...run,
      status: 'requires_action',
      required_action: { type: 'submit_tool_outputs', submit_tool_outputs: { tool_calls: toolCalls } },
      usage: addUsage(run.usage, usage),
    };
  }

  const text = typeof message.content === 'string' ? message.content : textOf(message.content);
  const messageId = derivedId('msg_', run.id);
  store.put<Message>(messageKind(run.thread_id), {
    ...newMessage(context, run.thread_id, { role: 'assistant', content: text }, { run_id: run.id, assistant_id: run.assistant_id }),
    id: messageId,
    created_at: at,
    completed_at: at,
  });
  const step = runStep(run, { type: 'message_creation', message_creation: { message_id: messageId } }, derivedId('step_', `${run.id}/message_creation`), at);
  store.put(stepKind(run.id), { ...step, status: 'completed', completed_at: at, usage });
  return { ...run, status: 'completed', completed_at: at, expires_at: null, required_action: null, usage: addUsage(run.usage, usage) };
}

/**
 * Moves a run as far as the clock allows (to its end, with `force`), doing the model's work on the
 * way. One request at a time per run, so its message is made once.
 */
export async function settleRun(context: StateContext, threadId: string, runId: string, force = false): Promise<Run | undefined> {
  const { store, clock } = context;
  return exclusive(store, runId, async () => {
    let run = store.get<Run>(runKind(threadId), runId);
    const timeline = timelineOf(store, runId);
    if (!run || !timeline) return run;
    while (!TERMINAL.has(run.status)) {
      const due = dueAt(clock, KIND, timeline, force);
      if (due === undefined) break;
      if (run.status === 'queued') {
        run = { ...run, status: 'in_progress', started_at: enter(store, timeline, 'in_progress', due) };
      } else if (run.status === 'in_progress') {
        const at = enter(store, timeline, 'working', due);
        run = await work(context, run, at);
        enter(store, timeline, run.status, due);
      } else if (run.status === 'cancelling') {
        run = { ...run, status: 'cancelled', cancelled_at: enter(store, timeline, 'cancelled', due), expires_at: null, required_action: null };
      } else {
        break;
      }
      store.put(runKind(threadId), run);
    }
    return run;
  });
}

/** Every run of the thread moved as far as the clock allows (before its messages or runs are read). */
export async function settleThread(context: StateContext, threadId: string): Promise<void> {
  for (const run of context.store.all<Run>(runKind(threadId))) {
    if (isActive(run)) await settleRun(context, threadId, run.id);
  }
}

/** A run's answer: the headers tell the SDK's pollers when to look again. */
function runAnswer(context: StateContext, run: Run) {
  return ok(run, TERMINAL.has(run.status) ? {} : pollAfter(context.clock, KIND, timelineOf(context.store, run.id)));
}

function newRun(context: StateContext, thread: Thread, assistant: Assistant, body: Json): Run {
  const createdAt = context.nowSeconds();
  const base = body.instructions ?? assistant.instructions ?? '';
  const instructions = typeof body.additional_instructions === 'string' && body.additional_instructions !== '' ? `${base}${base ? '\n\n' : ''}${body.additional_instructions}` : base;
  return {
    id: context.newId('run_'),
    object: 'thread.run',
    created_at: createdAt,
    thread_id: thread.id,
    assistant_id: assistant.id,
    status: 'queued',
    required_action: null,
    last_error: null,
    expires_at: createdAt + 600,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    incomplete_details: null,
    model: body.model ?? assistant.model,
    instructions,
    tools: Array.isArray(body.tools) ? body.tools : assistant.tools,
    metadata: isObject(body.metadata) ? body.metadata : {},
    usage: null,
    temperature: body.temperature ?? assistant.temperature ?? 1,
    top_p: body.top_p ?? assistant.top_p ?? 1,
    max_prompt_tokens: body.max_prompt_tokens ?? null,
    max_completion_tokens: body.max_completion_tokens ?? null,
    truncation_strategy: body.truncation_strategy ?? { type: 'auto', last_messages: null },
    tool_choice: body.tool_choice ?? 'auto',
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    response_format: body.response_format ?? assistant.response_format ?? 'auto',
    ...(body.reasoning_effort !== undefined ? { reasoning_effort: body.reasoning_effort } : {}),
  };
}

/**
 * The run's answer to a create or submit: queued (the next read finds it moved), or, streamed, run
 * to its end at once with its message's text handed to the stream.
 */
async function started(context: StateContext, run: Run) {
  const { store, exchange } = context;
  const body = bodyOf(context);
  startTimeline(store, context.clock, run.id, run.status, run.created_at!);
  if (body.stream !== true) return runAnswer(context, run);
  const settled = (await settleRun(context, run.thread_id, run.id, true)) ?? run;
  const message = store.get<Message>(messageKind(run.thread_id), derivedId('msg_', run.id));
  if (message) streamStoredReply(exchange, textOf(message.content));
  return ok(settled);
}

async function startRun(context: StateContext, thread: Thread, body: Json) {
  const { store } = context;
  const assistant = findAssistant(context, String(body.assistant_id));
  if (!assistant) return assistantNotFound(String(body.assistant_id));
  await settleThread(context, thread.id);
  const active = activeRun(store, thread.id);
  if (active) return busyThread(thread.id, active);
  for (const message of Array.isArray(body.additional_messages) ? body.additional_messages : []) {
    if (isObject(message)) store.put(messageKind(thread.id), newMessage(context, thread.id, message));
  }
  const run = store.put<Run>(runKind(thread.id), newRun(context, thread, assistant, body));
  return started(context, run);
}

/** The run named by the path, after its thread: the API answers for the thread first. */
function pathRun(context: StateContext): { run?: Run; error?: ReturnType<typeof threadNotFound> } {
  const threadId = paramOf(context, 'thread_id');
  if (!context.store.get(THREAD, threadId)) return { error: threadNotFound(threadId) };
  const runId = paramOf(context, 'run_id');
  const run = context.store.get<Run>(runKind(threadId), runId);
  return run ? { run } : { error: runNotFound(threadId, runId) };
}

export const runHandlers: StateHandlers = {
  createRun: async (context) => {
    const threadId = paramOf(context, 'thread_id');
    const thread = context.store.get<Thread>(THREAD, threadId);
    if (!thread) return threadNotFound(threadId);
    return startRun(context, thread, bodyOf(context));
  },

  createThreadAndRun: async (context) => {
    const body = bodyOf(context);
    if (!findAssistant(context, String(body.assistant_id))) return assistantNotFound(String(body.assistant_id));
    const thread = createThreadIn(context, isObject(body.thread) ? body.thread : {});
    return startRun(context, thread, body);
  },

  getRun: async (context) => {
    const { run, error } = pathRun(context);
    if (!run) return error!;
    return runAnswer(context, (await settleRun(context, run.thread_id, run.id)) ?? run);
  },

  listRuns: async (context) => {
    const threadId = paramOf(context, 'thread_id');
    if (!context.store.get(THREAD, threadId)) return threadNotFound(threadId);
    await settleThread(context, threadId);
    return ok(context.store.list(runKind(threadId), listQuery(context, 'desc')));
  },

  modifyRun: async (context) => {
    const { run, error } = pathRun(context);
    if (!run) return error!;
    const body = bodyOf(context);
    const current = (await settleRun(context, run.thread_id, run.id)) ?? run;
    const changed = isObject(body.metadata) ? { ...current, metadata: body.metadata } : current;
    return runAnswer(context, context.store.put(runKind(run.thread_id), changed));
  },

  cancelRun: async (context) => {
    const { run, error } = pathRun(context);
    if (!run) return error!;
    const current = (await settleRun(context, run.thread_id, run.id)) ?? run;
    if (!isActive(current) || current.status === 'cancelling') return badRequest(`Cannot cancel run with status '${current.status}'.`);
    const timeline = timelineOf(context.store, run.id);
    if (timeline) enter(context.store, timeline, 'cancelling', context.clock.now());
    return runAnswer(context, context.store.put(runKind(run.thread_id), { ...current, status: 'cancelling', required_action: null }));
  },

  submitToolOuputsToRun: async (context) => {
    const { run, error } = pathRun(context);
    if (!run) return error!;
    const { store } = context;
    const current = (await settleRun(context, run.thread_id, run.id)) ?? run;
    if (current.status !== 'requires_action') return badRequest(`Runs in status "${current.status}" do not accept tool outputs.`);
    const body = bodyOf(context);
    const outputs = new Map<string, string>();
    for (const output of Array.isArray(body.tool_outputs) ? body.tool_outputs : []) {
      if (isObject(output) && typeof output.tool_call_id === 'string') outputs.set(output.tool_call_id, typeof output.output === 'string' ? output.output : '');
    }
    const expected: string[] = (current.required_action?.submit_tool_outputs?.tool_calls ?? []).map((call: Json) => call.id);
    if (expected.some((id) => !outputs.has(id)) || [...outputs.keys()].some((id) => !expected.includes(id))) {
      return badRequest(`Expected tool outputs for call_ids ${JSON.stringify(expected)}, got ${JSON.stringify([...outputs.keys()])}`, 'tool_outputs');
    }
    const step = store.all(stepKind(run.id)).find((s) => s.type === 'tool_calls' && s.status === 'in_progress');
    const at = context.nowSeconds();
    if (step) {
      const details = step.step_details as Json;
      const calls = details.tool_calls.map((call: Json) => ({ ...call, function: { ...call.function, output: outputs.get(call.id) ?? null } }));
      store.put(stepKind(run.id), { ...step, status: 'completed', completed_at: at, step_details: { ...details, tool_calls: calls } });
    }
    const queued = store.put<Run>(runKind(run.thread_id), { ...current, status: 'queued', required_action: null });
    const timeline = timelineOf(store, run.id);
    if (timeline) enter(store, timeline, 'queued', context.clock.now());
    if (body.stream !== true) return runAnswer(context, queued);
    const settled = (await settleRun(context, run.thread_id, run.id, true)) ?? queued;
    const message = store.get<Message>(messageKind(run.thread_id), derivedId('msg_', run.id));
    if (message) streamStoredReply(context.exchange, textOf(message.content));
    return ok(settled);
  },

  listRunSteps: async (context) => {
    const { run, error } = pathRun(context);
    if (!run) return error!;
    await settleRun(context, run.thread_id, run.id);
    return ok(context.store.list(stepKind(run.id), listQuery(context, 'desc')));
  },

  getRunStep: async (context) => {
    const { run, error } = pathRun(context);
    if (!run) return error!;
    await settleRun(context, run.thread_id, run.id);
    const stepId = paramOf(context, 'step_id');
    const step = context.store.get(stepKind(run.id), stepId);
    return step ? ok(step) : stepNotFound(run.id, stepId);
  },
};
