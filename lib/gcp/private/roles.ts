import { Token } from 'cdktf';
import { AgentIdentity } from '../../core/agent-identity';
import { AttestGateError } from '../../core/errors';
import { isHighPrivilegeRole } from '../../model/gcp/google-workload-identity';

const ROLE = /^(roles\/[A-Za-z0-9_.]+|(projects|organizations)\/[^/]+\/roles\/[A-Za-z0-9_.]+)$/;

/**
 * Checks a role granted to a gate: it is a role name, and an identity not declared high
 * privilege is not given a high-privilege role — the declared tier decides the gate's defaults
 * and limits, so it must not understate what the identity can do.
 */
export function checkedRole(identity: AgentIdentity, role: string, where: string): string {
  if (Token.isUnresolved(role)) return role;
  if (typeof role !== 'string' || !ROLE.test(role)) {
    throw new AttestGateError({ where, field: 'role', value: role, problem: 'is not a role name', fix: 'use roles/<service>.<role>, or projects/<p>/roles/<custom role>' });
  }
  if (!identity.isHighPrivilege && isHighPrivilegeRole(role)) {
    throw new AttestGateError({
      where,
      field: 'role',
      value: role,
      problem: `is a high-privilege role, but identity ${identity.name} is declared ${identity.privilege}`,
      fix: 'declare the identity PrivilegeTier.HIGH (its gate then gets the strictest limits), or grant a narrower role',
    });
  }
  return role;
}
