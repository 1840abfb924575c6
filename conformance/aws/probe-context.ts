import { SignedCreateSessionRequest, signCreateSessionRequest } from '../../lib/credentials/roles-anywhere/sign-request';
import { AwsGate } from './discover-gates';
import { Verdict, combinePathVerdicts, inconclusive, skipped } from '../engine/check';
import { RateLimiter, RetryPolicy, withRetries } from '../engine/retry';
import { SigningCa } from '../pki/signing-ca';
import { ExpectedIdentity } from './expected-identity';
import { ExpectedDenial, HTTP_RETRY_HINTS, HttpOutcome } from '../engine/http-outcome';
import { describeOutcome, issuedCredentials, isTransient, judgeDenial } from './http-outcome';
import * as crypto from 'node:crypto';
import { AttackerCa, MUTATION, ProbeCertificates, ProbeCredential, attackerMutation, materialIdOf } from './probe-certificates';
import { ProbeKeys } from './probe-keys';
import { LiveQuota, PlannedRequest } from '../engine/request-plan';
import { SharedRequests } from '../engine/shared-requests';
import { countRequest } from '../engine/probe-scope';

/**
 * Where probes go: the local emulator or the real AWS endpoints. Both speak the same wire
 * protocols; only the endpoints and the unattested persona's credentials differ.
 */
export interface AwsProbeTarget {
  readonly name: string;
  readonly region: string;
  /** Scheme, host and port of the Roles Anywhere endpoint. */
  readonly rolesAnywhereEndpoint: string;
  /** Sends a signed CreateSession request. */
  send(request: SignedCreateSessionRequest): Promise<HttpOutcome>;
  /** `sts:AssumeRole` by an IAM principal of the account that holds no certificate. */
  assumeRoleUnattested(roleArn: string): Promise<HttpOutcome | { readonly unavailable: string }>;
  /** Creates a trust anchor for an attacker's CA, as someone allowed CreateTrustAnchor could. */
  createTrustAnchor(caPem: string): Promise<{ readonly arn: string; remove(): Promise<void> } | { readonly unavailable: string }>;
}

/**
 * One attested path of a gate as deployed: a trust anchor and a profile that reach the role, the
 * CA that signs for *that* anchor (CA rotation: two anchors, two CAs), what its CRLs revoke, and
 * how the profile issues sessions.
 */
export interface ResolvedRolesAnywherePath {
  /** `rolesanywhere:<anchor>/<profile>`, as discovery names it. */
  readonly id: string;
  readonly anchor: string;
  readonly profile: string;
  readonly trustAnchorArn?: string;
  readonly profileArn?: string;
  readonly signingCa?: SigningCa;
  readonly noSigningCaReason?: string;
  /** Serials the anchor's enabled CRLs revoke among the signing CA's certificates. */
  readonly revokedSerials: readonly string[];
  /** Enabled CRLs of the anchor that its CA signed (only those revoke anything). */
  readonly enabledCrls: readonly string[];
  /** Enabled CRLs of the anchor that no CA of the anchor signed: they revoke nothing. */
  readonly foreignCrls: readonly string[];
  /** The profile's AcceptRoleSessionName and DurationSeconds as the template writes them. */
  readonly acceptRoleSessionName: boolean | undefined;
  readonly durationSeconds: number | undefined;
}

/** A gate as deployed on a target, with what probing it needs. */
export interface ResolvedAwsGate {
  readonly gate: AwsGate;
  readonly roleArn?: string;
  /** The primary path's profile: the one the positive control and the certificate mutations use. */
  readonly profileArn?: string;
  /** ARNs of the trust anchors the gate accepts, as deployed; the primary path's first. */
  readonly trustAnchorArns: readonly string[];
  /** Every (trust anchor × profile) path; the primary one first. */
  readonly paths: readonly ResolvedRolesAnywherePath[];
  /** Why the gate cannot be probed on this target (unresolvable resources), if so. */
  readonly problems: readonly string[];
  readonly expected: ExpectedIdentity;
  /** A CA the anchor trusts whose key `--pki` holds; without one, certificate probes are skipped. */
  readonly signingCa?: SigningCa;
  readonly noSigningCaReason?: string;
  /** Serials revoked by the enabled CRLs of the anchor that the signing CA issued. */
  readonly revokedSerials: readonly string[];
  readonly hasEnabledCrl: boolean;
  /** The longest session the gate may issue: the identity's lifetime, or 1 h for a high-privilege brownfield role. */
  readonly maxSessionSeconds?: number;
}

