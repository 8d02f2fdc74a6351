import { afterAnswer } from '../commit';
import { json, listQueryOf, notFound } from '../respond';
import type { StateHandlers, StoredObject } from '../types';
import { bodyOf, isObject, metadataOf, param } from './common';

/**
 * Chat completions created with `store: true`: kept as the client received them (the pipeline
 * below's answer, as overrides then rewrote it), with the request's messages and metadata; listed
 * (filters `model` and `metadata[key]=value`, oldest first as the API lists them), retrieved, their
 * messages listed, their metadata updated, deleted. Without `store: true` nothing is kept.
 */

const CHAT = 'chat.completion';
const MESSAGES = (id: string) => `chat.completion.message:${id}`;

interface StoredCompletion extends StoredObject {
  id: string;
  object: 'chat.completion';
  model: string;
  metadata: Record<string, string> | null;
}

function messageOf(message: unknown, id: string): StoredObject {
  const m = isObject(message) ? message : { content: message };
  const parts = Array.isArray(m.content) ? m.content : null;
  const text = parts
    ? parts
        .filter((p): p is { type: string; text: string } => isObject(p) && p.type === 'text' && typeof p.text === 'string')
        .map((p) => p.text)
        .join('\n')
    : m.content;
  return { ...m, id, content: text ?? null, ...(parts ? { content_parts: parts } : { content_parts: null }) };
}

export const chatCompletions: StateHandlers = {
  async createChatCompletion(context) {
    const response = await context.next(context.exchange);
    const body = bodyOf(context);
    if (body.store !== true || response.status < 200 || response.status > 299 || !isObject(response.body)) return response;
    const completion = { ...response.body, metadata: metadataOf(body.metadata) } as StoredCompletion;
    if (typeof completion.id !== 'string') return response;
    context.store.put(CHAT, completion);
    const messages = Array.isArray(body.messages) ? body.messages : [];
    messages.forEach((message, i) => context.store.put(MESSAGES(completion.id), messageOf(message, `${completion.id}-${i}`)));
    // What is kept is what the client receives: the answer once overrides (and partial scripts) have rewritten it.
    afterAnswer(context.exchange, (final) => {
      if (final.status < 200 || final.status > 299 || !isObject(final.body) || final.body.id !== completion.id) return;
      context.store.put(CHAT, { ...final.body, metadata: completion.metadata } as StoredCompletion);
    });
    // The answer goes on as it came (headers, stream control), with the metadata the API echoes.
    return { ...response, body: completion };
  },

  async listChatCompletions(context) {
    const { query } = context.exchange.request;
    const model = typeof query.model === 'string' ? query.model : undefined;
    const metadata = isObject(query.metadata) ? (query.metadata as Record<string, unknown>) : undefined;
    const where = (c: StoredCompletion) =>
      (!model || c.model === model) && (!metadata || Object.entries(metadata).every(([k, v]) => c.metadata?.[k] === v));
    return json(context.store.list<StoredCompletion>(CHAT, listQueryOf(query, where, { order: 'asc' })));
  },

  async getChatCompletion(context) {
    const id = param(context, 'completion_id');
    const completion = context.store.get(CHAT, id);
    return completion ? json(completion) : notFound(CHAT, id, undefined, 'completion_id');
  },

  async updateChatCompletion(context) {
    const id = param(context, 'completion_id');
    const completion = context.store.get<StoredCompletion>(CHAT, id);
    if (!completion) return notFound(CHAT, id, undefined, 'completion_id');
    return json(context.store.put(CHAT, { ...completion, metadata: metadataOf(bodyOf(context).metadata) }));
  },

  async deleteChatCompletion(context) {
    const id = param(context, 'completion_id');
    if (!context.store.delete(CHAT, id)) return notFound(CHAT, id, undefined, 'completion_id');
    for (const m of context.store.all(MESSAGES(id))) context.store.delete(MESSAGES(id), m.id);
    return json({ object: 'chat.completion.deleted', id, deleted: true });
  },

  async getChatCompletionMessages(context) {
    const id = param(context, 'completion_id');
    if (!context.store.get(CHAT, id)) return notFound(CHAT, id, undefined, 'completion_id');
    return json(context.store.list(MESSAGES(id), listQueryOf(context.exchange.request.query, undefined, { order: 'asc' })));
  },
};
