import * as crypto from 'node:crypto';
import type { HashConstructor, HttpRequest, SourceData } from '@smithy/types';
import { SignatureV4Base, createScope, getCanonicalHeaders, getPayloadHash, prepareRequest } from '@smithy/signature-v4';
import { IssuedCertificate, createCa, issueLeaf } from '../../conformance/pki/throwaway-pki';
import type { SignedCreateSessionRequest } from '../../lib/credentials/roles-anywhere/sign-request';

/** Key types the signer supports, as the test PKI names them. */
export type KeyKind = 'RSA-2048' | 'EC-P256' | 'EC-P384';

/** A key pair from node:crypto generateKeyPairSync, also as WebCrypto keys for the test PKI. */
export interface NodeKeys {
  readonly privateKey: crypto.KeyObject;
  readonly publicKey: crypto.KeyObject;
  readonly cryptoKeys: CryptoKeyPair;
}

const subtle = crypto.webcrypto.subtle as unknown as SubtleCrypto;

export async function nodeKeys(kind: KeyKind): Promise<NodeKeys> {
  const { privateKey, publicKey } =
    kind === 'RSA-2048'
      ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
      : crypto.generateKeyPairSync('ec', { namedCurve: kind === 'EC-P256' ? 'P-256' : 'P-384' });
  const algorithm = kind === 'RSA-2048' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: kind === 'EC-P256' ? 'P-256' : 'P-384' };
  const cryptoKeys = {
    privateKey: await subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), algorithm, true, ['sign']),
    publicKey: await subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), algorithm, true, ['verify']),
  };
  return { privateKey, publicKey, cryptoKeys };
}

/** A leaf certificate for a node:crypto key, issued by an intermediate under a root. */
export interface TestIdentity {
  readonly root: IssuedCertificate;
  readonly intermediate: IssuedCertificate;
  readonly leaf: IssuedCertificate;
  readonly keys: NodeKeys;
}

export async function makeIdentity(kind: KeyKind, serialNumber?: string): Promise<TestIdentity> {
  const root = await createCa({ subject: { CN: 'Signer Test Root', O: 'attestgate tests' }, keyAlgorithm: 'RSA-2048' });
  const intermediate = await createCa({ subject: { CN: 'Signer Test Issuing CA', O: 'attestgate tests' }, issuer: root, pathLength: 0 });
  const keys = await nodeKeys(kind);
  const leaf = await issueLeaf({
    issuer: intermediate,
    subject: { CN: 'deployer', O: 'attestgate tests' },
    sanUris: ['spiffe://prod.example/agent/deployer'],
    keyAlgorithm: kind,
    keys: keys.cryptoKeys,
    serialNumber,
  });
  return { root, intermediate, leaf, keys };
}

/** ARNs with characters RFC 3986 encoding must escape (`:`, `/`, `+`, `=`, `,`, `@`). */
export const ARNS = {
  trustAnchorArn: 'arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/0f3c5a1e-7d2b-4c8e-9a6f-1b2c3d4e5f60',
  profileArn: 'arn:aws:rolesanywhere:eu-west-1:123456789012:profile/9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
  roleArn: 'arn:aws:iam::123456789012:role/service-role/deploy+bot=1,a.b@c-d',
} as const;

/** SHA-256 (and HMAC-SHA-256 with a secret) over node:crypto, in the shape smithy takes. */
class NodeSha256 {
  private readonly hash: crypto.Hash | crypto.Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? crypto.createHash('sha256') : crypto.createHmac('sha256', toBytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function toBytes(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * @smithy/signature-v4's SigV4 steps (its protected createCanonicalRequest and createStringToSign),
 * fed the X.509 algorithm name: an independent reference for the hand-written canonical request.
 */
export class SmithyReference extends SignatureV4Base {
  constructor(private readonly region: string) {
    super({
      service: 'rolesanywhere',
      region,
      credentials: { accessKeyId: 'not-used', secretAccessKey: 'not-used' },
      sha256: NodeSha256 as unknown as HashConstructor,
      applyChecksum: false,
    });
  }

  /** The canonical request and string to sign smithy computes for a request, signed as at `now`. */
  async sign(request: HttpRequest, now: Date, algorithm: string): Promise<{ canonicalRequest: string; stringToSign: string }> {
    const { longDate, shortDate } = this.formatDate(now);
    // As SignatureV4.signRequest does: drop generated headers, then set x-amz-date itself.
    const prepared = prepareRequest(request);
    prepared.headers['x-amz-date'] = longDate;
    const payload = await getPayloadHash(prepared, NodeSha256 as unknown as HashConstructor);
    const canonicalRequest = this.createCanonicalRequest(prepared, getCanonicalHeaders(prepared), payload);
    const stringToSign = await this.createStringToSign(longDate, createScope(shortDate, this.region, 'rolesanywhere'), canonicalRequest, algorithm);
    return { canonicalRequest, stringToSign };
  }
}

/** A signed request in smithy's HttpRequest shape, without the Authorization header. */
export function toSmithyRequest(signed: SignedCreateSessionRequest): HttpRequest {
  const url = new URL(signed.url);
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
  return {
    method: signed.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body: signed.body,
  };
}
