import { Check } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate, plannedDenial, probeDenied } from '../../../aws/probe-context';
import { MUTATION } from '../../../aws/probe-certificates';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-009',
    cloud: 'aws',
    title: 'A CA certificate presented as the end entity is refused',
    statement: 'Verify that the gate refuses an end-entity certificate that has basicConstraints CA:TRUE.',
    threat: 'A stolen CA certificate and key used directly as an identity lets its holder act as any workload under it.',
    remediation: 'Nothing to configure in the gate; issue agent certificates with CA:FALSE.',
    severity: 'high',
    tags: ['cloud:aws', 'kind:negative', 'threat:ca-certificate-as-leaf', 'requires:ca-key'],
  },
  run: (gate, context) =>
    probeDenied(gate, context, 'a certificate with basicConstraints CA:TRUE', { status: 403, code: 'AccessDeniedException', message: /Untrusted certificate\. Insufficient certificate/ }, async (certificates) =>
      context.createSession(gate, await certificates.caAsLeaf()),
    ),
  plan: (gate, context) => plannedDenial(gate, context, MUTATION.caAsLeaf, 'a certificate with basicConstraints CA:TRUE'),
};
