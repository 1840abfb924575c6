import { CaCertificateInfo } from '../../lib/core/pki/ca-bundle';
import { Certificate, parseCertificate } from '../../lib/core/pki/certificate';
import { Crl, crlDer, crlSigner, normalizeSerial, parseCrl } from '../../lib/core/pki/crl';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { HIGH_PRIVILEGE_MAX_LIFETIME_SECONDS } from '../../lib/core/agent-identity';
import { AwsGate } from './discover-gates';
import { PkiMaterial } from '../pki/pki-directory';
import { SigningCa, findSigningCa } from '../pki/signing-ca';
import { expectedIdentityOf } from './expected-identity';
import { ResolvedAwsGate, ResolvedRolesAnywherePath } from './probe-context';
import { DEFAULT_SESSION_SECONDS } from '../../lib/model/aws/roles-anywhere';

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

/**
 * CRLs read and their signatures checked once per resolution, not once per gate: gates share
 * their anchors' CRLs, and checking a signature imports the CA's key from DER (~0.3 ms on Node
 * 20). Both are functions of bytes alone — the PEM; the CRL's DER and the CA's name and key — so
 * the memo keys are those bytes.
 */
class CrlJudgements {
  private readonly ders = new Map<string, Buffer | undefined>();
  private readonly parsed = new Map<string, Crl>();
  private readonly signatures = new Map<string, boolean>();

  /** The DER of a CRL's PEM (`crlDer`). */
  public der(pem: string): Buffer | undefined {
    if (!this.ders.has(pem)) this.ders.set(pem, crlDer(pem));
    return this.ders.get(pem);
  }

  /** The parsed CRL; throws, as parseCrl does, for one that cannot be read. */
  public parse(der: Buffer): Crl {
    const key = der.toString('base64');
    let crl = this.parsed.get(key);
    if (!crl) this.parsed.set(key, (crl = parseCrl(der)));
    return crl;
  }

  /** Whether `ca` signed the CRL: its name and its key, as `crlSigner` judges. */
  public signedBy(der: Buffer, crl: Crl, ca: Certificate): boolean {
    const key = `${der.toString('base64')}\n${ca.subject.der.toString('base64')}\n${Buffer.from(ca.publicKeySpki).toString('base64')}`;
    let signed = this.signatures.get(key);
    if (signed === undefined) this.signatures.set(key, (signed = crlSigner(der, crl, [ca]) !== undefined));
    return signed;
  }
}

/** What an anchor's enabled CRLs revoke of a CA's certificates, and which of them no CA of the anchor signed. */
function crlsOf(anchor: AwsGate['trustAnchors'][number], anchorCas: readonly Certificate[], signingCa: SigningCa | undefined, crls: CrlJudgements): { enabled: string[]; foreign: string[]; revoked: string[] } {
  const enabled: string[] = [];
  const foreign: string[] = [];
  const revoked: string[] = [];
  for (const entry of anchor.crls.filter((c) => c.enabled === true)) {
    const der = entry.crlPem ? crls.der(entry.crlPem) : undefined;
    // Not in the template (imported later) or unreadable — or an anchor whose CAs the input does not
    // hold (a source known only after apply, ACM PCA): who signed it cannot be told here, so it is
    // counted as present and judged by the probe, never called foreign.
    if (!der || anchorCas.length === 0) {
      enabled.push(entry.logicalId);
      continue;
    }
    try {
      const crl = crls.parse(der);
      // Only a CRL a CA of this anchor really signed revokes anything through it.
      if (!anchorCas.some((ca) => crls.signedBy(der, crl, ca))) {
        foreign.push(entry.logicalId);
        continue;
      }
      enabled.push(entry.logicalId);
      if (signingCa && crls.signedBy(der, crl, signingCa.certificate)) revoked.push(...crl.revokedSerials.map(normalizeSerial));
    } catch {
      // An unparseable CRL revokes nothing; AGC-AWS-006 will say so through the probe.
      enabled.push(entry.logicalId);
    }
  }
  return { enabled, foreign, revoked };
}

const numberOf = (value: unknown): number | undefined => (typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined);

/**
 * A trust anchor's ARN on the target: looked up in the stack it is deployed with when it is a
 * resource of a template given; its ARN when the trust policy names one literally; else none —
 * a reference is never taken for an ARN.
 */
function anchorArn(anchor: AwsGate['trustAnchors'][number], lookup: ArnLookup): string | undefined {
  if (anchor.location) return lookup(anchor.location.stackName, anchor.location.logicalId, 'trust-anchor');
  return /^arn:[a-z0-9-]+:rolesanywhere:[^:]+:\d{12}:trust-anchor\/[A-Za-z0-9-]+$/.test(anchor.ref) ? anchor.ref : undefined;
}

