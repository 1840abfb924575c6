import { trustPolicyOf } from '../../../../lib/model/aws/roles-anywhere';
import { describePath } from '../../../../lib/model/aws/issuance-paths';
import { judgeUnattestedPaths } from '../../../../lib/model/aws/unattested-caller';
import { Check, fail, inconclusive, pass } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate } from '../../../aws/probe-context';

/** What one unattested path came to. */
type PathFinding = { readonly path: string; readonly open: boolean | undefined; readonly why: string; readonly acknowledged?: string; readonly caller?: unknown };

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-019',
    cloud: 'aws',
    title: 'No principal besides Roles Anywhere obtains the role’s credentials',
    statement:
      'Verify that every other principal the role’s trust policy names — IAM users and roles, accounts, federated OIDC and SAML identities, services, `*` or NotPrincipal narrowed only by conditions — is refused the role’s credentials, or acknowledged by path with a reason.',
    threat: 'A second, unattested way to the same credentials: a CI role, a GitHub workflow or a whole organization gets them without the certificate, and stealing that principal’s credential is enough.',
    remediation:
      'Trust only rolesanywhere.amazonaws.com in the role’s trust policy and give the other principals their own roles; if a path is intended (break-glass), name it under the role’s Metadata "attestgate:acknowledged-paths" with a reason.',
    severity: 'critical',
    tags: ['cloud:aws', 'kind:negative', 'threat:unattested-issuance-path'],
  },
  async run(gate) {
    const paths = gate.gate.paths;
    const attested = paths.filter((p) => p.kind === 'roles-anywhere').length;
    const others = paths.filter((p) => p.kind !== 'roles-anywhere');
    const evidence = { paths: paths.map((p) => ({ id: p.id, path: describePath(p) })), ignoredAcknowledgements: gate.gate.ignoredAcknowledgements };
    if (others.length === 0) return pass(`only Roles Anywhere issues the role’s credentials (${attested} anchor × profile path${attested === 1 ? '' : 's'})`, evidence);
    const trust = trustPolicyOf(gate.gate.role);
    const statements = trust.readable ? trust.statements : [];
    // The role's ARN as deployed, or a stand-in of its account: the trust policy names the role only in Resource, rarely.
    const roleArn = gate.roleArn ?? `arn:aws:iam::111122223333:role/${gate.gate.role.logicalId}`;
    const arn = /^arn:([^:]+):iam::(\d{12}):/.exec(roleArn);
    const where = { account: arn?.[2] ?? '111122223333', partition: arn?.[1] ?? 'aws', region: gate.trustAnchorArns[0]?.split(':')[3] ?? 'us-east-1' };
    const findings: PathFinding[] = judgeUnattestedPaths(others, statements, roleArn, where).map((j) => ({
      path: j.path.id,
      open: j.open,
      why: j.why,
      ...(j.caller ? { caller: j.caller } : {}),
      ...(j.path.kind === 'principal' && j.path.acknowledged && j.open !== false ? { acknowledged: j.path.acknowledged } : {}),
    }));
    const open = findings.filter((f) => f.open === true && f.acknowledged === undefined);
    const unknown = findings.filter((f) => f.open === undefined && f.acknowledged === undefined);
    const acknowledged = findings.filter((f) => f.acknowledged !== undefined && f.open !== false);
    const full = { ...evidence, findings, judgedBy: 'the trust policy, with the IAM policy evaluator (the emulator’s); not probed' };
    // An acknowledgement that does not count is named, so a FAIL explains why it was not taken.
    const ignored = gate.gate.ignoredAcknowledgements.length > 0 ? ` (acknowledgements that do not count: ${gate.gate.ignoredAcknowledgements.join('; ')})` : '';
    if (open.length > 0) return fail(`${open.length} unattested path${open.length === 1 ? '' : 's'} to the role’s credentials: ${open.map((f) => f.why).join('; ')}${ignored}`, full);
    if (unknown.length > 0) return inconclusive(`cannot judge ${unknown.map((f) => f.why).join('; ')}`, full);
    if (acknowledged.length > 0) {
      const reasons = acknowledged.map((f) => `${f.path} (${f.acknowledged})`).join('; ');
      return { ...inconclusive(`unattested path${acknowledged.length === 1 ? '' : 's'} accepted on purpose: ${reasons}`, full), acknowledged: reasons };
    }
    return pass(`every other principal the trust policy names is refused: ${findings.map((f) => f.why).join('; ')}`, full);
  },
  // Judged from the trust policy with the IAM evaluator: it sends nothing.
  plan: () => [],
};
