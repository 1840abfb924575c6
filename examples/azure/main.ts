/**
 * The deployer agent of examples/aws — same SPIFFE ID — gated on Azure: a user-assigned managed
 * identity that Entra hands out only for a JWT-SVID of the deployer, from the SPIRE OIDC discovery
 * providers of two regions (two federated credentials, written one after the other), with
 * Contributor on the agents' resource group.
 *
 * Entra accepts only RSA-signed tokens: the SPIRE servers behind these issuers must use
 * jwt_key_type = "rsa-2048" (SPIRE's default, ec-p256, fails with AADSTS5002738). The issuers must
 * be reachable from Entra over https (otherwise AADSTS90061).
 *
 * The deployer is high privilege, so the stack's SignInMonitor watches it: the tenant's Entra
 * diagnostic setting sends managed identity sign-ins to a Log Analytics workspace (applying it
 * needs Security Administrator in Entra and a P1/P2 licence), and the subscription's Owners are
 * told of its refused sign-ins, tokens issued without its federated credential, and changes to its
 * credentials and to role assignments on the agents' resource group.
 *
 * The same deployer is also an Entra agent identity (Entra Agent ID): a blueprint of its own whose
 * two federated credentials trust the same SPIFFE ID from the same two issuers, the agent identity
 * created from it, with the deployer's human sponsor (a placeholder object ID), and Contributor on
 * the agents' resource group. The same SignInMonitor alerts when its blueprint signs in with any
 * credential but those two federated credentials. Its tokens take two legs: the JWT-SVID gets the blueprint a token for
 * api://AzureADTokenExchange naming the agent (fmi_path), which gets the agent its token. Written
 * through the microsoft/msgraph provider, authenticated with client credentials (docs/entra-agent-id.md).
 *
 * A second agent, the reviewer, reads what the deployer changed: an agent identity of its own with a
 * blueprint of its own (sharing the deployer's would let the reviewer's workload obtain the
 * deployer's tokens), trusting the reviewer's SPIFFE ID, with Reader on the same resource group.
 * Two blueprints in one tenant is also what lets the conformance suite show that one blueprint's
 * attested workload cannot reach the other's agent (AGC-AZ-014).
 *
 * The tool server of examples/step-up runs on Container Apps, whose console logs reach the same
 * workspace; its StepUpMonitor alerts the same Owners when the deployer leaves 3 step-up
 * challenges on destroy-stack unanswered in 5 minutes.
 *
 *   npx tsx examples/azure/main.ts   # writes cdktf.out/stacks/attestgate-azure-example/cdk.tf.json
 */
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AgentIdentity } from '../../lib/core/agent-identity';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { AgentIdAttestation, AttestedAgentIdentity, AttestedManagedIdentity, MsgraphProvider, StepUpMonitor, TerraformAttestationAspect } from '../../lib/azure';
import { EXAMPLE_ISSUING_CA, deployerIdentity } from '../deployer-identity';
import { keepOtherAppsStacks } from '../gcp/shared-outdir';

export const AZURE_EXAMPLE_STACK = 'attestgate-azure-example';
/** The deployer agent's sponsor: the object ID of the human accountable for it (a placeholder). */
export const DEPLOYER_SPONSOR = '1f0c5e2a-7b64-4d0e-9a51-3c2d8e9f4a10';

/** The reviewer agent: reads the agents' resource group after a deployment; read-only, so not watched as high privilege. */
export function reviewerIdentity(): AgentIdentity {
  return new AgentIdentity({
    name: 'reviewer',
    spiffeId: 'spiffe://prod.example/agent/reviewer',
    subject: { CN: 'reviewer', O: 'attestgate examples' },
    issuingCa: EXAMPLE_ISSUING_CA,
    privilege: PrivilegeTier.READ_ONLY,
    maxCredentialLifetime: { toSeconds: () => 3600 },
  });
}

export class AzureGateStack extends TerraformStack {
  public readonly deployer: AttestedManagedIdentity;
  public readonly deployerAgent: AttestedAgentIdentity;
  public readonly reviewerAgent: AttestedAgentIdentity;
  public readonly stepUp: StepUpMonitor;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Relative, so the synthesized JSON is the same on every machine (cdktf's default is absolute).
    new LocalBackend(this, { path: `terraform.${id}.tfstate` });
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    const agents = new ResourceGroup(this, 'Agents', { name: 'attestgate-agents', location: 'westeurope' });

    this.deployer = new AttestedManagedIdentity(this, 'Deployer', {
      identity: deployerIdentity(),
      issuer: 'https://oidc.prod.example',
      resourceGroupName: agents.name,
      location: agents.location,
      roleAssignments: [{ scope: agents.id, role: 'Contributor' }],
    });
    // The same agent attested by the second region's SPIRE server.
    this.deployer.addFederatedCredential({ issuer: 'https://oidc.eu.prod.example' });

    new MsgraphProvider(this, 'msgraph', { useOidc: true });
    this.deployerAgent = new AttestedAgentIdentity(this, 'DeployerAgent', {
      identity: deployerIdentity(),
      attestation: AgentIdAttestation.spire('https://oidc.prod.example'),
      sponsors: { users: [DEPLOYER_SPONSOR] },
    });
    this.deployerAgent.addFederatedCredential(AgentIdAttestation.spire('https://oidc.eu.prod.example'));
    new RoleAssignment(this, 'DeployerAgentContributor', {
      scope: agents.id,
      roleDefinitionName: 'Contributor',
      principalId: this.deployerAgent.principalId,
      // A principal created a moment before may not have replicated to Azure RBAC yet.
      principalType: 'ServicePrincipal',
    });
    // The deployer agent is high privilege: the stack's SignInMonitor (the managed identity's)
    // also alerts when its blueprint gets a token by any credential but these two.
    this.deployer.monitor!.addAgentIdentity(this.deployerAgent);

    // The reviewer: its own blueprint, its own SPIFFE ID, read-only.
    this.reviewerAgent = new AttestedAgentIdentity(this, 'ReviewerAgent', {
      identity: reviewerIdentity(),
      attestation: AgentIdAttestation.spire('https://oidc.prod.example'),
      sponsors: { users: [DEPLOYER_SPONSOR] },
    });
    new RoleAssignment(this, 'ReviewerAgentReader', {
      scope: agents.id,
      roleDefinitionName: 'Reader',
      principalId: this.reviewerAgent.principalId,
      principalType: 'ServicePrincipal',
    });

    this.stepUp = new StepUpMonitor(this, 'ToolServerStepUp', {
      resourceGroupName: agents.name,
      location: agents.location,
      table: 'ContainerAppConsoleLogs_CL',
      column: 'Log_s',
      operations: ['destroy-stack'],
      identities: [deployerIdentity()],
    });
  }
}

/** Builds the example app; `npm run synth` and the tests both call it. */
export function buildAzureExample(app: App = new App({ outdir: 'cdktf.out', stackTraces: false })): { app: App; stack: AzureGateStack } {
  const stack = new AzureGateStack(app, AZURE_EXAMPLE_STACK);
  // The rules fail synth on any open finding, in attestgate's resources and in any other.
  TerraformAttestationAspect.applyTo(app);
  return { app, stack };
}

if (require.main === module) {
  buildAzureExample(keepOtherAppsStacks(new App({ outdir: 'cdktf.out', stackTraces: false }))).app.synth();
}
