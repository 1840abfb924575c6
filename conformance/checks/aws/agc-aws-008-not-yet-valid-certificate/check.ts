import { Check } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate, plannedDenial, probeDenied } from '../../../aws/probe-context';
import { MUTATION } from '../../../aws/probe-certificates';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-008',
    cloud: 'aws',
    title: 'A certificate that is not yet valid is refused',
    statement: 'Verify that the gate refuses a certificate from its trusted CA whose validity period has not begun.',
    threat: 'Certificates pre-minted on a compromised CA host could be used before their time.',
    remediation: 'Nothing to configure in the gate; a failure means the endpoint does not check validity.',
    severity: 'high',
    tags: ['cloud:aws', 'kind:negative', 'threat:not-yet-valid-certificate', 'requires:ca-key'],
  },
  run: (gate, context) =>
    probeDenied(gate, context, 'a certificate that is not yet valid', { status: 403, code: 'AccessDeniedException', message: /Untrusted signing certificate/ }, async (certificates) =>
      context.createSession(gate, await certificates.notYetValid()),
    ),
  plan: (gate, context) => plannedDenial(gate, context, MUTATION.notYetValid, 'a certificate that is not yet valid'),
};