export interface AwsProbeContextOptions {
  readonly target: AwsProbeTarget;
  readonly limiter: RateLimiter;
  readonly retry: RetryPolicy;
  /** Whether probes may create resources on the target (the rogue trust anchor). */
  readonly allowMutations: boolean;
  /** Registers what the run does when it ends, however it ends: deleting the attacker's trust anchors. */
  readonly onClose?: (close: () => Promise<void>) => void;
}

/** The live quotas of what AWS probes send (reference/aws-rolesanywhere.md §6: per account and Region). */
export const AWS_LIVE_QUOTAS: readonly LiveQuota[] = [
  { id: 'aws:create-session', name: 'Roles Anywhere CreateSession', perSecond: 10, source: 'reference/aws-rolesanywhere.md §6: CreateSession rate, 10 TPS' },
  { id: 'aws:trust-anchor-apis', name: 'Roles Anywhere trust-anchor APIs', perSecond: 1, source: 'reference/aws-rolesanywhere.md §6: trust-anchor APIs combined, 1 TPS' },
];

/** A variant of a correctly signed request, named so its key says what it is. */
export interface RequestVariant {
  /** `signed-20-min-ago`, `body-tampered`: part of the request key. */
  readonly name: string;
  readonly now?: () => Date;
  readonly tamper?: (r: SignedCreateSessionRequest) => SignedCreateSessionRequest;
}

/** What a CreateSession request changes from the gate's primary path. */
export interface SessionOverrides {
  readonly trustAnchorArn?: string;
  /** Stands for `trustAnchorArn` in the request key when that ARN exists only at run time (the attacker's anchor). */
  readonly trustAnchorKey?: string;
  readonly profileArn?: string;
  readonly durationSeconds?: number;
  readonly roleSessionName?: string;
  readonly variant?: RequestVariant;
}

// Why requests with the same key have the same answer, per kind: the evidence of every check
// that reuses one names it.
const SAME_CREATE_SESSION =
  'the same CreateSession inputs — endpoint, trust anchor, profile, role, certificate and key, session parameters — and CreateSession’s answer depends on nothing else';
const SAME_ATTACKER_ANCHOR =
  'one attacker trust anchor per run and signing CA: it is created during the run, so no gate can pin it, and each gate is probed through it with its own certificate and role';

/** Shared state of a run: the target, the rate limit, minted certificates, requests sent once and shared. */
export class AwsProbeContext {
  /** By signing CA and gate ID: found on every probe, so looked up by object, not by a string built from the CA's key. */
  private readonly certificates = new Map<SigningCa, Map<string, ProbeCertificates>>();
  private readonly byMaterial = new Map<string, ProbeCertificates>();
  /** The run's probe keys: one per mutation, shared by every gate's certificates of that mutation. */
  private readonly keys = new ProbeKeys();
  private readonly attackers = new Map<string, AttackerCa>();
  /** Every request the checks send goes through it: one send per key (`SharedRequests`). */
  public readonly shared = new SharedRequests();
  public attempts = 0;

  constructor(public readonly options: AwsProbeContextOptions) {}

  public get target(): AwsProbeTarget {
    return this.options.target;
  }

  /**
   * Certificates signed by the CA of a path's anchor (the primary path's by default). Gates with
   * the same material (CA and every expected attribute: `materialIdOf`) get the same certificates,
   * so their identical requests have identical keys.
   */
  public certificatesFor(gate: ResolvedAwsGate, path?: ResolvedRolesAnywherePath): ProbeCertificates | undefined {
    const signingCa = path ? path.signingCa : gate.signingCa;
    if (!signingCa) return undefined;
    let ofCa = this.certificates.get(signingCa);
    if (!ofCa) this.certificates.set(signingCa, (ofCa = new Map()));
    let certificates = ofCa.get(gate.gate.id);
    if (!certificates) {
      // Two CA objects for the same CA (or two gates of the same material) still meet here.
      const material = materialIdOf(signingCa, gate.expected);
      certificates = this.byMaterial.get(material) ?? new ProbeCertificates(signingCa, gate.expected, this.keys);
      this.byMaterial.set(material, certificates);
      ofCa.set(gate.gate.id, certificates);
    }
    return certificates;
  }

