import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { AgentTrustAnchor, TrustAnchorSource } from '../../../lib/aws/agent-trust-anchor';
import { AttestedRole } from '../../../lib/aws/attested-role';
import { AgentIdentity } from '../../../lib/core/agent-identity';
import { PrivilegeTier } from '../../../lib/core/privilege-tier';
import { SignalMonitoring } from '../../../lib/core/signal-monitoring';
import { DEFAULT_ROLES_ANYWHERE_BEHAVIOUR, createSession } from '../../../conformance/emulator/aws/create-session';
import { deployTemplates } from '../../../conformance/emulator/aws/deploy-cloudformation';
import { AwsWorld } from '../../../conformance/emulator/aws/world';
import { IssuedCertificate, issueLeaf } from '../../../conformance/pki/throwaway-pki';
import { signCreateSessionRequest } from '../../../lib/credentials/roles-anywhere/sign-request';
import { EXAMPLE_ISSUING_CA } from '../../../examples/deployer-identity';
import { PkiOnDisk, probeLocally, sourceOf, writeTestPki } from '../../fixtures/conformance';
import { signingKeyOf, templateSource, wireRequest } from '../../fixtures/emulator';

// A shared profile lists several roles, so a certificate that one role's trust policy admits can
// ask the profile for another role. What stops it is that role's trust policy: these tests prove
// it does, on the emulator, for roles AttestedRole put in one profile.

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const subjectOf = (name: string) => ({ CN: name, O: 'attestgate examples' });
const spiffeIdOf = (name: string) => `spiffe://prod.example/agent/${name}`;

let pki: PkiOnDisk;
let template: Record<string, any>;
beforeAll(async () => {
  pki = await writeTestPki();
  const stack = new Stack(new App(), 'Shared', { env: { account: '111122223333', region: 'us-east-1' } });
  const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
  anchor.addCrl('Crl', fs.readFileSync(path.join(pki.dir, 'ca.crl'), 'utf8'));
  for (const name of ['alpha', 'beta']) {
    const identity = new AgentIdentity({ name, spiffeId: spiffeIdOf(name), subject: subjectOf(name), issuingCa: EXAMPLE_ISSUING_CA, privilege: PrivilegeTier.HIGH, maxCredentialLifetime: Duration.hours(1) });
    new AttestedRole(stack, name, { identity, trustAnchors: [anchor], issuanceMonitoring: SignalMonitoring.disabled('the test looks at issuance through the shared profile') });
  }
  template = JSON.parse(JSON.stringify(stack.resolve((stack as unknown as { _toCloudFormation(): unknown })._toCloudFormation())));
});

const ofType = (t: Record<string, any>, type: string) => Object.keys(t.Resources).filter((k) => t.Resources[k].Type === type);
const roleId = (t: Record<string, any>, name: string) => ofType(t, 'AWS::IAM::Role').find((k) => k.startsWith(name))!;

/** The template deployed on the emulator; CreateSession through the one profile, as `who`, for a role. */
function deployed(t: Record<string, any>) {
  const world = new AwsWorld();
  const [stack] = deployTemplates(world, [templateSource(t, 'Shared')]);
  expect(stack.problems).toEqual([]);
  const [profileId] = ofType(t, 'AWS::RolesAnywhere::Profile');
  const [anchorId] = ofType(t, 'AWS::RolesAnywhere::TrustAnchor');
  const attribute = (logicalId: string, name: string) => stack.resources.get(logicalId)!.attributes[name];
  return async (who: IssuedCertificate, roleName: string) => {
    const request = signCreateSessionRequest({
      certificate: who.der,
      privateKey: signingKeyOf(who),
      region: 'us-east-1',
      now: NOW,
      trustAnchorArn: attribute(anchorId, 'TrustAnchorArn'),
      profileArn: attribute(profileId, 'ProfileArn'),
      roleArn: attribute(roleId(t, roleName), 'Arn'),
    });
    const response = await createSession(world, wireRequest(request), NOW, DEFAULT_ROLES_ANYWHERE_BEHAVIOUR);
    return { status: response.status, message: (JSON.parse(response.body) as { message?: string }).message };
  };
}

const leafOf = (name: string) => issueLeaf({ issuer: pki.ca, subject: subjectOf(name), sanUris: [spiffeIdOf(name)], notBefore: new Date(NOW.getTime() - 3_600_000) });

describe('a profile shared by two identities, on the emulator', () => {
  test('the template has one profile listing both roles', () => {
    const [profileId, ...others] = ofType(template, 'AWS::RolesAnywhere::Profile');
    expect(others).toEqual([]);
    expect(template.Resources[profileId].Properties.RoleArns).toEqual([{ 'Fn::GetAtt': [roleId(template, 'alpha'), 'Arn'] }, { 'Fn::GetAtt': [roleId(template, 'beta'), 'Arn'] }]);
  });

  test('conformance: every check of both gates passes through the shared profile', async () => {
    const results = await probeLocally(sourceOf(template, 'Shared.template.json'), pki);
    expect(new Set(results.map((r) => r.gate.split('/')[1].replace(/[0-9A-F]{8}$/, '')))).toEqual(new Set(['alpha', 'beta']));
    expect(results.filter((r) => r.status !== 'PASS').map((r) => `${r.gate} ${r.checkId} ${r.status}: ${r.reason}`)).toEqual([]);
  });

  test('beta’s own certificate gets beta’s role, and is refused alpha’s role by alpha’s trust policy', async () => {
    const send = deployed(template);
    const beta = await leafOf('beta');
    expect((await send(beta, 'beta')).status).toBe(201);
    expect(await send(beta, 'alpha')).toEqual({ status: 403, message: expect.stringMatching(/^Unable to assume role for arn: .*alpha.*/) });
  });

  test('lax case: alpha’s trust policy without its subject and SAN pins — beta’s certificate gets alpha’s role through the shared profile', async () => {
    const lax = JSON.parse(JSON.stringify(template));
    const conditions = lax.Resources[roleId(lax, 'alpha')].Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals;
    for (const key of Object.keys(conditions)) if (/x509Subject|x509SAN/.test(key)) delete conditions[key];
    const send = deployed(lax);
    expect((await send(await leafOf('beta'), 'alpha')).status).toBe(201);
  });
});
