import { Check } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate, plannedDenial, probeDenied } from '../../../aws/probe-context';
import { MUTATION } from '../../../aws/probe-certificates';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-010',
    cloud: 'aws',
    title: 'A certificate without the digitalSignature key usage is refused',
    statement: 'Verify that the gate refuses an end-entity certificate whose keyUsage lacks digitalSignature.',
    threat: 'Certificates issued for other purposes (key agreement, encryption) must not authenticate.',
    remediation: 'Nothing to configure in the gate; issue agent certificates with keyUsage digitalSignature.',
    severity: 'medium',
    tags: ['cloud:aws', 'kind:negative', 'threat:missing-digital-signature-usage', 'requires:ca-key'],
  },
  run: (gate, context) =>
    probeDenied(gate, context, 'a certificate without digitalSignature', { status: 403, code: 'AccessDeniedException', message: /Untrusted certificate\. Insufficient certificate/ }, async (certificates) =>
      context.createSession(gate, await certificates.noDigitalSignature()),
    ),
  plan: (gate, context) => plannedDenial(gate, context, MUTATION.noDigitalSignature, 'a certificate without digitalSignature'),
};
