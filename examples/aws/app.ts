/**
 * Two agent identities behind one trust anchor: a high-privilege deployer and a read-only reader.
 * The anchor's CRL is kept fresh from the CA's distribution point every hour (CrlImportSchedule),
 * and the deployer — high privilege — is watched by the stack's IssuanceMonitor: unattested
 * AssumeRole, changes to its gate, failed CreateSession calls. Alarms go to one encrypted topic.
 * The tool server of examples/step-up writes its decisions to the ToolServer log group; the
 * StepUpMonitor alarms when the deployer leaves 3 step-up challenges on destroy-stack unanswered
 * in 5 minutes (its routine token used by someone who cannot re-attest).
 *
 * The CA bundle and CRL come from configuration — context `attestgate:caBundle` / `attestgate:crl`
 * or the environment `ATTESTGATE_CA_BUNDLE` / `ATTESTGATE_CRL` (file paths) — and default to the
 * committed example CA, whose private key was discarded after it signed the example CRL.
 *
 *   npx cdk synth                       # uses cdk.json
 *   ATTESTGATE_CA_BUNDLE=ca.pem npx cdk synth
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AgentIdentity, PrivilegeTier } from '../../lib/core';
import { EXAMPLE_ISSUING_CA, deployerIdentity } from '../deployer-identity';
import { AgentTrustAnchor, AttestationChecks, AttestedRole, CrlImportSchedule, CrlSource, StepUpMonitor, TrustAnchorSource } from '../../lib/aws';

/** The subject of the CA that issues agent certificates (also used by the test PKI). */
export { EXAMPLE_ISSUING_CA };

export interface AgentGatesStackProps extends StackProps {
  /** PEM text of the CA bundle. */
  readonly caBundlePem: string;
  /** PEM text of the CA's CRL, imported at deployment. */
  readonly crlPem: string;
  /**
   * Where the CA publishes its CRL.
   *
   * @default 'https://pki.prod.example/agents-ca.crl'
   */
  readonly crlDistributionPoint?: string;
}

export class AgentGatesStack extends Stack {
  public readonly deployer: AttestedRole;
  public readonly reader: AttestedRole;
  public readonly stepUp: StepUpMonitor;

  constructor(scope: Construct, id: string, props: AgentGatesStackProps) {
    super(scope, id, props);

    const anchor = new AgentTrustAnchor(this, 'AgentsAnchor', {
      source: TrustAnchorSource.fromCertificateBundle(props.caBundlePem),
    });
    new CrlImportSchedule(this, 'AgentsCrl', {
      trustAnchor: anchor,
      initialCrlPem: props.crlPem,
      source: CrlSource.fromHttpsUrl(props.crlDistributionPoint ?? 'https://pki.prod.example/agents-ca.crl'),
    });

    this.deployer = new AttestedRole(this, 'Deployer', {
      identity: deployerIdentity(),
      trustAnchors: [anchor],
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')],
    });

    this.reader = new AttestedRole(this, 'Reader', {
      identity: new AgentIdentity({
        name: 'reader',
        spiffeId: 'spiffe://prod.example/agent/reader',
        subject: { CN: 'reader', O: 'attestgate examples' },
        issuingCa: EXAMPLE_ISSUING_CA,
        privilege: PrivilegeTier.READ_ONLY,
        maxCredentialLifetime: Duration.hours(4),
      }),
      trustAnchors: [anchor],
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
    });

    const toolServerLogs = new logs.LogGroup(this, 'ToolServerLogs', { retention: logs.RetentionDays.ONE_YEAR });
    this.stepUp = new StepUpMonitor(this, 'ToolServerStepUp', { logGroup: toolServerLogs, operations: ['destroy-stack'], identities: [deployerIdentity()] });
  }
}

/** Reads a configured file: context key, then environment variable, then the committed default. */
function configuredFile(app: App, contextKey: string, envVar: string, fallback: string): string {
  const configured = (app.node.tryGetContext(contextKey) as string | undefined) ?? process.env[envVar];
  return fs.readFileSync(configured ?? path.join(__dirname, 'pki', fallback), 'utf8');
}

/** Builds the example app; `npx cdk synth` and the tests both call it. */
export function buildExampleApp(app: App = new App()): { app: App; stack: AgentGatesStack } {
  Validations.of(app).addPlugins(new AttestationChecks());
  const stack = new AgentGatesStack(app, 'AttestgateAwsExample', {
    caBundlePem: configuredFile(app, 'attestgate:caBundle', 'ATTESTGATE_CA_BUNDLE', 'example-ca.pem'),
    crlPem: configuredFile(app, 'attestgate:crl', 'ATTESTGATE_CRL', 'example-ca.crl.pem'),
  });
  return { app, stack };
}

if (require.main === module) {
  buildExampleApp().app.synth();
}
