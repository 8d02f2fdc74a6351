import type { StateContext, StateHandler, StateHandlers, StoredObject } from '../types';
import { openAIError } from '../../http/errors';
import {
  badRequest,
  bodyOf,
  clearKind,
  dropTimeline,
  dueAt,
  enter,
  exclusive,
  isObject,
  listQuery,
  notFound,
  ok,
  paramOf,
  pollAfter,
  renameTimeline,
  startTimeline,
  timelineOf,
  type Json,
} from './assist-common';
import { appendItems, conversationItems, conversationNotFound, findConversation, inputItems, itemKind } from './conversations';
import { afterAnswer } from '../commit';
import type { MockResponse } from '../../pipeline/types';

/**
 * Responses kept with `store` (true unless the request says false, as the API): retrieve,
 * `input_items`, delete, cancel. Earlier turns reach the model: with `previous_response_id`, the
 * earlier response's input items and output; with `conversation`, the conversation's items. They
 * come first in `input` of the request the rest of the pipeline (realism, replay, proxy) and the
 * overrides see, as `[...earlier turns, ...this call's input]` (a string input becomes a user
 * message); the stored `input_items` are that whole list, and the response's own fields (its
 * `previous_response_id`, `instructions`) are the request's. A conversation then gets this call's
 * input and output as new items. `background: true` answers `queued`; the response moves
 * `queued -> in_progress -> completed` on the state clock and can be cancelled meanwhile.
 */

export const RESPONSE = 'response';
const inputKind = (responseId: string) => `response.input_item:${responseId}`;
/** The finished body of a background response, kept until the clock shows it. */
const FINAL = 'state.response.final';
const ACTIVE = new Set(['queued', 'in_progress']);

interface StoredResponse extends StoredObject {
  status: string;
  output: Json[];
}

const responseNotFound = (id: string) => notFound(RESPONSE, id);

const previousNotFound = (id: string) =>
  openAIError(400, `Previous response with id '${id}' not found.`, { param: 'previous_response_id', code: 'previous_response_not_found' });

/** A background response shows its final body once the clock reaches `completed`. */
async function settle(context: StateContext, response: StoredResponse): Promise<StoredResponse> {
  if (!ACTIVE.has(response.status)) return response;
  const { store, clock } = context;
  return exclusive(store, response.id, async () => {
    let current = store.get<StoredResponse>(RESPONSE, response.id) ?? response;
    const timeline = timelineOf(store, response.id);
    while (timeline && ACTIVE.has(current.status)) {
      const due = dueAt(clock, RESPONSE, timeline);
      if (due === undefined) break;
      if (current.status === 'queued') {
        enter(store, timeline, 'in_progress', due);
        current = { ...current, status: 'in_progress' };
      } else {
        const final = store.get(FINAL, response.id);
        const body: Json = isObject(final?.body) ? final.body : { status: 'completed' };
        const at = enter(store, timeline, String(body.status ?? 'completed'), due);
        current = { ...current, ...body, id: current.id, created_at: current.created_at, completed_at: body.status === 'completed' ? at : (body.completed_at ?? null) } as StoredResponse;
        store.delete(FINAL, response.id);
        const conversation = isObject(current.conversation) ? String(current.conversation.id) : undefined;
        if (conversation && findConversation(store, conversation)) appendItems(store, conversation, current.output);
      }
      store.put(RESPONSE, current);
    }
    return current;
  });
}

function conversationId(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.id === 'string') return value.id;
  return undefined;
}

const createResponse: StateHandler = async (context) => {
  const { store, exchange } = context;
  const body = bodyOf(context);
  const previousId = typeof body.previous_response_id === 'string' ? body.previous_response_id : undefined;
  const conversation = conversationId(body.conversation);
  if (previousId && conversation) {
    return badRequest("Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.", null, 'mutually_exclusive_parameters');
  }

  let earlier: Json[] = [];
  if (previousId) {
    const previous = store.get<StoredResponse>(RESPONSE, previousId);
    if (!previous) return previousNotFound(previousId);
    const settled = await settle(context, previous);
    earlier = [...store.all(inputKind(previousId)), ...(Array.isArray(settled.output) ? settled.output : [])];
  } else if (conversation) {
    if (!findConversation(store, conversation)) return conversationNotFound(conversation);
    earlier = conversationItems(store, conversation);
  }

  const added = inputItems(context, body.input);
  const input = [...earlier, ...added];
  if (earlier.length > 0) {
    // Scripts and overrides read the request once the answer comes back up: they see the earlier
    // turns; the journal, written after them, gets the request as the client sent it.
    const sent = exchange.request;
    exchange.request = { ...sent, body: { ...body, input } };
    afterAnswer(exchange, () => (exchange.request = sent));
  }
  const answer = await context.next(exchange);
  const answered: Json | undefined = isObject(answer.body) ? answer.body : undefined;
  if (answer.status < 200 || answer.status >= 300 || !answered || typeof answered.id !== 'string') return answer;

  const response: Json = { ...answered };
  if (previousId) response.previous_response_id = previousId;
  if (conversation) response.conversation = { id: conversation };
  if (body.store === false) return { ...answer, body: response };

  response.store = true;
  for (const item of input) store.put(inputKind(response.id), item as StoredObject);
  if (conversation) appendItems(store, conversation, added);

  const background = body.background === true && body.stream !== true;
  // What the client gets is this answer as scripts and overrides leave it: that is what is kept.
  afterAnswer(exchange, (final) => keepFinal(context, response, final, { background, conversation }));
  if (!background) {
    if (conversation) appendItems(store, conversation, outputOf(response));
    store.put(RESPONSE, response as StoredResponse);
    return { ...answer, body: response };
  }
  store.put(FINAL, { id: response.id, body: response });
  const queued = store.put<StoredResponse>(RESPONSE, {
    ...(response as StoredResponse),
    status: 'queued',
    background: true,
    output: [],
    usage: null,
    completed_at: null,
    error: null,
    incomplete_details: null,
  });
  startTimeline(store, context.clock, response.id, 'queued', Number(response.created_at) || Math.floor(Date.now() / 1000));
  return { ...answer, body: queued, headers: { ...answer.headers, ...pollAfter(context.clock, RESPONSE, timelineOf(store, response.id)) } };
};

