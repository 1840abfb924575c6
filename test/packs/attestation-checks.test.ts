import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CfnProfile, CfnTrustAnchor } from 'aws-cdk-lib/aws-rolesanywhere';
import { App, Aspects, CfnParameter, IPolicyValidationContext, NestedStack, Stack, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AttestationAspect } from '../../lib/packs/attestation-aspect';
import { isOpen } from '../../lib/rules/evaluate';
import { judgeApp } from '../../conformance/rules/judge-app';
import { loadAppSources } from '../../conformance/discovery/app-sources';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AttestationChecks } from '../../lib/packs/attestation-checks';
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

function appWithChecks() {
  const app = new App();
  Validations.of(app).addPlugins(new AttestationChecks());
  return { app, stack: new Stack(app, 'Brownfield', { env: { account: '111122223333', region: 'eu-west-1' } }) };
}

/** A raw L1 role trusted by Roles Anywhere with no conditions at all: the classic open gate. */
function openRole(stack: Stack, conditions?: Record<string, unknown>) {
  return new iam.CfnRole(stack, 'OpenRole', {
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'rolesanywhere.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
          ...(conditions ? { Condition: conditions } : {}),
        },
      ],
    },
  });
}

function synthError(app: App): string {
  try {
    app.synth();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synth did not fail');
}

describe('AttestationChecks (policy-validation plugin)', () => {
  test('a raw CfnRole trusted by Roles Anywhere with no conditions fails synth with rule IDs and fixes', () => {
    // GIVEN
    const { app, stack } = appWithChecks();
    // WHEN
    openRole(stack);
    // THEN
    const message = synthError(app);
    expect(message).toContain('AG-AWS-001');
    expect(message).toContain('Role OpenRole lets rolesanywhere.amazonaws.com assume it without pinning aws:SourceArn to a trust anchor');
    expect(message).toContain('Fix: Add a condition ArnEquals {"aws:SourceArn": <canonical trust-anchor ARN>}');
    expect(message).toContain('AG-AWS-002');
    expect(message).toContain('Brownfield/OpenRole');
  });

  test('an app of attestgate constructs passes', () => {
    const { app, stack } = appWithChecks();
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    anchor.addCrl('Crl', pki.crlPem);
    new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    expect(() => app.synth()).not.toThrow();
  });

  test('a missing CRL fails synth; an acknowledgement with a reason accepts it', () => {
    const { app, stack } = appWithChecks();
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    expect(synthError(app)).toContain('[AG-AWS-006] Trust anchor');

    const again = appWithChecks();
    const anchor2 = new AgentTrustAnchor(again.stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    new AttestedRole(again.stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor2] });
    RuleAcknowledgements.of(anchor2).add('AG-AWS-006', 'CRL imported out of band by the PKI team (runbook PKI-7)');
    expect(() => again.app.synth()).not.toThrow();
  });

  test('a critical violation cannot be acknowledged: synth still fails and says why', () => {
    const { app, stack } = appWithChecks();
    const role = openRole(stack);
    RuleAcknowledgements.of(role).add('AG-AWS-001', 'we trust every trust anchor of this account');
    const message = synthError(app);
    expect(message).toContain('Acknowledgement at Brownfield/OpenRole rejected: AG-AWS-001 is critical: its violations cannot be acknowledged, only fixed');
  });

  test('an aws-cdk-lib acknowledgement with a short reason is rejected', () => {
    const { app, stack } = appWithChecks();
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    Validations.of(anchor).acknowledge({ id: 'attestgate::AG-AWS-006', reason: 'later' });
    expect(synthError(app)).toContain('its reason "later" is shorter than 10 characters');
  });

  test('an aws-cdk-lib acknowledgement with a reason is honoured', () => {
    const { app, stack } = appWithChecks();
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    Validations.of(anchor).acknowledge({ id: 'attestgate::AG-AWS-006', reason: 'CRL imported out of band by the PKI team' });
    expect(() => app.synth()).not.toThrow();
  });

  test('an unjudgeable value fails synth until vouched for, even for a critical rule', () => {
    const { app, stack } = appWithChecks();
    const anchorArn = new CfnParameter(stack, 'AnchorArn');
    const role = openRole(stack, {
      ArnEquals: { 'aws:SourceArn': anchorArn.valueAsString },
      StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'deployer' },
    });
    expect(synthError(app)).toContain('[AG-AWS-001] cannot be judged: Role OpenRole: statement 0 pins aws:SourceArn to ${parameter AnchorArn}');

    const again = appWithChecks();
    const param = new CfnParameter(again.stack, 'AnchorArn');
    const role2 = openRole(again.stack, { ArnEquals: { 'aws:SourceArn': param.valueAsString }, StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'deployer' } });
    RuleAcknowledgements.of(role2).add('AG-AWS-001', 'the pipeline passes the canonical ARN of the agents anchor');
    expect(() => again.app.synth()).not.toThrow();
    expect(role).toBeDefined();
  });

  test('RuleAcknowledgements rejects unknown rules and short reasons at once', () => {
    const { stack } = appWithChecks();
    expect(() => RuleAcknowledgements.of(stack).add('AG-AWS-999', 'a long enough reason')).toThrow(/ruleId "AG-AWS-999" is not a rule attestgate has/);
    expect(() => RuleAcknowledgements.of(stack).add('AG-AWS-004', 'nope')).toThrow(/reason "nope" is shorter than 10 characters/);
  });

  test('a warning rule (AG-AWS-010, a quota that can be raised) is reported without failing synth', () => {
    const { app, stack } = appWithChecks();
    for (let i = 0; i < 251; i++) new CfnProfile(stack, `Profile${i}`, { name: `p${i}`, roleArns: ['arn:aws:iam::111122223333:role/r'], acceptRoleSessionName: false });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('AttestationChecks over an app of several stacks (anchor in a base stack, roles in IdentityStacks)', () => {
  const env = { account: '111122223333', region: 'eu-west-1' };
  const NAMES = ['deployer', 'reader', 'builder', 'auditor', 'releaser', 'scanner'];

  /** The layout docs/aws.md recommends: 1 base stack, 2 identity stacks, 6 identities. */
  function splitApp(context: Record<string, string> = {}) {
    const app = new App({ context });
    Validations.of(app).addPlugins(new AttestationChecks());
    const base = new Stack(app, 'AgentsBase', { env });
    const anchor = new AgentTrustAnchor(base, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    anchor.addCrl('Crl', pki.crlPem);
    const stacks = new IdentityStacks(app, 'Agents', { stackCount: 2, stackProps: { env } });
    const identities = NAMES.map((name) => deployerIdentity({ name, spiffeId: `spiffe://prod.example/agent/${name}`, subject: { CN: name, O: 'attestgate examples' } }));
    for (const identity of identities) new AttestedRole(stacks.stackFor(identity), identity.name, { identity, trustAnchors: [anchor] });
    return { app, base, anchor, stacks, identities };
  }

  test('six roles pinned to the base stack’s anchor through Fn::ImportValue synthesize clean', () => {
    const { app, stacks, identities } = splitApp();
    const assembly = app.synth();
    // Both identity stacks hold roles, and they pin the anchor through an import, not a literal.
    expect(new Set(identities.map((i) => stacks.stackFor(i).stackName)).size).toBe(2);
    const agents = assembly.stacks.filter((s) => s.stackName.startsWith('Agents') && s.stackName !== 'AgentsBase');
    expect(agents.map((s) => JSON.stringify(s.template)).every((t) => t.includes('"Fn::ImportValue":"AgentsBase:ExportsOutputFnGetAttAnchor'))).toBe(true);
  });

  test('with weak cross-stack references (Fn::GetStackOutput instead of an export) they synthesize clean too', () => {
    const { app } = splitApp({ '@aws-cdk/core:defaultCrossStackReferences': 'weak' });
    const assembly = app.synth();
    expect(assembly.stacks.some((s) => JSON.stringify(s.template).includes('"Fn::GetStackOutput"'))).toBe(true);
  });

  test('a lax role in an identity stack — pinned to the imported anchor, but to no certificate subject — is refused', () => {
    const { app, anchor, stacks, identities } = splitApp();
    new iam.CfnRole(stacks.stackFor(identities[0]), 'LaxRole', {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'rolesanywhere.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
            Condition: { ArnEquals: { 'aws:SourceArn': anchor.trustAnchorArn } },
          },
        ],
      },
    });
    const message = synthError(app);
    expect(message).toContain('[AG-AWS-002] Role LaxRole accepts any certificate of its trust anchors');
    // The anchor pin itself is judged, and holds: only the missing subject is reported.
    expect(message).not.toContain('AG-AWS-001');
  });

  test('a role pinned through an import to something of the base stack that is not a trust anchor is refused', () => {
    const { app, base, stacks, identities } = splitApp();
    const decoy = new CfnProfile(base, 'Decoy', { name: 'decoy', roleArns: [], acceptRoleSessionName: false });
    new iam.CfnRole(stacks.stackFor(identities[0]), 'MisPinned', {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'rolesanywhere.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
            Condition: { ArnEquals: { 'aws:SourceArn': decoy.attrProfileArn }, StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'deployer' } },
          },
        ],
      },
    });
    expect(synthError(app)).toMatch(/\[AG-AWS-001\] Role MisPinned lets rolesanywhere\.amazonaws\.com assume it without pinning aws:SourceArn to a trust anchor \(statement 0: \$\{AgentsBase\/Decoy\.ProfileArn \(through Fn::ImportValue AgentsBase:ExportsOutput/);
  });

  test('the base stack’s anchor is judged where it is: without its CRL, synth fails on the anchor', () => {
    const app = new App();
    Validations.of(app).addPlugins(new AttestationChecks());
    const base = new Stack(app, 'AgentsBase', { env });
    const anchor = new AgentTrustAnchor(base, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    const stacks = new IdentityStacks(app, 'Agents', { stackCount: 2, stackProps: { env } });
    const identity = deployerIdentity();
    new AttestedRole(stacks.stackFor(identity), identity.name, { identity, trustAnchors: [anchor] });
    const message = synthError(app);
    expect(message).toContain('[AG-AWS-006] Trust anchor');
    expect(message).toContain('has no CRL');
    expect(message).not.toContain('AG-AWS-001');
  });
});

