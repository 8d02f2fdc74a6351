import type { SessionStore, StateContext, StateHandlers, StoredObject } from '../types';
import { bodyOf, clearKind, isObject, listQuery, notFound, ok, paramOf, type Json } from './assist-common';

/**
 * Conversations and their items. A response created with `conversation` reads the
 * conversation's items as its earlier turns and appends its input and output to them (see
 * responses.ts).
 */

export const CONVERSATION = 'conversation';
export const itemKind = (conversationId: string) => `conversation.item:${conversationId}`;

export const conversationNotFound = (id: string) => notFound(CONVERSATION, id);
const itemNotFound = (conversationId: string, id: string) => notFound(itemKind(conversationId), id);

const ITEM_PREFIXES: Record<string, string> = {
  message: 'msg_',
  function_call: 'fc_',
  function_call_output: 'fco_',
  reasoning: 'rs_',
  custom_tool_call: 'ctc_',
  custom_tool_call_output: 'ctco_',
};

/**
 * Input as the API keeps it: a string is one user message; a message with text content gets the
 * parts (`input_text`, or `output_text` for the assistant's); every item gets an id.
 */
export function inputItems(maker: Pick<StateContext, 'newId'>, input: unknown): Json[] {
  const items = typeof input === 'string' ? [{ role: 'user', content: input }] : Array.isArray(input) ? input.filter(isObject) : [];
  return items.map((item) => {
    const type = typeof item.type === 'string' ? item.type : 'role' in item ? 'message' : 'item';
    const normalized: Json = { ...item, type, id: typeof item.id === 'string' ? item.id : maker.newId(ITEM_PREFIXES[type] ?? 'item_') };
    if (type === 'message') {
      const kind = item.role === 'assistant' ? 'output_text' : 'input_text';
      normalized.content = typeof item.content === 'string' ? [{ type: kind, text: item.content }] : item.content;
      normalized.status ??= 'completed';
    }
    return normalized;
  });
}

export function findConversation(store: SessionStore, id: string): StoredObject | undefined {
  return store.get(CONVERSATION, id);
}

/** Appends items to a conversation, in order. */
export function appendItems(store: SessionStore, conversationId: string, items: Json[]): Json[] {
  return items.map((item) => store.put(itemKind(conversationId), { ...item, id: String(item.id) }));
}

export function conversationItems(store: SessionStore, conversationId: string): StoredObject[] {
  return store.all(itemKind(conversationId));
}

function pathConversation(context: StateContext): StoredObject | undefined {
  return findConversation(context.store, paramOf(context, 'conversation_id'));
}

export const conversationHandlers: StateHandlers = {
  createConversation: async (context) => {
    const body = bodyOf(context);
    const conversation = context.store.put(CONVERSATION, {
      id: context.newId('conv_'),
      object: 'conversation',
      created_at: context.nowSeconds(),
      metadata: isObject(body.metadata) ? body.metadata : {},
    });
    appendItems(context.store, conversation.id, inputItems(context, body.items));
    return ok(conversation);
  },

  getConversation: async (context) => {
    const conversation = pathConversation(context);
    return conversation ? ok(conversation) : conversationNotFound(paramOf(context, 'conversation_id'));
  },

  updateConversation: async (context) => {
    const conversation = pathConversation(context);
    if (!conversation) return conversationNotFound(paramOf(context, 'conversation_id'));
    const body = bodyOf(context);
    return ok(context.store.put(CONVERSATION, isObject(body.metadata) ? { ...conversation, metadata: body.metadata } : conversation));
  },

  deleteConversation: async (context) => {
    const id = paramOf(context, 'conversation_id');
    if (!context.store.delete(CONVERSATION, id)) return conversationNotFound(id);
    clearKind(context.store, itemKind(id));
    return ok({ id, object: 'conversation.deleted', deleted: true });
  },

  createConversationItems: async (context) => {
    const conversation = pathConversation(context);
    if (!conversation) return conversationNotFound(paramOf(context, 'conversation_id'));
    const added = appendItems(context.store, conversation.id, inputItems(context, bodyOf(context).items));
    return ok({ object: 'list', data: added, first_id: added[0]?.id ?? null, last_id: added[added.length - 1]?.id ?? null, has_more: false });
  },

  listConversationItems: async (context) => {
    const conversation = pathConversation(context);
    if (!conversation) return conversationNotFound(paramOf(context, 'conversation_id'));
    return ok(context.store.list(itemKind(conversation.id), listQuery(context, 'desc')));
  },

  getConversationItem: async (context) => {
    const conversation = pathConversation(context);
    if (!conversation) return conversationNotFound(paramOf(context, 'conversation_id'));
    const id = paramOf(context, 'item_id');
    const item = context.store.get(itemKind(conversation.id), id);
    return item ? ok(item) : itemNotFound(conversation.id, id);
  },

  deleteConversationItem: async (context) => {
    const conversation = pathConversation(context);
    if (!conversation) return conversationNotFound(paramOf(context, 'conversation_id'));
    const id = paramOf(context, 'item_id');
    if (!context.store.delete(itemKind(conversation.id), id)) return itemNotFound(conversation.id, id);
    // The API answers with the conversation the item was removed from.
    return ok(conversation);
  },
};
