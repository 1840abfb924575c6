import { AwsGate, describeCondition } from '../discovery/aws-gates';
import { AzureGate } from '../discovery/azure-gates';
import { GcpGate } from '../discovery/gcp-gates';
import { renderTable } from './text-table';

/** A gate of any cloud. */
export type Gate = AwsGate | GcpGate | AzureGate;

/**
 * What each gate accepts, one table per cloud and one row per gate: what credential it trusts,
 * what it requires of it, and the privilege behind it.
 */
export function renderGateTable(gates: readonly Gate[]): string {
  if (gates.length === 0) return 'No attestation gates found.';
  const sections: string[] = [];
  const aws = gates.filter((g): g is AwsGate => g.cloud === 'aws');
  const gcp = gates.filter((g): g is GcpGate => g.cloud === 'gcp');
  const azure = gates.filter((g): g is AzureGate => g.cloud === 'azure');
  if (aws.length > 0) sections.push(`AWS — IAM Roles Anywhere\n${renderAwsTable(aws)}`);
  if (gcp.length > 0) sections.push(`GCP — workload identity federation\n${renderGcpTable(gcp)}`);
  if (azure.length > 0) sections.push(`Azure — federated identity credentials\n${renderAzureTable(azure)}`);
  return sections.join('\n\n');
}

/** The trust anchors (and their CAs), the certificate attributes required, the longest session. */
function renderAwsTable(gates: readonly AwsGate[]): string {
  const rows = gates.map((gate) => {
    const anchors = gate.anchorsPinned === false
      ? ['ANY trust anchor of the account (aws:SourceArn not pinned)']
      : gate.trustAnchors.map((a) => {
          const cas = a.caCertificates.map((c) => `  CA ${c.subjectText}`);
          const crl = a.crls.some((c) => c.enabled === true) ? 'CRL enabled' : 'no enabled CRL';
          return [`${a.name ?? a.ref}${a.inTemplate ? ` (${crl})` : ''}`, ...cas].join('\n');
        });
    const attributes = gate.attributeConditions.length > 0 ? gate.attributeConditions.map(describeCondition) : ['NONE: any certificate of the anchor'];
    const session = 'seconds' in gate.maxSession ? `${gate.maxSession.seconds} s` : `unknown (${gate.maxSession.unknown})`;
    const others = gate.otherPrincipals.length > 0 ? `\nALSO: ${gate.otherPrincipals.join(', ')}` : '';
    return [gate.id, gate.privilege, anchors.join('\n'), attributes.join('\n') + others, session];
  });
  return renderTable(['Gate', 'Privilege', 'Trust anchor', 'Required certificate attributes', 'Max session'], rows);
}

/** Long CEL conditions are cut into lines at `&&` so the table stays readable. */
function conditionLines(condition: string): string[] {
  return condition.split(/ && /).map((part, i, all) => (i < all.length - 1 ? `${part} &&` : part));
}

/** The provider and its issuer, the subject, audience and condition required, the principals bound and their roles. */
function renderGcpTable(gates: readonly GcpGate[]): string {
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
  return renderTable(['Gate', 'Privilege', 'Provider / issuer', 'Required subject / audience / condition', 'Bound principal', 'Roles'], rows);
}

/** The exact issuer, subject and audience of each credential, and the identity's roles. */
function renderAzureTable(gates: readonly AzureGate[]): string {
  const rows = gates.map((gate) => [
    gate.id,
    gate.privilege,
    gate.credentials.map((c) => c.issuer).join('\n'),
    gate.credentials.map((c) => `${c.subject} (aud ${c.audiences.join(', ')})`).join('\n'),
    gate.roles.length > 0 ? gate.roles.map((r) => `${r.role} on ${r.scope}`).join('\n') : 'none',
  ]);
  return renderTable(['Gate', 'Privilege', 'Issuer (exact)', 'Required subject (aud)', 'Roles'], rows);
}
