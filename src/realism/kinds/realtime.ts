import { isRecord, type Builder } from '../context';

/**
 * Realtime client secrets: a fresh ephemeral key (`ek_...`) per call, expiring when the request
 * asked (`expires_after.seconds`, 10 minutes by default) instead of the example's key of 2025;
 * src/realtime/secrets.ts remembers it so that it opens the socket.
 */
const DEFAULT_TTL_SECONDS = 600;

function expiresAt(request: Record<string, unknown>): number {
  const after = isRecord(request.expires_after) ? request.expires_after.seconds : undefined;
  const seconds = typeof after === 'number' && after >= 10 && after <= 7200 ? after : DEFAULT_TTL_SECONDS;
  return Math.floor(Date.now() / 1000) + seconds;
}

/** `POST /realtime/client_secrets`: `{ value, expires_at, session }`. */
export const clientSecret: Builder = (body, context) => {
  body.value = context.ids.next('ek_');
  body.expires_at = expiresAt(context.request);
};

/** `POST /realtime/sessions` and `/realtime/transcription_sessions`: the key in `client_secret`. */
export const sessionSecret: Builder = (body, context) => {
  body.client_secret = { ...(isRecord(body.client_secret) ? body.client_secret : {}), value: context.ids.next('ek_'), expires_at: expiresAt(context.request) };
};
