import { TerraformMetaArguments, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

/**
 * `msgraph_resource` of the microsoft/msgraph provider: a Graph object created by POST to a
 * collection `url`, read, patched and deleted at `url/{id}`. Typed over its request body; the
 * bodies attestgate sends are the Agent ID ones below.
 */

/** The Graph API version. Agent ID is in v1.0 (2026); Conditional Access for agents is beta only. */
export type GraphApiVersion = 'v1.0' | 'beta';

export interface MsgraphResourceConfig<Body extends object> extends TerraformMetaArguments {
  /** The collection URL, without host or version, e.g. `applications/microsoft.graph.agentIdentityBlueprint`. */
  readonly url: string;
  readonly body: Body;
  /** @default 'v1.0' */
  readonly apiVersion?: GraphApiVersion;
  /**
   * Error messages that are retried: objects created in quick succession may not have replicated
   * yet when the next request names them.
   *
   * @default - only the provider's transient HTTP errors are retried
   */
  readonly retry?: { readonly errorMessageRegex: readonly string[] };
  /** Response values exported to `output.<name>`, as JMESPath queries: `{ app_id: 'appId' }`. @default - none */
  readonly responseExportValues?: Readonly<Record<string, string>>;
}

/** A reference to a user or group in Graph's `@odata.bind` form. */
export type DirectoryObjectBind = string;

/** POST /applications/microsoft.graph.agentIdentityBlueprint */
export interface AgentIdentityBlueprintBody {
  readonly displayName: string;
  readonly 'sponsors@odata.bind': readonly DirectoryObjectBind[];
  readonly 'owners@odata.bind'?: readonly DirectoryObjectBind[];
}

/** POST /servicePrincipals/microsoft.graph.agentIdentityBlueprintPrincipal */
export interface AgentIdentityBlueprintPrincipalBody {
  readonly appId: string;
}

/** POST /applications/{blueprint id}/microsoft.graph.agentIdentityBlueprint/federatedIdentityCredentials */
export interface FederatedIdentityCredentialBody {
  readonly name: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
  readonly description?: string;
}

/**
 * POST /servicePrincipals/microsoft.graph.agentIdentity. The v1.0 docs' prose names the blueprint
 * `agentIdentityBlueprintAppId`, their request and response examples `agentIdentityBlueprintId`
 * (unresolved in the docs); the examples' name is sent, and the model reads both.
 */
export interface AgentIdentityBody {
  readonly displayName: string;
  readonly agentIdentityBlueprintId: string;
  readonly 'sponsors@odata.bind': readonly DirectoryObjectBind[];
  readonly 'owners@odata.bind'?: readonly DirectoryObjectBind[];
}

/**
 * POST /identity/conditionalAccess/policies (Graph **beta**: the agent fields exist only there), as
 * attestgate writes it for one agent identity. Checked against the beta reference of
 * conditionalAccessPolicy, conditionalAccessConditionSet (`agentIdRiskLevels`) and
 * conditionalAccessClientApplications (`includeAgentIdServicePrincipals`):
 * https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies?view=graph-rest-beta
 */
export interface ConditionalAccessPolicyBody {
  readonly displayName: string;
  /** `enabled` or `enabledForReportingButNotEnforced` (report-only). */
  readonly state: string;
  readonly conditions: {
    /** Required by the condition set; `all` leaves the client type out of the decision. */
    readonly clientAppTypes: readonly string[];
    /** `None`: no user is the subject; the agent identity is (clientApplications). */
    readonly users: { readonly includeUsers: readonly string[] };
    readonly applications: { readonly includeApplications: readonly string[]; readonly excludeApplications?: readonly string[] };
    readonly clientApplications: { readonly includeAgentIdServicePrincipals: readonly string[] };
    /** A flags enum: `"high"`, `"medium,high"`. */
    readonly agentIdRiskLevels?: string;
  };
  /** `block`: the only control for an agent identity. */
  readonly grantControls: { readonly operator: 'OR'; readonly builtInControls: readonly string[] };
}

export class MsgraphResource<Body extends object = Record<string, unknown>> extends TerraformResource {
  public static readonly tfResourceType = 'msgraph_resource';

  constructor(
    scope: Construct,
    id: string,
    private readonly config: MsgraphResourceConfig<Body>,
  ) {
    super(scope, id, {
      terraformResourceType: MsgraphResource.tfResourceType,
      terraformGeneratorMetadata: { providerName: 'msgraph' },
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      forEach: config.forEach,
    });
  }

  /** The object ID Graph assigned. @attribute */
  public get id(): string {
    return this.getStringAttribute('id');
  }

  /** A value of `responseExportValues`, e.g. `output('app_id')`. */
  public output(name: string): string {
    return this.getStringAttribute(`output.${name}`);
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    const { url, body, apiVersion, retry, responseExportValues } = this.config;
    return {
      url,
      body,
      api_version: apiVersion ?? 'v1.0',
      ...(retry ? { retry: { error_message_regex: [...retry.errorMessageRegex] } } : {}),
      ...(responseExportValues ? { response_export_values: { ...responseExportValues } } : {}),
    };
  }
}