const outputOf = (response: Json): Json[] => (Array.isArray(response.output) ? response.output.filter(isObject) : []);

/**
 * Keeps the answer the client received in place of the one first stored: overrides may have
 * rewritten the output (or the id); an answer turned into an error keeps nothing.
 */
function keepFinal(context: StateContext, kept: Json, final: MockResponse, how: { background: boolean; conversation?: string }): void {
  const { store } = context;
  const body: Json | undefined = isObject(final.body) ? final.body : undefined;
  const ok = final.status >= 200 && final.status < 300 && body?.object === 'response' && typeof body.id === 'string';
  if (!ok) {
    store.delete(RESPONSE, kept.id);
    store.delete(FINAL, kept.id);
    clearKind(store, inputKind(kept.id));
    return;
  }
  const id = String(body.id);
  const queued = store.get<StoredResponse>(RESPONSE, kept.id);
  if (id !== kept.id) {
    for (const item of store.all(inputKind(kept.id))) store.put(inputKind(id), item);
    clearKind(store, inputKind(kept.id));
    store.delete(RESPONSE, kept.id);
    store.delete(FINAL, kept.id);
    renameTimeline(store, kept.id, id);
  }
  const merged: Json = { ...body, store: true };
  if (kept.previous_response_id) merged.previous_response_id = kept.previous_response_id;
  if (kept.conversation) merged.conversation = kept.conversation;
  if (how.background) {
    // The client got the queued response; an override that answered with a finished one says what it finishes as.
    if (ACTIVE.has(String(merged.status))) store.put(FINAL, { id, body: { ...(store.get(FINAL, kept.id)?.body ?? {}), id } });
    else store.put(FINAL, { id, body: merged });
    if (queued && id !== kept.id) store.put(RESPONSE, { ...queued, id });
    return;
  }
  if (how.conversation) {
    for (const item of outputOf(kept)) store.delete(itemKind(how.conversation), String(item.id));
    appendItems(store, how.conversation, outputOf(merged));
  }
  store.put(RESPONSE, merged as StoredResponse);
}

async function pathResponse(context: StateContext): Promise<StoredResponse | undefined> {
  const response = context.store.get<StoredResponse>(RESPONSE, paramOf(context, 'response_id'));
  return response && settle(context, response);
}

function responseAnswer(context: StateContext, response: StoredResponse) {
  return ok(response, ACTIVE.has(response.status) ? pollAfter(context.clock, RESPONSE, timelineOf(context.store, response.id)) : {});
}

const getResponse: StateHandler = async (context) => {
  const response = await pathResponse(context);
  return response ? responseAnswer(context, response) : responseNotFound(paramOf(context, 'response_id'));
};

const deleteResponse: StateHandler = async (context) => {
  const id = paramOf(context, 'response_id');
  const { store } = context;
  if (!store.delete(RESPONSE, id)) return responseNotFound(id);
  clearKind(store, inputKind(id));
  store.delete(FINAL, id);
  dropTimeline(store, id);
  return ok({ id, object: 'response', deleted: true });
};

const cancelResponse: StateHandler = async (context) => {
  const response = await pathResponse(context);
  if (!response) return responseNotFound(paramOf(context, 'response_id'));
  if (response.background !== true) return badRequest('Only responses created with background=true can be cancelled.');
  if (response.status === 'cancelled') return ok(response);
  if (!ACTIVE.has(response.status)) return badRequest(`Cannot cancel a response with status '${response.status}'.`);
  const { store } = context;
  const timeline = timelineOf(store, response.id);
  if (timeline) enter(store, timeline, 'cancelled', context.clock.now());
  store.delete(FINAL, response.id);
  return ok(store.put(RESPONSE, { ...response, status: 'cancelled' }));
};

const listInputItems: StateHandler = async (context) => {
  const id = paramOf(context, 'response_id');
  if (!context.store.get(RESPONSE, id)) return responseNotFound(id);
  return ok(context.store.list(inputKind(id), listQuery(context, 'desc')));
};

export const responseHandlers: StateHandlers = {
  createResponse,
  beta_createResponse: createResponse,
  getResponse,
  beta_getResponse: getResponse,
  deleteResponse,
  beta_deleteResponse: deleteResponse,
  cancelResponse,
  beta_cancelResponse: cancelResponse,
  listInputItems,
  beta_listInputItems: listInputItems,
};
