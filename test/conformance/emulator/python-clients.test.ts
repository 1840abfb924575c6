import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunningAwsEmulator, startAwsEmulator } from '../../../conformance/emulator/aws-emulator';
import { RunningAzureEmulator, startAzureEmulator } from '../../../conformance/emulator/azure-emulator';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { signJwt } from '../../../conformance/oidc/jwt';
import { IssuedCertificate, createCa, createCrl, issueLeaf } from '../../../conformance/pki/throwaway-pki';
import { AGENTS_CA_SUBJECT } from '../../fixtures/pki';
import { tfSourceOf } from '../../fixtures/azure-conformance';
import { templateSource } from '../../fixtures/emulator';
import { gateTemplate } from '../../fixtures/templates';
import { DEPLOYER_SPIFFE_ID, ISSUER, azureConfiguration, credential } from '../../fixtures/terraform';

/**
 * The emulators driven by clients attestgate neither uses nor wrote — Debian's python3-boto3,
 * python3-msal and python3-azure (azure-identity) for /usr/bin/python3, and a Roles Anywhere
 * CreateSession signed in Python per the documented SigV4-X509 scheme — each positive answered
 * with credentials for the attested identity, each negative with the cloud's own error shape.
 * Nothing is skipped: a missing package fails the test (`.ci/run` installs them).
 */

const PYTHON = '/usr/bin/python3';
const CLIENT = path.join(__dirname, '../../fixtures/cloud-clients.py');

type Scenario = { name: string; kind: 'boto3-caller-identity' | 'boto3-session-token' | 'sts-query' | 'create-session' | 'msal' | 'azure-identity' } & Record<string, unknown>;