  /**
   * The planned CreateSession of a gate with a credential, by the credential's ID: the same key
   * `createSession` sends under, so the plan and the run agree.
   */
  public plannedSession(gate: ResolvedAwsGate, credentialId: string, what: string, overrides: SessionOverrides = {}): PlannedRequest {
    const key = JSON.stringify([
      'rolesanywhere:CreateSession',
      this.target.rolesAnywhereEndpoint,
      overrides.trustAnchorKey ?? overrides.trustAnchorArn ?? gate.trustAnchorArns[0],
      overrides.profileArn ?? gate.profileArn,
      gate.roleArn,
      credentialId,
      overrides.durationSeconds ?? null,
      overrides.roleSessionName ?? null,
      overrides.variant?.name ?? null,
    ]);
    return { key, quota: 'aws:create-session', what, shareReason: SAME_CREATE_SESSION };
  }

  /** The planned request of a certificate mutation (`ProbeCertificates` method name as `mutation`). */
  public plannedMutation(gate: ResolvedAwsGate, mutation: string, what: string, overrides: SessionOverrides = {}, path?: ResolvedRolesAnywherePath): PlannedRequest[] {
    const certificates = this.certificatesFor(gate, path);
    if (!certificates) return [];
    return [this.plannedSession(gate, ProbeCertificates.credentialId(certificates.materialId, mutation), what, path ? { trustAnchorArn: path.trustAnchorArn, profileArn: path.profileArn, ...overrides } : overrides)];
  }

  /** The planned positive control of a gate through a path (the primary one by default). */
  public plannedControl(gate: ResolvedAwsGate, path?: ResolvedRolesAnywherePath): PlannedRequest[] {
    return this.plannedMutation(gate, MUTATION.control, `positive control${path ? ` through ${path.id}` : ''}`, {}, path);
  }

  /** Signs and sends a CreateSession request, retrying transient failures within the rate limit; once per key. */
  public createSession(gate: ResolvedAwsGate, credential: ProbeCredential, overrides: SessionOverrides = {}): Promise<{ outcome: HttpOutcome; attempts: number }> {
    const planned = this.plannedSession(gate, credential.id, 'CreateSession', overrides);
    return this.shared.send(planned, async () => {
      const attempt = async (): Promise<HttpOutcome> => {
        await this.options.limiter.take();
        const signed = signCreateSessionRequest({
          certificate: credential.certificateDer,
          privateKey: credential.privateKey,
          intermediates: credential.intermediates,
          region: this.target.region,
          endpoint: this.target.rolesAnywhereEndpoint,
          trustAnchorArn: overrides.trustAnchorArn ?? gate.trustAnchorArns[0],
          profileArn: overrides.profileArn ?? gate.profileArn!,
          roleArn: gate.roleArn!,
          durationSeconds: overrides.durationSeconds,
          roleSessionName: overrides.roleSessionName,
          now: overrides.variant?.now?.(),
        });
        return this.target.send(overrides.variant?.tamper ? overrides.variant.tamper(signed) : signed);
      };
      const { result, attempts } = await withRetries(attempt, isTransient, this.options.retry, HTTP_RETRY_HINTS);
      this.attempts += attempts;
      return { outcome: result, attempts };
    });
  }

  /** The planned `sts:AssumeRole` of a role by the unattested principal. */
  public plannedAssumeRole(roleArn: string): PlannedRequest {
    // STS's request quota is not in the reference: the request adds no bound to the plan.
    return { key: JSON.stringify(['sts:AssumeRole', 'unattested', roleArn]), what: `sts:AssumeRole of ${roleArn} by the unattested principal`, shareReason: 'the same role and the same unattested caller' };
  }

