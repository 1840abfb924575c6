import * as crypto from 'node:crypto';
import * as pkijs from 'pkijs';
import { DEFAULT_ROLES_ANYWHERE_BEHAVIOUR, RolesAnywhereBehaviour, createSession } from '../../../../conformance/emulator/aws/create-session';
import { EmulatorHttpRequest, EmulatorHttpResponse } from '../../../../conformance/emulator/http/loopback-server';
import { deployTemplates } from '../../../../conformance/emulator/aws/deploy-cloudformation';
import { AwsWorld } from '../../../../conformance/emulator/aws/world';
import { IssuedCertificate, LeafOptions, createCa, createCrl, issueLeaf } from '../../../../conformance/pki/throwaway-pki';
import { x509 } from '../../../../conformance/pki/x509';
import { parseCertificate } from '../../../../lib/core/pki/certificate';
import {
  canonicalHeaders,
  canonicalRequest,
  credentialScope,
  formatAuthorizationHeader,
  parseAuthorizationHeader,
  payloadHash,
  stringToSign,
} from '../../../../lib/credentials/roles-anywhere/canonical-request';
import { SignCreateSessionInput, signCreateSessionRequest, signStringToSign } from '../../../../lib/credentials/roles-anywhere/sign-request';
import { signingKeyOf, templateSource, wireRequest } from '../../../fixtures/emulator';
import { attestedStatement, gateTemplate } from '../../../fixtures/templates';

// Signing time and emulator clock; whole seconds, as X-Amz-Date carries no milliseconds.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CA_SUBJECT = { CN: 'Emulator Test Agents CA', O: 'attestgate tests' };
const DEPLOYER = { CN: 'deployer', O: 'attestgate tests' };
const SPIFFE_ID = 'spiffe://prod.example/agent/deployer';
const ENDPOINT = 'https://rolesanywhere.us-east-1.amazonaws.com';

let ca: IssuedCertificate;
let rogueCa: IssuedCertificate;
let leaf: IssuedCertificate;
let emptyCrlPem: string;
/** root → five intermediates → leaf, the deepest chain Roles Anywhere takes. */
let deep: { root: IssuedCertificate; intermediates: IssuedCertificate[]; leaf: IssuedCertificate };

/** A leaf the gate template's trust policy admits, unless options change it. */
function deployerLeaf(options: Partial<LeafOptions> = {}): Promise<IssuedCertificate> {
  return issueLeaf({ issuer: ca, subject: DEPLOYER, sanUris: [SPIFFE_ID], notBefore: new Date(NOW.getTime() - HOUR), ...options });
}

beforeAll(async () => {
  ca = await createCa({ subject: CA_SUBJECT });
  rogueCa = await createCa({ subject: CA_SUBJECT });
  leaf = await deployerLeaf();
  emptyCrlPem = (await createCrl({ issuer: ca })).pem;
  const root = await createCa({ subject: { CN: 'Deep Root', O: 'attestgate tests' } });
  const intermediates: IssuedCertificate[] = [];
  for (let i = 1; i <= 5; i++) intermediates.push(await createCa({ subject: { CN: `Deep Intermediate ${i}`, O: 'attestgate tests' }, issuer: intermediates[i - 2] ?? root }));
  deep = { root, intermediates, leaf: await issueLeaf({ issuer: intermediates[4], subject: DEPLOYER, sanUris: [SPIFFE_ID], notBefore: new Date(NOW.getTime() - HOUR) }) };
});

interface GateWorld {
  readonly world: AwsWorld;
  readonly trustAnchorArn: string;
  readonly profileArn: string;
  readonly roleArn: string;
}

type GateOptions = Parameters<typeof gateTemplate>[0] & { anchorPem?: string };

/** The gate template of test/fixtures/templates.ts deployed with real PEMs; an empty, enabled CRL by default. */
function gateWorld(options: GateOptions = {}): GateWorld {
  const { anchorPem, ...rest } = options;
  const template = gateTemplate({
    ...rest,
    anchor: { Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: anchorPem ?? ca.pem } }, ...rest.anchor },
    crl: rest.crl === null ? null : { CrlData: emptyCrlPem, ...rest.crl },
  });
  const world = new AwsWorld();
  const [stack] = deployTemplates(world, [templateSource(template)]);
  if (stack.problems.length > 0) throw new Error(`the test template does not deploy: ${JSON.stringify(stack.problems)}`);
  return {
    world,
    trustAnchorArn: stack.resources.get('Anchor')!.attributes.TrustAnchorArn,
    profileArn: stack.resources.get('Profile')!.attributes.ProfileArn,
    roleArn: stack.resources.get('Role')!.attributes.Arn,
  };
}

