import { Check } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate, plannedDenial, probeDenied } from '../../../aws/probe-context';
import { MUTATION } from '../../../aws/probe-certificates';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-003',
    cloud: 'aws',
    title: 'A certificate with another CN from the right CA is refused',
    statement: 'Verify that the gate refuses a certificate from its trusted CA whose subject CN is not the agent\'s.',
    threat: 'Any workload holding a certificate from the same CA — another agent, a build runner — obtains this agent\'s role.',
    remediation: 'Require the subject with StringEquals on aws:PrincipalTag/x509Subject/CN (AttestedRole does).',
    severity: 'critical',
    tags: ['cloud:aws', 'kind:negative', 'threat:wrong-common-name', 'requires:ca-key'],
  },
  run: (gate, context) =>
    probeDenied(gate, context, gate.expected.admittedBesides.cn[0] !== undefined ? `a certificate with another CN the condition admits ("${gate.expected.admittedBesides.cn[0]}")` : 'a certificate with another CN', { status: 403, code: 'AccessDeniedException', message: /Unable to assume role/ }, async (certificates) =>
      context.createSession(gate, await certificates.wrongCommonName()),
    ),
  plan: (gate, context) => plannedDenial(gate, context, MUTATION.wrongCommonName, 'a certificate with another CN'),
};
