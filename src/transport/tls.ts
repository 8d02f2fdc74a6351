import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import type * as tls from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../log/logger';
import { defaultTlsDir, localCertificate, namesFor } from './local-ca';

/** What the TLS side of the server needs: key and certificate, and where they came from for messages. */
export interface TlsMaterial {
  key: string;
  cert: string;
  x509: X509Certificate;
  /** The local CA's certificate file and PEM, when the certificate is the generated one. */
  caFile?: string;
  ca?: string;
  /** The user's certificate file (`--tls-cert`). */
  certFile?: string;
  /** Human-readable lines about what was made or used, for the log at start. */
  notes: string[];
}

/** A certificate or key file the user named is unusable: one line naming it, exit 1. */
export class TlsSetupError extends Error {}

export interface TlsSource {
  host: string;
  /** `--tls-cert` and `--tls-key`, and where each was set (`--tls-cert`, `config "tlsCert"`). */
  certFile?: string;
  keyFile?: string;
  origins?: Readonly<Record<string, string>>;
  /** Where the local CA lives; default `defaultTlsDir()`, then `fallbackDir`. */
  dir?: string;
  fallbackDir?: string;
}

export function trustHelp(caFile: string): string {
  return `trust it with NODE_EXTRA_CA_CERTS=${caFile} (Node), SSL_CERT_FILE=${caFile} or REQUESTS_CA_BUNDLE=${caFile} (Python), curl --cacert ${caFile}`;
}

const dateOf = (date: Date) => date.toISOString().slice(0, 10);

