import { Check } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate, plannedDenial, probeDenied } from '../../../aws/probe-context';
import { MUTATION } from '../../../aws/probe-certificates';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-004',
    cloud: 'aws',
    title: 'A certificate with another SPIFFE ID (URI SAN) is refused',
    statement: 'Verify that the gate refuses a certificate from its trusted CA whose URI SAN is not the agent\'s SPIFFE ID.',
    threat: 'A workload attested as another SPIFFE ID, but sharing the CN convention, obtains this agent\'s role.',
    remediation: 'Require the SPIFFE ID with StringEquals on aws:PrincipalTag/x509SAN/URI (AttestedRole does).',
    severity: 'critical',
    tags: ['cloud:aws', 'kind:negative', 'threat:wrong-san-uri', 'requires:ca-key'],
  },
  run: (gate, context) =>
    probeDenied(gate, context, gate.expected.admittedBesides.sanUri[0] !== undefined ? `a certificate with another URI SAN the condition admits ("${gate.expected.admittedBesides.sanUri[0]}")` : 'a certificate with another URI SAN', { status: 403, code: 'AccessDeniedException', message: /Unable to assume role/ }, async (certificates) =>
      context.createSession(gate, await certificates.wrongSanUri()),
    ),
  plan: (gate, context) => plannedDenial(gate, context, MUTATION.wrongSanUri, 'a certificate with another URI SAN'),
};