  /** `sts:AssumeRole` of the gate's role by the account's unattested principal, retried like every probe; once per role. */
  public assumeRoleUnattested(roleArn: string): Promise<HttpOutcome | { readonly unavailable: string }> {
    type Answer = HttpOutcome | { readonly unavailable: string };
    return this.shared.send(this.plannedAssumeRole(roleArn), async () => {
      const { result, attempts } = await withRetries<Answer>(
        async () => {
          await this.options.limiter.take();
          return this.target.assumeRoleUnattested(roleArn);
        },
        (answer) => !('unavailable' in answer) && isTransient(answer),
        this.options.retry,
        { retryAfterMs: (answer) => ('unavailable' in answer ? undefined : HTTP_RETRY_HINTS.retryAfterMs?.(answer)) },
      );
      this.attempts += attempts;
      return result;
    });
  }

  /** The attacker CA of a gate's signing CA: one per run and CA. */
  private attackerOf(gate: ResolvedAwsGate): AttackerCa | undefined {
    if (!gate.signingCa) return undefined;
    const id = crypto.createHash('sha256').update(gate.signingCa.certificate.der).digest('hex').slice(0, 32);
    let attacker = this.attackers.get(id);
    if (!attacker) this.attackers.set(id, (attacker = new AttackerCa(id, gate.signingCa)));
    return attacker;
  }

  /**
   * The requests of AGC-AWS-015 on a gate: the attacker's trust anchor created (and deleted at
   * the end of the run) once per signing CA, and the gate's identity presented through it.
   */
  public plannedAttackerProbe(gate: ResolvedAwsGate): PlannedRequest[] {
    const attacker = this.attackerOf(gate);
    const certificates = this.certificatesFor(gate);
    if (!attacker || !certificates) return [];
    return [
      { key: JSON.stringify(['rolesanywhere:CreateTrustAnchor', attacker.id]), quota: 'aws:trust-anchor-apis', what: 'the attacker’s trust anchor created', shareReason: SAME_ATTACKER_ANCHOR },
      { key: JSON.stringify(['rolesanywhere:DeleteTrustAnchor', attacker.id]), quota: 'aws:trust-anchor-apis', what: 'the attacker’s trust anchor deleted', shareReason: SAME_ATTACKER_ANCHOR },
      this.plannedSession(gate, ProbeCertificates.credentialId(certificates.materialId, attackerMutation(attacker.id)), 'the identity through the attacker’s trust anchor', { trustAnchorKey: `attacker-anchor:${attacker.id}` }),
    ];
  }

  /**
   * The attacker's trust anchor for a gate's signing CA and the gate's identity from the
   * attacker's CA. The anchor is created once per run and CA (every gate is probed through the
   * same one: no gate can pin an anchor made during the run) and deleted when the run ends.
   */
  public async attackerAnchor(gate: ResolvedAwsGate): Promise<{ readonly arn: string; readonly key: string; readonly credential: ProbeCredential } | { readonly unavailable: string }> {
    const attacker = this.attackerOf(gate)!;
    const [created] = this.plannedAttackerProbe(gate);
    const anchor = await this.shared.send(created, async () => {
      const caPem = (await attacker.ca).pem;
      await this.options.limiter.take();
      countRequest();
      this.attempts++;
      const made = await this.target.createTrustAnchor(caPem);
      if (!('unavailable' in made)) {
        this.options.onClose?.(async () => {
          this.attempts++;
          // A failed deletion must not lose the run's report: it is said on stderr, with the ARN
          // to delete by hand.
          await made.remove().catch((e: Error) => process.emitWarning(e.message, 'AttestgateCleanupWarning'));
        });
      }
      return made;
    });
    if ('unavailable' in anchor) return anchor;
    return { arn: anchor.arn, key: `attacker-anchor:${attacker.id}`, credential: await this.certificatesFor(gate)!.attackerCredential(attacker) };
  }

