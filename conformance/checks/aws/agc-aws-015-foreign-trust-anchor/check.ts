import { Check, inconclusive, skipped } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate, certificateProbeBlocker, probeDenied } from '../../../aws/probe-context';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-015',
    cloud: 'aws',
    title: 'The agent\'s identity through another trust anchor of the account is refused',
    statement: 'Verify that the gate refuses the agent\'s exact subject and SAN presented through a trust anchor it does not pin.',
    threat: 'Anyone allowed rolesanywhere:CreateTrustAnchor brings their own CA and obtains the role (Stratus Red Team aws.persistence.rolesanywhere-create-trust-anchor).',
    remediation: 'Pin aws:SourceArn to the canonical ARNs of the gate\'s trust anchors (AttestedRole does).',
    severity: 'critical',
    tags: ['cloud:aws', 'kind:negative', 'threat:foreign-trust-anchor', 'requires:create-trust-anchor', 'mutating'],
  },
  async run(gate, context) {
    const blocker = certificateProbeBlocker(gate);
    if (blocker) return blocker;
    if (!context.options.allowMutations) return skipped('creating a trust anchor changes the account; run with --allow-mutations to probe it');
    // One attacker anchor per run and CA, deleted when the run ends (AwsProbeContext.attackerAnchor).
    const anchor = await context.attackerAnchor(gate);
    if ('unavailable' in anchor) return inconclusive(`could not create the attacker's trust anchor: ${anchor.unavailable}`);
    return probeDenied(gate, context, 'the agent identity through a trust anchor the gate does not pin', { status: 403, code: 'AccessDeniedException', message: /Unable to assume role/ }, () =>
      context.createSession(gate, anchor.credential, { trustAnchorArn: anchor.arn, trustAnchorKey: anchor.key }),
    );
  },
  plan(gate, context) {
    if (certificateProbeBlocker(gate) || !context.options.allowMutations) return [];
    return [...context.plannedAttackerProbe(gate), ...context.plannedControl(gate)];
  },
};
