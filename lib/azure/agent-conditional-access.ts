import { Annotations, Token } from 'cdktf';
import { Construct } from 'constructs';
import { MIN_REASON_LENGTH } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';
import {
  AGENT_RISK_LEVELS,
  ALL_RESOURCES,
  AgentRiskLevel,
  BLOCK_CONTROL,
  CONDITIONAL_ACCESS_POLICIES_URL,
  POLICY_STATE_ENFORCED,
  POLICY_STATE_REPORT_ONLY,
  agentRiskLevelsValue,
} from '../model/azure/conditional-access';
import { ConditionalAccessPolicyBody, MsgraphResource } from './msgraph-resource';

export { AGENT_RISK_LEVELS, WELL_KNOWN_RESOURCES } from '../model/azure/conditional-access';
export type { AgentRiskLevel } from '../model/azure/conditional-access';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * **Beta** (Conditional Access for agents is a preview, in Microsoft Graph beta only). What an
 * agent identity may do once it holds a token: Conditional Access blocks it outside the declared
 * conditions. For an agent identity Microsoft documents one condition (agent risk) and one control
 * (block), and the target resources; network, device and location conditions apply to agent
 * *users* only, so they are not offered here.
 *
 * Not the second factor: Conditional Access does not apply at leg 1 (the blueprint's exchange at
 * the AAD Token Exchange endpoint), where the attestation is checked. It narrows what a token
 * obtained at leg 2 may be for.
 */
export interface AgentConditionalAccessOptions {
  /**
   * The resources the agent may obtain tokens for, by the app ID of their service principal
   * (`WELL_KNOWN_RESOURCES.azureResourceManager`, your MCP server's app ID): every other resource is
   * blocked (a policy on all resources, these excluded).
   *
   * @default - no resource policy
   */
  readonly allowedResources?: readonly string[];
  /**
   * Agent risk levels (Entra ID Protection for agents, preview) at which every token of the agent
   * is blocked, e.g. `['medium', 'high']`.
   *
   * @default - no risk policy
   */
  readonly blockAtRisk?: readonly AgentRiskLevel[];
  /**
   * Write the policies report-only (`enabledForReportingButNotEnforced`: evaluated and logged,
   * nothing blocked), and why. Microsoft's guides start agent policies report-only to see their
   * effect first; attestgate enforces by default, since a report-only policy is no control.
   *
   * @default - enforced (`enabled`)
   */
  readonly reportOnlyReason?: string;
}

export interface AgentConditionalAccessProps extends AgentConditionalAccessOptions {
  /** The agent identity's object ID (`AttestedAgentIdentity.principalId`). */
  readonly agentObjectId: string;
  /** Names the policies: `<name>: block outside allowed resources`. */
  readonly agentName: string;
  /** Who declared the policies, for error messages. */
  readonly where: string;
}

/**
 * **Beta.** Conditional Access policies (Graph beta, `POST /identity/conditionalAccess/policies`)
 * that block one Entra agent identity outside the declared conditions, written through the
 * microsoft/msgraph provider's `msgraph_resource` with `api_version = "beta"`: one policy per
 * condition, since a policy's conditions must all hold for it to block (resources outside the
 * allowed ones; agent risk at the declared levels).
 *
 * Enforced by default. Microsoft's guides create agent policies report-only first; attestgate does
 * not, because a report-only policy blocks nothing and would read as a control. The policies only
 * block what the user declared the agent does not need — a lockout shows at once as a refused
 * leg-2 token (the error code for agents is not documented), and is fixed by declaring the resource — and opting into report-only is
 * `reportOnlyReason`, with a reason, as every weakening is.
 *
 * The provisioning principal needs `Policy.ReadWrite.ConditionalAccess` and `Policy.Read.All`, and
 * the tenant Entra ID P1 (an Agent 365 licence "will soon be required").
 *
 * Request body checked against
 * https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies?view=graph-rest-beta,
 * https://learn.microsoft.com/graph/api/resources/conditionalaccessclientapplications?view=graph-rest-beta,
 * https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset?view=graph-rest-beta and
 * https://learn.microsoft.com/entra/identity/conditional-access/howto-target-agent-identities.
 */
export class AgentConditionalAccess extends Construct {
  /** The policies, in the order written: allowed resources, then risk. */
  public readonly policies: Array<MsgraphResource<ConditionalAccessPolicyBody>> = [];

