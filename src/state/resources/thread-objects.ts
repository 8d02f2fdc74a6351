import type { SessionStore, StateContext, StoredObject } from '../types';
import { badRequest, clearKind, dropTimeline, isObject, notFound, type Json } from './assist-common';

/** Where new objects get their ids and times. */
type Maker = Pick<StateContext, 'newId' | 'nowSeconds'>;

/** The objects of the Assistants API below a thread: the thread, its messages, runs and run steps, and their kinds in the store. */

export const THREAD = 'thread';
export const messageKind = (threadId: string) => `thread.message:${threadId}`;
export const runKind = (threadId: string) => `thread.run:${threadId}`;
export const stepKind = (runId: string) => `thread.run.step:${runId}`;

export interface Thread extends StoredObject {
  object: 'thread';
}

export interface Message extends StoredObject {
  object: 'thread.message';
  thread_id: string;
  role: 'user' | 'assistant';
  content: Json[];
  run_id: string | null;
  assistant_id: string | null;
}

export interface Run extends StoredObject {
  object: 'thread.run';
  thread_id: string;
  assistant_id: string;
  status: string;
  model: string;
  instructions: string | null;
  tools: Json[];
  required_action: Json | null;
  usage: Json | null;
}

export const threadNotFound = (id: string) => notFound(THREAD, id);
export const messageNotFound = (threadId: string, id: string) => notFound(messageKind(threadId), id);
export const runNotFound = (threadId: string, id: string) => notFound(runKind(threadId), id);
export const stepNotFound = (runId: string, id: string) => notFound(stepKind(runId), id);

/** A message's content as the API keeps it: a string becomes one text part; parts keep their shape, text parts get annotations. */
export function messageContent(content: unknown): Json[] {
  if (typeof content === 'string') return [{ type: 'text', text: { value: content, annotations: [] } }];
  if (!Array.isArray(content)) return [];
  return content.filter(isObject).map((part) => {
    if (part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: { value: part.text, annotations: [] } };
    return part;
  });
}

/** A message as `createMessage` (or a thread's `messages`, a run's `additional_messages`) makes it. */
export function newMessage(maker: Maker, threadId: string, request: Json, from: { run_id?: string; assistant_id?: string } = {}): Message {
  const createdAt = maker.nowSeconds();
  return {
    id: maker.newId('msg_'),
    object: 'thread.message',
    created_at: createdAt,
    assistant_id: from.assistant_id ?? null,
    thread_id: threadId,
    run_id: from.run_id ?? null,
    status: 'completed',
    incomplete_details: null,
    completed_at: createdAt,
    incomplete_at: null,
    role: request.role === 'assistant' ? 'assistant' : 'user',
    content: messageContent(request.content),
    attachments: Array.isArray(request.attachments) ? request.attachments : [],
    metadata: isObject(request.metadata) ? request.metadata : {},
  };
}

/** A thread and its first messages, as `createThread` or `createThreadAndRun`'s `thread` give them. */
export function createThreadIn(context: StateContext, request: Json): Thread {
  const { store } = context;
  const thread = store.put<Thread>(THREAD, {
    id: context.newId('thread_'),
    object: 'thread',
    created_at: context.nowSeconds(),
    tool_resources: isObject(request.tool_resources) ? request.tool_resources : {},
    metadata: isObject(request.metadata) ? request.metadata : {},
  });
  for (const message of Array.isArray(request.messages) ? request.messages : []) {
    if (isObject(message)) store.put(messageKind(thread.id), newMessage(context, thread.id, message));
  }
  return thread;
}

/** Removes a thread with everything below it. */
export function deleteThreadIn(store: SessionStore, threadId: string): boolean {
  if (!store.delete(THREAD, threadId)) return false;
  for (const run of store.all(runKind(threadId))) {
    clearKind(store, stepKind(run.id));
    dropTimeline(store, run.id);
  }
  clearKind(store, runKind(threadId));
  clearKind(store, messageKind(threadId));
  return true;
}

const ACTIVE = new Set(['queued', 'in_progress', 'requires_action', 'cancelling']);
export const isActive = (run: Run) => ACTIVE.has(run.status);

/** The API refuses a second run, or a new message, while a run of the thread is active. */
export function activeRun(store: SessionStore, threadId: string): Run | undefined {
  return store.all<Run>(runKind(threadId)).find(isActive);
}

export const busyThread = (threadId: string, run: Run) =>
  badRequest(`Thread ${threadId} already has an active run ${run.id}.`);
export const busyForMessages = (threadId: string, run: Run) =>
  badRequest(`Can't add messages to ${threadId} while a run ${run.id} is active.`);