/** A request signed by signCreateSessionRequest for `gate`, as `who` (the deployer leaf by default). */
function signedFor(gate: GateWorld, options: Partial<SignCreateSessionInput> & { who?: IssuedCertificate } = {}): EmulatorHttpRequest {
  const { who = leaf, ...input } = options;
  return wireRequest(
    signCreateSessionRequest({
      certificate: who.der,
      privateKey: signingKeyOf(who),
      region: 'us-east-1',
      endpoint: ENDPOINT,
      now: NOW,
      trustAnchorArn: gate.trustAnchorArn,
      profileArn: gate.profileArn,
      roleArn: gate.roleArn,
      ...input,
    }),
  );
}

/**
 * Signs a request again after a test changed it, with the lib's own canonicalization, optionally
 * lying in the Authorization header (which headers are signed, the serial, the scope date).
 */
function resigned(request: EmulatorHttpRequest, key: crypto.KeyObject, lie: { signedHeaders?: string[]; serialNumber?: string; scopeDate?: string } = {}): EmulatorHttpRequest {
  const auth = parseAuthorizationHeader(request.headers.authorization!);
  const amzDate = request.headers['x-amz-date']!;
  const names = lie.signedHeaders ?? Object.keys(request.headers).filter((name) => name !== 'authorization' && request.headers[name] !== undefined);
  const headers = canonicalHeaders(request.headers, names);
  const scope = credentialScope(lie.scopeDate ?? amzDate.slice(0, 8), auth.credential.region);
  const canonical = canonicalRequest({ method: request.method, path: request.path, query: request.query, headers, payloadHash: payloadHash(request.body) });
  const signature = signStringToSign(auth.algorithm, stringToSign(auth.algorithm, amzDate, scope, canonical), key);
  const authorization = formatAuthorizationHeader({
    algorithm: auth.algorithm,
    serialNumber: lie.serialNumber ?? auth.credential.serialNumber,
    scope,
    signedHeaders: headers.signedHeaders,
    signature,
  });
  return { ...request, headers: { ...request.headers, authorization } };
}

function withHeaders(request: EmulatorHttpRequest, headers: Record<string, string | undefined>): EmulatorHttpRequest {
  return { ...request, headers: { ...request.headers, ...headers } };
}

function send(gate: GateWorld, request: EmulatorHttpRequest, options: { now?: Date; behaviour?: Partial<RolesAnywhereBehaviour> } = {}): Promise<EmulatorHttpResponse> {
  return createSession(gate.world, request, options.now ?? NOW, { ...DEFAULT_ROLES_ANYWHERE_BEHAVIOUR, ...options.behaviour });
}

/** Status, error type and message of a response, for one comparison. */
function outcome(response: EmulatorHttpResponse): { status: number; type: string | undefined; message: string | undefined } {
  const body = JSON.parse(response.body) as { message?: string };
  return { status: response.status, type: response.headers['x-amzn-errortype'], message: body.message };
}

const denied = (message: string | RegExp) => ({ status: 403, type: 'AccessDeniedException', message: typeof message === 'string' ? message : expect.stringMatching(message) });
const invalid = (message: string) => ({ status: 400, type: 'ValidationException', message });

interface SessionBody {
  credentialSet: Array<{
    assumedRoleUser: { arn: string; assumedRoleId: string };
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
    packedPolicySize: number;
    roleArn: string;
    sourceIdentity: string;
  }>;
  subjectArn: string;
}

function issued(response: EmulatorHttpResponse): SessionBody {
  expect([response.status, response.status === 201 ? '' : response.body]).toEqual([201, '']);
  return JSON.parse(response.body) as SessionBody;
}

/** A copy of a certificate with another version number, signed again by its issuer. */
async function reissuedAsVersion(certificate: IssuedCertificate, issuer: IssuedCertificate, version: 0 | 2): Promise<Buffer> {
  const cert = pkijs.Certificate.fromBER(new Uint8Array(certificate.der));
  cert.version = version;
  await cert.sign(issuer.keys.privateKey, 'SHA-256');
  return Buffer.from(cert.toSchema().toBER(false));
}

