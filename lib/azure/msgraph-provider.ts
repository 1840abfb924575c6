import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';

/**
 * The microsoft/msgraph Terraform provider, typed for what attestgate writes with it. No prebuilt
 * cdktf binding exists and `cdktf get` needs the Terraform registry, so this is a small one.
 *
 * Authentication: client credentials of a service principal (workload identity federation —
 * `useOidc`, `useAksWorkloadIdentity` — or a managed identity, `useMsi`) holding the Agent ID
 * application permissions (`AgentIdentityBlueprint.Create`, `AgentIdentityBlueprint.AddRemoveCreds.All`,
 * `AgentIdentityBlueprint.ReadWrite.All`, `AgentIdentityBlueprintPrincipal.Create`,
 * `AgentIdentity.CreateAsManager`). Never a caller holding `Directory.ReadWrite.All` or
 * `Directory.AccessAsUser.All`: Graph answers 403 on Agent ID writes to them. An Azure CLI user
 * token carries `Directory.AccessAsUser.All`, so the provider's default (`use_cli = true`) is
 * switched off here and not offered.
 */
export interface MsgraphProviderConfig {
  /** @default - ARM_TENANT_ID */
  readonly tenantId?: string;
  /** The client ID of the provisioning service principal. @default - ARM_CLIENT_ID */
  readonly clientId?: string;
  /** Federated token from the CI's OIDC provider (GitHub Actions, Azure Pipelines). @default false */
  readonly useOidc?: boolean;
  /** A file holding the federated token (with useOidc). @default - ARM_OIDC_TOKEN_FILE_PATH */
  readonly oidcTokenFilePath?: string;
  /** AKS workload identity (client, tenant and token file from the environment). @default false */
  readonly useAksWorkloadIdentity?: boolean;
  /** A managed identity. @default false */
  readonly useMsi?: boolean;
  /** @default 'https://graph.microsoft.com' */
  readonly msgraphEndpoint?: string;
  /** @default - the default provider configuration */
  readonly alias?: string;
}

/** The `msgraph` provider block. One per stack (or per alias). */
export class MsgraphProvider extends TerraformProvider {
  constructor(
    scope: Construct,
    id: string,
    private readonly config: MsgraphProviderConfig = {},
  ) {
    super(scope, id, { terraformResourceType: 'msgraph', terraformGeneratorMetadata: { providerName: 'msgraph' }, terraformProviderSource: 'microsoft/msgraph' });
    if (config.alias !== undefined) this.alias = config.alias;
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    const c = this.config;
    return {
      tenant_id: c.tenantId,
      client_id: c.clientId,
      use_oidc: c.useOidc,
      oidc_token_file_path: c.oidcTokenFilePath,
      use_aks_workload_identity: c.useAksWorkloadIdentity,
      use_msi: c.useMsi,
      // The CLI's user token carries Directory.AccessAsUser.All: Agent ID writes would fail with 403.
      use_cli: false,
      msgraph_endpoint: c.msgraphEndpoint,
      alias: this.alias,
    };
  }
}
