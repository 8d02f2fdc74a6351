import type { MockResponse } from '../../pipeline/types';
import { json, listQueryOf } from '../respond';
import type { ListQuery, SessionStore, StateClock, StateContext, StoredObject } from '../types';

export { badRequest, notFound } from '../respond';

/**
 * What the assistants, fine-tuning, responses and conversations modules share: answers in the
 * API's shapes, list paging read from the query, ids, and the timeline that moves an object
 * through its statuses on the state clock.
 */

export type Json = Record<string, any>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export const ok = (body: unknown, headers: Record<string, string> = {}): MockResponse => json(body, 200, headers);

/** The request's JSON body as an object (validated upstream; anything else reads as empty). */
export const bodyOf = (context: StateContext): Json => (isObject(context.exchange.request.body) ? context.exchange.request.body : {});
export const paramOf = (context: StateContext, name: string): string => context.exchange.request.params[name] ?? '';

/** The list's paging from the query; `order` defaults to the list's own default. */
export function listQuery<T extends StoredObject>(context: StateContext, defaultOrder: 'asc' | 'desc', where?: (object: T) => boolean): ListQuery<T> {
  const query = listQueryOf<T>(context.exchange.request.query, where);
  return { ...query, order: query.order ?? defaultOrder };
}

/** Removes every object of a kind (children of a deleted parent). */
export function clearKind(store: SessionStore, kind: string): void {
  for (const object of store.all(kind)) store.delete(kind, object.id);
}

/**
 * Where an object stands on the clock: its status and the clock time it entered it. Kept beside
 * the object (kind `state.timeline`) so that what clients read holds only the API's fields.
 */
export interface Timeline extends StoredObject {
  status: string;
  /** Clock milliseconds when the object entered `status`. */
  since: number;
  /** Clock milliseconds and wall seconds at creation: later timestamps are placed from them. */
  originMs: number;
  originSeconds: number;
}

const TIMELINE = 'state.timeline';

export function startTimeline(store: SessionStore, clock: StateClock, id: string, status: string, createdAt: number): Timeline {
  const now = clock.now();
  return store.put<Timeline>(TIMELINE, { id, status, since: now, originMs: now, originSeconds: createdAt });
}

export const timelineOf = (store: SessionStore, id: string): Timeline | undefined => store.get<Timeline>(TIMELINE, id);
export const dropTimeline = (store: SessionStore, id: string) => store.delete(TIMELINE, id);

/** The object's id changed (an override rewrote it): its timeline follows. */
export function renameTimeline(store: SessionStore, from: string, to: string): void {
  const timeline = timelineOf(store, from);
  if (!timeline) return;
  store.put<Timeline>(TIMELINE, { ...timeline, id: to });
  store.delete(TIMELINE, from);
}

/**
 * The clock time at which the object may leave its status, when that time has come (always, with
 * `force`: a streamed run runs to its end at once); undefined while it must wait.
 */
export function dueAt(clock: StateClock, kind: string, timeline: Timeline, force = false): number | undefined {
  const due = timeline.since + clock.durationOf(kind, timeline.status);
  if (force) return Math.min(due, clock.now());
  return clock.now() >= due ? due : undefined;
}

/**
 * Moves the timeline to `status`, entered at clock time `at` (when the previous status ended, so
 * chained moves keep the configured durations however late the object is read); answers the
 * wall time (seconds) of the move, for the object's `started_at`, `completed_at`...
 */
export function enter(store: SessionStore, timeline: Timeline, status: string, at: number): number {
  Object.assign(timeline, { status, since: at });
  store.put<Timeline>(TIMELINE, timeline);
  return timeline.originSeconds + Math.max(0, Math.floor((at - timeline.originMs) / 1000));
}

/** Milliseconds until the object's next move, for `openai-poll-after-ms` (the SDK's pollers read it). */
export function pollAfter(clock: StateClock, kind: string, timeline: Timeline | undefined): Record<string, string> {
  if (!timeline) return {};
  const left = timeline.since + clock.durationOf(kind, timeline.status) - clock.now();
  return { 'openai-poll-after-ms': String(Math.max(10, Math.min(1000, Math.ceil(left)))) };
}

/**
 * Work on one object at a time: two requests reading a run at once must not both produce its
 * message. Keyed by the session's store, so sessions never wait on each other.
 */
const locks = new WeakMap<SessionStore, Map<string, Promise<unknown>>>();

export async function exclusive<T>(store: SessionStore, id: string, work: () => Promise<T>): Promise<T> {
  let held = locks.get(store);
  if (!held) locks.set(store, (held = new Map()));
  const before = held.get(id) ?? Promise.resolve();
  const mine = before.then(work, work);
  const tail = mine.catch(() => undefined);
  held.set(id, tail);
  try {
    return await mine;
  } finally {
    if (held.get(id) === tail) held.delete(id);
  }
}

/** Text of a message content given as a string or as parts (`text`, `input_text`, `output_text`). */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const part of content) {
    if (!isObject(part)) continue;
    if (typeof part.text === 'string') parts.push(part.text);
    else if (isObject(part.text) && typeof part.text.value === 'string') parts.push(part.text.value);
  }
  return parts.join('\n');
}

