import * as fs from 'node:fs';
import * as path from 'node:path';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { IamWorkloadIdentityPool } from '@cdktf/provider-google/lib/iam-workload-identity-pool';
import { IamWorkloadIdentityPoolProvider } from '@cdktf/provider-google/lib/iam-workload-identity-pool-provider';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { AttestedManagedIdentity } from '../../lib/azure';
import { AgentIdentity, PrivilegeTier, SignalMonitoring } from '../../lib/core';
import { AttestedServiceAccount, AttestedWorkloadIdentityProvider, TerraformAttestationAspect, WorkloadIdentitySource } from '../../lib/gcp';

export type Variant = 'raw-cdktf' | 'attestgate' | 'attestgate+aspect' | 'attestgate+monitoring';

// The raw variant writes the gates alone, so the compared attestgate variants leave out the
// detection signals high-privilege gates get by default; `attestgate+monitoring` shows their cost.
const WITHOUT_SIGNALS = SignalMonitoring.disabled('benchmark: compares the gate alone with raw cdktf');

const PROJECT = 'attestgate-example';
const ISSUER = 'https://oidc.prod.example';
const ISSUER_EU = 'https://oidc.eu.prod.example';
const AUDIENCE = 'api://AzureADTokenExchange';

const spiffeId = (i: number) => `spiffe://prod.example/agent/agent-${i}`;

// A high-privilege role that is not an impersonation role. roles/editor, as this bench had, holds
// actAs and serviceAccountKeys.create on every account of the project: with n agents that is
// n(n-1) real paths from one agent to another's account, which AG-GCP-003 refuses - so the Aspect's
// variant failed synth, and measured the cost of reporting a million findings, not of judging.
const AGENT_ROLE = 'roles/storage.admin';

function identity(i: number): AgentIdentity {
  return new AgentIdentity({
    name: `agent-${i}`,
    spiffeId: spiffeId(i),
    subject: { CN: `agent-${i}`, O: 'attestgate examples' },
    issuingCa: { CN: 'attestgate Example Agents CA', O: 'attestgate examples' },
    privilege: PrivilegeTier.HIGH,
    maxCredentialLifetime: { toSeconds: () => 3600 },
  });
}

/** The GCP and Azure examples scaled to `n` agents, written with attestgate. */
function attestgateGates(gcp: TerraformStack, azure: TerraformStack, n: number, jwks: string, monitoring: boolean): void {
  const signals = monitoring ? {} : { federationMonitoring: WITHOUT_SIGNALS };
  const pool = new IamWorkloadIdentityPool(gcp, 'Pool', { workloadIdentityPoolId: 'attested-agents' });
  const agents = new ResourceGroup(azure, 'Agents', { name: 'attestgate-agents', location: 'westeurope' });
  for (let i = 0; i < n; i++) {
    const gate = new AttestedWorkloadIdentityProvider(gcp, `Gate${i}`, {
      identity: identity(i),
      source: WorkloadIdentitySource.oidc({ issuerUri: ISSUER, allowedAudiences: ['gcp'], jwks }),
      pool,
      ...signals,
    });
    new AttestedServiceAccount(gcp, `Agent${i}`, { provider: gate, project: PROJECT, projectRoles: [AGENT_ROLE] });
    const managed = new AttestedManagedIdentity(azure, `Agent${i}`, {
      identity: identity(i),
      issuer: ISSUER,
      resourceGroupName: agents.name,
      location: agents.location,
      roleAssignments: [{ scope: agents.id, role: 'Contributor' }],
      ...(monitoring ? {} : { signInMonitoring: WITHOUT_SIGNALS }),
    });
    managed.addFederatedCredential({ issuer: ISSUER_EU });
  }
}

