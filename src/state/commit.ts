import type { Exchange, MockResponse, Step } from '../pipeline/types';

/**
 * What a client receives is the store's answer after scripts and overrides have rewritten it (the
 * state step sits below them). A handler that keeps what it answered (a stored Response, whose
 * later retrieve and `previous_response_id` must show the overridden output) asks here to see the
 * final answer: the commit step, placed above scripts and overrides, hands it over once they are
 * done.
 */

type Commit = (response: MockResponse) => void;

const pending = new WeakMap<Exchange, Commit[]>();

/** Runs `commit` with the request's final answer (before streaming turns it into events), in the order asked. */
export function afterAnswer(exchange: Exchange, commit: Commit): void {
  const commits = pending.get(exchange);
  if (commits) commits.push(commit);
  else pending.set(exchange, [commit]);
}

export const commitStep: Step = async (exchange, next) => {
  try {
    const response = await next(exchange);
    for (const commit of pending.get(exchange) ?? []) commit(response);
    return response;
  } finally {
    pending.delete(exchange);
  }
};
