import { Check } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate, plannedDenial, probeDenied } from '../../../aws/probe-context';
import { MUTATION } from '../../../aws/probe-certificates';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-011',
    cloud: 'aws',
    title: 'A certificate signed with SHA-1 is refused',
    statement: 'Verify that the gate refuses an end-entity certificate signed with SHA-1.',
    threat: 'SHA-1 collisions let an attacker forge a certificate the CA never issued.',
    remediation: 'Nothing to configure in the gate; have the CA sign with SHA-256 or stronger.',
    severity: 'high',
    tags: ['cloud:aws', 'kind:negative', 'threat:sha1-signature', 'requires:ca-key'],
  },
  run: (gate, context) =>
    probeDenied(gate, context, 'a SHA-1 signed certificate', { status: 403, code: 'AccessDeniedException', message: /Untrusted certificate\. Insufficient certificate/ }, async (certificates) =>
      context.createSession(gate, await certificates.sha1Signed()),
    ),
  plan: (gate, context) => plannedDenial(gate, context, MUTATION.sha1Signed, 'a SHA-1 signed certificate'),
};