  /**
   * The positive control of a gate through the primary path — or through another path, whose
   * denials count only next to its own control. Sent once per key: the first check that needs
   * it sends it, the others reuse its answer (with the evidence saying so).
   */
  public async positiveControl(gate: ResolvedAwsGate, path?: ResolvedRolesAnywherePath): Promise<{ outcome: HttpOutcome; attempts: number }> {
    const credential = await this.certificatesFor(gate, path)!.control();
    return this.createSession(gate, credential, path ? { trustAnchorArn: path.trustAnchorArn, profileArn: path.profileArn } : {});
  }
}

/** Why a gate cannot be probed with certificates at all, or undefined when it can. */
export function certificateProbeBlocker(gate: ResolvedAwsGate): Verdict | undefined {
  if (gate.problems.length > 0) return inconclusive(`the gate is not deployed faithfully on this target: ${gate.problems.join('; ')}`);
  if (!gate.roleArn || !gate.profileArn || gate.trustAnchorArns.length === 0) {
    return inconclusive(`the gate has no ${!gate.roleArn ? 'role' : !gate.profileArn ? 'profile listing the role' : 'trust anchor'} on this target`);
  }
  if (!gate.signingCa) return skipped(gate.noSigningCaReason ?? 'no CA key for this trust anchor in --pki');
  return undefined;
}

/**
 * A check judged on every path of a gate (combinePathVerdicts); a gate without a path is
 * INCONCLUSIVE with why it has none — not deployed faithfully, its anchors not known (an import
 * of a missing export) — rather than a bare "no path".
 */
export function combineGatePaths(gate: ResolvedAwsGate, verdicts: ReadonlyArray<{ readonly path: string; readonly verdict: Verdict }>): Verdict {
  if (verdicts.length === 0 && gate.problems.length > 0) return inconclusive(`the gate has no path to judge: it is not deployed faithfully on this target: ${gate.problems.join('; ')}`);
  return combinePathVerdicts(verdicts);
}

/** Why one path of a gate cannot be probed with certificates, or undefined when it can. */
export function pathProbeBlocker(gate: ResolvedAwsGate, path: ResolvedRolesAnywherePath): Verdict | undefined {
  if (gate.problems.length > 0) return inconclusive(`the gate is not deployed faithfully on this target: ${gate.problems.join('; ')}`);
  if (!gate.roleArn || !path.profileArn || !path.trustAnchorArn) return inconclusive(`${path.id} is not deployed on this target`);
  if (!path.signingCa) return skipped(path.noSigningCaReason ?? `no CA key for ${path.anchor} in --pki`);
  return undefined;
}

/**
 * The skeleton of every certificate mutation: the positive control must have succeeded in this
 * run — through the same path — then the mutated request must be denied with the expected denial.
 * Without `path`, the primary path (the one AGC-AWS-001 proves).
 */
export async function probeDenied(
  gate: ResolvedAwsGate,
  context: AwsProbeContext,
  what: string,
  expected: ExpectedDenial,
  send: (certificates: ProbeCertificates) => Promise<{ outcome: HttpOutcome; attempts: number }>,
  path?: ResolvedRolesAnywherePath,
): Promise<Verdict> {
  const blocker = path ? pathProbeBlocker(gate, path) : certificateProbeBlocker(gate);
  if (blocker) return blocker;
  const control = await context.positiveControl(gate, path);
  if (!issuedCredentials(control.outcome)) {
    return inconclusive(`the positive control${path ? ` through ${path.id}` : ''} did not get credentials in this run (${describeOutcome(control.outcome)}), so a denial would prove nothing`);
  }
  const { outcome } = await send(context.certificatesFor(gate, path)!);
  return judgeDenial(outcome, expected, what);
}

/**
 * The requests `probeDenied` sends: none when the gate or path cannot be probed (the same
 * blockers), else the positive control of the path and the mutation.
 */
export function plannedDenial(gate: ResolvedAwsGate, context: AwsProbeContext, mutation: string, what: string, overrides: SessionOverrides = {}, path?: ResolvedRolesAnywherePath): PlannedRequest[] {
  if (path ? pathProbeBlocker(gate, path) : certificateProbeBlocker(gate)) return [];
  return [...context.plannedControl(gate, path), ...context.plannedMutation(gate, mutation, what, overrides, path)];
}
