import * as crypto from 'node:crypto';
import { AttestGateError } from '../../core/errors';
import { Certificate, parseCertificate } from '../../core/pki/certificate';
import { pemBlocks, pemLabels } from '../../core/pki/pem';
import {
  CREATE_SESSION_PATH,
  SigningAlgorithm,
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  credentialScope,
  formatAmzDate,
  formatAuthorizationHeader,
  isRegionName,
  payloadHash,
  stringToSign,
} from './canonical-request';

/** Roles Anywhere takes at most five intermediates in X-Amz-X509-Chain. */
export const MAX_INTERMEDIATES = 5;

/** Where CreateSession takes the three ARNs: query parameters (the credential helper) or the JSON body (iam-roles-anywhere-session). */
export type ParamsIn = 'query' | 'body';

export interface SignCreateSessionInput {
  /** The leaf certificate: DER bytes, or PEM holding exactly one certificate. */
  readonly certificate: Uint8Array | string;
  /**
   * The leaf's private key: a KeyObject, or unencrypted PEM in PKCS#8 (`PRIVATE KEY`), SEC1
   * (`EC PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`). Its type decides the algorithm. A key that
   * does not belong to the certificate is signed with all the same, so that probes can send
   * that mutation.
   */
  readonly privateKey: crypto.KeyObject | string | Uint8Array;
  /** Intermediate CA certificates, DER, leaf side first; sent as X-Amz-X509-Chain. At most 5. */
  readonly intermediates?: readonly Uint8Array[];
  /** The signing region: the trust anchor's region. */
  readonly region: string;
  /**
   * Scheme, host and optional port; no path.
   *
   * @default - https://rolesanywhere.<region>.amazonaws.com
   */
  readonly endpoint?: string;
  readonly trustAnchorArn: string;
  readonly profileArn: string;
  readonly roleArn: string;
  /** @default - omitted: the profile's duration applies */
  readonly durationSeconds?: number;
  /** @default - omitted: the session is named after the certificate serial */
  readonly roleSessionName?: string;
  /** Sent as `instanceProperties`; needed when the profile requires instance properties. */
  readonly instanceProperties?: Readonly<Record<string, string>>;
  /** @default - the current time */
  readonly now?: Date;
  /** @default 'query' */
  readonly paramsIn?: ParamsIn;
}

/** A signed CreateSession request, ready to send. */
export interface SignedCreateSessionRequest {
  readonly url: string;
  readonly method: 'POST';
  /** Content-Type, Host, X-Amz-Date, X-Amz-X509, X-Amz-X509-Chain (when given) and Authorization. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const WHERE = 'signCreateSessionRequest';

/** Signs a CreateSession request with an X.509 certificate and its private key. */
export function signCreateSessionRequest(input: SignCreateSessionInput): SignedCreateSessionRequest {
  const leafDer = certificateDer(input.certificate, WHERE, 'certificate');
  const leaf = readCertificate(leafDer, WHERE, 'certificate');
  const key = privateKeyObject(input.privateKey, WHERE, 'privateKey');
  const algorithm = signingAlgorithmForKey(key, WHERE);
  const intermediates = input.intermediates ?? [];
  if (intermediates.length > MAX_INTERMEDIATES) {
    throw new AttestGateError({
      where: WHERE,
      field: 'intermediates',
      value: `${intermediates.length} certificates`,
      problem: `is more than the ${MAX_INTERMEDIATES} Roles Anywhere accepts in X-Amz-X509-Chain`,
      fix: 'send only the intermediates between the leaf and the trust anchor CA',
    });
  }
  intermediates.forEach((der, index) => {
    if (!(der instanceof Uint8Array) || der.length === 0) {
      throw new AttestGateError({ where: WHERE, field: `intermediates[${index}]`, value: der, problem: 'is not DER bytes', fix: 'pass each intermediate as a DER Buffer' });
    }
  });
  if (typeof input.region !== 'string' || !isRegionName(input.region)) {
    throw new AttestGateError({ where: WHERE, field: 'region', value: input.region, problem: 'is not a region name', fix: "pass the trust anchor's region, e.g. us-east-1" });
  }
  for (const field of ['trustAnchorArn', 'profileArn', 'roleArn'] as const) {
    if (typeof input[field] !== 'string' || input[field].length === 0) {
      throw new AttestGateError({ where: WHERE, field, value: input[field], problem: 'is empty', fix: `pass the ${field}` });
    }
  }
  const origin = endpointOrigin(input.endpoint ?? `https://rolesanywhere.${input.region}.amazonaws.com`, WHERE);
  const amzDate = formatAmzDate(input.now ?? new Date());

  const arns = { profileArn: input.profileArn, roleArn: input.roleArn, trustAnchorArn: input.trustAnchorArn };
  const query = (input.paramsIn ?? 'query') === 'query' ? arns : {};
  const body = JSON.stringify({
    ...(input.paramsIn === 'body' ? arns : {}),
    durationSeconds: input.durationSeconds,
    roleSessionName: input.roleSessionName,
    instanceProperties: input.instanceProperties,
  });
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Host: new URL(origin).host,
    'X-Amz-Date': amzDate,
    'X-Amz-X509': leafDer.toString('base64'),
  };
  if (intermediates.length > 0) {
    headers['X-Amz-X509-Chain'] = intermediates.map((der) => Buffer.from(der).toString('base64')).join(',');
  }
  const signed = canonicalHeaders(headers);
  const scope = credentialScope(amzDate.slice(0, 8), input.region);
  const canonical = canonicalRequest({ query, headers: signed, payloadHash: payloadHash(body) });
  const signature = signStringToSign(algorithm, stringToSign(algorithm, amzDate, scope, canonical), key);
  headers.Authorization = formatAuthorizationHeader({
    algorithm,
    serialNumber: serialNumberDecimal(leaf),
    scope,
    signedHeaders: signed.signedHeaders,
    signature,
  });
  const queryString = canonicalQuery(query);
  return { url: `${origin}${CREATE_SESSION_PATH}${queryString ? `?${queryString}` : ''}`, method: 'POST', headers, body };
}