describe('createSession: a valid request', () => {
  test('issues a session: 201, the credential set, source identity, session name and expiry', async () => {
    // GIVEN the gate deployed from a template and the deployer's certificate
    const gate = gateWorld();

    // WHEN the deployer asks for a session without a duration
    const body = issued(await send(gate, signedFor(gate)));

    // THEN one credential set for the role comes back, named after the certificate serial
    expect(body.credentialSet).toHaveLength(1);
    const [set] = body.credentialSet;
    const serialHex = parseCertificate(leaf.der).serialNumber;
    expect(set.roleArn).toBe(gate.roleArn);
    expect(set.sourceIdentity).toBe('CN=deployer');
    expect(set.assumedRoleUser.arn).toBe(`arn:aws:sts::111122223333:assumed-role/${gate.roleArn.split('/').pop()}/${serialHex.length % 2 ? `0${serialHex}` : serialHex}`);
    expect(set.assumedRoleUser.assumedRoleId).toMatch(/^AROA[0-9A-F]{17}:[0-9a-f]+$/);
    expect(set.credentials).toEqual({
      accessKeyId: expect.stringMatching(/^ASIA[0-9A-F]{16}$/),
      secretAccessKey: expect.any(String),
      sessionToken: expect.any(String),
      // The profile's 3600 s, the request named none.
      expiration: new Date(NOW.getTime() + HOUR).toISOString(),
    });
    expect(set.packedPolicySize).toEqual(expect.any(Number));
    expect(body.subjectArn).toMatch(/^arn:aws:rolesanywhere:us-east-1:111122223333:subject\/[0-9a-f]{32}$/);
  });

  test('takes the three ARNs from the JSON body as well as from the query string', async () => {
    const gate = gateWorld();
    const request = signedFor(gate, { paramsIn: 'body' });
    expect(request.query).toEqual([]);
    expect(issued(await send(gate, request)).credentialSet[0].roleArn).toBe(gate.roleArn);
  });

  test('the session lasts min(profile, request) seconds', async () => {
    const gate = gateWorld({ profile: { DurationSeconds: 3600 } });
    const expiry = async (durationSeconds: number) => issued(await send(gate, signedFor(gate, { durationSeconds }))).credentialSet[0].credentials.expiration;
    expect(await expiry(900)).toBe(new Date(NOW.getTime() + 900_000).toISOString());
    expect(await expiry(7200)).toBe(new Date(NOW.getTime() + HOUR).toISOString());
  });

  test('a caller-chosen session name names the session when the profile accepts one', async () => {
    const gate = gateWorld({ profile: { AcceptRoleSessionName: true } });
    const body = issued(await send(gate, signedFor(gate, { roleSessionName: 'deploy-42' })));
    expect(body.credentialSet[0].assumedRoleUser.arn).toMatch(/\/deploy-42$/);
  });

  test('instance properties satisfy a profile that requires them', async () => {
    const gate = gateWorld({ profile: { RequireInstanceProperties: true } });
    issued(await send(gate, signedFor(gate, { instanceProperties: { host: 'runner-1' } })));
  });

  test('a chain of exactly five intermediates is accepted', async () => {
    const gate = gateWorld({ anchorPem: deep.root.pem });
    const intermediates = [...deep.intermediates].reverse().map((c) => c.der);
    issued(await send(gate, signedFor(gate, { who: deep.leaf, intermediates })));
  });
});

