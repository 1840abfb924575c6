import { Check } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate, plannedDenial, probeDenied } from '../../../aws/probe-context';
import { MUTATION } from '../../../aws/probe-certificates';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-002',
    cloud: 'aws',
    title: 'A certificate from a rogue CA with the same subject DN is refused',
    statement: 'Verify that the gate refuses a certificate whose issuer has the trust anchor CA\'s exact subject DN but another key.',
    threat: 'An attacker mints a look-alike CA (same name, own key) and issues the agent\'s identity to themselves; name-based chain building would accept it.',
    remediation: 'Nothing to configure: the endpoint must validate signatures. A failure means the deployed trust anchor is not what the template says.',
    severity: 'critical',
    tags: ['cloud:aws', 'kind:negative', 'threat:rogue-ca-same-subject', 'requires:ca-key'],
  },
  run: (gate, context) =>
    probeDenied(gate, context, 'a certificate from a rogue CA with the same subject DN', { status: 403, code: 'AccessDeniedException', message: /Untrusted signing certificate/ }, async (certificates) =>
      context.createSession(gate, await certificates.rogueCaSameSubject()),
    ),
  plan: (gate, context) => plannedDenial(gate, context, MUTATION.rogueCaSameSubject, 'a certificate from a rogue CA with the same subject DN'),
};
