import type { Exchange, Handler, MockResponse, Step } from '../pipeline/types';

/**
 * Ephemeral keys (`ek_...`) handed out by `POST /v1/realtime/client_secrets` and the sessions
 * endpoints, whatever source answered them: remembered until they expire, so that a browser-style
 * client holding one opens the socket even when only configured keys (`apiKeys`) may.
 */

const OPERATIONS = new Set(['create-realtime-client-secret', 'create-realtime-session', 'create-realtime-transcription-session', 'create-realtime-translation-client-secret']);
/** Bounded: a long run minting a secret per test keeps a flat memory. */
const MAX_SECRETS = 10_000;
/** When the answer gives no expiry: the API's default of ten minutes. */
const DEFAULT_TTL_MS = 10 * 60_000;

export class EphemeralKeys {
  private readonly keys = new Map<string, number>();

  add(value: string, expiresAtMs: number): void {
    if (this.keys.size >= MAX_SECRETS) {
      const now = Date.now();
      for (const [key, until] of this.keys) if (until <= now) this.keys.delete(key);
      // Still full: the oldest go first.
      for (const key of this.keys.keys()) {
        if (this.keys.size < MAX_SECRETS) break;
        this.keys.delete(key);
      }
    }
    this.keys.set(value, expiresAtMs);
  }

  valid(value: string): boolean {
    const until = this.keys.get(value);
    return until !== undefined && until > Date.now();
  }

  /** A step that sees every answer of the secret-minting operations and keeps their values. */
  step(): Step {
    // Every request passes here: the others go on without an await of this step's.
    return (exchange, next) => (OPERATIONS.has(exchange.operationId) ? this.watch(exchange, next) : next(exchange));
  }

  private async watch(exchange: Exchange, next: Handler): Promise<MockResponse> {
    const response = await next(exchange);
    if (response.status < 200 || response.status >= 300) return response;
    const body = response.body as Record<string, any> | undefined;
    const secret = typeof body?.value === 'string' ? body : body?.client_secret;
    if (typeof secret?.value === 'string' && secret.value !== '') {
      const expires = typeof secret.expires_at === 'number' && secret.expires_at * 1000 > Date.now() ? secret.expires_at * 1000 : Date.now() + DEFAULT_TTL_MS;
      this.add(secret.value, expires);
    }
    return response;
  }
}
