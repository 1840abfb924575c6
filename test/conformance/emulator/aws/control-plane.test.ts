import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { AwsHttpProbeTarget } from '../../../../conformance/aws/aws-probe-target';
import { HttpOutcome } from '../../../../conformance/engine/http-outcome';
import { errorCodeOf, errorMessageOf } from '../../../../conformance/aws/http-outcome';
import { sendHttp } from '../../../../conformance/engine/send-http';
import { RunningAwsEmulator, startAwsEmulator } from '../../../../conformance/emulator/aws-emulator';
import { Persona } from '../../../../conformance/emulator/aws/world';
import { createCa, issueLeaf } from '../../../../conformance/pki/throwaway-pki';
import { parseCertificate } from '../../../../lib/core/pki/certificate';
import { signCreateSessionRequest } from '../../../../lib/credentials/roles-anywhere/sign-request';
import { personaOf, sdkError, signHmac, signingKeyOf, templateSource } from '../../../fixtures/emulator';
import { TestPki, makeTestPki } from '../../../fixtures/pki';
import { gateTemplate } from '../../../fixtures/templates';

let pki: TestPki;
let emulator: RunningAwsEmulator;
let persona: Persona;
let target: AwsHttpProbeTarget;
beforeAll(async () => {
  pki = await makeTestPki();
  const template = gateTemplate({ anchor: { Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: pki.ca.pem } } }, crl: { CrlData: pki.crlPem } });
  emulator = await startAwsEmulator({ sources: [templateSource(template, 'Agents')] });
  persona = personaOf(emulator.world);
  target = probeTarget(persona);
});

afterAll(() => emulator.close());

function probeTarget(credentials?: { accessKeyId: string; secretAccessKey: string }): AwsHttpProbeTarget {
  const endpoint = emulator.endpoint;
  return new AwsHttpProbeTarget({ name: 'local', region: 'us-east-1', endpoints: { rolesAnywhere: endpoint, sts: endpoint, cloudFormation: endpoint }, unattestedCredentials: credentials });
}

/** A control-plane call signed with the persona's key. */
async function signedCall(method: string, path: string, body: string): Promise<HttpOutcome> {
  const signed = await signHmac({ endpoint: emulator.endpoint, method, path, body, service: 'rolesanywhere', credentials: persona });
  return sendHttp(signed.url, method, signed.headers, body);
}

const rejection = (outcome: HttpOutcome) => ({ status: outcome.kind === 'response' ? outcome.status : 0, code: errorCodeOf(outcome), message: errorMessageOf(outcome) });

