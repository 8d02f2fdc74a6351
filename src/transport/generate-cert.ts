import { createPrivateKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import net from 'node:net';

/**
 * Certificates made with @peculiar/x509 (ASN.1 is its business, not ours): ECDSA P-256 keys,
 * which are quick to make and to handshake with. The library is loaded only when a certificate is
 * made, which is once per machine, not at every start.
 */

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface Issued {
  /** PEM */
  cert: string;
  /** PEM, PKCS#8 */
  key: string;
}

export interface Validity {
  notBefore?: Date;
  notAfter?: Date;
}

type X509 = typeof import('@peculiar/x509');

let library: X509 | undefined;
function x509(): X509 {
  if (!library) {
    // @peculiar/x509 uses tsyringe, which needs the Reflect metadata API installed first.
    require('reflect-metadata');
    library = require('@peculiar/x509') as X509;
    library.cryptoProvider.set(webcrypto as never);
  }
  return library;
}

const serial = () => {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f; // a positive number
  return bytes.toString('hex');
};

async function pemKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }) as string;
}

async function importKey(key: string | KeyObject): Promise<CryptoKey> {
  const object = typeof key === 'string' ? createPrivateKey(key) : key;
  const der = object.export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign']);
}

/** A certificate authority for this machine only: it signs the server certificates, and clients are told to trust it. */
export async function generateCa(commonName: string, validity: Validity = {}): Promise<Issued> {
  const lib = x509();
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notBefore = validity.notBefore ?? new Date(Date.now() - DAY);
  const cert = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}, O=openai-mock`,
    notBefore,
    notAfter: validity.notAfter ?? new Date(notBefore.getTime() + 3650 * DAY),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new lib.BasicConstraintsExtension(true, 0, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await pemKey(keys.privateKey) };
}

/**
 * A server certificate for `names` (host names and IP addresses), signed by `ca`. 397 days: the
 * longest that every client accepts (Apple's limit for any TLS server certificate is 825).
 */
export async function generateServerCert(names: readonly string[], ca: Issued, validity: Validity = {}): Promise<Issued> {
  const lib = x509();
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const caCert = new lib.X509Certificate(ca.cert);
  const notBefore = validity.notBefore ?? new Date(Date.now() - DAY);
  const cert = await lib.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names[0] ?? 'localhost'}, O=openai-mock`,
    issuer: caCert.subject,
    notBefore,
    notAfter: validity.notAfter ?? new Date(notBefore.getTime() + 397 * DAY),
    signingKey: await importKey(ca.key),
    publicKey: keys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new lib.BasicConstraintsExtension(false, undefined, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature, true),
      new lib.ExtendedKeyUsageExtension([lib.ExtendedKeyUsage.serverAuth]),
      new lib.SubjectAlternativeNameExtension(names.map((value) => ({ type: net.isIP(value) ? ('ip' as const) : ('dns' as const), value }))),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await lib.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await pemKey(keys.privateKey) };
}
