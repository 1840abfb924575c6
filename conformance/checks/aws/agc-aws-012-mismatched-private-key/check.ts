import { Check } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate, plannedDenial, probeDenied } from '../../../aws/probe-context';
import { MUTATION } from '../../../aws/probe-certificates';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-012',
    cloud: 'aws',
    title: 'A request signed with a key that does not match the certificate is refused',
    statement: 'Verify that the gate refuses a request whose signature was made with a private key other than the certificate\'s.',
    threat: 'A copied certificate (public) without its private key must be worthless: the key, ideally hardware-bound, is the second factor.',
    remediation: 'Nothing to configure in the gate; a failure means the endpoint does not verify the request signature.',
    severity: 'critical',
    tags: ['cloud:aws', 'kind:negative', 'threat:mismatched-private-key', 'requires:ca-key'],
  },
  run: (gate, context) =>
    probeDenied(gate, context, 'the right certificate signed with another key', { status: 403, code: 'AccessDeniedException', message: /Invalid signature/ }, async (certificates) =>
      context.createSession(gate, await certificates.mismatchedKey()),
    ),
  plan: (gate, context) => plannedDenial(gate, context, MUTATION.mismatchedKey, 'the right certificate signed with another key'),
};