  constructor(scope: Construct, id: string, props: AgentConditionalAccessProps) {
    super(scope, id);
    const fail = (field: string, value: unknown, problem: string, fix: string): never => {
      throw new AttestGateError({ where: props.where, field: field === '' ? 'conditionalAccess' : `conditionalAccess.${field}`, value, problem, fix });
    };
    const { allowedResources, blockAtRisk, reportOnlyReason } = props;
    if (allowedResources === undefined && blockAtRisk === undefined) {
      fail('', {}, 'declares no condition: it would write no policy', 'set allowedResources (the app IDs the agent may get tokens for), blockAtRisk, or both — or leave conditionalAccess out');
    }
    if (allowedResources !== undefined) {
      if (allowedResources.length === 0) fail('allowedResources', allowedResources, 'is empty: the agent would be blocked from every resource', 'name the resources the agent needs, by the app ID of their service principal');
      const seen = new Set<string>();
      for (const resource of allowedResources) {
        if (Token.isUnresolved(resource)) continue;
        if (resource === ALL_RESOURCES) fail('allowedResources', resource, 'allows every resource: the policy would block nothing', 'name the resources the agent needs, or leave allowedResources out');
        if (!GUID.test(resource)) fail('allowedResources', resource, 'is not an app ID (a GUID)', 'give the app ID of the resource’s service principal (WELL_KNOWN_RESOURCES.azureResourceManager, say), not its name or URL');
        if (seen.has(resource.toLowerCase())) fail('allowedResources', resource, 'is named twice', 'remove the duplicate');
        seen.add(resource.toLowerCase());
      }
    }
    if (blockAtRisk !== undefined) {
      if (blockAtRisk.length === 0) fail('blockAtRisk', blockAtRisk, 'is empty: the risk policy would never apply', `name the agent risk levels to block at (${AGENT_RISK_LEVELS.join(', ')}), or leave blockAtRisk out`);
      for (const level of blockAtRisk) {
        if (!(AGENT_RISK_LEVELS as readonly string[]).includes(level)) {
          fail('blockAtRisk', level, `is not an agent risk level (Graph takes ${AGENT_RISK_LEVELS.join(', ')} for agents)`, 'use low, medium or high');
        }
      }
      if (new Set(blockAtRisk).size !== blockAtRisk.length) fail('blockAtRisk', blockAtRisk, 'names a level twice', 'remove the duplicate');
    }
    if (reportOnlyReason !== undefined && reportOnlyReason.trim().length < MIN_REASON_LENGTH) {
      fail('reportOnlyReason', reportOnlyReason, `is shorter than ${MIN_REASON_LENGTH} characters`, 'say why the policies must not block yet, and until when');
    }
    const state = reportOnlyReason === undefined ? POLICY_STATE_ENFORCED : POLICY_STATE_REPORT_ONLY;
    const policy = (policyId: string, title: string, conditions: Pick<ConditionalAccessPolicyBody['conditions'], 'applications' | 'agentIdRiskLevels'>) =>
      new MsgraphResource<ConditionalAccessPolicyBody>(this, policyId, {
        url: CONDITIONAL_ACCESS_POLICIES_URL,
        apiVersion: 'beta',
        body: {
          displayName: `${props.agentName}: ${title}`,
          state,
          conditions: {
            clientAppTypes: ['all'],
            users: { includeUsers: ['None'] },
            clientApplications: { includeAgentIdServicePrincipals: [props.agentObjectId] },
            ...conditions,
          },
          grantControls: { operator: 'OR', builtInControls: [BLOCK_CONTROL] },
        },
      });
    if (allowedResources !== undefined) {
      this.policies.push(policy('OutsideAllowedResources', 'block outside allowed resources', { applications: { includeApplications: [ALL_RESOURCES], excludeApplications: [...allowedResources] } }));
    }
    if (blockAtRisk !== undefined) {
      this.policies.push(policy('AtRisk', `block at ${agentRiskLevelsValue(blockAtRisk).replace(/,/g, '/')} agent risk`, { applications: { includeApplications: [ALL_RESOURCES] }, agentIdRiskLevels: agentRiskLevelsValue(blockAtRisk) }));
    }
    Annotations.of(this).addInfo('Conditional Access for agents is a preview in Microsoft Graph beta: the policy body may change; it is not the second factor (it does not apply at leg 1, where the attestation is checked).');
    if (reportOnlyReason !== undefined) Annotations.of(this).addWarning(`Conditional Access policies for ${props.agentName} are report-only (${reportOnlyReason.trim()}): they block nothing.`);
  }
}
