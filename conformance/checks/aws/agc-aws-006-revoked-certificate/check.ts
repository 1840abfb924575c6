import { Check, Verdict, fail, skipped } from '../../../engine/check';
import { PrivilegeTier } from '../../../../lib/core/privilege-tier';
import { AwsProbeContext, ResolvedAwsGate, ResolvedRolesAnywherePath, plannedDenial, probeDenied, combineGatePaths } from '../../../aws/probe-context';
import { revokedMutation } from '../../../aws/probe-certificates';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-006',
    cloud: 'aws',
    title: 'A revoked certificate is refused',
    statement: 'Verify that the gate refuses a certificate whose serial its trust anchor\'s enabled CRL revokes, through every trust anchor that reaches the role, and that a high-privilege gate has such a CRL, signed by the anchor\'s CA, on each.',
    threat: 'A stolen certificate keeps obtaining credentials until it expires when revocation does not reach Roles Anywhere.',
    remediation: 'Import the CA\'s CRL into the trust anchor, enabled (AgentTrustAnchor.addCrl), and keep it fresh (CrlImportSchedule).',
    severity: 'critical',
    tags: ['cloud:aws', 'kind:negative', 'threat:revoked-certificate', 'requires:ca-key'],
  },
  async run(gate, context) {
    // Every trust anchor that reaches the role must revoke: one anchor with a CRL proves nothing
    // about a second one without (each anchor is judged through the first profile that reaches it).
    const perAnchor = [...new Map(gate.paths.map((p) => [p.anchor, p])).values()];
    const verdicts = await Promise.all(
      perAnchor.map(async (path) => ({ path: `trust anchor ${path.anchor}`, verdict: await judgeAnchor(gate, context, path) })),
    );
    return combineGatePaths(gate, verdicts);
  },
  plan(gate, context) {
    // What judgeAnchor sends: per anchor with an enabled CRL, a CA key and a revoked serial.
    return [...new Map(gate.paths.map((p) => [p.anchor, p])).values()].flatMap((path) => {
      const [serial] = path.revokedSerials;
      if (path.enabledCrls.length === 0 || !path.signingCa || serial === undefined) return [];
      return plannedDenial(gate, context, revokedMutation(serial), `a certificate with revoked serial ${serial}`, {}, path);
    });
  },
};

async function judgeAnchor(gate: ResolvedAwsGate, context: AwsProbeContext, path: ResolvedRolesAnywherePath): Promise<Verdict> {
  if (path.enabledCrls.length === 0) {
    const foreign = path.foreignCrls.length > 0 ? ` (${path.foreignCrls.join(', ')} is enabled but no CA of the anchor signed it, so it revokes nothing)` : '';
    // Roles Anywhere checks revocation only against enabled, imported CRLs of the anchor's CA.
    return gate.gate.privilege === PrivilegeTier.HIGH
      ? fail(`revocation is not enforced through trust anchor ${path.anchor}: it has no enabled CRL of its CA${foreign}, so a stolen certificate works until it expires`)
      : skipped(`trust anchor ${path.anchor} has no enabled CRL of its CA${foreign}, so revocation is not enforced (the gate is not high privilege)`);
  }
  if (!path.signingCa) return skipped(path.noSigningCaReason ?? `no CA key for trust anchor ${path.anchor} in --pki`);
  const [serial] = path.revokedSerials;
  if (serial === undefined) return skipped(`the enabled CRL of trust anchor ${path.anchor} revokes no certificate of the signing CA, so there is no revoked serial to present`);
  return probeDenied(
    gate,
    context,
    `a certificate with revoked serial ${serial}`,
    { status: 403, code: 'AccessDeniedException', message: /Certificate revoked/ },
    async (certificates) => context.createSession(gate, await certificates.revoked(serial), { trustAnchorArn: path.trustAnchorArn, profileArn: path.profileArn }),
    path,
  );
}
