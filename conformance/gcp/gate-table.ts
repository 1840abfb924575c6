import { GcpGate } from './discover-gates';
import { renderTable } from '../report/text-table';

/** Long CEL conditions are cut into lines at `&&` so the table stays readable. */
function conditionLines(condition: string): string[] {
  return condition.split(/ && /).map((part, i, all) => (i < all.length - 1 ? `${part} &&` : part));
}

/** The provider and its issuer, the subject, audience and condition required, the principals bound and their roles. */
export function renderGcpGateTable(gates: readonly GcpGate[], width = Infinity): string {
  const rows = gates.map((gate) => {
    const provider = `${gate.trusts}${gate.disabled ? '\n(disabled)' : ''}`;
    const judgement = gate.subjectConstraint;
    const required = [
      judgement.holds === true ? `subject: ${judgement.how}` : judgement.holds === false ? `SUBJECT NOT CONSTRAINED: ${judgement.why}` : `subject: cannot be judged (${judgement.why})`,
      ...(gate.audiences.length > 0 ? [`audience ∈ [${gate.audiences.join(', ')}]`] : []),
      ...(gate.attributeCondition !== undefined ? ['condition:', ...conditionLines(gate.attributeCondition).map((l) => `  ${l}`)] : ['condition: NONE']),
    ];
    const principals = gate.boundPrincipals.length === 0
      ? ['none bound']
      : gate.boundPrincipals.map((p) => {
          const { scope, value } = p.principal;
          return scope === 'whole-pool' ? `ALL OF THE POOL (${p.member})` : scope === 'subject' ? `principal subject/${value ?? '?'}` : `principalSet ${scope} ${value ?? '?'}`;
        });
    const roles = gate.boundPrincipals.flatMap((p) => [
      ...p.serviceAccounts.flatMap((sa) => [`as ${sa.accountId ?? sa.address} (${sa.via}):`, ...(sa.grants.length > 0 ? sa.grants.map((g) => `  ${g.role} on ${g.on}`) : ['  no roles'])]),
      ...p.grants.map((g) => `${g.role} on ${g.on}`),
    ]);
    return [gate.id, gate.privilege, provider, required.join('\n'), principals.join('\n'), roles.length > 0 ? roles.join('\n') : 'none'];
  });
  return renderTable(['Gate', 'Privilege', 'Provider / issuer', 'Required subject / audience / condition', 'Bound principal', 'Roles'], rows, width);
}