async function readUserFile(file: string, label: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TlsSetupError(`cannot read ${file} (${label}): ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

/** The user's own certificate and key: read and checked now, so that a bad file is one line at start, not a failed handshake later. */
async function userMaterial(source: TlsSource): Promise<TlsMaterial> {
  const certLabel = source.origins?.tlsCert ?? '--tls-cert';
  const keyLabel = source.origins?.tlsKey ?? '--tls-key';
  if (!source.certFile || !source.keyFile) {
    const [given, missing] = source.certFile ? [certLabel, '--tls-key (config "tlsKey")'] : [keyLabel, '--tls-cert (config "tlsCert")'];
    throw new TlsSetupError(`${given} needs ${missing} as well: a certificate and its private key go together`);
  }
  const certText = await readUserFile(source.certFile, certLabel);
  const keyText = await readUserFile(source.keyFile, keyLabel);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certText);
  } catch (error) {
    throw new TlsSetupError(`${source.certFile} (${certLabel}) holds no certificate in PEM form: ${(error as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyText);
  } catch (error) {
    const encrypted = /ENCRYPTED/.test(keyText) ? ' (an encrypted key: decrypt it first, e.g. openssl pkey -in key.pem -out plain.pem)' : '';
    throw new TlsSetupError(`${source.keyFile} (${keyLabel}) holds no private key in PEM form${encrypted}: ${(error as Error).message}`);
  }
  const now = Date.now();
  // validFrom/validTo (text): validFromDate/validToDate exist only since Node 22.10.
  const validTo = new Date(x509.validTo);
  const validFrom = new Date(x509.validFrom);
  if (validTo.getTime() < now) {
    throw new TlsSetupError(`the certificate in ${source.certFile} (${certLabel}) expired on ${dateOf(validTo)}: renew it, or drop --tls-cert and --tls-key to use a generated one`);
  }
  if (validFrom.getTime() > now) {
    throw new TlsSetupError(`the certificate in ${source.certFile} (${certLabel}) is not valid before ${dateOf(validFrom)}: check the clock, or the certificate`);
  }
  if (!x509.checkPrivateKey(key)) {
    throw new TlsSetupError(`the key in ${source.keyFile} (${keyLabel}) does not match the certificate in ${source.certFile} (${certLabel}): give the key the certificate was made for`);
  }
  try {
    (require('node:tls') as typeof tls).createSecureContext({ key: keyText, cert: certText });
  } catch (error) {
    throw new TlsSetupError(`${source.certFile} (${certLabel}) and ${source.keyFile} (${keyLabel}) cannot be used for TLS: ${(error as Error).message}`);
  }
  return { key: keyText, cert: certText, x509, certFile: source.certFile, notes: [`TLS certificate ${source.certFile} (${x509.subjectAltName ?? x509.subject}), valid until ${dateOf(validTo)}`] };
}

/** The generated certificate from the first folder that can hold it: the user's data folder, else the cache. */
async function localMaterial(source: TlsSource): Promise<TlsMaterial> {
  const dirs = [source.dir ?? defaultTlsDir(), ...(source.fallbackDir ? [source.fallbackDir] : [])];
  const failures: string[] = [];
  const names = namesFor(source.host);
  for (const dir of dirs) {
    let local;
    try {
      local = await localCertificate(dir, names);
    } catch (error) {
      failures.push(`${dir}: ${(error as Error).message}`);
      continue;
    }
    const notes = failures.map((f) => `could not keep the TLS certificate in ${f}`);
    if (local.created.ca) notes.push(`TLS: made a local certificate authority, ${local.caFile}; ${trustHelp(local.caFile)}`);
    else notes.push(`TLS: certificate for ${names.join(', ')} from the local CA ${local.caFile}; ${trustHelp(local.caFile)}`);
    if (local.created.server && !local.created.ca) notes.push(`TLS: made a server certificate for ${names.join(', ')} in ${local.dir}`);
    return { key: local.server.key, cert: local.server.cert, x509: new X509Certificate(local.server.cert), caFile: local.caFile, ca: local.ca, notes };
  }
  throw new TlsSetupError(`cannot keep a TLS certificate: ${failures.join('; ')}. Set XDG_DATA_HOME to a writable folder, or pass --tls-cert and --tls-key`);
}

export function loadTlsMaterial(source: TlsSource): Promise<TlsMaterial> {
  return source.certFile || source.keyFile ? userMaterial(source) : localMaterial(source);
}

/** Where the CA of `openai-mock tls path` lives, made if missing. */
export async function caPath(source: TlsSource): Promise<string> {
  return (await localMaterial(source)).caFile!;
}

/**
 * Warns, once per name, when a client asks (by SNI) for a name the certificate does not cover:
 * its handshake then fails on its side with a message that rarely says why.
 */
export function sniChecker(material: TlsMaterial, logger: Logger) {
  const seen = new Map<string, boolean>();
  return (servername: string, callback: (error: Error | null, context?: tls.SecureContext) => void) => {
    let covered = seen.get(servername);
    if (covered === undefined) {
      // Clients should not send an IP address as SNI (RFC 6066), but some do.
      covered = (net.isIP(servername) ? material.x509.checkIP(servername) : material.x509.checkHost(servername)) !== undefined;
      if (seen.size < 1000) seen.set(servername, covered);
      if (!covered) {
        const names = material.x509.subjectAltName ?? material.x509.subject;
        const fix = material.caFile ? 'start the server with --host set to that name' : 'use a certificate that names it';
        logger.warn(`TLS: a client asked for ${JSON.stringify(servername)}, which the certificate does not name (${names}): it will refuse the connection unless it skips verification; ${fix}, or connect to a name it has`);
      }
    }
    callback(null);
  };
}

/** One line for a TLS handshake that failed, and whether it is worth more than debug. */
export function describeTlsClientError(error: Error, socket: TLSSocket, material: TlsMaterial): { level: 'warn' | 'debug'; message: string } {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  // A socket closed by then no longer knows its peer; the connection it wraps has kept it.
  const address = socket.remoteAddress ?? (socket as TLSSocket & { _parent?: { remoteAddress?: string } })._parent?.remoteAddress;
  const who = address ? `a TLS client (${address})` : 'a TLS client';
  if (code === 'ECONNRESET' || /socket hang up|disconnected before/i.test(error.message)) {
    return { level: 'debug', message: `${who} went away during the handshake` };
  }
  if (/UNKNOWN_CA|CERTIFICATE_UNKNOWN|BAD_CERTIFICATE|unknown ca|certificate unknown|bad certificate/i.test(code + ' ' + error.message)) {
    const trust = material.caFile ? `the local CA ${material.caFile}: ${trustHelp(material.caFile)}` : `the issuer of ${material.certFile}`;
    return { level: 'warn', message: `${who} refused the certificate (${code || error.message}): it does not trust ${trust}` };
  }
  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return { level: 'debug', message: `${who} did not finish its handshake in time` };
  return { level: 'warn', message: `TLS handshake with ${who.replace(/^a TLS client/, 'a client')} failed: ${code ? `${code}: ` : ''}${error.message.split('\n')[0]}` };
}