/** The same resources and attributes, written by hand with the deep-imported provider classes. */
function rawGates(gcp: TerraformStack, azure: TerraformStack, n: number, jwks: string): void {
  const pool = new IamWorkloadIdentityPool(gcp, 'Pool', { workloadIdentityPoolId: 'attested-agents' });
  const agents = new ResourceGroup(azure, 'Agents', { name: 'attestgate-agents', location: 'westeurope' });
  for (let i = 0; i < n; i++) {
    const provider = new IamWorkloadIdentityPoolProvider(gcp, `Gate${i}`, {
      workloadIdentityPoolId: pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: `agent-${i}`,
      displayName: `Attested agent-${i}`,
      description: `Attested agent ${spiffeId(i)} (high privilege)`,
      attributeMapping: { 'google.subject': 'assertion.sub' },
      attributeCondition: `assertion.sub == '${spiffeId(i)}' && (assertion.aud in ['gcp'] || assertion.aud.exists(a, a in ['gcp']))`,
      oidc: { issuerUri: ISSUER, allowedAudiences: ['gcp'], jwksJson: JSON.stringify(JSON.parse(jwks)) },
    });
    const sa = new ServiceAccount(gcp, `Agent${i}`, {
      accountId: `agent-${i}-agent`,
      project: PROJECT,
      displayName: `Attested agent agent-${i}`,
      description: `Impersonated only by ${spiffeId(i)} through its attestation gate (high privilege)`,
    });
    new ServiceAccountIamMember(gcp, `Agent${i}Impersonation`, {
      serviceAccountId: sa.name,
      role: 'roles/iam.workloadIdentityUser',
      member: `principal://iam.googleapis.com/${pool.name}/subject/${spiffeId(i)}`,
      dependsOn: [provider],
    });
    new ProjectIamMember(gcp, `Agent${i}Role`, { project: PROJECT, role: AGENT_ROLE, member: sa.member });

    const uami = new UserAssignedIdentity(azure, `Agent${i}`, {
      name: `agent-${i}-agent`,
      resourceGroupName: agents.name,
      location: agents.location,
      tags: { 'attestgate-agent': `agent-${i}`, 'attestgate-spiffe-id': spiffeId(i), 'attestgate-privilege': 'high' },
    });
    const first = new FederatedIdentityCredential(azure, `Agent${i}Fic1`, {
      name: `agent-${i}-1`,
      resourceGroupName: agents.name,
      parentId: uami.id,
      issuer: ISSUER,
      subject: spiffeId(i),
      audience: [AUDIENCE],
    });
    new FederatedIdentityCredential(azure, `Agent${i}Fic2`, {
      name: `agent-${i}-2`,
      resourceGroupName: agents.name,
      parentId: uami.id,
      issuer: ISSUER_EU,
      subject: spiffeId(i),
      audience: [AUDIENCE],
      dependsOn: [first],
    });
    new RoleAssignment(azure, `Agent${i}Contributor`, {
      scope: agents.id,
      principalId: uami.principalId,
      principalType: 'ServicePrincipal',
      skipServicePrincipalAadCheck: true,
      roleDefinitionName: 'Contributor',
    });
  }
}

/** Builds and synthesizes one app with a GCP and an Azure stack; returns the number of resources written. */
export function synthesize(variant: Variant, n: number, outdir: string, repoRoot: string): number {
  const jwks = fs.readFileSync(path.join(repoRoot, 'examples/gcp/spire-jwks.json'), 'utf8');
  const app = new App({ outdir, stackTraces: false });
  const gcp = new TerraformStack(app, 'gcp');
  const azure = new TerraformStack(app, 'azure');
  for (const stack of [gcp, azure]) new LocalBackend(stack, { path: `terraform.${stack.node.id}.tfstate` });
  new GoogleProvider(gcp, 'google', { project: PROJECT });
  new AzurermProvider(azure, 'azurerm', { features: [{}] });
  if (variant === 'raw-cdktf') rawGates(gcp, azure, n, jwks);
  else attestgateGates(gcp, azure, n, jwks, variant === 'attestgate+monitoring');
  if (variant === 'attestgate+aspect') TerraformAttestationAspect.applyTo(app);
  app.synth();
  return ['gcp', 'azure'].reduce((count, stack) => {
    const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, unknown>> };
    return count + Object.values(tf.resource).reduce((c, byName) => c + Object.keys(byName).length, 0);
  }, 0);
}
