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
 * The tool server of examples/step-up runs on Container Apps, whose console logs reach the same
 * workspace; its StepUpMonitor alerts the same Owners when the deployer leaves 3 step-up
 * challenges on destroy-stack unanswered in 5 minutes.
 *
 *   npx tsx examples/azure/main.ts   # writes cdktf.out/stacks/attestgate-azure-example/cdk.tf.json
 */
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AttestedManagedIdentity, StepUpMonitor, TerraformAttestationAspect } from '../../lib/azure';
import { deployerIdentity } from '../deployer-identity';
import { keepOtherAppsStacks } from '../gcp/shared-outdir';

export const AZURE_EXAMPLE_STACK = 'attestgate-azure-example';

export class AzureGateStack extends TerraformStack {
  public readonly deployer: AttestedManagedIdentity;
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
