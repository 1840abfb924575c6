import * as crypto from 'node:crypto';
import { AttestGateError } from '../../../lib/core/errors';
import { toPem } from '../../../lib/core/pki/pem';
import {
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  parseAuthorizationHeader,
  payloadHash,
  stringToSign,
} from '../../../lib/credentials/roles-anywhere/canonical-request';
import {
  SignCreateSessionInput,
  SignedCreateSessionRequest,
  signCreateSessionRequest,
  signatureMatches,
  signingAlgorithmForKey,
} from '../../../lib/credentials/roles-anywhere/sign-request';
import { issueLeaf } from '../../../conformance/pki/throwaway-pki';
import { ARNS, KeyKind, SmithyReference, TestIdentity, makeIdentity, toSmithyRequest } from '../fixtures';

const NOW = new Date('2026-04-01T12:34:56.789Z');
const KINDS: readonly KeyKind[] = ['RSA-2048', 'EC-P256', 'EC-P384'];
const identities = new Map<KeyKind, TestIdentity>();
/** Keys that belong to no certificate: a signature must not verify with them. */
const strangers = new Map<'rsa' | 'ec', crypto.KeyObject>();

beforeAll(async () => {
  for (const kind of KINDS) identities.set(kind, await makeIdentity(kind));
  strangers.set('rsa', crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);
  strangers.set('ec', crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
});

function identity(kind: KeyKind): TestIdentity {
  return identities.get(kind)!;
}

function input(kind: KeyKind, overrides: Partial<SignCreateSessionInput> = {}): SignCreateSessionInput {
  const id = identity(kind);
  return { certificate: id.leaf.der, privateKey: id.keys.privateKey, region: 'eu-west-1', now: NOW, ...ARNS, ...overrides };
}

/** The canonical request the verifier rebuilds from what a server receives, with the lib's own parser. */
function rebuiltFromWire(signed: SignedCreateSessionRequest): { canonical: string; stringToSign: string } {
  const url = new URL(signed.url);
  const auth = parseAuthorizationHeader(signed.headers.Authorization);
  const canonical = canonicalRequest({
    method: signed.method,
    path: url.pathname,
    query: url.searchParams,
    headers: canonicalHeaders(signed.headers, auth.signedHeaders),
    payloadHash: payloadHash(signed.body),
  });
  return { canonical, stringToSign: stringToSign(auth.algorithm, signed.headers['X-Amz-Date'], auth.scope, canonical) };
}

describe('signCreateSessionRequest against @smithy/signature-v4', () => {
  const cases = KINDS.flatMap((kind) =>
    (['query', 'body'] as const).flatMap((paramsIn) => [false, true].map((withChain) => ({ kind, paramsIn, withChain }))),
  );

  test.each(cases)('$kind, ARNs in $paramsIn, chain $withChain: canonical request and string to sign equal smithy, the signature verifies', async ({ kind, paramsIn, withChain }) => {
    // GIVEN a leaf certificate and its key, optionally with its issuing CA as the chain
    const id = identity(kind);
    const algorithm = kind === 'RSA-2048' ? 'AWS4-X509-RSA-SHA256' : 'AWS4-X509-ECDSA-SHA256';

    // WHEN the request is signed
    const signed = signCreateSessionRequest(
      input(kind, { paramsIn, durationSeconds: 900, roleSessionName: 'deploy-1', intermediates: withChain ? [id.intermediate.der] : undefined }),
    );

    // THEN smithy computes the same canonical request and string to sign from the same request
    const reference = await new SmithyReference('eu-west-1').sign(toSmithyRequest(signed), NOW, algorithm);
    const wire = rebuiltFromWire(signed);
    expect(wire.canonical).toBe(reference.canonicalRequest);
    expect(wire.stringToSign).toBe(reference.stringToSign);
    expect(reference.canonicalRequest.split('\n').slice(0, 3)).toEqual(['POST', '/sessions', paramsIn === 'query' ? canonicalQuery(ARNS) : '']);

    // AND the Authorization header carries the algorithm, the decimal serial and a signature over smithy's string to sign
    const auth = parseAuthorizationHeader(signed.headers.Authorization);
    expect(auth.algorithm).toBe(algorithm);
    expect(auth.credential.serialNumber).toBe(BigInt(`0x${new crypto.X509Certificate(id.leaf.der).serialNumber}`).toString(10));
    expect(auth.scope).toBe('20260401/eu-west-1/rolesanywhere/aws4_request');
    expect(auth.signedHeaders).toEqual(['content-type', 'host', 'x-amz-date', 'x-amz-x509', ...(withChain ? ['x-amz-x509-chain'] : [])]);
    const certificateKey = new crypto.X509Certificate(id.leaf.der).publicKey;
    const verifyOptions = kind === 'RSA-2048' ? { key: certificateKey, padding: crypto.constants.RSA_PKCS1_PADDING } : { key: certificateKey, dsaEncoding: 'der' as const };
    expect(crypto.verify('sha256', Buffer.from(reference.stringToSign), verifyOptions, Buffer.from(auth.signature, 'hex'))).toBe(true);

    // AND it does not verify with another key of the same type
    const stranger = strangers.get(kind === 'RSA-2048' ? 'rsa' : 'ec')!;
    expect(crypto.verify('sha256', Buffer.from(reference.stringToSign), { ...verifyOptions, key: stranger }, Buffer.from(auth.signature, 'hex'))).toBe(false);
  });

  test('the body carries the ARNs only when asked to, and the query only otherwise', () => {
    const inQuery = signCreateSessionRequest(input('EC-P256', { durationSeconds: 3600, roleSessionName: 'deploy-1', instanceProperties: { host: 'ci-1' } }));
    expect(new URL(inQuery.url).searchParams.get('roleArn')).toBe(ARNS.roleArn);
    expect(JSON.parse(inQuery.body)).toEqual({ durationSeconds: 3600, roleSessionName: 'deploy-1', instanceProperties: { host: 'ci-1' } });

    const inBody = signCreateSessionRequest(input('EC-P256', { paramsIn: 'body' }));
    expect(inBody.url).toBe('https://rolesanywhere.eu-west-1.amazonaws.com/sessions');
    expect(JSON.parse(inBody.body)).toEqual({ ...ARNS });
  });
});

describe('signCreateSessionRequest headers', () => {
  test('are Content-Type, Host, X-Amz-Date, X-Amz-X509, X-Amz-X509-Chain and Authorization', () => {
    const id = identity('EC-P256');
    const signed = signCreateSessionRequest(input('EC-P256', { endpoint: 'http://127.0.0.1:8443', intermediates: [id.intermediate.der, id.root.der] }));
    expect(signed.method).toBe('POST');
    expect(signed.url).toBe(`http://127.0.0.1:8443/sessions?${canonicalQuery(ARNS)}`);
    expect(Object.keys(signed.headers)).toEqual(['Content-Type', 'Host', 'X-Amz-Date', 'X-Amz-X509', 'X-Amz-X509-Chain', 'Authorization']);
    expect(signed.headers['Content-Type']).toBe('application/json');
    expect(signed.headers.Host).toBe('127.0.0.1:8443');
    expect(signed.headers['X-Amz-Date']).toBe('20260401T123456Z');
    expect(Buffer.from(signed.headers['X-Amz-X509'], 'base64').equals(id.leaf.der)).toBe(true);
    expect(signed.headers['X-Amz-X509-Chain'].split(',').map((b64) => Buffer.from(b64, 'base64'))).toEqual([id.intermediate.der, id.root.der]);
  });

  test('the Credential serial is the decimal value of the serial, also with a leading 0x00 byte', async () => {
    const id = await makeIdentity('EC-P256', '00f1e2d3c4b5a6978877');
    const signed = signCreateSessionRequest({ ...input('EC-P256'), certificate: id.leaf.pem, privateKey: id.keys.privateKey });
    expect(parseAuthorizationHeader(signed.headers.Authorization).credential.serialNumber).toBe(BigInt('0xf1e2d3c4b5a6978877').toString(10));
  });

  test('the ECDSA signature is an ASN.1 DER SEQUENCE and the RSA signature is deterministic PKCS#1 v1.5', () => {
    const ec = parseAuthorizationHeader(signCreateSessionRequest(input('EC-P256')).headers.Authorization);
    expect(ec.signature.slice(0, 2)).toBe('30');
    const rsaSigned = signCreateSessionRequest(input('RSA-2048'));
    const rsa = parseAuthorizationHeader(rsaSigned.headers.Authorization);
    const expected = crypto.sign('sha256', Buffer.from(rebuiltFromWire(rsaSigned).stringToSign), { key: identity('RSA-2048').keys.privateKey, padding: crypto.constants.RSA_PKCS1_PADDING });
    expect(rsa.signature).toBe(expected.toString('hex'));
    expect(rsa.signature).toHaveLength(512);
  });
});

describe('private key formats', () => {
  function verifies(signed: SignedCreateSessionRequest, kind: KeyKind): boolean {
    const auth = parseAuthorizationHeader(signed.headers.Authorization);
    return signatureMatches(auth.algorithm, rebuiltFromWire(signed).stringToSign, auth.signature, new crypto.X509Certificate(identity(kind).leaf.der).publicKey);
  }

  test.each([
    ['RSA-2048', 'PKCS#8', 'pkcs8'],
    ['RSA-2048', 'PKCS#1 (RSA PRIVATE KEY)', 'pkcs1'],
    ['EC-P256', 'PKCS#8', 'pkcs8'],
    ['EC-P256', 'SEC1 (EC PRIVATE KEY)', 'sec1'],
    ['EC-P384', 'SEC1 (EC PRIVATE KEY)', 'sec1'],
  ] as const)('%s key as %s PEM, string or Buffer', (kind, _label, type) => {
    const pem = identity(kind).keys.privateKey.export({ type, format: 'pem' }) as string;
    expect(verifies(signCreateSessionRequest(input(kind, { privateKey: pem })), kind)).toBe(true);
    expect(verifies(signCreateSessionRequest(input(kind, { privateKey: Buffer.from(pem) })), kind)).toBe(true);
  });

  test('an EC key as `openssl ecparam -genkey` writes it, with an EC PARAMETERS block first', () => {
    const sec1 = identity('EC-P256').keys.privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    const prime256v1 = Buffer.from('06082a8648ce3d030107', 'hex');
    expect(verifies(signCreateSessionRequest(input('EC-P256', { privateKey: toPem(prime256v1, 'EC PARAMETERS') + sec1 })), 'EC-P256')).toBe(true);
  });

  test('a WebCrypto key from the test PKI, through KeyObject.from', async () => {
    const ca = identity('EC-P256').intermediate;
    const leaf = await issueLeaf({ issuer: ca, subject: { CN: 'webcrypto' }, keyAlgorithm: 'RSA-2048' });
    const signed = signCreateSessionRequest(input('RSA-2048', { certificate: leaf.pem, privateKey: crypto.KeyObject.from(leaf.keys.privateKey) }));
    const auth = parseAuthorizationHeader(signed.headers.Authorization);
    expect(signatureMatches(auth.algorithm, rebuiltFromWire(signed).stringToSign, auth.signature, crypto.KeyObject.from(leaf.keys.publicKey))).toBe(true);
  });

  test('the key type decides the algorithm', () => {
    expect(signingAlgorithmForKey(identity('RSA-2048').keys.privateKey)).toBe('AWS4-X509-RSA-SHA256');
    expect(signingAlgorithmForKey(identity('EC-P384').keys.privateKey)).toBe('AWS4-X509-ECDSA-SHA256');
  });
});

describe('a key that does not match the certificate', () => {
  test('is signed with all the same (a conformance mutation); the signature verifies only with that key', () => {
    const wrongKey = identity('EC-P384').keys;
    const signed = signCreateSessionRequest(input('EC-P256', { privateKey: wrongKey.privateKey }));
    const auth = parseAuthorizationHeader(signed.headers.Authorization);
    const { stringToSign: sts } = rebuiltFromWire(signed);
    expect(signatureMatches(auth.algorithm, sts, auth.signature, wrongKey.publicKey)).toBe(true);
    expect(signatureMatches(auth.algorithm, sts, auth.signature, new crypto.X509Certificate(identity('EC-P256').leaf.der).publicKey)).toBe(false);
  });

  test('an RSA key with an EC certificate signs as RSA; signatureMatches refuses the algorithm/key pairing', () => {
    const signed = signCreateSessionRequest(input('EC-P256', { privateKey: identity('RSA-2048').keys.privateKey }));
    const auth = parseAuthorizationHeader(signed.headers.Authorization);
    expect(auth.algorithm).toBe('AWS4-X509-RSA-SHA256');
    const { stringToSign: sts } = rebuiltFromWire(signed);
    expect(signatureMatches('AWS4-X509-RSA-SHA256', sts, auth.signature, identity('RSA-2048').keys.publicKey)).toBe(true);
    expect(signatureMatches('AWS4-X509-ECDSA-SHA256', sts, auth.signature, identity('RSA-2048').keys.publicKey)).toBe(false);
    expect(signatureMatches('AWS4-X509-RSA-SHA256', sts, 'zz', identity('RSA-2048').keys.publicKey)).toBe(false);
  });
});

describe('signCreateSessionRequest rejects', () => {
  const rejects = (overrides: Partial<SignCreateSessionInput>, message: RegExp) => {
    expect(() => signCreateSessionRequest(input('EC-P256', overrides))).toThrow(AttestGateError);
    expect(() => signCreateSessionRequest(input('EC-P256', overrides))).toThrow(message);
  };

  test('an Ed25519 key and an RSA-PSS key', () => {
    rejects({ privateKey: crypto.generateKeyPairSync('ed25519').privateKey }, /privateKey "ed25519" is a key type .* \(RSA and EC only\)/);
    rejects({ privateKey: crypto.generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey }, /privateKey "rsa-pss" is an RSA-PSS key; Roles Anywhere verifies RSA request signatures as PKCS#1 v1.5 only/);
  });

  test('a public key, an encrypted key, a certificate in place of a key, and bytes that are not PEM', () => {
    rejects({ privateKey: identity('EC-P256').keys.publicKey }, /privateKey "public ec KeyObject" is not a private key/);
    const encrypted = identity('EC-P256').keys.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
    rejects({ privateKey: encrypted }, /privateKey "encrypted PEM private key" is encrypted\. Fix: decrypt it with crypto\.createPrivateKey/);
    const legacyEncrypted = identity('RSA-2048').keys.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
    rejects({ privateKey: legacyEncrypted }, /is encrypted/);
    rejects({ privateKey: identity('EC-P256').leaf.pem }, /privateKey "PEM with CERTIFICATE" holds no PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY block/);
    rejects({ privateKey: identity('EC-P256').keys.privateKey.export({ type: 'pkcs8', format: 'der' }) }, /privateKey "\d+ bytes" is not PEM text/);
  });

  test('a certificate PEM with two certificates, and bytes that are not a certificate', () => {
    const id = identity('EC-P256');
    rejects({ certificate: id.leaf.pem + id.intermediate.pem }, /certificate "PEM with 2 CERTIFICATE blocks \(CERTIFICATE, CERTIFICATE\)" must hold exactly one certificate, the leaf/);
    rejects({ certificate: Buffer.from('not a certificate') }, /certificate "17 bytes" is not a DER X\.509 certificate/);
  });

  test('more than five intermediates, an endpoint with a path, and a bad region', () => {
    const chain = Array.from({ length: 6 }, () => identity('EC-P256').intermediate.der);
    rejects({ intermediates: chain }, /intermediates "6 certificates" is more than the 5 Roles Anywhere accepts/);
    rejects({ endpoint: 'https://rolesanywhere.eu-west-1.amazonaws.com/sessions' }, /endpoint ".*" is not a bare http\(s\) origin/);
    rejects({ endpoint: 'ftp://127.0.0.1' }, /is not a bare http\(s\) origin/);
    rejects({ region: 'eu west 1' }, /region "eu west 1" is not a region name/);
    rejects({ roleArn: '' }, /roleArn "" is empty/);
  });
});
