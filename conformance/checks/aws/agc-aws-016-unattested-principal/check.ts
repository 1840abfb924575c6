import { Check, inconclusive, skipped } from '../../../engine/check';
import { judgeDenial } from '../../../aws/http-outcome';
import { AwsProbeContext, ResolvedAwsGate } from '../../../aws/probe-context';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-016',
    cloud: 'aws',
    title: 'An IAM principal of the account without a certificate cannot assume the role',
    statement: 'Verify that sts:AssumeRole on the gated role by an IAM principal of the same account, holding no certificate, is denied.',
    threat: 'A second, unattested path to the role: stealing that principal\'s access key bypasses the certificate entirely.',
    remediation: 'Trust only rolesanywhere.amazonaws.com in the role\'s trust policy; give other principals their own roles.',
    severity: 'critical',
    tags: ['cloud:aws', 'kind:negative', 'threat:unattested-principal', 'requires:unattested-principal'],
  },
  async run(gate, context) {
    // Why the role is missing (a trust policy importing an export nothing defines…) is the finding to fix.
    if (!gate.roleArn) return inconclusive(`the gate has no role on this target${gate.problems.length > 0 ? `: ${gate.problems.join('; ')}` : ''}`);
    const outcome = await context.assumeRoleUnattested(gate.roleArn);
    if ('unavailable' in outcome) return skipped(`no unattested principal to probe with: ${outcome.unavailable}`);
    return judgeDenial(outcome, { status: 403, code: 'AccessDenied', message: /not authorized to perform: sts:AssumeRole/ }, 'sts:AssumeRole by an unattested principal of the account');
  },
  plan: (gate, context) => (gate.roleArn ? [context.plannedAssumeRole(gate.roleArn)] : []),
};
