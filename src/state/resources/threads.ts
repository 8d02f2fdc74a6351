import type { StateContext, StateHandlers } from '../types';
import { bodyOf, isObject, listQuery, ok, paramOf } from './assist-common';
import { settleThread } from './runs';
import {
  THREAD,
  activeRun,
  busyForMessages,
  createThreadIn,
  deleteThreadIn,
  messageKind,
  messageNotFound,
  newMessage,
  threadNotFound,
  type Message,
  type Thread,
} from './thread-objects';

/** Threads and their messages. Reading a thread's messages first moves its runs on the clock, so a completed run's reply is there. */

function pathThread(context: StateContext): Thread | undefined {
  return context.store.get<Thread>(THREAD, paramOf(context, 'thread_id'));
}

export const threadHandlers: StateHandlers = {
  createThread: async (context) => ok(createThreadIn(context, bodyOf(context))),

  getThread: async (context) => {
    const thread = pathThread(context);
    return thread ? ok(thread) : threadNotFound(paramOf(context, 'thread_id'));
  },

  modifyThread: async (context) => {
    const thread = pathThread(context);
    if (!thread) return threadNotFound(paramOf(context, 'thread_id'));
    const body = bodyOf(context);
    const changed: Thread = { ...thread };
    if (isObject(body.metadata)) changed.metadata = body.metadata;
    if (isObject(body.tool_resources)) changed.tool_resources = body.tool_resources;
    return ok(context.store.put(THREAD, changed));
  },

  deleteThread: async (context) => {
    const id = paramOf(context, 'thread_id');
    if (!deleteThreadIn(context.store, id)) return threadNotFound(id);
    return ok({ id, object: 'thread.deleted', deleted: true });
  },

  createMessage: async (context) => {
    const thread = pathThread(context);
    if (!thread) return threadNotFound(paramOf(context, 'thread_id'));
    await settleThread(context, thread.id);
    const active = activeRun(context.store, thread.id);
    if (active) return busyForMessages(thread.id, active);
    return ok(context.store.put(messageKind(thread.id), newMessage(context, thread.id, bodyOf(context))));
  },

  listMessages: async (context) => {
    const thread = pathThread(context);
    if (!thread) return threadNotFound(paramOf(context, 'thread_id'));
    await settleThread(context, thread.id);
    const runId = context.exchange.request.query.run_id;
    const where = typeof runId === 'string' && runId !== '' ? (message: Message) => message.run_id === runId : undefined;
    return ok(context.store.list<Message>(messageKind(thread.id), listQuery(context, 'desc', where)));
  },

  getMessage: async (context) => {
    const thread = pathThread(context);
    if (!thread) return threadNotFound(paramOf(context, 'thread_id'));
    await settleThread(context, thread.id);
    const id = paramOf(context, 'message_id');
    const message = context.store.get(messageKind(thread.id), id);
    return message ? ok(message) : messageNotFound(thread.id, id);
  },

  modifyMessage: async (context) => {
    const thread = pathThread(context);
    if (!thread) return threadNotFound(paramOf(context, 'thread_id'));
    const id = paramOf(context, 'message_id');
    const message = context.store.get(messageKind(thread.id), id);
    if (!message) return messageNotFound(thread.id, id);
    const body = bodyOf(context);
    return ok(context.store.put(messageKind(thread.id), isObject(body.metadata) ? { ...message, metadata: body.metadata } : message));
  },

  deleteMessage: async (context) => {
    const thread = pathThread(context);
    if (!thread) return threadNotFound(paramOf(context, 'thread_id'));
    const id = paramOf(context, 'message_id');
    if (!context.store.delete(messageKind(thread.id), id)) return messageNotFound(thread.id, id);
    return ok({ id, object: 'thread.message.deleted', deleted: true });
  },
};
