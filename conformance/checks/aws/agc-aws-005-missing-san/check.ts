import { Check } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate, plannedDenial, probeDenied } from '../../../aws/probe-context';
import { MUTATION } from '../../../aws/probe-certificates';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-005',
    cloud: 'aws',
    title: 'A certificate without a SAN is refused',
    statement: 'Verify that the gate refuses a certificate from its trusted CA that carries no subject alternative name.',
    threat: 'A negated or IfExists condition on the SAN is true when the SAN is absent, so a bare certificate slips through.',
    remediation: 'Require the URI SAN with a positive operator; add a Null presence check to any negated condition.',
    severity: 'high',
    tags: ['cloud:aws', 'kind:negative', 'threat:missing-san', 'requires:ca-key'],
  },
  run: (gate, context) =>
    probeDenied(gate, context, 'a certificate without a SAN', { status: 403, code: 'AccessDeniedException', message: /Unable to assume role/ }, async (certificates) =>
      context.createSession(gate, await certificates.noSan()),
    ),
  plan: (gate, context) => plannedDenial(gate, context, MUTATION.noSan, 'a certificate without a SAN'),
};
