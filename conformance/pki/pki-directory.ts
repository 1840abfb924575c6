import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Certificate, parseCertificate } from '../../lib/core/pki/certificate';
import { Crl, parseCrl } from '../../lib/core/pki/crl';
import { pemBlocks } from '../../lib/core/pki/pem';

/** A certificate from `--pki`, with its private key when one of the key files matches it. */
export interface PkiEntry {
  readonly certificate: Certificate;
  readonly privateKey?: crypto.KeyObject;
  /** The file it was read from, for messages only: matching is by public key. */
  readonly file: string;
}

export interface PkiMaterial {
  readonly entries: readonly PkiEntry[];
  /** Every private key, certificate or not: OIDC issuer keys are matched to JWKS by public key. */
  readonly keys: ReadonlyArray<{ readonly key: crypto.KeyObject; readonly file: string }>;
  readonly crls: ReadonlyArray<{ readonly crl: Crl; readonly file: string }>;
  /** Keys that match no certificate (reported, since they are likely a mistake). */
  readonly unmatchedKeys: readonly string[];
}

export class PkiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PkiError';
  }
}

/** The SubjectPublicKeyInfo of a key, DER; how keys and certificates are paired. */
export function spkiOf(key: crypto.KeyObject): Buffer {
  const publicKey = key.type === 'private' ? crypto.createPublicKey(key) : key;
  return publicKey.export({ type: 'spki', format: 'der' });
}

/**
 * Reads a `--pki` directory: certificates `*.crt` (PEM, one or more per file), private keys `*.key`
 * (PKCS#8, SEC1 EC or PKCS#1 RSA PEM, as openssl writes them), CRLs `*.crl` (PEM or DER).
 * Keys are paired with certificates — and with OIDC issuers' JWKS — by public key, never by file
 * name.
 */
export function loadPkiDirectory(directory: string): PkiMaterial {
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) throw new PkiError(`--pki ${directory}: not a directory`);
  const files = fs.readdirSync(directory).sort();
  const certificates: Array<{ certificate: Certificate; file: string }> = [];
  const keys: Array<{ key: crypto.KeyObject; file: string }> = [];
  const crls: Array<{ crl: Crl; file: string }> = [];
  for (const name of files) {
    const file = path.join(directory, name);
    const read = () => fs.readFileSync(file);
    try {
      if (name.endsWith('.crt')) {
        const text = read().toString('utf8');
        for (const der of pemBlocks(text, 'CERTIFICATE')) certificates.push({ certificate: parseCertificate(der), file });
      } else if (name.endsWith('.key')) {
        keys.push({ key: crypto.createPrivateKey({ key: read(), format: 'pem' }), file });
      } else if (name.endsWith('.crl')) {
        const data = read();
        const pem = pemBlocks(data.toString('latin1'), 'X509 CRL');
        for (const der of pem.length > 0 ? pem : [data]) crls.push({ crl: parseCrl(der), file });
      }
    } catch (e) {
      throw new PkiError(`--pki ${file}: cannot be read (${(e as Error).message}); keys must be unencrypted PEM`);
    }
  }
  const used = new Set<string>();
  const entries = certificates.map(({ certificate, file }) => {
    const match = keys.find(({ key }) => spkiOf(key).equals(certificate.publicKeySpki));
    if (match) used.add(match.file);
    return { certificate, file, ...(match ? { privateKey: match.key } : {}) };
  });
  return { entries, keys, crls, unmatchedKeys: keys.filter((k) => !used.has(k.file)).map((k) => k.file) };
}
