import { TerraformModel } from '../../model/terraform/configuration';
import { describeValue } from '../../model/terraform/expressions';
import { IamGrant, iamGrants, isHighPrivilegeRole, readMember } from '../../model/gcp/google-workload-identity';
import { Rule, RuleFinding, Severity } from '../rule';

function describeTarget(grant: IamGrant): string {
  const { target } = grant;
  if (target.kind === 'resource') return `a ${target.type.replace(/_iam_(member|binding|policy)$/, '')}`;
  return `${target.kind} ${describeValue(target.value)}`;
}

/**
 * AG-GCP-002. `principalSet://…/workloadIdentityPools/POOL/*` is every identity any provider of
 * the pool accepts. Bound to `roles/iam.workloadIdentityUser` it lets all of them impersonate
 * the service account (LeanerCloud/CUDly#417; cloud-foundation-fabric#3389 "fixed" a 403 this way);
 * bound to a high-privilege role it hands them that role directly.
 */
export const noWholePoolBinding: Rule<TerraformModel> = {
  id: 'AG-GCP-002',
  cloud: 'gcp',
  severity: Severity.CRITICAL,
  title: 'No whole-pool principalSet://…/* is granted workloadIdentityUser or a high-privilege role',
  rationale:
    'The whole-pool principal set is every identity every provider of the pool accepts, today and after the next provider is added; granting it impersonation or a high-privilege role makes the attribute condition and the subject irrelevant.',
  fix: 'Grant the role to the one principal://iam.googleapis.com/<pool name>/subject/<subject> the gate admits (AttestedServiceAccount does), or to a narrow principalSet (attribute.<name>/<value>) whose mapping you control.',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const grant of iamGrants(model)) {
      const reading = readMember(grant.member);
      const role = typeof grant.role === 'string' ? grant.role : undefined;
      const relevantRole = role === undefined ? undefined : isHighPrivilegeRole(role);
      const where = `${grant.resource.address} (${describeTarget(grant)})`;
      if ('principal' in reading && reading.principal.scope === 'whole-pool') {
        if (relevantRole === false) continue;
        const pool = reading.principal.poolAddress ?? reading.principal.poolId ?? '?';
        findings.push({
          resource: grant.resource.address,
          outcome: relevantRole ? 'violation' : 'unjudgeable',
          message: relevantRole
            ? `${where} grants ${role} to every identity of workload identity pool ${pool} (${describeValue(grant.member)}).`
            : `${where} grants role ${describeValue(grant.role)}, known only at apply, to every identity of workload identity pool ${pool}.`,
          location: grant.location,
        });
      } else if ('unknown' in reading && relevantRole) {
        findings.push({
          resource: grant.resource.address,
          outcome: 'unjudgeable',
          message: `${where} grants ${role} to ${reading.unknown}, which is known only at apply and may be a whole pool.`,
          location: grant.location,
        });
      }
    }
    return findings;
  },
};

