/**
 * The deployer agent of examples/aws — same SPIFFE ID, same certificate subject — gated on GCP:
 * a workload identity pool provider that accepts JWT-SVIDs from the SPIRE OIDC discovery
 * provider at https://oidc.prod.example, whose condition pins the deployer's SPIFFE ID and the
 * audience "gcp", and a service account only that one principal can impersonate.
 *
 * The issuer is not reachable from Google, so its public JWKS is uploaded inline
 * (spire-jwks.json: an RSA key generated for this example, whose private key was never written
 * down). Re-upload it whenever SPIRE rotates its JWT signing keys. To probe the gate with tokens
 * you can sign (the conformance suite's positive control), point ATTESTGATE_GCP_JWKS at another
 * JWKS file — one whose private key is in your --pki directory.
 *
 * The deployer is high privilege, so the stack's FederationMonitor watches it: Data Access audit
 * logs for STS and IAM, alerts on refused exchanges and impersonation, on its service account's
 * credentials issued to anyone but the gate's principal, and on changes to its pool — notified to
 * the Pub/Sub topic attestgate-signals-attestgate-gcp-example (subscribe to it).
 *
 * The tool server of examples/step-up runs on Cloud Run; its StepUpMonitor counts the guard's
 * decisions in Cloud Logging and opens an incident when the deployer leaves 3 step-up challenges
 * on destroy-stack unanswered in 5 minutes — its routine token used by someone who cannot
 * re-attest — notified to the same topic.
 *
 *   npx tsx examples/gcp/main.ts     # writes cdktf.out/stacks/attestgate-gcp-example/cdk.tf.json
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { deployerIdentity } from '../deployer-identity';
import { AttestedServiceAccount, AttestedWorkloadIdentityProvider, StepUpMonitor, TerraformAttestationAspect, WorkloadIdentitySource } from '../../lib/gcp';
import { keepOtherAppsStacks } from './shared-outdir';

export const GCP_EXAMPLE_STACK = 'attestgate-gcp-example';
export const GCP_EXAMPLE_PROJECT = 'attestgate-example';

/** The JWKS file to upload: `jwksFile`, else $ATTESTGATE_GCP_JWKS, else the committed spire-jwks.json. */
export function exampleJwksFile(jwksFile?: string): string {
  return jwksFile ?? process.env.ATTESTGATE_GCP_JWKS ?? path.join(__dirname, 'spire-jwks.json');
}

export class GcpGateStack extends TerraformStack {
  public readonly gate: AttestedWorkloadIdentityProvider;
  public readonly deployer: AttestedServiceAccount;
  public readonly stepUp: StepUpMonitor;

  constructor(scope: Construct, id: string, props: { readonly jwksFile?: string } = {}) {
    super(scope, id);
    // Relative, so the synthesized JSON is the same on every machine (cdktf's default is absolute).
    new LocalBackend(this, { path: `terraform.${id}.tfstate` });
    new GoogleProvider(this, 'google', { project: GCP_EXAMPLE_PROJECT });

    this.gate = new AttestedWorkloadIdentityProvider(this, 'DeployerGate', {
      identity: deployerIdentity(),
      source: WorkloadIdentitySource.oidc({
        issuerUri: 'https://oidc.prod.example',
        allowedAudiences: ['gcp'],
        jwks: fs.readFileSync(exampleJwksFile(props.jwksFile), 'utf8'),
      }),
      poolId: 'attested-agents',
      project: GCP_EXAMPLE_PROJECT,
    });

    this.deployer = new AttestedServiceAccount(this, 'Deployer', {
      provider: this.gate,
      project: GCP_EXAMPLE_PROJECT,
      projectRoles: ['roles/editor'],
    });

    this.stepUp = new StepUpMonitor(this, 'ToolServerStepUp', {
      resourceType: 'cloud_run_revision',
      operations: ['destroy-stack'],
      identities: [deployerIdentity()],
      project: GCP_EXAMPLE_PROJECT,
    });
  }
}

/** Builds the example app; `npm run synth` and the tests both call it. */
export function buildGcpExample(app: App = new App({ outdir: 'cdktf.out', stackTraces: false }), options: { readonly jwksFile?: string } = {}): { app: App; stack: GcpGateStack } {
  const stack = new GcpGateStack(app, GCP_EXAMPLE_STACK, options);
  // The rules fail synth on any open finding, in attestgate's resources and in any other.
  TerraformAttestationAspect.applyTo(app);
  return { app, stack };
}

if (require.main === module) {
  buildGcpExample(keepOtherAppsStacks(new App({ outdir: 'cdktf.out', stackTraces: false }))).app.synth();
}
