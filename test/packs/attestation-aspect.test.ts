import { App, Aspects, CfnResource, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnProfile, CfnTrustAnchor } from 'aws-cdk-lib/aws-rolesanywhere';
import { AttestationAspect } from '../../lib/packs/attestation-aspect';
import { AgentTrustAnchor, TrustAnchorSource } from '../../lib/aws/agent-trust-anchor';
import { AttestedRole } from '../../lib/aws/attested-role';
import { IdentityStacks } from '../../lib/aws/identity-stacks';
import { RuleAcknowledgements } from '../../lib/rules/acknowledgements';
import { deployerIdentity } from '../fixtures/identities';
import { TestPki, makeTestPki } from '../fixtures/pki';

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});

function stackWithAspect() {
  const app = new App();
  const stack = new Stack(app, 'S', { env: { account: '111122223333', region: 'eu-west-1' } });
  Aspects.of(app).add(new AttestationAspect(), { priority: AttestationAspect.PRIORITY });
  return stack;
}

describe('AttestationAspect', () => {
  test('reports open findings as errors on the offending resource', () => {
    // GIVEN
    const stack = stackWithAspect();
    // WHEN
    new iam.CfnRole(stack, 'OpenRole', {
      assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'rolesanywhere.amazonaws.com' }, Action: 'sts:*' }] },
    });
    // THEN
    const annotations = Annotations.fromStack(stack);
    annotations.hasError('/S/OpenRole', Match.stringLikeRegexp('^\\[AG-AWS-001\\] Role OpenRole lets rolesanywhere.amazonaws.com assume it'));
    annotations.hasError('/S/OpenRole', Match.stringLikeRegexp('^\\[AG-AWS-002\\]'));
  });

  test('reports acknowledged findings as info, and nothing for a compliant gate', () => {
    const stack = stackWithAspect();
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    RuleAcknowledgements.of(anchor).add('AG-AWS-006', 'CRL imported out of band by the PKI team');
    const annotations = Annotations.fromStack(stack);
    annotations.hasInfo('/S/Anchor/Resource', Match.stringLikeRegexp('\\[AG-AWS-006\\].*Acknowledged at S/Anchor: CRL imported out of band'));
    annotations.hasNoError('*', Match.anyValue());
  });
});