/** Resolves discovered gates against a target and the `--pki` material. */
export function resolveAwsGates(gates: readonly AwsGate[], lookup: ArnLookup, pki: PkiMaterial | undefined, deploymentProblems: DeploymentProblems = () => []): ResolvedAwsGate[] {
  const crls = new CrlJudgements();
  return gates.map((gate) => {
    // The resources the gate is made of, by the stack each is deployed with: an anchor (and its
    // CRLs) may be of a base stack the gate's role imports it from.
    const involved = new Map<string, string[]>([[gate.stackName, [gate.role.logicalId]]]);
    const involve = (stackName: string, logicalId: string) => involved.set(stackName, [...(involved.get(stackName) ?? []), logicalId]);
    // A profile too may be of another stack, listing the role through an import of its ARN.
    for (const profile of gate.profiles) involve(profile.stackName, profile.logicalId);
    for (const anchor of gate.trustAnchors) {
      if (anchor.location) involve(anchor.location.stackName, anchor.location.logicalId);
      for (const crl of anchor.crls) involve(crl.stackName, crl.logicalId);
    }
    const problems: string[] = [...involved].flatMap(([stackName, logicalIds]) => deploymentProblems(stackName, logicalIds).map((p) => (stackName === gate.stackName ? p : `${stackName}/${p}`)));
    // Anchors not known (an import of an export no template given defines): which certificates the
    // role accepts cannot be seen, so nothing is probed as if it could.
    if (gate.anchorsUnknown) problems.push(`the trust anchors its trust policy pins are not known: ${gate.anchorsUnknown}`);
    // A resource missing because of a problem already named (a failed lookup) is not news.
    const known = problems.length > 0;
    const roleArn = lookup(gate.stackName, gate.role.logicalId, 'role');
    if (!roleArn && !known) problems.push(`role ${gate.role.logicalId} is not deployed`);
    const profileArns = new Map(gate.profiles.map((profile) => [profile.ref, lookup(profile.stackName, profile.logicalId, 'profile')]));
    for (const [ref, arn] of profileArns) if (!arn && !known) problems.push(`profile ${ref} is not deployed`);
    const expected = expectedIdentityOf(gate);

    const anchors = gate.trustAnchors.map((anchor) => {
      const cas = anchor.caCertificates.map(asCertificate);
      const signingCa = pki ? findSigningCa(cas, pki, expected.issuer) : undefined;
      const noSigningCaReason = !pki
        ? 'no --pki directory: certificate probes need a CA key the trust anchor trusts'
        : cas.length === 0
          ? `trust anchor ${anchor.name ?? anchor.ref} has no CA certificate in the template (ACM PCA or external anchor)`
          : `--pki holds no private key of a CA that ${anchor.name ?? anchor.ref} trusts (keys are matched by public key)`;
      return { anchor, arn: anchorArn(anchor, lookup), signingCa, noSigningCaReason, crls: crlsOf(anchor, cas, signingCa, crls) };
    });
    const paths: ResolvedRolesAnywherePath[] = anchors.flatMap(({ anchor, arn, signingCa, noSigningCaReason, crls }) =>
      gate.profiles.map((profile) => {
        const accept = profile.properties.AcceptRoleSessionName;
        return {
          id: `rolesanywhere:${anchor.ref}/${profile.ref}`,
          anchor: anchor.name ?? anchor.ref,
          profile: profile.ref,
          ...(arn ? { trustAnchorArn: arn } : {}),
          ...(profileArns.get(profile.ref) ? { profileArn: profileArns.get(profile.ref) } : {}),
          ...(signingCa ? { signingCa } : { noSigningCaReason }),
          revokedSerials: crls.revoked,
          enabledCrls: crls.enabled,
          foreignCrls: crls.foreign,
          acceptRoleSessionName: accept === true || accept === 'true' ? true : accept === undefined || accept === false || accept === 'false' ? false : undefined,
          durationSeconds: profile.properties.DurationSeconds === undefined ? DEFAULT_SESSION_SECONDS : numberOf(profile.properties.DurationSeconds),
        };
      }),
    );
    // The primary path: deployed and with a CA key at hand, so the control can be sent through it.
    const ordered = [...paths.filter((p) => p.trustAnchorArn && p.profileArn && p.signingCa), ...paths.filter((p) => !(p.trustAnchorArn && p.profileArn && p.signingCa))];
    const primary = ordered[0];
    const trustAnchorArns = [...new Set([primary?.trustAnchorArn, ...anchors.map((a) => a.arn)].filter((a): a is string => a !== undefined))];
    const firstReason = anchors.find((a) => !a.signingCa)?.noSigningCaReason ?? 'no --pki directory: certificate probes need a CA key the trust anchor trusts';
    const maxSessionSeconds = gate.manifest?.identity.maxCredentialLifetimeSeconds ?? (gate.privilege === PrivilegeTier.HIGH ? HIGH_PRIVILEGE_MAX_LIFETIME_SECONDS : undefined);
    return {
      gate,
      roleArn,
      ...(primary?.profileArn ? { profileArn: primary.profileArn } : {}),
      trustAnchorArns,
      paths: ordered,
      problems: gate.profiles.length > 0 ? problems : [...problems, 'no profile of the template lists the role'],
      expected,
      ...(primary?.signingCa ? { signingCa: primary.signingCa } : { noSigningCaReason: primary?.noSigningCaReason ?? firstReason }),
      revokedSerials: primary?.revokedSerials ?? [],
      hasEnabledCrl: (primary?.enabledCrls.length ?? 0) > 0,
      maxSessionSeconds,
    };
  });
}
