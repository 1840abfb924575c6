import { Check } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate, plannedDenial, probeDenied } from '../../../aws/probe-context';
import { MUTATION } from '../../../aws/probe-certificates';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-007',
    cloud: 'aws',
    title: 'An expired certificate is refused',
    statement: 'Verify that the gate refuses a certificate from its trusted CA whose validity period has ended.',
    threat: 'Certificates leaked from backups or retired hosts stay usable forever if expiry is not enforced.',
    remediation: 'Nothing to configure in the gate; a failure means the endpoint does not check validity.',
    severity: 'critical',
    tags: ['cloud:aws', 'kind:negative', 'threat:expired-certificate', 'requires:ca-key'],
  },
  run: (gate, context) =>
    probeDenied(gate, context, 'an expired certificate', { status: 403, code: 'AccessDeniedException', message: /Untrusted signing certificate/ }, async (certificates) =>
      context.createSession(gate, await certificates.expired()),
    ),
  plan: (gate, context) => plannedDenial(gate, context, MUTATION.expired, 'an expired certificate'),
};
