import type { StateContext, StateHandlers, StoredObject } from '../types';
import { bodyOf, listQuery, notFound, ok, paramOf, type Json } from './assist-common';

/** Assistants (`/assistants`): created, read, changed, listed and deleted; runs read them. */

export const ASSISTANT = 'assistant';

export interface Assistant extends StoredObject {
  object: 'assistant';
  model: string;
  instructions: string | null;
  tools: Json[];
}

/** The fields a create or modify request may set, with the API's defaults. */
const FIELDS: Record<string, unknown> = {
  name: null,
  description: null,
  instructions: null,
  tools: [],
  tool_resources: {},
  metadata: {},
  temperature: 1,
  top_p: 1,
  response_format: 'auto',
  reasoning_effort: undefined,
};

export const assistantNotFound = (id: string) => notFound(ASSISTANT, id);

export function findAssistant(context: StateContext, id: string): Assistant | undefined {
  return context.store.get<Assistant>(ASSISTANT, id);
}

export const assistantHandlers: StateHandlers = {
  createAssistant: async (context) => {
    const body = bodyOf(context);
    const assistant: Json = { id: context.newId('asst_'), object: 'assistant', created_at: context.nowSeconds(), model: body.model };
    for (const [name, fallback] of Object.entries(FIELDS)) {
      const value = body[name] ?? fallback;
      if (value !== undefined) assistant[name] = value;
    }
    return ok(context.store.put(ASSISTANT, assistant as Assistant));
  },

  getAssistant: async (context) => {
    const id = paramOf(context, 'assistant_id');
    const assistant = findAssistant(context, id);
    return assistant ? ok(assistant) : assistantNotFound(id);
  },

  modifyAssistant: async (context) => {
    const id = paramOf(context, 'assistant_id');
    const assistant = findAssistant(context, id);
    if (!assistant) return assistantNotFound(id);
    const body = bodyOf(context);
    const changed: Json = { ...assistant };
    for (const name of ['model', ...Object.keys(FIELDS)]) if (body[name] !== undefined) changed[name] = body[name];
    return ok(context.store.put(ASSISTANT, changed as Assistant));
  },

  deleteAssistant: async (context) => {
    const id = paramOf(context, 'assistant_id');
    if (!context.store.delete(ASSISTANT, id)) return assistantNotFound(id);
    return ok({ id, object: 'assistant.deleted', deleted: true });
  },

  listAssistants: async (context) => ok(context.store.list(ASSISTANT, listQuery(context, 'desc'))),
};
