/**
 * One server-sent event before framing: an optional `event:` name and the `data:` payload, a JSON
 * value or the literal `[DONE]` sentinel.
 */
export interface SseEvent {
  event?: string;
  data: unknown;
  /** The event as `frame` would write it, worked out faster (see chat.ts); `data` is still what it says. */
  framed?(): string;
}

/** The error carried by an error event, in OpenAI's shape. */
export interface StreamError {
  message: string;
  type: string;
  code: string | null;
  param: string | null;
}

/**
 * A stream worked out from a final response body: the events that carry it, the closing event
 * (`[DONE]`, `done`) if the API sends one, and how this API spells an error in mid-stream.
 */
export interface StreamPlan {
  events: SseEvent[];
  end?: SseEvent;
  /** The error event to send in place of event number `position`. */
  error(error: StreamError, position: number): SseEvent;
}

export const DONE = '[DONE]';

/**
 * `event:` line (when named), one `data:` line, blank line. JSON.stringify never emits a raw
 * newline, so a payload always fits on one `data:` line.
 */
export function frame(event: SseEvent): string {
  if (event.framed) return event.framed();
  const data = event.data === DONE ? DONE : JSON.stringify(event.data);
  return (event.event ? `event: ${event.event}\n` : '') + `data: ${data}\n\n`;
}
