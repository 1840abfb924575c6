// A user's CDK for Terraform app: the deployer agent's GCP and Azure gates, declared once and
// judged by the synth-time rules. Only the package's public entry points are imported.
import * as fs from 'node:fs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { AgentIdentity, PrivilegeTier } from 'attestgate';
import { AttestedManagedIdentity } from 'attestgate/azure';
import { AttestedServiceAccount, AttestedWorkloadIdentityProvider, TerraformAttestationAspect, WorkloadIdentitySource } from 'attestgate/gcp';

const jwksFile = process.env.CONSUMER_JWKS;
if (!jwksFile) throw new Error('CONSUMER_JWKS is not set: the consumer test passes the OIDC issuer\'s JWKS');

const deployer = new AgentIdentity({
  name: 'deployer',
  spiffeId: 'spiffe://consumer.example/agent/deployer',
  subject: { CN: 'deployer', O: 'attestgate consumer' },
  privilege: PrivilegeTier.HIGH,
  maxCredentialLifetime: { toSeconds: () => 3600 },
});

// CONSUMER_OUTDIR: the consumer tests synthesize once per Node version, side by side.
const app = new App({ outdir: process.env.CONSUMER_OUTDIR ?? 'cdktf.out', stackTraces: false });

const gcp = new TerraformStack(app, 'consumer-gcp');
new LocalBackend(gcp, { path: 'terraform.consumer-gcp.tfstate' });
new GoogleProvider(gcp, 'google', { project: 'attestgate-consumer' });
const gate = new AttestedWorkloadIdentityProvider(gcp, 'DeployerGate', {
  identity: deployer,
  source: WorkloadIdentitySource.oidc({ issuerUri: 'https://oidc.consumer.example', allowedAudiences: ['gcp'], jwks: fs.readFileSync(jwksFile, 'utf8') }),
  poolId: 'attested-agents',
  project: 'attestgate-consumer',
});
const serviceAccount = new AttestedServiceAccount(gcp, 'Deployer', { provider: gate, project: 'attestgate-consumer', projectRoles: ['roles/editor'] });

if (process.env.CONSUMER_OPEN_GATE === '1') {
  // A binding written by hand that lets every identity of the pool impersonate the deployer:
  // the synth-time rules must refuse it.
  new ServiceAccountIamMember(gcp, 'WholePool', {
    serviceAccountId: serviceAccount.serviceAccount.name,
    role: 'roles/iam.workloadIdentityUser',
    member: `principalSet://iam.googleapis.com/${gate.pool.name}/*`,
  });
}

const azure = new TerraformStack(app, 'consumer-azure');
new LocalBackend(azure, { path: 'terraform.consumer-azure.tfstate' });
new AzurermProvider(azure, 'azurerm', { features: [{}] });
const agents = new ResourceGroup(azure, 'Agents', { name: 'consumer-agents', location: 'westeurope' });
new AttestedManagedIdentity(azure, 'Deployer', {
  identity: deployer,
  issuer: 'https://oidc.consumer.example',
  resourceGroupName: agents.name,
  location: agents.location,
  roleAssignments: [{ scope: agents.id, role: 'Contributor' }],
});

TerraformAttestationAspect.applyTo(app);
app.synth();