describe('nested stacks: the Aspect, the plugin and `attestgate rules` agree', () => {
  const env = { account: '111122223333', region: 'eu-west-1' };
  const SPIFFE_ID = 'spiffe://prod.example/agent/deployer';

  /** A raw role; `pin` is what aws:SourceArn is pinned to (none: nothing), `subject` whether the certificate's CN and SAN are. */
  function role(scope: Construct, pin: string | undefined, subject = true) {
    return new iam.CfnRole(scope, 'Role', {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'rolesanywhere.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
            Condition: {
              ...(pin ? { ArnEquals: { 'aws:SourceArn': pin } } : {}),
              ...(subject ? { StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'deployer', 'aws:PrincipalTag/x509SAN/URI': SPIFFE_ID } } : {}),
            },
          },
        ],
      },
    });
  }
  const anchor = (scope: Construct) => new CfnTrustAnchor(scope, 'Anchor', { name: 'agents', enabled: true, source: { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: pki.ca.pem } } });
  const profile = (scope: Construct, roleArn: string, id = 'Profile') => new CfnProfile(scope, id, { name: id.toLowerCase(), roleArns: [roleArn], durationSeconds: 3600, acceptRoleSessionName: false });

  type Build = (parent: Stack) => void;
  const layouts: Record<string, Build> = {
    'the anchor in a nested stack, the role pinned to it in the parent': (parent) => {
      const a = anchor(new NestedStack(parent, 'Pki'));
      profile(parent, role(parent, a.attrTrustAnchorArn).attrArn);
    },
    'the role (and its profile) in a nested stack, pinned to the parent\'s anchor': (parent) => {
      const a = anchor(parent);
      const roles = new NestedStack(parent, 'Roles');
      profile(roles, role(roles, a.attrTrustAnchorArn).attrArn);
    },
    'the role in one nested stack, the anchor in another, the profile in the parent': (parent) => {
      const a = anchor(new NestedStack(parent, 'Pki'));
      profile(parent, role(new NestedStack(parent, 'Roles'), a.attrTrustAnchorArn).attrArn);
    },
  };
  const lax: Record<string, Build> = {
    'the role pinned to a profile of the nested stack, not its anchor': (parent) => {
      const pkiStack = new NestedStack(parent, 'Pki');
      anchor(pkiStack);
      const decoy = profile(pkiStack, 'arn:aws:iam::111122223333:role/other', 'Decoy');
      profile(parent, role(parent, decoy.attrProfileArn).attrArn);
    },
    'the role in a nested stack, pinned to no anchor': (parent) => {
      anchor(parent);
      const roles = new NestedStack(parent, 'Roles');
      profile(roles, role(roles, undefined).attrArn);
    },
    'the role in a nested stack, pinned to the parent\'s anchor but to no certificate subject': (parent) => {
      const a = anchor(parent);
      const roles = new NestedStack(parent, 'Roles');
      profile(roles, role(roles, a.attrTrustAnchorArn, false).attrArn);
    },
  };

  /** The open findings on the resources named Role, as `<rule> <outcome>`, by each entry point. */
  function findingsOfThree(build: Build): { aspect: string[]; plugin: string[]; rules: string[] } {
    // The Aspect, on an app of its own (it annotates the tree).
    const withAspect = new App();
    Aspects.of(withAspect).add(new AttestationAspect(), { priority: AttestationAspect.PRIORITY });
    build(new Stack(withAspect, 'Parent', { env }));
    const aspect = withAspect
      .synth()
      .stacksRecursively.flatMap((s) => s.messages)
      .filter((m) => m.level === 'error' && m.id.endsWith('/Role'))
      .map((m) => `${/^\[(AG-AWS-\d+)\]/.exec(String(m.entry.data))![1]} ${String(m.entry.data).includes('] cannot be judged:') ? 'unjudgeable' : 'violation'}`);

    // The plugin, as CDK calls it once the assembly is written; the CLI over the same cdk.out.
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-nested-'));
    const app = new App({ outdir });
    const parent = new Stack(app, 'Parent', { env });
    build(parent);
    const assembly = app.synth();
    const stackTemplates = assembly.stacks.map((s) => ({ stackConstructPath: s.hierarchicalId, templatePath: s.templateFullPath, accountId: env.account, region: env.region }));
    const report = new AttestationChecks().validate({ templatePaths: stackTemplates.map((t) => t.templatePath), stackTemplates, appConstruct: app, accountId: env.account, region: env.region } as unknown as IPolicyValidationContext);
    const plugin = report.violations.filter((v) => v.violatingResources[0].resourceLogicalId === 'Role').map((v) => `${v.ruleName} ${(v.ruleMetadata as { outcome: string }).outcome}`);
    const rules = judgeApp(loadAppSources([outdir]))
      .inputs.flatMap((i) => i.verdicts)
      .filter((v) => isOpen(v) && v.finding.resource === 'Role')
      .map((v) => `${v.rule.id} ${v.finding.outcome}`);
    return { aspect: aspect.sort(), plugin: plugin.sort(), rules: rules.sort() };
  }

  test.each(Object.entries(layouts))('%s: pinned to its anchor in all three (no AG-AWS-001), and the same findings in all three', (_layout, build) => {
    const { aspect, plugin, rules } = findingsOfThree(build);
    expect(plugin).toEqual(aspect);
    expect(rules).toEqual(aspect);
    expect(aspect.filter((f) => f.startsWith('AG-AWS-001') || f.startsWith('AG-AWS-002'))).toEqual([]);
  });

  test.each(Object.entries(lax))('%s: open in all three', (layout, build) => {
    const { aspect, plugin, rules } = findingsOfThree(build);
    expect(plugin).toEqual(aspect);
    expect(rules).toEqual(aspect);
    expect(aspect).toContain(layout.includes('no certificate subject') ? 'AG-AWS-002 violation' : 'AG-AWS-001 violation');
  });
});
