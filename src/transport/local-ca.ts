import { X509Certificate, createPrivateKey } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Issued } from './generate-cert';

/**
 * The local CA and the server certificate it signs, kept in a folder of the user's and reused on
 * later starts: clients trust the CA once. Several servers may start at the same moment; the CA
 * is created with link() (which fails if another got there first) so all of them agree on one.
 *
 *   ca.pem          the CA's certificate: what clients are told to trust
 *   ca-key.pem      the CA's key and certificate (0600): the one file that defines the CA
 *   server.pem      the server's key and certificate (0600)
 */

export const CA_FILE = 'ca.pem';
const CA_KEY_FILE = 'ca-key.pem';
const SERVER_FILE = 'server.pem';
const DAY = 86_400_000;
/** A certificate this close to its end is made anew, so that it never expires in the middle of a run. */
const RENEW_BEFORE = 30 * DAY;

/** `$XDG_DATA_HOME/openai-mock/tls` (`~/.local/share/...`; `%LOCALAPPDATA%` on Windows). */
export function defaultTlsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_DATA_HOME) return path.join(env.XDG_DATA_HOME, 'openai-mock', 'tls');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'openai-mock', 'tls');
  return path.join(os.homedir(), '.local', 'share', 'openai-mock', 'tls');
}

/** The names a server certificate must cover: the loopback names, and the host it is bound to. */
export function namesFor(host: string): string[] {
  const names = ['localhost', '127.0.0.1', '::1'];
  const bare = host.replace(/^\[|\]$/g, '');
  // Bound to every interface: clients will use the machine's name.
  if (bare === '0.0.0.0' || bare === '::') names.push(os.hostname());
  else names.push(bare);
  return [...new Set(names.filter(Boolean).map((n) => (net.isIP(n) ? n : n.toLowerCase())))];
}

export interface LocalCertificate {
  dir: string;
  caFile: string;
  /** PEM of the CA's certificate. */
  ca: string;
  server: Issued;
  /** What was made in this call (nothing when everything was reused). */
  created: { ca: boolean; server: boolean };
}

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----\r?\n?/g;

/** A bundle file's certificate and key (in any order), or undefined if either is missing. */
function splitBundle(text: string): Issued | undefined {
  let cert: string | undefined;
  let key: string | undefined;
  for (const match of text.matchAll(PEM_BLOCK)) {
    if (match[1] === 'CERTIFICATE') cert ??= match[0];
    else if (match[1]!.endsWith('PRIVATE KEY')) key ??= match[0];
  }
  return cert && key ? { cert, key } : undefined;
}

async function readBundle(file: string): Promise<Issued | undefined> {
  try {
    return splitBundle(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function usable(issued: Issued, now: number): X509Certificate | undefined {
  try {
    const cert = new X509Certificate(issued.cert);
    if (!cert.checkPrivateKey(createPrivateKey(issued.key))) return undefined;
    // validFrom/validTo (text) rather than validFromDate/validToDate, which Node has only since 22.10:
    // an older Node read every CA as broken and replaced the one the user trusts.
    if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) - now < RENEW_BEFORE) return undefined;
    return cert;
  } catch {
    return undefined;
  }
}

/** The names in a certificate's subjectAltName, as given to the generator. */
function namesIn(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .map((entry) => {
      const [kind, ...rest] = entry.split(':');
      const value = rest.join(':');
      if (kind === 'DNS') return value;
      // Node spells IPv6 addresses out in full (0:0:0:0:0:0:0:1).
      if (kind === 'IP Address') return net.isIPv6(value) ? new net.SocketAddress({ address: value, family: 'ipv6' }).address : value;
      return '';
    })
    .filter(Boolean);
}

function covers(cert: X509Certificate, name: string): boolean {
  return net.isIP(name) ? cert.checkIP(name) !== undefined : cert.checkHost(name) !== undefined;
}

async function writePrivate(file: string, text: string): Promise<string> {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  // The mode given to writeFile is masked by the umask; the key must be the user's alone whatever it is.
  await chmod(temporary, 0o600);
  return temporary;
}

async function writePublic(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, text, { mode: 0o644 });
  await rename(temporary, file);
}

/** Makes the folder (0700), or says why it cannot. */
export async function prepareDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // A folder one cannot write in fails here, not halfway through writing a key.
  const probe = path.join(dir, `.probe-${process.pid}`);
  await writeFile(probe, '', { flag: constants.O_CREAT | constants.O_WRONLY });
  await rm(probe, { force: true });
}

/**
 * The CA and a server certificate covering `names` from `dir`, made (and stored) where missing,
 * expiring, or not covering every name. A new server certificate keeps the names of the one it
 * replaces, so that servers on different hosts do not take turns remaking it.
 */
export async function localCertificate(dir: string, names: readonly string[]): Promise<LocalCertificate> {
  await prepareDir(dir);
  const now = Date.now();
  // Loaded only when something is to be made: the library takes a while to load.
  const { generateCa, generateServerCert } = require('./generate-cert') as typeof import('./generate-cert');
  const caKeyFile = path.join(dir, CA_KEY_FILE);
  const created = { ca: false, server: false };

  let ca = await readBundle(caKeyFile);
  let caCert = ca && usable(ca, now);
  if (!ca || !caCert) {
    const made = await generateCa(`openai-mock local CA (${os.hostname()})`);
    const temporary = await writePrivate(caKeyFile, made.key + made.cert);
    try {
      if (ca) await rename(temporary, caKeyFile); // an expired or broken one is replaced
      else await link(temporary, caKeyFile); // a new one only if no other server made one meanwhile
      created.ca = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await rm(temporary, { force: true });
    }
    ca = await readBundle(caKeyFile);
    caCert = ca && usable(ca, now);
    if (!ca || !caCert) throw new Error(`${caKeyFile} holds no usable CA key and certificate`);
  }
  const caFile = path.join(dir, CA_FILE);
  const published = await readFile(caFile, 'utf8').catch(() => undefined);
  if (published !== ca.cert) await writePublic(caFile, ca.cert);

  const serverFile = path.join(dir, SERVER_FILE);
  let server = await readBundle(serverFile);
  const serverCert = server && usable(server, now);
  const fits = serverCert && serverCert.verify(caCert.publicKey) && names.every((name) => covers(serverCert, name));
  if (!server || !fits) {
    const kept = serverCert && serverCert.verify(caCert.publicKey) ? namesIn(serverCert) : [];
    server = await generateServerCert([...new Set([...names, ...kept])], ca);
    await rename(await writePrivate(serverFile, server.key + server.cert), serverFile);
    created.server = true;
  }
  return { dir, caFile, ca: ca.cert, server, created };
}