/** The algorithm a private key signs with: RSA → AWS4-X509-RSA-SHA256, EC → AWS4-X509-ECDSA-SHA256. */
export function signingAlgorithmForKey(key: crypto.KeyObject, where = WHERE): SigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'AWS4-X509-RSA-SHA256';
  if (key.asymmetricKeyType === 'ec') return 'AWS4-X509-ECDSA-SHA256';
  const why =
    key.asymmetricKeyType === 'rsa-pss'
      ? 'is an RSA-PSS key; Roles Anywhere verifies RSA request signatures as PKCS#1 v1.5 only'
      : 'is a key type Roles Anywhere request signing does not take in attestgate (RSA and EC only)';
  throw new AttestGateError({ where, field: 'privateKey', value: key.asymmetricKeyType ?? key.type, problem: why, fix: 'use an RSA (rsaEncryption) or EC key and a certificate for it' });
}

/**
 * Signs a string to sign: RSA with PKCS#1 v1.5 over SHA-256, ECDSA over SHA-256 as an ASN.1 DER
 * SEQUENCE{r, s}, as the credential helper does. Returns lowercase hex.
 */
export function signStringToSign(algorithm: SigningAlgorithm, text: string, key: crypto.KeyObject): string {
  const options: crypto.SignKeyObjectInput =
    algorithm === 'AWS4-X509-RSA-SHA256' ? { key, padding: crypto.constants.RSA_PKCS1_PADDING } : { key, dsaEncoding: 'der' };
  return crypto.sign('sha256', Buffer.from(text, 'utf8'), options).toString('hex');
}

/**
 * Whether a hex signature over a string to sign verifies with a public key under an algorithm.
 * False, never a throw, for a key of the other type or a garbled signature.
 */
