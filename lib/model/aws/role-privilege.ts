import { GATE_MANIFEST_METADATA_KEY } from '../../core/gate-manifest';
import { parsePolicyDocument } from './iam-policy';
import { Value, describeValue, isSymbol, isSymbolicString } from './intrinsics';
import { TemplateModel, TemplateResource } from './template';

/** AWS managed policies that amount to administrator access (directly or by self-escalation). */
export const ADMINISTRATOR_LIKE_POLICIES = ['AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess'] as const;

/** Actions whose grant amounts to administrator access: everything, or all of IAM (self-escalation). */
const ADMINISTRATOR_LIKE_ACTIONS = new Set(['*', '*:*', 'iam:*']);

/** Why a role counts as high privilege; empty when it does not. */
export function highPrivilegeReasons(model: TemplateModel, role: TemplateResource): string[] {
  const reasons: string[] = [];
  const manifest = role.metadata[GATE_MANIFEST_METADATA_KEY] as { identity?: { privilege?: string } } | undefined;
  if (manifest?.identity?.privilege === 'high') reasons.push('its gate manifest declares a high-privilege identity');

  const managed = Array.isArray(role.properties.ManagedPolicyArns) ? role.properties.ManagedPolicyArns : [];
  for (const arn of managed) {
    const text = typeof arn === 'string' ? arn : isSymbolicString(arn) ? arn.toString() : undefined;
    const name = text !== undefined ? ADMINISTRATOR_LIKE_POLICIES.find((p) => text.endsWith(`:iam::aws:policy/${p}`)) : undefined;
    if (name) reasons.push(`it has the AWS managed policy ${name}`);
  }

  const documents: Array<{ where: string; document: Value | undefined }> = [];
  const inline = Array.isArray(role.properties.Policies) ? role.properties.Policies : [];
  for (const p of inline) {
    if (p && typeof p === 'object' && !Array.isArray(p) && !isSymbol(p) && !isSymbolicString(p)) {
      documents.push({ where: `inline policy ${describeValue(p.PolicyName ?? '?')}`, document: p.PolicyDocument });
    }
  }
  const refersToRole = (list: Value | undefined): boolean =>
    Array.isArray(list) && list.some((r) => isSymbol(r) && r.symbolic === 'ref' && r.logicalId === role.logicalId && r.attribute === undefined);
  for (const policy of [...model.resourcesOfType('AWS::IAM::Policy'), ...model.resourcesOfType('AWS::IAM::ManagedPolicy')]) {
    const attachedHere = managed.some((m) => isSymbol(m) && m.symbolic === 'ref' && m.logicalId === policy.logicalId);
    if (refersToRole(policy.properties.Roles) || attachedHere) {
      documents.push({ where: `${policy.type} ${policy.logicalId}`, document: policy.properties.PolicyDocument });
    }
  }
  for (const { where, document } of documents) {
    const parsed = parsePolicyDocument(document);
    if (!parsed.readable) continue;
    for (const s of parsed.statements) {
      if (s.effect !== 'Allow' || s.actions === undefined) continue;
      const broad = s.actions.find((a) => typeof a === 'string' && ADMINISTRATOR_LIKE_ACTIONS.has(a.toLowerCase()));
      if (broad !== undefined) reasons.push(`${where} allows ${describeValue(broad)}`);
    }
  }
  return reasons;
}

/**
 * What the role may be granted beyond what highPrivilegeReasons counts, not known before apply: a
 * managed policy ARN or an inline policy document that is an unknown (a variable, an attachment
 * whose role is a variable or a module's output). Empty when every grant is known.
 */
export function unresolvedPrivilege(role: TemplateResource): string[] {
  const unknown = (v: unknown): v is { symbolic: 'unknown'; reason: string } | { symbolic: 'parameter'; name: string } => isSymbol(v as Value) && ['unknown', 'parameter'].includes((v as { symbolic: string }).symbolic);
  const managed = Array.isArray(role.properties.ManagedPolicyArns) ? role.properties.ManagedPolicyArns : [];
  const inline = Array.isArray(role.properties.Policies) ? role.properties.Policies : [];
  return [
    ...managed.filter(unknown).map((m) => `a managed policy ${describeValue(m)}`),
    ...inline.flatMap((p) => (p && typeof p === 'object' && !Array.isArray(p) && !isSymbol(p) && !isSymbolicString(p) && unknown(p.PolicyDocument) ? [`an inline policy ${describeValue(p.PolicyDocument)}`] : [])),
  ];
}
