import type { IHttpOperation } from '@stoplight/types';

/** One operation as Prism consumes it, with the component schemas it references in `__bundled__`. */
export type PreparedOperation = IHttpOperation & {
  iid: string;
  __bundled__?: Record<string, unknown>;
};
