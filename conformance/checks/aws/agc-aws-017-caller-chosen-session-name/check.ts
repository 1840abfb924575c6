import { Check } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate, probeDenied } from '../../../aws/probe-context';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-017',
    cloud: 'aws',
    title: 'Callers cannot choose their session name',
    statement: 'Verify that a correctly attested request naming its own role session is refused.',
    threat: 'A caller-chosen session name breaks the link between CloudTrail events and the certificate serial that obtained them.',
    remediation: 'Set the profile\'s AcceptRoleSessionName to false (AttestedProfile does).',
    severity: 'medium',
    tags: ['cloud:aws', 'kind:negative', 'threat:caller-chosen-session-name', 'requires:ca-key'],
  },
  run: (gate, context) =>
    probeDenied(gate, context, 'a request naming its own role session', { status: 403, code: 'AccessDeniedException', message: /Not authorized to set roleSessionName/ }, async (certificates) =>
      context.createSession(gate, await certificates.control(), { roleSessionName: 'attestgate-chosen-name' }),
    ),
};
