import * as crypto from 'node:crypto';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { HttpOutcome } from '../../../../conformance/engine/http-outcome';
import { errorCodeOf, errorMessageOf } from '../../../../conformance/aws/http-outcome';
import { sendHttp } from '../../../../conformance/engine/send-http';
import { RunningAwsEmulator, startAwsEmulator } from '../../../../conformance/emulator/aws-emulator';
import { Persona } from '../../../../conformance/emulator/aws/world';
import { HmacSignedRequest, accountRole, personaOf, sdkError, signHmac, templateSource } from '../../../fixtures/emulator';

// The emulator's clock; SigV4 signing times are set relative to it.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const ASSUME_ROLE = 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fshared&RoleSessionName=probe';

let emulator: RunningAwsEmulator;
let persona: Persona;
beforeAll(async () => {
  emulator = await startAwsEmulator({ sources: [templateSource({ Resources: { Shared: accountRole({ RoleName: 'shared' }) } })], now: () => NOW });
  persona = personaOf(emulator.world);
});

afterAll(() => emulator.close());

const send = (request: HmacSignedRequest, overrides: { headers?: Record<string, string>; body?: string } = {}) =>
  sendHttp(request.url, request.method, { ...request.headers, ...overrides.headers }, overrides.body ?? request.body);

/** An STS Query call signed by @smithy/signature-v4; `as` overrides what a test lies about. */
function stsCall(as: { secretAccessKey?: string; accessKeyId?: string; region?: string; signingDate?: Date } = {}): Promise<HmacSignedRequest> {
  return signHmac({
    endpoint: emulator.endpoint,
    method: 'POST',
    path: '/',
    body: ASSUME_ROLE,
    contentType: 'application/x-www-form-urlencoded',
    service: 'sts',
    region: as.region,
    signingDate: as.signingDate ?? NOW,
    credentials: { accessKeyId: as.accessKeyId ?? persona.accessKeyId, secretAccessKey: as.secretAccessKey ?? persona.secretAccessKey },
  });
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
const rejection = (outcome: HttpOutcome) => ({ status: outcome.kind === 'response' ? outcome.status : 0, code: errorCodeOf(outcome), message: errorMessageOf(outcome) });

describe('SigV4 HMAC verification, through the running emulator', () => {
  test('a request signed with the persona key verifies', async () => {
    const outcome = await send(await stsCall());
    expect(outcome).toMatchObject({ kind: 'response', status: 200, body: expect.stringContaining('<AssumeRoleResponse') });
  });

  test('the official STS client with a wrong secret gets SignatureDoesNotMatch; an unknown key InvalidClientTokenId', async () => {
    const call = async (credentials: { accessKeyId: string; secretAccessKey: string }) => {
      const sts = new STSClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials, maxAttempts: 1 });
      try {
        await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/shared', RoleSessionName: 'probe' }));
        return 'issued';
      } catch (e) {
        return sdkError(e);
      } finally {
        sts.destroy();
      }
    };
    expect(await call({ accessKeyId: persona.accessKeyId, secretAccessKey: `${persona.secretAccessKey}x` })).toEqual({
      status: 403,
      name: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided.',
    });
    expect(await call({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: persona.secretAccessKey })).toEqual({
      status: 403,
      name: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
    });
  });

  test('no Authorization header, or an unreadable one: IncompleteSignature', async () => {
    const signed = await stsCall();
    const { authorization: _, ...unsigned } = signed.headers;
    const outcome = await sendHttp(signed.url, 'POST', unsigned, signed.body);
    expect(rejection(outcome)).toEqual({ status: 403, code: 'IncompleteSignature', message: 'Request must contain a valid AWS4-HMAC-SHA256 Authorization header.' });
    const garbled = await send(signed, { headers: { authorization: signed.headers.authorization.replace('SignedHeaders=', 'Headers=') } });
    expect(rejection(garbled).code).toBe('IncompleteSignature');
  });

  test('a signing time outside the skew window, or a missing X-Amz-Date', async () => {
    const stale = await send(await stsCall({ signingDate: new Date(NOW.getTime() - 301_000) }));
    expect(rejection(stale)).toEqual({ status: 403, code: 'SignatureDoesNotMatch', message: 'Signature expired.' });
    const early = await send(await stsCall({ signingDate: new Date(NOW.getTime() + 301_000) }));
    expect(rejection(early)).toEqual({ status: 403, code: 'SignatureDoesNotMatch', message: 'Signature expired.' });
    // The boundary itself is inside the window.
    expect(await send(await stsCall({ signingDate: new Date(NOW.getTime() - 300_000) }))).toMatchObject({ kind: 'response', status: 200 });

    const signed = await stsCall();
    const { 'x-amz-date': _, ...undated } = signed.headers;
    expect(rejection(await sendHttp(signed.url, 'POST', undated, signed.body))).toEqual({ status: 403, code: 'IncompleteSignature', message: 'X-Amz-Date is missing or malformed.' });
  });

  test('a credential scoped to another region', async () => {
    expect(rejection(await send(await stsCall({ region: 'eu-west-1' })))).toEqual({
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'Credential should be scoped to a valid region and date.',
    });
  });

  test('a body changed after signing fails, whatever X-Amz-Content-Sha256 claims', async () => {
    // GIVEN a CreateTrustAnchor call signed as the SDK signs it (with X-Amz-Content-Sha256 of the body)
    const body = JSON.stringify({ name: 'signed-name', source: { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: 'PEM' } } });
    const signed = await signHmac({ endpoint: emulator.endpoint, method: 'POST', path: '/trustanchors', body, service: 'rolesanywhere', signingDate: NOW, credentials: persona });
    expect(signed.headers['x-amz-content-sha256']).toBe(sha256(body));
    const tampered = body.replace('signed-name', 'tampered-name');

    // WHEN the body is replaced, the header still naming the signed body, or changed to match the new one
    const stillClaimed = await send(signed, { body: tampered });
    const rehashed = await send(signed, { body: tampered, headers: { 'x-amz-content-sha256': sha256(tampered) } });

    // THEN neither is accepted, and nothing was created
    expect(rejection(stillClaimed)).toEqual({ status: 403, code: 'AccessDeniedException', message: "The provided 'x-amz-content-sha256' header does not match what was computed." });
    expect(rejection(rehashed)).toEqual({ status: 403, code: 'AccessDeniedException', message: 'The request signature we calculated does not match the signature you provided.' });
    expect(emulator.world.trustAnchors.size).toBe(0);
  });

  test('a signed header that was not sent is a signature failure, not a server error', async () => {
    const signed = await stsCall();
    const { 'x-amz-content-sha256': _, ...headers } = signed.headers;
    expect(signed.headers.authorization).toContain('x-amz-content-sha256');
    expect(rejection(await sendHttp(signed.url, 'POST', headers, signed.body))).toEqual({
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'SignedHeaders names x-amz-content-sha256, which the request does not carry.',
    });
  });
});
