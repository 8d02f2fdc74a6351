import { isIP } from 'node:net';
import { isLoopbackName, type CorsConfig } from './cors';
import { openAIError, type ErrorResponse } from './errors';

/**
 * DNS rebinding: a page on `attacker.example` re-points its name at 127.0.0.1 and calls the mock
 * as a same-origin page, with `Host: attacker.example`. Only hosts the mock can be meant by are
 * answered: loopback names and addresses, the address it is bound to (any IP address when bound to
 * all interfaces), names configured (the `host` option, the hosts of `cors.origins`), and names
 * without a dot (machine names on a local network: no public DNS name is one).
 */

export interface HostPolicy {
  /** Lower-case names and addresses that are always accepted. */
  names: ReadonlySet<string>;
  /** Bound to all interfaces: any IP address is the mock's. */
  anyAddress: boolean;
  /** `Host` headers seen and accepted, as sent: clients send the same one again and again. */
  accepted: Set<string>;
}

export function hostPolicy(boundHost: string, extraHosts: readonly string[]): HostPolicy {
  const bound = boundHost.toLowerCase().replace(/^\[|\]$/g, '');
  return {
    names: new Set([bound, ...extraHosts.map((h) => h.toLowerCase().replace(/^\[|\]$/g, ''))]),
    anyAddress: bound === '0.0.0.0' || bound === '::' || bound === '',
    accepted: new Set(),
  };
}

/** The host name of a `Host` header: `[::1]:80` is `::1`, `Example.test.:80` is `example.test`. */
export function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') > 0 ? value.indexOf(']') : undefined);
  const colon = value.lastIndexOf(':');
  return (colon >= 0 && value.indexOf(':') === colon ? value.slice(0, colon) : value).replace(/\.$/, '');
}

export function checkHost(header: string | undefined, policy: HostPolicy): ErrorResponse | undefined {
  // HTTP/1.0 clients may send none; browsers always do.
  if (header === undefined || header === '' || policy.accepted.has(header)) return undefined;
  const name = hostName(header);
  const ok = isLoopbackName(name) || policy.names.has(name) || (isIP(name) ? policy.anyAddress : !name.includes('.'));
  if (!ok) return refused(header);
  // Bounded: headers come from clients.
  if (policy.accepted.size >= 64) policy.accepted.clear();
  policy.accepted.add(header);
  return undefined;
}

function refused(header: string): ErrorResponse {
  return openAIError(
    403,
    `Invalid Host header (${header}): this server answers requests addressed to it by a loopback name or the address it listens on (protection against DNS rebinding). To reach it by another name, bind to that name with --host, or list an origin on it with --cors-origin.`,
    { type: 'invalid_request_error', param: 'Host', code: 'invalid_host' },
  );
}

/** The host names of the configured origins: a page on one may reach the mock by that name. */
export function originHosts(cors: boolean | CorsConfig, extra: readonly string[] | undefined): string[] {
  const origins = [...(typeof cors === 'object' && cors ? (cors.origins ?? []) : []), ...(extra ?? [])];
  const hosts: string[] = [];
  for (const origin of origins) {
    try {
      hosts.push(new URL(origin).hostname);
    } catch {
      // `*` or a malformed origin names no host.
    }
  }
  return hosts;
}