describe('createSession: denials, in the order the emulator checks', () => {
  test('1a. a missing or malformed Authorization header', async () => {
    const gate = gateWorld();
    const request = signedFor(gate);
    expect(outcome(await send(gate, withHeaders(request, { authorization: undefined })))).toEqual(denied(/^Invalid signature\. Authorization header: value "" is empty\./));
    expect(outcome(await send(gate, withHeaders(request, { authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/sts/aws4_request' })))).toEqual(
      denied(/^Invalid signature\. Authorization header: algorithm "AWS4-HMAC-SHA256" is SigV4 with an access key/),
    );
    const noSignature = request.headers.authorization!.replace(/, Signature=[0-9a-f]+$/, '');
    expect(outcome(await send(gate, withHeaders(request, { authorization: noSignature })))).toEqual(denied(/^Invalid signature\. Authorization header: Signature \(unset\) is missing\./));
  });

  test('1b. a missing or malformed X-Amz-Date', async () => {
    const gate = gateWorld();
    const request = signedFor(gate);
    for (const date of [undefined, '2026-04-01T12:00:00Z', '20261323T000000Z']) {
      expect(outcome(await send(gate, withHeaders(request, { 'x-amz-date': date })))).toEqual(denied('Invalid signature. X-Amz-Date is missing or malformed.'));
    }
  });

  test('1c. a credential scoped to another region', async () => {
    const gate = gateWorld();
    const request = signedFor(gate, { region: 'eu-west-1' });
    expect(outcome(await send(gate, request))).toEqual(denied("Invalid signature. Credential should be scoped to a valid region, not 'eu-west-1'."));
  });

  test('1d. a credential date that is not the day of X-Amz-Date', async () => {
    const gate = gateWorld();
    const otherDay = new Date(NOW.getTime() - DAY).toISOString().slice(0, 10).replace(/-/g, '');
    const request = resigned(signedFor(gate), signingKeyOf(leaf), { scopeDate: otherDay });
    expect(outcome(await send(gate, request))).toEqual(denied('Invalid signature. The credential date does not match X-Amz-Date.'));
  });

  test('1e. X-Amz-X509, or a present X-Amz-X509-Chain, left out of SignedHeaders', async () => {
    const gate = gateWorld({ anchorPem: deep.root.pem });
    const key = signingKeyOf(leaf);
    const unsignedLeaf = resigned(signedFor(gate), key, { signedHeaders: ['content-type', 'host', 'x-amz-date'] });
    expect(outcome(await send(gate, unsignedLeaf))).toEqual(denied('Invalid signature. X-Amz-X509 (and X-Amz-X509-Chain) must be signed.'));

    const chained = signedFor(gate, { who: deep.leaf, intermediates: [...deep.intermediates].reverse().map((c) => c.der) });
    const unsignedChain = resigned(chained, signingKeyOf(deep.leaf), { signedHeaders: ['content-type', 'host', 'x-amz-date', 'x-amz-x509'] });
    expect(outcome(await send(gate, unsignedChain))).toEqual(denied('Invalid signature. X-Amz-X509 (and X-Amz-X509-Chain) must be signed.'));
  });

  test('2. a signing time outside the allowed skew, either way; the boundary itself passes', async () => {
    const gate = gateWorld();
    const request = signedFor(gate);
    const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
    expect(outcome(await send(gate, request, { now: at(301) }))).toEqual(denied(`Signature expired: ${request.headers['x-amz-date']} is now earlier than ${at(1).toISOString()} (300 s skew allowed).`));
    expect(outcome(await send(gate, request, { now: at(-301) }))).toEqual(
      denied(`Signature not yet current: ${request.headers['x-amz-date']} is still later than ${at(-1).toISOString()} (300 s skew allowed).`),
    );
    issued(await send(gate, request, { now: at(300) }));
    issued(await send(gate, request, { now: at(-300) }));
    // The window is the behaviour's, not a constant.
    expect(outcome(await send(gate, request, { now: at(61), behaviour: { clockSkewSeconds: 60 } })).message).toMatch(/^Signature expired: .* \(60 s skew allowed\)\.$/);
  });

  test('3a. a certificate, or an intermediate, that does not parse', async () => {
    const gate = gateWorld();
    const key = signingKeyOf(leaf);
    const garbage = Buffer.from('not a certificate').toString('base64');
    const badLeaf = resigned(withHeaders(signedFor(gate), { 'x-amz-x509': garbage }), key);
    expect(outcome(await send(gate, badLeaf))).toEqual(denied(/^Untrusted certificate\. The certificate does not parse \(.+\)\.$/));
    const badChain = resigned(withHeaders(signedFor(gate), { 'x-amz-x509-chain': `${ca.der.toString('base64')},${garbage}` }), key);
    expect(outcome(await send(gate, badChain))).toEqual(denied(/^Untrusted certificate\. The certificate does not parse \(.+\)\.$/));
  });

  test('3b. a credential serial that is not the certificate serial', async () => {
    const gate = gateWorld();
    const request = signedFor(gate);
    const serial = parseAuthorizationHeader(request.headers.authorization!).credential.serialNumber;
    const lying = resigned(request, signingKeyOf(leaf), { serialNumber: (BigInt(serial) + 1n).toString() });
    expect(outcome(await send(gate, lying))).toEqual(denied('Invalid signature. The credential does not name the certificate serial.'));
  });

  test('4. a signature that does not verify: tampered body, another key, a signed header that was not sent', async () => {
    const gate = gateWorld();
    const request = signedFor(gate, { durationSeconds: 900 });
    const tampered = { ...request, body: request.body.replace('900', '3600') };
    expect(outcome(await send(gate, tampered))).toEqual(denied('Invalid signature'));

    const stranger = await deployerLeaf();
    const wrongKey = signedFor(gate, { certificate: leaf.der, privateKey: signingKeyOf(stranger) });
    expect(outcome(await send(gate, wrongKey))).toEqual(denied('Invalid signature'));

    const phantom = withHeaders(request, { authorization: request.headers.authorization!.replace('x-amz-date;x-amz-x509', 'x-amz-date;x-amz-security-token;x-amz-x509') });
    expect(outcome(await send(gate, phantom))).toEqual(denied(/^Invalid signature\. .*SignedHeaders "x-amz-security-token" names a header the request does not carry/));
  });

  test('5. an end-entity certificate that is a CA, lacks digitalSignature, is signed with SHA-1, or is not version 3', async () => {
    const gate = gateWorld();
    const insufficient = denied('Untrusted certificate. Insufficient certificate');
    const caLeaf = await deployerLeaf({ markAsCa: true });
    expect(outcome(await send(gate, signedFor(gate, { who: caLeaf })))).toEqual(insufficient);
    const noDigitalSignature = await deployerLeaf({ keyUsages: x509.KeyUsageFlags.keyAgreement });
    expect(outcome(await send(gate, signedFor(gate, { who: noDigitalSignature })))).toEqual(insufficient);
    const sha1 = await deployerLeaf({ signingHash: 'SHA-1' });
    expect(outcome(await send(gate, signedFor(gate, { who: sha1 })))).toEqual(insufficient);

    // The same certificate re-signed as version 1 (extensions kept): only the version differs.
    const v1 = await reissuedAsVersion(leaf, ca, 0);
    expect(parseCertificate(v1).version).toBe(1);
    expect(outcome(await send(gate, signedFor(gate, { certificate: v1 })))).toEqual(insufficient);
    issued(await send(gate, signedFor(gate, { certificate: await reissuedAsVersion(leaf, ca, 2) })));
  });

  test('6. a body that is not JSON, or a missing ARN: 400 ValidationException', async () => {
    const gate = gateWorld();
    const key = signingKeyOf(leaf);
    const notJson = resigned({ ...signedFor(gate), body: '{"durationSeconds": 900' }, key);
    expect(outcome(await send(gate, notJson))).toEqual(invalid('Request body is not valid JSON.'));
    for (const missing of ['trustAnchorArn', 'profileArn', 'roleArn']) {
      const request = signedFor(gate);
      const without = resigned({ ...request, query: request.query.filter(([name]) => name !== missing) }, key);
      expect(outcome(await send(gate, without))).toEqual(invalid('1 validation error detected: profileArn, roleArn and trustAnchorArn are required.'));
    }
  });

  test('7a. an unknown trust anchor: 404 ResourceNotFoundException', async () => {
    const gate = gateWorld();
    const request = signedFor(gate, { trustAnchorArn: 'arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/00000000-0000-4000-a000-000000000000' });
    expect(outcome(await send(gate, request))).toEqual({ status: 404, type: 'ResourceNotFoundException', message: 'Trust anchor not found.' });
  });

  test('7b. a disabled trust anchor', async () => {
    const gate = gateWorld({ anchor: { Enabled: false } });
    expect(outcome(await send(gate, signedFor(gate)))).toEqual(denied('Untrusted signing certificate. The trust anchor is disabled.'));
  });

  test('7c. a chain of more than five intermediates', async () => {
    const gate = gateWorld({ anchorPem: deep.root.pem });
    const chain = [deep.intermediates[4], ...[...deep.intermediates].reverse()].map((c) => c.der.toString('base64')).join(',');
    const six = resigned(withHeaders(signedFor(gate, { who: deep.leaf }), { 'x-amz-x509-chain': chain }), signingKeyOf(deep.leaf));
    expect(outcome(await send(gate, six))).toEqual(denied('Untrusted signing certificate. The chain is deeper than 5 certificates.'));
  });

  test('7d. no path to the anchor: a rogue CA with the same DN, a missing intermediate, an expired certificate', async () => {
    const gate = gateWorld();
    const untrusted = denied('Untrusted signing certificate');
    const rogueLeaf = await issueLeaf({ issuer: rogueCa, subject: DEPLOYER, sanUris: [SPIFFE_ID] });
    expect(outcome(await send(gate, signedFor(gate, { who: rogueLeaf })))).toEqual(untrusted);
    const expired = await deployerLeaf({ notBefore: new Date(NOW.getTime() - 2 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
    expect(outcome(await send(gate, signedFor(gate, { who: expired })))).toEqual(untrusted);
    const deepGate = gateWorld({ anchorPem: deep.root.pem });
    expect(outcome(await send(deepGate, signedFor(deepGate, { who: deep.leaf })))).toEqual(untrusted);
  });

  test('8a. a serial on an enabled CRL of the anchor is revoked; the same CRL disabled, or forged by another key, revokes nothing', async () => {
    const revoking = (await createCrl({ issuer: ca, revokedSerials: [parseCertificate(leaf.der).serialNumber] })).pem;
    const enabled = gateWorld({ crl: { CrlData: revoking, Enabled: true } });
    expect(outcome(await send(enabled, signedFor(enabled)))).toEqual(denied('Certificate revoked'));

    const disabled = gateWorld({ crl: { CrlData: revoking, Enabled: false } });
    issued(await send(disabled, signedFor(disabled)));

    const forged = (await createCrl({ issuer: ca, revokedSerials: [parseCertificate(leaf.der).serialNumber], signingKeys: rogueCa })).pem;
    const forgedGate = gateWorld({ crl: { CrlData: forged, Enabled: true } });
    issued(await send(forgedGate, signedFor(forgedGate)));
  });

  test('8b. a revoked intermediate revokes the leaves under it', async () => {
    const rootCrl = (await createCrl({ issuer: deep.root, revokedSerials: [parseCertificate(deep.intermediates[0].der).serialNumber] })).pem;
    const gate = gateWorld({ anchorPem: deep.root.pem, crl: { CrlData: rootCrl, Enabled: true } });
    const request = signedFor(gate, { who: deep.leaf, intermediates: [...deep.intermediates].reverse().map((c) => c.der) });
    expect(outcome(await send(gate, request))).toEqual(denied('Certificate revoked'));
  });

  test("8c. a CRL past its nextUpdate: 'enforce' keeps revoking what it lists, 'deny-all' refuses every certificate of its CA", async () => {
    const staleDates = { thisUpdate: new Date(NOW.getTime() - 2 * DAY), nextUpdate: new Date(NOW.getTime() - DAY) };
    const staleEmpty = gateWorld({ crl: { CrlData: (await createCrl({ issuer: ca, ...staleDates })).pem, Enabled: true } });
    issued(await send(staleEmpty, signedFor(staleEmpty), { behaviour: { staleCrl: 'enforce' } }));
    expect(outcome(await send(staleEmpty, signedFor(staleEmpty), { behaviour: { staleCrl: 'deny-all' } }))).toEqual(
      denied('Certificate revoked. The revocation list is past its nextUpdate.'),
    );

    const staleRevoking = (await createCrl({ issuer: ca, revokedSerials: [parseCertificate(leaf.der).serialNumber], ...staleDates })).pem;
    const gate = gateWorld({ crl: { CrlData: staleRevoking, Enabled: true } });
    expect(outcome(await send(gate, signedFor(gate), { behaviour: { staleCrl: 'enforce' } }))).toEqual(denied('Certificate revoked'));

    // A fresh CRL is not stale under 'deny-all'.
    const fresh = gateWorld();
    issued(await send(fresh, signedFor(fresh), { behaviour: { staleCrl: 'deny-all' } }));
  });

  test('9a. an unknown profile: 404 ResourceNotFoundException', async () => {
    const gate = gateWorld();
    const request = signedFor(gate, { profileArn: 'arn:aws:rolesanywhere:us-east-1:111122223333:profile/00000000-0000-4000-a000-000000000000' });
    expect(outcome(await send(gate, request))).toEqual({ status: 404, type: 'ResourceNotFoundException', message: 'Profile not found.' });
  });

  test('9b. a disabled profile', async () => {
    const gate = gateWorld({ profile: { Enabled: false } });
    expect(outcome(await send(gate, signedFor(gate)))).toEqual(denied('Profile is disabled.'));
  });

  test('9c. a role the profile does not list, or a listed role that does not exist', async () => {
    const gate = gateWorld();
    const other = 'arn:aws:iam::111122223333:role/other';
    expect(outcome(await send(gate, signedFor(gate, { roleArn: other })))).toEqual(denied(`Unable to assume role for arn: ${other}. The role is not in the profile.`));

    const ghost = 'arn:aws:iam::111122223333:role/ghost';
    const ghostGate = gateWorld({ profile: { RoleArns: [{ 'Fn::GetAtt': ['Role', 'Arn'] }, ghost] } });
    expect(outcome(await send(ghostGate, signedFor(ghostGate, { roleArn: ghost })))).toEqual(denied(`Unable to assume role for arn: ${ghost}`));
  });

  test('9d. no instance properties for a profile that requires them', async () => {
    const gate = gateWorld({ profile: { RequireInstanceProperties: true } });
    expect(outcome(await send(gate, signedFor(gate)))).toEqual(denied('Instance properties are required by the profile.'));
  });

  test('9e. a roleSessionName the profile does not accept', async () => {
    const gate = gateWorld();
    expect(outcome(await send(gate, signedFor(gate, { roleSessionName: 'deploy-42' })))).toEqual(denied('Not authorized to set roleSessionName.'));
  });

  test('10. an attribute that cannot become a session tag: the message names it; a mapping that drops it avoids the failure', async () => {
    const gate = gateWorld();
    const parenthesized = await deployerLeaf({ subject: { CN: 'John Smith (EMP123)', O: 'attestgate tests' } });
    expect(outcome(await send(gate, signedFor(gate, { who: parenthesized })))).toEqual(
      denied(`Unable to assume role for arn: ${gate.roleArn}. Some attributes failed to be mapped into session tags. Issuer: []; Subject: [CN]; SAN: []`),
    );
    // Mapping only O: the CN is not mapped, so it cannot fail; the trust policy, which wants the CN, then refuses.
    const narrowed = gateWorld({ profile: { AttributeMappings: [{ CertificateField: 'x509Subject', MappingRules: [{ Specifier: 'O' }] }] } });
    expect(outcome(await send(narrowed, signedFor(narrowed, { who: parenthesized })))).toEqual(denied(`Unable to assume role for arn: ${narrowed.roleArn}`));
  });

  test('11. a trust policy that does not admit the certificate, the anchor, or all three actions', async () => {
    const gate = gateWorld();
    const intruder = await deployerLeaf({ subject: { CN: 'intruder', O: 'attestgate tests' } });
    expect(outcome(await send(gate, signedFor(gate, { who: intruder })))).toEqual(denied(`Unable to assume role for arn: ${gate.roleArn}`));

    const noTagSession = gateWorld({ statements: [attestedStatement({ Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] })] });
    expect(outcome(await send(noTagSession, signedFor(noTagSession)))).toEqual(denied(`Unable to assume role for arn: ${noTagSession.roleArn}`));

    const otherAnchor = 'arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/00000000-0000-4000-a000-000000000000';
    const pinnedElsewhere = gateWorld({
      statements: [attestedStatement({ Condition: { ArnEquals: { 'aws:SourceArn': otherAnchor }, StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'deployer' } } })],
    });
    expect(outcome(await send(pinnedElsewhere, signedFor(pinnedElsewhere)))).toEqual(denied(`Unable to assume role for arn: ${pinnedElsewhere.roleArn}`));
  });

  test('12a. a durationSeconds outside 900–43200: 400 ValidationException', async () => {
    const gate = gateWorld();
    for (const durationSeconds of [899, 43201]) {
      expect(outcome(await send(gate, signedFor(gate, { durationSeconds })))).toEqual(
        invalid(`1 validation error detected: Value '${durationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`),
      );
    }
  });

  test("12b. a session longer than the role's MaxSessionDuration", async () => {
    const gate = gateWorld({ profile: { DurationSeconds: 7200 }, role: { MaxSessionDuration: 3600 } });
    const tooLong = denied(`Unable to assume role for arn: ${gate.roleArn}. The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
    expect(outcome(await send(gate, signedFor(gate)))).toEqual(tooLong);
    expect(outcome(await send(gate, signedFor(gate, { durationSeconds: 7200 })))).toEqual(tooLong);
    // Asking for less than the role allows brings min(profile, request) under it.
    issued(await send(gate, signedFor(gate, { durationSeconds: 3600 })));
  });
});

describe('createSession: the earlier check wins when a request has two faults', () => {
  test('a bad signature is reported before an unknown trust anchor', async () => {
    const gate = gateWorld();
    const request = signedFor(gate, { trustAnchorArn: 'arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/00000000-0000-4000-a000-000000000000' });
    expect(outcome(await send(gate, { ...request, body: '{"durationSeconds":900}' }))).toEqual(denied('Invalid signature'));
  });

  test('an insufficient certificate is reported before missing parameters', async () => {
    const gate = gateWorld();
    const caLeaf = await deployerLeaf({ markAsCa: true });
    const request = signedFor(gate, { who: caLeaf });
    const without = resigned({ ...request, query: [] }, signingKeyOf(caLeaf));
    expect(outcome(await send(gate, without))).toEqual(denied('Untrusted certificate. Insufficient certificate'));
  });

  test('an untrusted path is reported before an unknown profile, and revocation before a disabled profile', async () => {
    const gate = gateWorld();
    const rogueLeaf = await issueLeaf({ issuer: rogueCa, subject: DEPLOYER, sanUris: [SPIFFE_ID] });
    const unknownProfile = 'arn:aws:rolesanywhere:us-east-1:111122223333:profile/00000000-0000-4000-a000-000000000000';
    expect(outcome(await send(gate, signedFor(gate, { who: rogueLeaf, profileArn: unknownProfile })))).toEqual(denied('Untrusted signing certificate'));

    const revoking = (await createCrl({ issuer: ca, revokedSerials: [parseCertificate(leaf.der).serialNumber] })).pem;
    const disabled = gateWorld({ profile: { Enabled: false }, crl: { CrlData: revoking, Enabled: true } });
    expect(outcome(await send(disabled, signedFor(disabled)))).toEqual(denied('Certificate revoked'));
  });

  test('a trust-policy denial is reported before a duration out of range', async () => {
    const gate = gateWorld();
    const intruder = await deployerLeaf({ subject: { CN: 'intruder', O: 'attestgate tests' } });
    expect(outcome(await send(gate, signedFor(gate, { who: intruder, durationSeconds: 60_000 })))).toEqual(denied(`Unable to assume role for arn: ${gate.roleArn}`));
  });
});

describe('createSession: what the emulator remembers between requests never answers another request', () => {
  // Keys, parses and signature verdicts are memoized by the exact bytes they depend on; a memo
  // keyed by less (a subject, a serial, a public key alone) would carry one request's acceptance
  // to another — a refused probe read as accepted.
  test('a signature changed after a valid request is refused; the valid one is still accepted', async () => {
    const gate = gateWorld();
    const request = signedFor(gate);
    expect((await send(gate, request)).status).toBe(201);
    const signature = /Signature=([0-9a-f]+)$/.exec(request.headers.authorization!)![1];
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
    const tampered = withHeaders(request, { authorization: request.headers.authorization!.replace(`Signature=${signature}`, `Signature=${flipped}`) });
    expect(outcome(await send(gate, tampered))).toEqual(denied('Invalid signature'));
    expect((await send(gate, request)).status).toBe(201);
  });

  test('another certificate with the same subject, SAN and issuer gets its own key', async () => {
    const gate = gateWorld();
    const twin = await deployerLeaf();
    expect(parseCertificate(twin.der).subject.text).toBe(parseCertificate(leaf.der).subject.text);
    expect((await send(gate, signedFor(gate))).status).toBe(201);
    // The twin's certificate, signed with the first leaf's key: its key is the twin's, not the one remembered.
    const borrowed = signedFor(gate, { certificate: twin.der, privateKey: signingKeyOf(leaf) });
    expect(outcome(await send(gate, borrowed))).toEqual(denied('Invalid signature'));
    expect((await send(gate, signedFor(gate, { who: twin }))).status).toBe(201);
  });

  test('a certificate one byte away from an accepted one (its signature) is parsed and validated anew', async () => {
    const gate = gateWorld();
    expect((await send(gate, signedFor(gate))).status).toBe(201);
    // Same TBS, key, subject and serial as the accepted leaf; only the CA's signature differs.
    const forged = Buffer.from(leaf.der);
    forged[forged.length - 1] ^= 0x01;
    const request = signedFor(gate, { certificate: forged, privateKey: signingKeyOf(leaf) });
    expect(outcome(await send(gate, request))).toEqual(denied('Untrusted signing certificate'));
  });
});
