import { CaCertificateInfo } from '../../lib/core/pki/ca-bundle';
import { Certificate, parseCertificate } from '../../lib/core/pki/certificate';
import { crlDer, normalizeSerial, parseCrl } from '../../lib/core/pki/crl';
import { sameName } from '../../lib/core/pki/name';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { verifySignedDer } from '../../lib/core/pki/signature';
import { HIGH_PRIVILEGE_MAX_LIFETIME_SECONDS } from '../../lib/core/agent-identity';
import { AwsGate } from './discover-gates';
import { PkiMaterial } from '../pki/pki-directory';
import { findSigningCa } from '../pki/signing-ca';
import { expectedIdentityOf } from './expected-identity';
import { ResolvedAwsGate } from './probe-context';

/**
 * The ARN a resource of a gate's template has on the target: the emulator's deployment or the
 * live stack's resources. `undefined` when the target does not have it.
 */
export type ArnLookup = (stackName: string, logicalId: string, type: 'role' | 'profile' | 'trust-anchor') => string | undefined;

function asCertificate(info: CaCertificateInfo): Certificate {
  return parseCertificate(info.der);
}

/** Why resources could not be deployed on the target (the emulator says; live AWS has them or not). */
export type DeploymentProblems = (stackName: string, logicalIds: readonly string[]) => string[];

/** Resolves discovered gates against a target and the `--pki` material. */
export function resolveAwsGates(gates: readonly AwsGate[], lookup: ArnLookup, pki: PkiMaterial | undefined, deploymentProblems: DeploymentProblems = () => []): ResolvedAwsGate[] {
  return gates.map((gate) => {
    const involved = [gate.role.logicalId, ...gate.profiles.map((p) => p.logicalId), ...gate.trustAnchors.flatMap((a) => [a.ref, ...a.crls.map((c) => c.logicalId)])];
    const problems: string[] = deploymentProblems(gate.stackName, involved);
    // A resource missing because of a problem already named (a failed lookup) is not news.
    const known = problems.length > 0;
    const roleArn = lookup(gate.stackName, gate.role.logicalId, 'role');
    if (!roleArn && !known) problems.push(`role ${gate.role.logicalId} is not deployed`);
    const profile = gate.profiles[0];
    const profileArn = profile ? lookup(gate.stackName, profile.logicalId, 'profile') : undefined;
    if (profile && !profileArn && !known) problems.push(`profile ${profile.logicalId} is not deployed`);
    const trustAnchorArns = gate.trustAnchors.map((a) => (a.inTemplate ? lookup(gate.stackName, a.ref, 'trust-anchor') : a.ref)).filter((a): a is string => a !== undefined);

    const expected = expectedIdentityOf(gate);
    const anchorCas = gate.trustAnchors.flatMap((a) => a.caCertificates.map(asCertificate));
    const signingCa = pki ? findSigningCa(anchorCas, pki, expected.issuer) : undefined;
    const noSigningCaReason = !pki
      ? 'no --pki directory: certificate probes need a CA key the trust anchor trusts'
      : anchorCas.length === 0
        ? 'the trust anchor has no CA certificate in the template (ACM PCA or external anchor)'
        : `--pki holds no private key of a CA that ${gate.trustAnchors.map((a) => a.name ?? a.ref).join(', ')} trusts (keys are matched by public key)`;

    const enabledCrls = gate.trustAnchors.flatMap((a) => a.crls.filter((c) => c.enabled === true));
    const revokedSerials: string[] = [];
    if (signingCa) {
      for (const entry of enabledCrls) {
        const der = entry.crlPem ? crlDer(entry.crlPem) : undefined;
        if (!der) continue;
        try {
          const crl = parseCrl(der);
          // Only a CRL the signing CA really signed revokes its certificates.
          if (sameName(crl.issuer, signingCa.certificate.subject) && verifySignedDer(der, signingCa.certificate.publicKeySpki)) {
            revokedSerials.push(...crl.revokedSerials.map(normalizeSerial));
          }
        } catch {
          // An unparseable CRL revokes nothing; AGC-AWS-006 will say so through the probe.
        }
      }
    }
    const maxSessionSeconds = gate.manifest?.identity.maxCredentialLifetimeSeconds ?? (gate.privilege === PrivilegeTier.HIGH ? HIGH_PRIVILEGE_MAX_LIFETIME_SECONDS : undefined);
    return {
      gate,
      roleArn,
      profileArn,
      trustAnchorArns,
      problems: profile ? problems : [...problems, 'no profile of the template lists the role'],
      expected,
      ...(signingCa ? { signingCa } : { noSigningCaReason }),
      revokedSerials,
      hasEnabledCrl: enabledCrls.length > 0,
      maxSessionSeconds,
    };
  });
}