describe('Roles Anywhere CreateTrustAnchor and DeleteTrustAnchor', () => {
  test('an attacker with account keys creates an anchor for their own CA; it serves CreateSession; removing it deletes it', async () => {
    // GIVEN a CA the account never trusted
    const attackerCa = await createCa({ subject: { CN: 'Attacker CA', O: 'elsewhere' } });

    // WHEN the persona creates a trust anchor for it through the signed control plane
    const created = await target.createTrustAnchor(attackerCa.pem);
    if ('unavailable' in created) throw new Error(created.unavailable);

    // THEN the account has it, enabled, with that CA, marked as created through the API
    const id = created.arn.split('/').pop()!;
    expect(created.arn).toMatch(/^arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor\/[0-9a-f-]{36}$/);
    const anchor = emulator.world.trustAnchors.get(id)!;
    expect(anchor).toMatchObject({ arn: created.arn, enabled: true, sourceType: 'CERTIFICATE_BUNDLE', origin: `api (${persona.arn})` });
    expect(anchor.name).toMatch(/^attestgate-probe-[0-9a-f]{8}$/);
    expect(anchor.caCertificates.map((c) => c.fingerprintSha256)).toEqual([parseCertificate(attackerCa.der).fingerprintSha256]);

    // AND a certificate of that CA gets as far as the gate's trust policy, which pins the real anchor
    const stack = emulator.stacks[0];
    const leaf = await issueLeaf({ issuer: attackerCa, subject: { CN: 'deployer', O: 'attestgate examples' }, sanUris: ['spiffe://prod.example/agent/deployer'] });
    const roleArn = stack.resources.get('Role')!.attributes.Arn;
    const outcome = await target.send(
      signCreateSessionRequest({
        certificate: leaf.der,
        privateKey: signingKeyOf(leaf),
        region: 'us-east-1',
        endpoint: emulator.endpoint,
        trustAnchorArn: created.arn,
        profileArn: stack.resources.get('Profile')!.attributes.ProfileArn,
        roleArn,
      }),
    );
    expect(rejection(outcome)).toEqual({ status: 403, code: 'AccessDeniedException', message: `Unable to assume role for arn: ${roleArn}` });

    // AND removing it deletes it; a second removal cannot find it
    await created.remove();
    expect(emulator.world.trustAnchors.has(id)).toBe(false);
    await expect(created.remove()).rejects.toThrow(`the probe's trust anchor ${created.arn} could not be deleted: delete it by hand`);
    expect(rejection(await signedCall('DELETE', `/trustanchor/${id}`, ''))).toEqual({ status: 404, code: 'ResourceNotFoundException', message: 'Trust anchor not found.' });
  });

  test('a bundle without a certificate, or with one that does not parse, is refused with 400', async () => {
    const before = emulator.world.trustAnchors.size;
    for (const bundle of ['not PEM', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n']) {
      const result = await target.createTrustAnchor(bundle);
      expect(result).toEqual({ unavailable: expect.stringMatching(/^CreateTrustAnchor answered 400: .*Invalid certificate bundle: /) });
    }
    expect(emulator.world.trustAnchors.size).toBe(before);
  });

  test('a body that is not JSON, without a name, or with another source type is refused with 400', async () => {
    expect(rejection(await signedCall('POST', '/trustanchors', '{'))).toEqual({ status: 400, code: 'ValidationException', message: 'Request body is not valid JSON.' });
    const required = { status: 400, code: 'ValidationException', message: 'name and a CERTIFICATE_BUNDLE source are required.' };
    const bundle = { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: pki.ca.pem } };
    expect(rejection(await signedCall('POST', '/trustanchors', JSON.stringify({ source: bundle })))).toEqual(required);
    const pca = { sourceType: 'AWS_ACM_PCA', sourceData: { acmPcaArn: 'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/x' } };
    expect(rejection(await signedCall('POST', '/trustanchors', JSON.stringify({ name: 'pca', source: pca })))).toEqual(required);
  });

  test('without credentials, or with a wrong secret, no anchor is created', async () => {
    const before = emulator.world.trustAnchors.size;
    expect(await probeTarget(undefined).createTrustAnchor(pki.ca.pem)).toEqual({ unavailable: 'no credentials allowed to create a trust anchor' });
    expect(await probeTarget({ accessKeyId: persona.accessKeyId, secretAccessKey: 'wrong' }).createTrustAnchor(pki.ca.pem)).toEqual({
      unavailable: expect.stringMatching(/^CreateTrustAnchor answered 403: .*The request signature we calculated does not match/),
    });
    expect(emulator.world.trustAnchors.size).toBe(before);
  });
});

describe('CloudFormation DescribeStackResources, with @aws-sdk/client-cloudformation', () => {
  const client = () =>
    new CloudFormationClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials: { accessKeyId: persona.accessKeyId, secretAccessKey: persona.secretAccessKey }, maxAttempts: 1 });

  test('lists every resource of a deployed stack with the physical ID the emulator gave it', async () => {
    const cfn = client();
    try {
      const answer = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'Agents' }));
      const stack = emulator.stacks[0];
      expect(answer.StackResources?.map((r) => [r.StackName, r.LogicalResourceId, r.PhysicalResourceId, r.ResourceType, r.ResourceStatus])).toEqual(
        [...stack.resources.values()].map((r) => ['Agents', r.logicalId, r.physicalId, r.type, 'CREATE_COMPLETE']),
      );
      expect(answer.StackResources?.map((r) => r.LogicalResourceId).sort()).toEqual(['Anchor', 'Crl', 'Profile', 'Role']);
      expect(answer.StackResources?.[0].Timestamp).toBeInstanceOf(Date);
    } finally {
      cfn.destroy();
    }
  });

  test('an unknown stack is a ValidationError, its name escaped in the XML', async () => {
    const cfn = client();
    try {
      for (const name of ['Nope', 'a<b>&c']) {
        await expect(cfn.send(new DescribeStackResourcesCommand({ StackName: name })).catch(sdkError)).resolves.toEqual({
          status: 400,
          name: 'ValidationError',
          message: `Stack with id ${name} does not exist`,
        });
      }
    } finally {
      cfn.destroy();
    }
  });
});
