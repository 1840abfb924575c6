import { Check, fail, skipped } from '../../../engine/check';
import { PrivilegeTier } from '../../../../lib/core/privilege-tier';
import { AwsProbeContext, ResolvedAwsGate, probeDenied } from '../../../aws/probe-context';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-006',
    cloud: 'aws',
    title: 'A revoked certificate is refused',
    statement: 'Verify that the gate refuses a certificate whose serial its trust anchor\'s enabled CRL revokes, and that a high-privilege gate has such a CRL.',
    threat: 'A stolen certificate keeps obtaining credentials until it expires when revocation does not reach Roles Anywhere.',
    remediation: 'Import the CA\'s CRL into the trust anchor, enabled (AgentTrustAnchor.addCrl), and keep it fresh (CrlImportSchedule).',
    severity: 'critical',
    tags: ['cloud:aws', 'kind:negative', 'threat:revoked-certificate', 'requires:ca-key'],
  },
  async run(gate, context) {
    if (!gate.hasEnabledCrl) {
      // Roles Anywhere checks revocation only against enabled, imported CRLs.
      return gate.gate.privilege === PrivilegeTier.HIGH
        ? fail('revocation is not enforced: the trust anchor has no enabled CRL, so a stolen certificate works until it expires')
        : skipped('the trust anchor has no enabled CRL, so revocation is not enforced (the gate is not high privilege)');
    }
    const [serial] = gate.revokedSerials;
    if (serial === undefined) return skipped('the enabled CRL revokes no certificate of the signing CA, so there is no revoked serial to present');
    return probeDenied(gate, context, `a certificate with revoked serial ${serial}`, { status: 403, code: 'AccessDeniedException', message: /Certificate revoked/ }, async (certificates) =>
      context.createSession(gate, await certificates.revoked(serial)),
    );
  },
};