function runPython(scenarios: readonly Scenario[], env: Record<string, string> = {}): Promise<{ versions: Record<string, string>; results: Record<string, any> }> {
  if (!fs.existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3-boto3, python3-msal and python3-azure (apt-get; .ci/run does)`);
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, [CLIENT], { timeout: 120_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the Python clients failed (${error.message}); are python3-boto3, python3-msal and python3-azure installed for ${PYTHON}?\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
    child.stdin!.end(JSON.stringify(scenarios));
  });
}

const pkcs8Pem = (issued: IssuedCertificate) => crypto.KeyObject.from(issued.keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
const serialHex = (issued: IssuedCertificate) => {
  const hex = new crypto.X509Certificate(issued.der).serialNumber.toLowerCase();
  return hex.length % 2 ? `0${hex}` : hex;
};

describe('boto3 and a Python SigV4-X509 signer against the AWS emulator', () => {
  let emulator: RunningAwsEmulator;
  let results: Record<string, any>;
  let leaf: IssuedCertificate;
  let chained: IssuedCertificate;
  let rsa: IssuedCertificate;
  let roleArn: string;
  beforeAll(async () => {
    const ca = await createCa({ subject: AGENTS_CA_SUBJECT });
    const subject = { CN: 'deployer', O: 'attestgate examples' };
    leaf = await issueLeaf({ issuer: ca, subject, sanUris: ['spiffe://prod.example/agent/deployer'] });
    const revoked = await issueLeaf({ issuer: ca, subject, sanUris: ['spiffe://prod.example/agent/deployer'] });
    const expired = await issueLeaf({ issuer: ca, subject, sanUris: ['spiffe://prod.example/agent/deployer'], notBefore: new Date(Date.now() - 7200_000), notAfter: new Date(Date.now() - 3600_000) });
    const rogueCa = await createCa({ subject: AGENTS_CA_SUBJECT });
    const rogue = await issueLeaf({ issuer: rogueCa, subject, sanUris: ['spiffe://prod.example/agent/deployer'] });
    const otherKey = await issueLeaf({ issuer: ca, subject, sanUris: ['spiffe://prod.example/agent/deployer'] });
    // A leaf issued by an intermediate of the anchor's CA (the anchor holds the root only), and
    // leaves with RSA keys: the two other shapes a Roles Anywhere signer sends.
    const intermediate = await createCa({ subject: { CN: 'attestgate Example Agents Issuing CA', O: 'attestgate examples' }, issuer: ca });
    chained = await issueLeaf({ issuer: intermediate, subject, sanUris: ['spiffe://prod.example/agent/deployer'] });
    rsa = await issueLeaf({ issuer: ca, subject, sanUris: ['spiffe://prod.example/agent/deployer'], keyAlgorithm: 'RSA-2048' });
    const otherRsa = await issueLeaf({ issuer: ca, subject, sanUris: ['spiffe://prod.example/agent/deployer'], keyAlgorithm: 'RSA-2048' });
    const crl = await createCrl({ issuer: ca, revokedSerials: [new crypto.X509Certificate(revoked.der).serialNumber.toLowerCase()] });
    const template = gateTemplate({ anchor: { Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: ca.pem } } }, crl: { CrlData: crl.pem } });
    emulator = await startAwsEmulator({ sources: [templateSource(template)] });
    const resources = emulator.stacks[0].resources;
    roleArn = resources.get('Role')!.attributes.Arn;
    const arns = { trustAnchorArn: resources.get('Anchor')!.attributes.TrustAnchorArn, profileArn: resources.get('Profile')!.attributes.ProfileArn, roleArn };
    const session = (name: string, certificate: IssuedCertificate, key: IssuedCertificate = certificate, chainPems: readonly string[] = []): Scenario => ({
      name,
      kind: 'create-session',
      endpoint: emulator.endpoint,
      certificatePem: certificate.pem,
      privateKeyPem: pkcs8Pem(key),
      chainPems,
      ...arns,
    });
    const [persona] = emulator.world.personas.values();
    ({ results } = await runPython([
      session('attested', leaf),
      session('revoked', revoked),
      session('expired certificate', expired),
      session('rogue CA, same subject', rogue),
      session('mismatched key', leaf, otherKey),
      session('chained, with its intermediate', chained, chained, [intermediate.pem]),
      session('chained, intermediate missing', chained),
      session('RSA key', rsa),
      session('RSA, another RSA key', rsa, otherRsa),
      { name: 'persona', kind: 'boto3-caller-identity', endpoint: emulator.endpoint, accessKeyId: persona.accessKeyId, secretAccessKey: persona.secretAccessKey },
      { name: 'unknown key', kind: 'boto3-caller-identity', endpoint: emulator.endpoint, accessKeyId: 'ASIAIOSFODNN7EXAMPLE', secretAccessKey: 'x', sessionToken: 'y' },
      { name: 'session token, persona', kind: 'boto3-session-token', endpoint: emulator.endpoint, accessKeyId: persona.accessKeyId, secretAccessKey: persona.secretAccessKey },
      { name: 'session token, unknown long-term key', kind: 'boto3-session-token', endpoint: emulator.endpoint, accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
      { name: 'unknown action', kind: 'sts-query', endpoint: emulator.endpoint, accessKeyId: persona.accessKeyId, secretAccessKey: persona.secretAccessKey, body: 'Action=GetSessionTokens&Version=2011-06-15' },
    ]));
  });
  afterAll(() => emulator?.close());

  test('an attested certificate: CreateSession 201, and boto3 GetCallerIdentity with the session names the assumed role and the serial', () => {
    const roleName = roleArn.split('/').pop();
    expect(results.attested).toMatchObject({ status: 201, assumedRoleUser: { arn: `arn:aws:sts::111122223333:assumed-role/${roleName}/${serialHex(leaf)}` } });
    expect(results.attested.callerIdentity).toEqual({
      Arn: `arn:aws:sts::111122223333:assumed-role/${roleName}/${serialHex(leaf)}`,
      UserId: expect.stringMatching(new RegExp(`^AROA[0-9A-F]{17}:${serialHex(leaf)}$`)),
      Account: '111122223333',
    });
  });

  test.each([
    ['chained, with its intermediate', 'AWS4-X509-ECDSA-SHA256 with X-Amz-X509-Chain', () => chained],
    ['RSA key', 'AWS4-X509-RSA-SHA256', () => rsa],
  ])('%s (%s): CreateSession 201, the session named by that certificate’s serial', (name, _signature, certificate) => {
    const roleName = roleArn.split('/').pop();
    expect(results[name]).toMatchObject({ status: 201, callerIdentity: { Arn: `arn:aws:sts::111122223333:assumed-role/${roleName}/${serialHex(certificate())}` } });
  });

  test.each([
    ['chained, intermediate missing', 'Untrusted signing certificate'],
    ['RSA, another RSA key', 'Invalid signature'],
    ['revoked', 'Certificate revoked'],
    ['expired certificate', 'Untrusted signing certificate'],
    ['rogue CA, same subject', 'Untrusted signing certificate'],
    ['mismatched key', 'Invalid signature'],
  ])('%s: 403 AccessDeniedException "%s", no credentials', (name, message) => {
    expect(results[name]).toEqual({ status: 403, code: 'AccessDeniedException', message });
  });

  test('boto3 GetSessionToken with CreateSession’s keys (session credentials, all the emulator issues): 403 AccessDenied, as AWS answers', () => {
    expect(results.attested.getSessionToken).toEqual({ status: 403, code: 'AccessDenied', message: 'Cannot call GetSessionToken with session credentials' });
  });

  test('boto3 GetSessionToken with the persona’s long-term key: keys of the same user, which AWS refuses a second GetSessionToken', () => {
    expect(results['session token, persona']).toEqual({
      accessKeyId: expect.stringMatching(/^ASIA/),
      expiration: expect.any(String),
      callerIdentity: expect.objectContaining({ Arn: 'arn:aws:iam::111122223333:user/attestgate-unattested-probe' }),
      again: { status: 403, code: 'AccessDenied', message: 'Cannot call GetSessionToken with session credentials' },
    });
  });

  test('boto3 GetSessionToken with a long-term key the account does not have: 403 InvalidClientTokenId', () => {
    expect(results['session token, unknown long-term key']).toEqual({ status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' });
  });

  test('an Action STS does not have, signed by botocore’s SigV4 signer: 400 InvalidAction, STS’s message', () => {
    expect(results['unknown action']).toEqual({ status: 400, code: 'InvalidAction', message: 'Could not find operation GetSessionTokens for version 2011-06-15' });
  });

  test('boto3 with the persona’s long-term key: its user ARN; with a key STS never issued: 403 InvalidClientTokenId', () => {
    expect(results.persona).toMatchObject({ Arn: 'arn:aws:iam::111122223333:user/attestgate-unattested-probe', Account: '111122223333' });
    expect(results['unknown key']).toEqual({ status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' });
  });
});

describe('boto3 against STS throttling (400 Throttling, as STS answers)', () => {
  let emulator: RunningAwsEmulator;
  let results: Record<string, any>;
  beforeAll(async () => {
    // One STS request a second, on a clock that moves a second on from each throttled answer: a
    // retry after a Throttling is admitted however soon it comes — botocore's backoff is random.
    const t0 = Date.now();
    const throttledSoFar = () => emulator.server.log.filter((entry) => entry.status === 400 && /<Code>Throttling<\/Code>/.test(entry.error ?? '')).length;
    emulator = await startAwsEmulator({ sources: [], stsRatePerSecond: 1, now: () => new Date(t0 + 1000 * throttledSoFar()) });
    const [persona] = emulator.world.personas.values();
    const call = { kind: 'boto3-caller-identity' as const, endpoint: emulator.endpoint, accessKeyId: persona.accessKeyId, secretAccessKey: persona.secretAccessKey, reportRetries: true };
    ({ results } = await runPython([
      { name: 'within the quota', ...call },
      // botocore as configured by default (legacy mode): Throttling is one of its retried errors.
      { name: 'throttled, default retries', ...call, retries: null },
      { name: 'throttled, no retries', ...call, retries: { total_max_attempts: 1 } },
    ]));
  });
  afterAll(() => emulator?.close());

  test('botocore’s default retry reads STS’s 400 Throttling as throttling: it retries, and the retry gets the answer', () => {
    expect(results['within the quota']).toMatchObject({ Arn: 'arn:aws:iam::111122223333:user/attestgate-unattested-probe', retryAttempts: 0 });
    expect(results['throttled, default retries']).toMatchObject({ Arn: 'arn:aws:iam::111122223333:user/attestgate-unattested-probe', retryAttempts: 1 });
  });

  test('without retries, boto3 raises the ClientError STS’s XML describes: 400 Throttling "Rate exceeded"', () => {
    expect(results['throttled, no retries']).toEqual({ status: 400, code: 'Throttling', message: 'Rate exceeded', retryAttempts: 0 });
  });

  test('on the wire: one admitted, one throttled and retried, one throttled', () => {
    expect(emulator.server.log.map((entry) => entry.status)).toEqual([200, 400, 200, 400]);
  });
});

describe('MSAL for Python and azure-identity’s ClientAssertionCredential against the Entra emulator', () => {
  let emulator: RunningAzureEmulator;
  let results: Record<string, any>;
  let clientId: string;
  beforeAll(async () => {
    emulator = await startAzureEmulator({ sources: tfSourceOf(azureConfiguration()) });
    const [identity] = emulator.world.identities.values();
    clientId = identity.clientId;
    const credential = identity.federatedCredentials[0];
    const key = emulator.playedIssuers.get(credential.issuer)!.signingKeys[0];
    const claims = { iss: credential.issuer, sub: credential.subject, aud: credential.audiences[0] };
    const now = Math.floor(Date.now() / 1000);
    const assertions: Record<string, string> = {
      attested: signJwt(key, claims),
      'wrong subject': signJwt(key, { ...claims, sub: 'spiffe://prod.example/agent/intruder' }),
      'wrong audience': signJwt(key, { ...claims, aud: 'api://AzureADMyOrg' }),
      'wrong issuer': signJwt(key, { ...claims, iss: 'https://rogue.example' }),
      'rogue key': signJwt(generateIssuerKey('RS256'), claims),
      // The issuer's key ID, signed by another key: the key does not match what the issuer publishes.
      'mismatched key': signJwt(generateIssuerKey('RS256'), claims, { kid: key.kid }),
      expired: signJwt(key, { ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 }),
    };
    const common = { authorityHost: emulator.authorityHost, tenantId: emulator.tenantId, clientId, scope: 'https://management.azure.com/.default' };
    const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-entra-ca-')), 'ca.pem');
    fs.writeFileSync(caFile, emulator.caPem);
    ({ results } = await runPython(
      [
        ...Object.entries(assertions).map(([name, assertion]): Scenario => ({ name: `msal ${name}`, kind: 'msal', assertion, ...common })),
        { name: 'azure-identity attested', kind: 'azure-identity', assertion: assertions.attested, ...common },
        { name: 'azure-identity wrong subject', kind: 'azure-identity', assertion: assertions['wrong subject'], ...common },
        { name: 'azure-identity mismatched key', kind: 'azure-identity', assertion: assertions['mismatched key'], ...common },
      ],
      // Both clients send through requests, which trusts this bundle: the emulator's test CA.
      { REQUESTS_CA_BUNDLE: caFile },
    ));
  });
  afterAll(() => emulator?.close());

  test('MSAL acquire_token_for_client with the attested assertion: a Bearer token for the identity', () => {
    const answer = results['msal attested'];
    expect(answer).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
    const claims = JSON.parse(Buffer.from(answer.access_token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ azp: clientId, tid: emulator.tenantId, aud: 'https://management.azure.com' });
  });

  test.each([
    ['wrong subject', 'invalid_client', 700213],
    ['wrong audience', 'invalid_client', 700212],
    ['wrong issuer', 'invalid_client', 700211],
    ['rogue key', 'invalid_client', 7000272],
    ['mismatched key', 'invalid_client', 700027],
    ['expired', 'invalid_client', 700024],
  ])('MSAL with the %s assertion: %s AADSTS%d, as Entra answers', (name, error, code) => {
    expect(results[`msal ${name}`]).toEqual({ error, error_codes: [code], error_description: expect.stringMatching(new RegExp(`^AADSTS${code}: .* Trace ID: `)) });
  });

  test('azure-identity ClientAssertionCredential: a token for the attested assertion; ClientAuthenticationError (401) quoting the AADSTS code otherwise', () => {
    expect(results['azure-identity attested']).toEqual({ access_token: expect.any(String), expires_on: expect.any(Number) });
    expect(results['azure-identity wrong subject']).toEqual({ error: 'ClientAuthenticationError', status: 401, message: expect.stringContaining('AADSTS700213') });
    expect(results['azure-identity mismatched key']).toEqual({ error: 'ClientAuthenticationError', status: 401, message: expect.stringContaining('AADSTS700027: Client assertion contains an invalid signature.') });
  });
});

describe('MSAL for Python and azure-identity after a revocation: the issuer rotated its key out, a federated credential was removed', () => {
  const emulators: RunningAzureEmulator[] = [];
  let results: Record<string, any>;
  let clientId: string;
  beforeAll(async () => {
    const retired = generateIssuerKey('RS256');
    const current = generateIssuerKey('RS256');
    // The deployer identity keeps only its EU credential (the other was deleted), and the issuer
    // publishes only its current key (the retired one is gone from its JWKS).
    const euSubject = 'spiffe://eu.prod.example/agent/deployer';
    const remaining = credential(euSubject);
    const revoked = await startAzureEmulator({ sources: tfSourceOf(azureConfiguration({ credentials: { spire_eu: remaining } })), issuerJwks: { [ISSUER]: { keys: [current.publicJwk as unknown as Record<string, unknown>] } } });
    const bare = await startAzureEmulator({ sources: tfSourceOf(azureConfiguration({ credentials: {} })) });
    emulators.push(revoked, bare);
    clientId = [...revoked.world.identities.values()][0].clientId;
    const claims = (sub: string) => ({ iss: ISSUER, sub, aud: 'api://AzureADTokenExchange' });
    const common = (emulator: RunningAzureEmulator) => ({ authorityHost: emulator.authorityHost, tenantId: emulator.tenantId, clientId: [...emulator.world.identities.values()][0].clientId, scope: 'https://management.azure.com/.default' });
    // Both emulators' CAs in one bundle: requests trusts one file.
    const bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-entra-ca-')), 'bundle.pem');
    fs.writeFileSync(bundle, `${revoked.caPem}\n${bare.caPem}`);
    ({ results } = await runPython(
      [
        { name: 'current key, remaining credential', kind: 'msal', assertion: signJwt(current, claims(euSubject)), ...common(revoked) },
        { name: 'retired key', kind: 'msal', assertion: signJwt(retired, claims(euSubject)), ...common(revoked) },
        { name: 'removed credential', kind: 'msal', assertion: signJwt(current, claims(DEPLOYER_SPIFFE_ID)), ...common(revoked) },
        { name: 'every credential removed', kind: 'msal', assertion: signJwt(current, claims(DEPLOYER_SPIFFE_ID)), ...common(bare) },
        { name: 'azure-identity retired key', kind: 'azure-identity', assertion: signJwt(retired, claims(euSubject)), ...common(revoked) },
        { name: 'azure-identity removed credential', kind: 'azure-identity', assertion: signJwt(current, claims(DEPLOYER_SPIFFE_ID)), ...common(revoked) },
      ],
      { REQUESTS_CA_BUNDLE: bundle },
    ));
  });
  afterAll(() => Promise.all(emulators.map((e) => e.close())));

  test('the remaining credential with the issuer’s current key still gets a token (the control for the refusals below)', () => {
    expect(results['current key, remaining credential']).toMatchObject({ token_type: 'Bearer' });
    const claims = JSON.parse(Buffer.from(results['current key, remaining credential'].access_token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims.azp).toBe(clientId);
  });

  test.each([
    ['retired key', 7000272, /^AADSTS7000272: The certificate with identifier \S+ used to sign the federated credential could not be found in the metadata of identity provider https:\/\/oidc\.prod\.example\./],
    ['removed credential', 700213, /^AADSTS700213: No matching federated identity record found for presented assertion subject 'spiffe:\/\/prod\.example\/agent\/deployer'\./],
    ['every credential removed', 70025, /^AADSTS70025: The client '[0-9a-f-]+'\(deployer\) has no configured federated identity credentials\./],
  ])('MSAL, %s: invalid_client AADSTS%d, as Entra answers', (name, code, description) => {
    expect(results[name]).toEqual({ error: 'invalid_client', error_codes: [code], error_description: expect.stringMatching(description) });
  });

  test('azure-identity: ClientAuthenticationError (401) quoting the same codes', () => {
    expect(results['azure-identity retired key']).toEqual({ error: 'ClientAuthenticationError', status: 401, message: expect.stringContaining('AADSTS7000272') });
    expect(results['azure-identity removed credential']).toEqual({ error: 'ClientAuthenticationError', status: 401, message: expect.stringContaining('AADSTS700213') });
  });
});
