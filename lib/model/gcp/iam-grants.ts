import { AppliedConfiguration } from '../terraform/apply';
import { Value, describeValue } from '../terraform/expressions';

/**
 * The IAM grants of applied Terraform JSON, concretely: who holds which role on a service account
 * or a project, under which condition. The emulator's IAM and live runs' gate resolution read the
 * same list.
 */

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Where an IAM grant applies: a service account (by email) or a project. */
export type ConcreteGrantTarget = { readonly kind: 'service-account'; readonly email: string } | { readonly kind: 'project'; readonly project: string };

export interface ConcreteGrant {
  readonly target: ConcreteGrantTarget;
  readonly role: string;
  readonly member: string;
  readonly condition?: string;
  /** `<stack>/<address>` */
  readonly origin: string;
}

/** The email in a `service_account_id`: `projects/{p}/serviceAccounts/{email}`, or the email itself. */
export function serviceAccountEmailOf(id: Value | undefined): string | undefined {
  if (typeof id !== 'string') return undefined;
  const match = /^(?:projects\/[^/]+\/serviceAccounts\/)?([^/@\s]+@[^/\s]+)$/.exec(id);
  return match?.[1];
}

function policyBindings(policyData: Value | undefined): Array<Record<string, unknown>> | undefined {
  if (typeof policyData !== 'string') return undefined;
  try {
    const parsed = JSON.parse(policyData) as { bindings?: unknown };
    return Array.isArray(parsed.bindings) ? parsed.bindings.filter(isObject) : [];
  } catch {
    return undefined;
  }
}

/**
 * Every grant of the service account and project IAM resources of applied configurations
 * (`_member`, `_binding`, `_policy`), with why a resource could not be read.
 */
/** The IAM resource types that grant roles on a service account or a project. */
export const IAM_GRANT_TYPE = /^google_(service_account|project)_iam_(member|binding|policy)$/;

export function concreteGrants(configurations: readonly AppliedConfiguration[]): { grants: ConcreteGrant[]; problems: Array<{ origin: string; problem: string }> } {
  const grants: ConcreteGrant[] = [];
  const problems: Array<{ origin: string; problem: string }> = [];
  for (const configuration of configurations) {
    const skipped = new Set(configuration.problems.map((p) => p.address));
    for (const resource of configuration.resources.values()) {
      const match = IAM_GRANT_TYPE.exec(resource.type);
      if (!match || skipped.has(resource.address)) continue;
      const origin = `${configuration.stackName}/${resource.address}`;
      const a = resource.attributes;
      let target: ConcreteGrantTarget;
      if (match[1] === 'service_account') {
        const email = serviceAccountEmailOf(a.service_account_id);
        if (!email) {
          problems.push({ origin, problem: `service_account_id ${JSON.stringify(a.service_account_id)} names no service account` });
          continue;
        }
        target = { kind: 'service-account', email };
      } else {
        target = { kind: 'project', project: String(a.project) };
      }
      const conditionOf = (c: unknown): string | undefined => {
        const b = Array.isArray(c) ? c[0] : c;
        return isObject(b) && typeof b.expression === 'string' ? b.expression : undefined;
      };
      const add = (role: unknown, member: unknown, condition: unknown) => {
        // A role or member not known (a plan's value known only after apply) may bind any principal
        // of any pool: it is reported, never dropped as if nothing were granted.
        if (typeof role !== 'string' || typeof member !== 'string') {
          const [field, value] = typeof role !== 'string' ? ['role', role] : ['member', member];
          problems.push({ origin, problem: `${field} is not known at apply time: ${describeValue(value as Value)}, so whom it grants ${typeof role === 'string' ? role : 'a role'} cannot be told` });
          return;
        }
        const expression = conditionOf(condition);
        grants.push({ target, role, member, ...(expression !== undefined ? { condition: expression } : {}), origin });
      };
      if (match[2] === 'member') add(a.role, a.member, a.condition);
      else if (match[2] === 'binding') {
        if (a.members !== undefined && a.members !== null && !Array.isArray(a.members)) problems.push({ origin, problem: `members is not known at apply time: ${describeValue(a.members)}, so whom it grants ${String(a.role)} cannot be told` });
        (Array.isArray(a.members) ? a.members : []).forEach((m) => add(a.role, m, a.condition));
      }
      else {
        const bindings = policyBindings(a.policy_data);
        if (!bindings) problems.push({ origin, problem: 'policy_data is not JSON with bindings' });
        for (const b of bindings ?? []) (Array.isArray(b.members) ? b.members : []).forEach((m) => add(b.role, m, b.condition));
      }
    }
  }
  return { grants, problems };
}