export function signatureMatches(algorithm: SigningAlgorithm, text: string, signatureHex: string, publicKey: crypto.KeyObject): boolean {
  const keyType = algorithm === 'AWS4-X509-RSA-SHA256' ? 'rsa' : 'ec';
  if (publicKey.asymmetricKeyType !== keyType || !/^([0-9a-f]{2})+$/.test(signatureHex)) return false;
  const options: crypto.VerifyKeyObjectInput =
    keyType === 'rsa' ? { key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING } : { key: publicKey, dsaEncoding: 'der' };
  try {
    return crypto.verify('sha256', Buffer.from(text, 'utf8'), options, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}

/** The certificate serial in decimal, as the Credential of the Authorization header carries it. */
export function serialNumberDecimal(certificate: Certificate): string {
  return BigInt(`0x${certificate.serialNumber}`).toString(10);
}

/** The DER of a certificate given as DER bytes, or as PEM text (string or bytes) holding exactly one certificate. */
export function certificateDer(input: Uint8Array | string, where: string, field: string): Buffer {
  const text = pemText(input);
  if (text === undefined) {
    if (input instanceof Uint8Array && input.length > 0) return Buffer.from(input);
    throw new AttestGateError({ where, field, value: input, problem: 'is neither PEM nor DER bytes', fix: 'pass the certificate as a PEM string or a DER Buffer' });
  }
  const blocks = pemBlocks(text, 'CERTIFICATE');
  if (blocks.length !== 1) {
    throw new AttestGateError({
      where,
      field,
      value: `PEM with ${blocks.length} CERTIFICATE blocks (${pemLabels(text).join(', ') || 'no PEM blocks'})`,
      problem: 'must hold exactly one certificate, the leaf',
      fix: 'pass the leaf certificate here and any intermediates separately',
    });
  }
  return blocks[0];
}

/** Parses a certificate, turning a DER error into an AttestGateError. */
export function readCertificate(der: Uint8Array, where: string, field: string): Certificate {
  try {
    return parseCertificate(der);
  } catch (error) {
    throw new AttestGateError({ where, field, value: `${der.length} bytes`, problem: `is not a DER X.509 certificate (${(error as Error).message})`, fix: 'pass the certificate PEM or DER that your CA issued' });
  }
}

const KEY_LABELS: Record<string, 'pkcs8' | 'sec1' | 'pkcs1'> = { 'PRIVATE KEY': 'pkcs8', 'EC PRIVATE KEY': 'sec1', 'RSA PRIVATE KEY': 'pkcs1' };

/**
 * A private KeyObject from a KeyObject or unencrypted PEM (PKCS#8, SEC1 or PKCS#1, as openssl
 * writes them, including the `EC PARAMETERS` block `openssl ecparam -genkey` puts first).
 */
export function privateKeyObject(input: crypto.KeyObject | string | Uint8Array, where: string, field: string): crypto.KeyObject {
  if (input instanceof crypto.KeyObject) {
    if (input.type !== 'private') {
      throw new AttestGateError({ where, field, value: `${input.type} ${input.asymmetricKeyType ?? ''} KeyObject`.trim(), problem: 'is not a private key', fix: 'pass the private key that belongs to the certificate' });
    }
    return input;
  }
  const text = pemText(input);
  if (text === undefined) {
    throw new AttestGateError({ where, field, value: input instanceof Uint8Array ? `${input.length} bytes` : input, problem: 'is not PEM text', fix: 'pass the private key as PEM (PKCS#8, SEC1 or PKCS#1) or as a KeyObject' });
  }
  const labels = pemLabels(text);
  if (labels.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/.test(text)) {
    throw new AttestGateError({
      where,
      field,
      value: 'encrypted PEM private key',
      problem: 'is encrypted',
      fix: 'decrypt it with crypto.createPrivateKey({ key, passphrase }) and pass the KeyObject',
    });
  }
  const label = labels.find((l) => l in KEY_LABELS);
  const der = label === undefined ? undefined : pemBlocks(text, label)[0];
  if (label === undefined || der === undefined) {
    throw new AttestGateError({
      where,
      field,
      value: `PEM with ${labels.length > 0 ? labels.join(', ') : 'no PEM blocks'}`,
      problem: 'holds no PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY block',
      fix: 'pass the PEM private key file that belongs to the certificate',
    });
  }
  try {
    return crypto.createPrivateKey({ key: der, format: 'der', type: KEY_LABELS[label] });
  } catch (error) {
    throw new AttestGateError({ where, field, value: `PEM ${label}`, problem: `cannot be read (${(error as Error).message})`, fix: 'pass an intact PEM private key' });
  }
}

/** PEM text of a string or of bytes that start with a PEM boundary; undefined for anything else. */
function pemText(input: unknown): string | undefined {
  if (typeof input === 'string') return input.includes('-----BEGIN ') ? input : undefined;
  if (input instanceof Uint8Array) {
    const text = Buffer.from(input).toString('latin1');
    return text.trimStart().startsWith('-----BEGIN ') ? text : undefined;
  }
  return undefined;
}

/** Checks an endpoint (http or https, a host, no path, query, fragment or user info) and returns its origin. */
export function endpointOrigin(endpoint: string, where: string): string {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
    throw new AttestGateError({
      where,
      field: 'endpoint',
      value: endpoint,
      problem: 'is not a bare http(s) origin (scheme, host and optional port only)',
      fix: 'pass e.g. https://rolesanywhere.us-east-1.amazonaws.com; the /sessions path is added for you',
    });
  }
  return url.origin;
}