describe('AttestationAspect over an app of several stacks (anchor in a base stack, roles in IdentityStacks)', () => {
  const env = { account: '111122223333', region: 'eu-west-1' };
  const NAMES = ['deployer', 'reader', 'builder', 'auditor', 'releaser', 'scanner'];

  /** The layout docs/aws.md recommends (the same app test/packs/attestation-checks.test.ts gives the plugin): 1 base stack, 2 identity stacks, 6 identities. */
  function splitApp() {
    const app = new App();
    Aspects.of(app).add(new AttestationAspect(), { priority: AttestationAspect.PRIORITY });
    const base = new Stack(app, 'AgentsBase', { env });
    const anchor = new AgentTrustAnchor(base, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    anchor.addCrl('Crl', pki.crlPem);
    const stacks = new IdentityStacks(app, 'Agents', { stackCount: 2, stackProps: { env } });
    const identities = NAMES.map((name) => deployerIdentity({ name, spiffeId: `spiffe://prod.example/agent/${name}`, subject: { CN: name, O: 'attestgate examples' } }));
    for (const identity of identities) new AttestedRole(stacks.stackFor(identity), identity.name, { identity, trustAnchors: [anchor] });
    const identityStacks = [...new Set(identities.map((i) => stacks.stackFor(i)))];
    return { app, base, anchor, stacks, identities, identityStacks };
  }

  /** A raw role pinned to `pin` (a value of another stack) and, unless `subject` is false, to a certificate subject. */
  function pinnedRole(stack: Stack, id: string, pin: string, subject = true) {
    return new iam.CfnRole(stack, id, {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'rolesanywhere.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
            Condition: { ArnEquals: { 'aws:SourceArn': pin }, ...(subject ? { StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'deployer' } } : {}) },
          },
        ],
      },
    });
  }

  test('six roles pinned to the base stack’s anchor are judged against that anchor, and are clean', () => {
    const { base, identityStacks } = splitApp();
    // Both identity stacks hold roles: each is judged with a reference to a resource of AgentsBase.
    expect(identityStacks).toHaveLength(2);
    for (const stack of [base, ...identityStacks]) Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });

  test('a lax role in an identity stack — pinned to the base stack’s anchor, but to no certificate subject — is refused', () => {
    const { anchor, identityStacks } = splitApp();
    pinnedRole(identityStacks[0], 'LaxRole', anchor.trustAnchorArn, false);
    const annotations = Annotations.fromStack(identityStacks[0]);
    annotations.hasError(`/${identityStacks[0].node.path}/LaxRole`, Match.stringLikeRegexp('^\\[AG-AWS-002\\] Role LaxRole accepts any certificate of its trust anchors'));
    // The anchor pin itself is judged, and holds: only the missing subject is reported.
    annotations.hasNoError('*', Match.stringLikeRegexp('AG-AWS-001'));
  });

  test('a role pinned to something of the base stack that is not a trust anchor is refused, naming it', () => {
    const { base, identityStacks } = splitApp();
    const decoy = new CfnProfile(base, 'Decoy', { name: 'decoy', roleArns: [], acceptRoleSessionName: false });
    pinnedRole(identityStacks[0], 'MisPinned', decoy.attrProfileArn);
    Annotations.fromStack(identityStacks[0]).hasError(
      `/${identityStacks[0].node.path}/MisPinned`,
      Match.stringLikeRegexp('^\\[AG-AWS-001\\] Role MisPinned lets rolesanywhere\\.amazonaws\\.com assume it without pinning aws:SourceArn to a trust anchor \\(statement 0: \\$\\{AgentsBase/Decoy\\.ProfileArn'),
    );
  });

  test('messages name the producer as the user wrote it — stack, construct path, logical ID — never the Aspect\'s stand-in export', () => {
    const { base, identityStacks } = splitApp();
    const decoy = new CfnProfile(base, 'Decoy', { name: 'decoy', roleArns: [], acceptRoleSessionName: false });
    pinnedRole(identityStacks[0], 'MisPinned', decoy.attrProfileArn);
    const errors = Annotations.fromStack(identityStacks[0]).findError(`/${identityStacks[0].node.path}/MisPinned`, Match.stringLikeRegexp('AG-AWS-001'));
    expect(errors.map((e) => e.entry.data)).toEqual([
      '[AG-AWS-001] Role MisPinned lets rolesanywhere.amazonaws.com assume it without pinning aws:SourceArn to a trust anchor (statement 0: ${AgentsBase/Decoy.ProfileArn (through the ProfileArn of AgentsBase/Decoy (logical ID Decoy, stack AgentsBase))} is not the TrustAnchorArn of a trust anchor). Fix: Add a condition ArnEquals {"aws:SourceArn": <canonical trust-anchor ARN>} to every statement that lets rolesanywhere.amazonaws.com in (AttestedRole does this).',
    ]);
  });

  test('a reference to another stack is not taken for a resource of the same logical ID in the role’s own stack', () => {
    // The base stack's "Pin" is no trust anchor; the identity stack has a real trust anchor of the
    // same logical ID. Judged as a same-stack Fn::GetAtt, the role would pass as pinned to that
    // anchor: an open gate reported as proven.
    const { base, identityStacks } = splitApp();
    const notAnAnchor = new CfnResource(base, 'Pin', { type: 'Custom::NotAnAnchor' });
    new CfnTrustAnchor(identityStacks[0], 'Pin', { name: 'local', source: { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: pki.ca.pem } }, enabled: true });
    pinnedRole(identityStacks[0], 'Pinned', Token.asString(notAnAnchor.getAtt('TrustAnchorArn')));
    Annotations.fromStack(identityStacks[0]).hasError(
      `/${identityStacks[0].node.path}/Pinned`,
      Match.stringLikeRegexp('^\\[AG-AWS-001\\] Role Pinned lets rolesanywhere\\.amazonaws\\.com assume it without pinning aws:SourceArn to a trust anchor \\(statement 0: \\$\\{AgentsBase/Pin\\.TrustAnchorArn'),
    );
  });

  test('a reference to a stack of another Region stays cannot be judged (exports are per account and Region)', () => {
    const app = new App();
    Aspects.of(app).add(new AttestationAspect(), { priority: AttestationAspect.PRIORITY });
    const base = new Stack(app, 'AgentsBase', { env: { ...env, region: 'us-east-1' }, crossRegionReferences: true });
    const anchor = new AgentTrustAnchor(base, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    anchor.addCrl('Crl', pki.crlPem);
    const roles = new Stack(app, 'Roles', { env, crossRegionReferences: true });
    pinnedRole(roles, 'Pinned', anchor.trustAnchorArn);
    Annotations.fromStack(roles).hasError('/Roles/Pinned', Match.stringLikeRegexp('^\\[AG-AWS-001\\] cannot be judged: Role Pinned: .*AgentsBase.*exports are per account and Region'));
    // The reason names the anchor as written — its construct path and logical ID — not the export standing for it.
    const [error] = Annotations.fromStack(roles).findError('/Roles/Pinned', Match.stringLikeRegexp('AG-AWS-001'));
    const logicalId = base.resolve((anchor.node.defaultChild as CfnTrustAnchor).logicalId);
    expect(error.entry.data).toContain(`the TrustAnchorArn of AgentsBase/Anchor/Resource (logical ID ${logicalId}, stack AgentsBase), which only stack AgentsBase of aws://111122223333/us-east-1 defines, not a stack of aws://111122223333/eu-west-1`);
    expect(error.entry.data).not.toContain('attestgate-aspect');
  });
});
