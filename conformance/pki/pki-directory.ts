import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Certificate, parseCertificate } from '../../lib/core/pki/certificate';
import { Crl, parseCrl } from '../../lib/core/pki/crl';
import { pemBlocks, pemLabels } from '../../lib/core/pki/pem';
import { readInput, statInput, utf8Text } from '../discovery/input-files';
import { spkiOf } from './spki';

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
  /** Files the directory holds that are not read: not `*.crt`, `*.key` or `*.crl` (reported, never dropped silently). */
  readonly ignoredFiles: readonly string[];
}

export class PkiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PkiError';
  }
}

/**
 * Reads a `--pki` directory: certificates `*.crt` (PEM, one or more per file, or one DER
 * certificate, as `openssl x509 -outform der` writes it), private keys `*.key` (PKCS#8, SEC1 EC or
 * PKCS#1 RSA PEM, as openssl writes them), CRLs `*.crl` (PEM or DER). Keys are paired with
 * certificates — and with OIDC issuers' JWKS — by public key, never by file name. A `.crt`, `.key`
 * or `.crl` that holds no such thing is refused, naming the file and what it holds: it is never
 * skipped, since a CA or CRL silently missing would change what the checks prove.
 */
export function loadPkiDirectory(directory: string): PkiMaterial {
  const stat = statInput(directory, (problem) => new PkiError(`--pki ${directory}: ${problem}`));
  if (!stat || !stat.isDirectory()) throw new PkiError(`--pki ${directory}: not a directory`);
  const files = fs.readdirSync(directory).sort();
  const certificates: Array<{ certificate: Certificate; file: string }> = [];
  const keys: Array<{ key: crypto.KeyObject; file: string }> = [];
  const crls: Array<{ crl: Crl; file: string }> = [];
  const ignoredFiles: string[] = [];
  for (const name of files) {
    const file = path.join(directory, name);
    const read = () => readInput(file, (problem) => new PkiError(`--pki ${file}: ${problem}`));
    if (name.endsWith('.crt')) {
      for (const certificate of readCertificates(file, read())) certificates.push({ certificate, file });
    } else if (name.endsWith('.key')) {
      keys.push({ key: readPrivateKey(file, read()), file });
    } else if (name.endsWith('.crl')) {
      for (const crl of readCrls(file, read())) crls.push({ crl, file });
    } else {
      ignoredFiles.push(file);
    }
  }
  const used = new Set<string>();
  const entries = certificates.map(({ certificate, file }) => {
    const match = keys.find(({ key }) => spkiOf(key).equals(certificate.publicKeySpki));
    if (match) used.add(match.file);
    return { certificate, file, ...(match ? { privateKey: match.key } : {}) };
  });
  return { entries, keys, crls, unmatchedKeys: keys.filter((k) => !used.has(k.file)).map((k) => k.file), ignoredFiles };
}

/**
 * Why DER did not parse: the DER reader's own message, or — when the structure is so short or
 * odd that the parser tripped over a missing element (a TypeError) — that it is malformed.
 */
function derProblem(e: unknown): string {
  return e instanceof TypeError || e instanceof RangeError ? 'malformed or truncated DER' : (e as Error).message;
}

/** A DER file starts with an ASN.1 SEQUENCE (0x30); a PEM file with text. */
const isDer = (data: Buffer) => data[0] === 0x30;

/** The text of a PEM file, or a PkiError naming its encoding problem. */
function pemText(file: string, data: Buffer, expected: string): string {
  const decoded = utf8Text(data);
  if ('problem' in decoded) throw new PkiError(`--pki ${file}: ${decoded.problem}; expected ${expected}`);
  return decoded.text;
}

/** What a PEM text holds instead of the expected blocks, for a message. */
function holds(text: string): string {
  if (text.trim() === '') return 'nothing (the file is empty)';
  const labels = [...new Set(pemLabels(text))];
  return labels.length > 0 ? `PEM ${labels.map((l) => `"${l}"`).join(', ')} blocks only` : 'no PEM block';
}

function readCertificates(file: string, data: Buffer): Certificate[] {
  const expected = 'PEM certificates (-----BEGIN CERTIFICATE-----) or one DER certificate';
  if (isDer(data)) {
    try {
      return [parseCertificate(data)];
    } catch (e) {
      throw new PkiError(`--pki ${file}: not a DER X.509 certificate (${derProblem(e)}); expected ${expected}`);
    }
  }
  const text = pemText(file, data, expected);
  const blocks = pemBlocks(text, 'CERTIFICATE');
  if (blocks.length === 0) throw new PkiError(`--pki ${file}: holds ${holds(text)}; expected ${expected} (a private key belongs in a .key file, a CRL in a .crl file)`);
  return blocks.map((der, i) => {
    try {
      return parseCertificate(der);
    } catch (e) {
      throw new PkiError(`--pki ${file}: certificate ${i + 1} of ${blocks.length} is not an X.509 certificate (${derProblem(e)}); check the file is not truncated (openssl x509 -in FILE -noout -text)`);
    }
  });
}

function readPrivateKey(file: string, data: Buffer): crypto.KeyObject {
  const expected = 'an unencrypted PEM private key (PKCS#8 -----BEGIN PRIVATE KEY-----, SEC1 EC or PKCS#1 RSA)';
  const text = pemText(file, data, expected);
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new PkiError(`--pki ${file}: the private key is encrypted; expected ${expected}: decrypt it into a file only you can read (openssl pkey -in FILE -out FILE.key)`);
  }
  try {
    return crypto.createPrivateKey({ key: text, format: 'pem' });
  } catch (e) {
    throw new PkiError(`--pki ${file}: holds ${/PRIVATE KEY-----/.test(text) ? `a private key that does not parse (${(e as Error).message})` : holds(text)}; expected ${expected}`);
  }
}

function readCrls(file: string, data: Buffer): Crl[] {
  const expected = 'a CRL in PEM (-----BEGIN X509 CRL-----) or DER, as openssl ca -gencrl writes it';
  if (isDer(data)) {
    try {
      return [parseCrl(data)];
    } catch (e) {
      throw new PkiError(`--pki ${file}: not a DER CRL (${derProblem(e)}); expected ${expected}`);
    }
  }
  const text = pemText(file, data, expected);
  const blocks = pemBlocks(text, 'X509 CRL');
  if (blocks.length === 0) throw new PkiError(`--pki ${file}: holds ${holds(text)}; expected ${expected}`);
  return blocks.map((der, i) => {
    try {
      return parseCrl(der);
    } catch (e) {
      throw new PkiError(`--pki ${file}: CRL ${i + 1} of ${blocks.length} does not parse (${derProblem(e)}); check the file is not truncated (openssl crl -in FILE -noout -text)`);
    }
  });
}
