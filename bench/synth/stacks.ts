import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnCRL, CfnProfile, CfnTrustAnchor } from 'aws-cdk-lib/aws-rolesanywhere';
import { AgentTrustAnchor, AttestationChecks, AttestedRole, SignalMonitoring, TrustAnchorSource } from '../../lib/aws';
import { AgentIdentity, PrivilegeTier } from '../../lib/core';

const ISSUER = { CN: 'attestgate Example Agents CA', O: 'attestgate examples' };

/**
 * `attestgate` is the gate alone, to compare with the same resources in raw L1; the two others
 * add what the defaults add on top: the IssuanceMonitor's detection signals (rules, alarms, a
 * topic: resources the raw variant does not have) and the rules plugin.
 */
export type Variant = 'raw-l1' | 'attestgate' | 'attestgate+monitoring' | 'attestgate+checks';

/** The example's CA and CRL, so both variants carry the same data. */
interface Pki {
  readonly caPem: string;
  readonly crlPem: string;
}

/** The example scaled to `n` identities behind one trust anchor, written with attestgate. */
function attestgateGates(stack: Stack, n: number, { caPem, crlPem }: Pki, monitored: boolean): void {
  const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(caPem) });
  anchor.addCrl('Crl', crlPem);
  for (let i = 0; i < n; i++) {
    new AttestedRole(stack, `Agent${i}`, {
      identity: new AgentIdentity({
        name: `agent-${i}`,
        spiffeId: `spiffe://prod.example/agent/agent-${i}`,
        subject: { CN: `agent-${i}`, O: 'attestgate examples' },
        issuingCa: ISSUER,
        privilege: PrivilegeTier.HIGH,
        maxCredentialLifetime: Duration.hours(1),
      }),
      trustAnchors: [anchor],
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')],
      ...(monitored ? {} : { issuanceMonitoring: SignalMonitoring.disabled('the benchmark compares the gate alone with raw L1') }),
    });
  }
}

/** The same resources and trust policies, written by hand with L1 constructs. */
function rawGates(stack: Stack, n: number, { caPem, crlPem }: Pki): void {
  const anchor = new CfnTrustAnchor(stack, 'Anchor', {
    name: 'agents',
    enabled: true,
    source: { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: caPem } },
    notificationSettings: ['CA_CERTIFICATE_EXPIRY', 'END_ENTITY_CERTIFICATE_EXPIRY'].map((event) => ({ enabled: true, event, threshold: 45, channel: 'ALL' })),
  });
  new CfnCRL(stack, 'Crl', { name: 'agents-crl', crlData: crlPem, trustAnchorArn: anchor.attrTrustAnchorArn, enabled: true });
  for (let i = 0; i < n; i++) {
    const role = new iam.CfnRole(stack, `Agent${i}`, {
      maxSessionDuration: 3600,
      managedPolicyArns: [`arn:${Stack.of(stack).partition}:iam::aws:policy/PowerUserAccess`],
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'rolesanywhere.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
            Condition: {
              ArnEquals: { 'aws:SourceArn': anchor.attrTrustAnchorArn },
              StringEquals: {
                'aws:PrincipalTag/x509Subject/CN': `agent-${i}`,
                'aws:PrincipalTag/x509Subject/O': 'attestgate examples',
                'aws:PrincipalTag/x509SAN/URI': `spiffe://prod.example/agent/agent-${i}`,
                'aws:PrincipalTag/x509Issuer/CN': ISSUER.CN,
                'aws:PrincipalTag/x509Issuer/O': ISSUER.O,
              },
            },
          },
        ],
      },
    });
    new CfnProfile(stack, `Agent${i}Profile`, {
      name: `agent-${i}`,
      enabled: true,
      roleArns: [role.attrArn],
      durationSeconds: 3600,
      acceptRoleSessionName: false,
      attributeMappings: [
        { certificateField: 'x509Subject', mappingRules: [{ specifier: 'CN' }, { specifier: 'O' }] },
        { certificateField: 'x509Issuer', mappingRules: [{ specifier: 'CN' }, { specifier: 'O' }] },
        { certificateField: 'x509SAN', mappingRules: [{ specifier: 'URI' }] },
      ],
    });
  }
}

/** Builds and synthesizes one app; returns the number of resources written. */
export function synthesize(variant: Variant, n: number, outdir: string, repoRoot: string): number {
  const dir = path.join(repoRoot, 'examples/aws/pki');
  const pki = { caPem: fs.readFileSync(path.join(dir, 'example-ca.pem'), 'utf8'), crlPem: fs.readFileSync(path.join(dir, 'example-ca.crl.pem'), 'utf8') };
  const app = new App({ outdir });
  if (variant === 'attestgate+checks') Validations.of(app).addPlugins(new AttestationChecks());
  const stack = new Stack(app, 'Bench');
  if (variant === 'raw-l1') rawGates(stack, n, pki);
  else attestgateGates(stack, n, pki, variant !== 'attestgate');
  const assembly = app.synth();
  return Object.keys(assembly.getStackByName('Bench').template.Resources).length;
}
