import { TerraformModel, TerraformResource } from '../terraform/configuration';
import { Value } from '../terraform/expressions';
import { MSGRAPH_RESOURCE_TYPE, MSGRAPH_UPDATE_RESOURCE_TYPE, bodyOf, literal, objectOf, segmentsOf } from './agent-id';

/**
 * What Conditional Access for Entra agent identities means (preview; Microsoft Graph **beta**
 * only, 2026), in one place: the policy collection, the fields that target agent identities, the
 * condition and the control that apply to them, and a reader of the policies a Terraform
 * configuration writes through the microsoft/msgraph provider.
 *
 * Sources (checked 2026-12):
 * - Graph beta, conditionalAccessClientApplications: `includeAgentIdServicePrincipals`,
 *   `excludeAgentIdServicePrincipals` ("Agent identity object IDs"), `agentIdServicePrincipalFilter`
 *   (custom security attributes) — https://learn.microsoft.com/graph/api/resources/conditionalaccessclientapplications?view=graph-rest-beta
 * - Graph beta, conditionalAccessConditionSet: `agentIdRiskLevels`, a multivalued (flags) enum of
 *   `low`, `medium`, `high`, `unknownFutureValue` — https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset?view=graph-rest-beta
 * - Entra, "Target agent identities in Conditional Access policies": for an agent identity "the
 *   only condition available is Agent risk (Preview)", and "Block access" is "the only available
 *   option" (no interactive remediation); network and device conditions are for agent *users*
 *   only — https://learn.microsoft.com/entra/identity/conditional-access/howto-target-agent-identities
 * - Entra, "Conditional Access for agent identities": policies do not apply when a blueprint or an
 *   agent identity exchanges a token at the `AAD Token Exchange Endpoint: Public` (leg 1 of the
 *   two-leg flow) — https://learn.microsoft.com/entra/identity/conditional-access/agent-id
 *
 * Pure: no cdktf.
 */

/** The collection a policy is created in: `POST /identity/conditionalAccess/policies` (beta). */
export const CONDITIONAL_ACCESS_POLICIES_URL = 'identity/conditionalAccess/policies';

/** Agent risk levels a policy may name (`unknownFutureValue` is Graph's sentinel, never written). */
export const AGENT_RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type AgentRiskLevel = (typeof AGENT_RISK_LEVELS)[number];

/** `state`: enforced, report-only (evaluated and logged, never blocks), off. */
export const POLICY_STATE_ENFORCED = 'enabled';
export const POLICY_STATE_REPORT_ONLY = 'enabledForReportingButNotEnforced';
export const POLICY_STATE_DISABLED = 'disabled';

/** The one grant control that applies to agent identities. */
export const BLOCK_CONTROL = 'block';

/** Every resource (`includeApplications`); excluding it would exclude everything. */
export const ALL_RESOURCES = 'All';

/**
 * Resources by the app ID of their service principal, for `allowedResources`. Well-known first-party
 * app IDs (the same in every tenant).
 */
export const WELL_KNOWN_RESOURCES = {
  azureResourceManager: '797f4846-ba00-4fd7-ba43-dac1f8f63013',
  microsoftGraph: '00000003-0000-0000-c000-000000000000',
} as const;

/**
 * The agent-risk value as Graph takes a multivalued (flags) enum in JSON: the members joined by
 * commas, `"medium,high"` (OData's flags notation; Graph's docs give no agent example of a
 * multi-level value — see docs/entra-agent-id.md).
 */
export function agentRiskLevelsValue(levels: readonly AgentRiskLevel[]): string {
  return AGENT_RISK_LEVELS.filter((l) => levels.includes(l)).join(',');
}

/** A Conditional Access policy a configuration creates or patches, as far as agents are concerned. */
export interface ConditionalAccessPolicyModel {
  readonly resource: TerraformResource;
  /** `msgraph_resource` creates the policy; `msgraph_update_resource` patches one made elsewhere (only what it writes is seen). */
  readonly patch: boolean;
  readonly state: Value | undefined;
  /** The body's `grantControls.builtInControls`, as written. */
  readonly builtInControls: Value | undefined;
  readonly agentIdRiskLevels: Value | undefined;
  readonly includeAgentIdServicePrincipals: Value | undefined;
  readonly excludeAgentIdServicePrincipals: Value | undefined;
  readonly agentIdServicePrincipalFilter: Value | undefined;
  /** Whether the body is known before apply. */
  readonly bodyKnown: boolean;
}

/** Whether a Graph URL is the policies collection (create) or one policy of it (patch). */
function policiesPath(value: Value | undefined): 'collection' | 'policy' | undefined {
  const segments = segmentsOf(value);
  if (!segments) return undefined;
  const path = segments.map((s) => literal(s));
  if (path[0] !== 'identity' || path[1] !== 'conditionalaccess' || path[2] !== 'policies') return undefined;
  return segments.length === 3 ? 'collection' : segments.length === 4 ? 'policy' : undefined;
}

/** Every Conditional Access policy a configuration writes through msgraph (created, or patched by ID). */
export function conditionalAccessPolicies(model: TerraformModel): ConditionalAccessPolicyModel[] {
  const found: ConditionalAccessPolicyModel[] = [];
  for (const resource of model.resources.filter((r) => r.mode === 'managed')) {
    const patch = resource.type === MSGRAPH_UPDATE_RESOURCE_TYPE;
    if (resource.type !== MSGRAPH_RESOURCE_TYPE && !patch) continue;
    const where = policiesPath(resource.attributes.url);
    if (where !== (patch ? 'policy' : 'collection')) continue;
    const body = bodyOf(resource);
    const conditions = objectOf(body?.conditions);
    const clients = objectOf(conditions?.clientApplications);
    found.push({
      resource,
      patch,
      state: body?.state,
      builtInControls: objectOf(body?.grantControls)?.builtInControls,
      agentIdRiskLevels: conditions?.agentIdRiskLevels,
      includeAgentIdServicePrincipals: clients?.includeAgentIdServicePrincipals,
      excludeAgentIdServicePrincipals: clients?.excludeAgentIdServicePrincipals,
      agentIdServicePrincipalFilter: clients?.agentIdServicePrincipalFilter,
      bodyKnown: body !== undefined,
    });
  }
  return found;
}

/** The risk levels a written `agentIdRiskLevels` names (`"medium,high"`, or a list as some tools write it), lowercase. */
export function riskLevelsOf(value: Value | undefined): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(',').map((l) => l.trim().toLowerCase()).filter((l) => l !== '');
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return (value as string[]).map((l) => l.trim().toLowerCase());
  return undefined;
}
