import { SignedCreateSessionRequest, signCreateSessionRequest } from '../../lib/credentials/roles-anywhere/sign-request';
import { AwsGate } from './discover-gates';
import { Verdict, inconclusive, skipped } from '../engine/check';
import { RateLimiter, RetryPolicy, withRetries } from '../engine/retry';
import { SigningCa } from '../pki/signing-ca';
import { ExpectedIdentity } from './expected-identity';
import { ExpectedDenial, HTTP_RETRY_HINTS, HttpOutcome } from '../engine/http-outcome';
import { describeOutcome, issuedCredentials, isTransient, judgeDenial } from './http-outcome';
import { ProbeCertificates, ProbeCredential } from './probe-certificates';

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
}

/** Shared state of a run: the target, the rate limit, minted certificates, positive controls. */
export class AwsProbeContext {
  private readonly certificates = new Map<string, ProbeCertificates>();
  private readonly controls = new Map<string, Promise<{ outcome: HttpOutcome; attempts: number }>>();
  public attempts = 0;

  constructor(public readonly options: AwsProbeContextOptions) {}

  public get target(): AwsProbeTarget {
    return this.options.target;
  }

  /** Certificates signed by the CA of a path's anchor (the primary path's by default). */
  public certificatesFor(gate: ResolvedAwsGate, path?: ResolvedRolesAnywherePath): ProbeCertificates | undefined {
    const signingCa = path ? path.signingCa : gate.signingCa;
    if (!signingCa) return undefined;
    const key = `${gate.gate.id}\n${signingCa.certificate.publicKeySpki.toString('base64')}`;
    if (!this.certificates.has(key)) this.certificates.set(key, new ProbeCertificates(signingCa, gate.expected));
    return this.certificates.get(key);
  }

  /** Signs and sends a CreateSession request, retrying transient failures within the rate limit. */
  public async createSession(
    gate: ResolvedAwsGate,
    credential: ProbeCredential,
    overrides: { trustAnchorArn?: string; profileArn?: string; durationSeconds?: number; roleSessionName?: string; now?: () => Date; tamper?: (r: SignedCreateSessionRequest) => SignedCreateSessionRequest } = {},
  ): Promise<{ outcome: HttpOutcome; attempts: number }> {
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
        now: overrides.now?.(),
      });
      return this.target.send(overrides.tamper ? overrides.tamper(signed) : signed);
    };
    const { result, attempts } = await withRetries(attempt, isTransient, this.options.retry, HTTP_RETRY_HINTS);
    this.attempts += attempts;
    return { outcome: result, attempts };
  }

  /** `sts:AssumeRole` of the gate's role by the account's unattested principal, retried like every probe. */
  public async assumeRoleUnattested(roleArn: string): Promise<HttpOutcome | { readonly unavailable: string }> {
    type Answer = HttpOutcome | { readonly unavailable: string };
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
  }

  /**
   * The positive control of a gate, run once per run: a correctly attested certificate through
   * the primary path — or through another path, whose denials count only next to its own control.
   */
  public positiveControl(gate: ResolvedAwsGate, path?: ResolvedRolesAnywherePath): Promise<{ outcome: HttpOutcome; attempts: number }> {
    const key = path && path !== gate.paths[0] ? `${gate.gate.id}\n${path.id}` : gate.gate.id;
    if (!this.controls.has(key)) {
      const certificates = this.certificatesFor(gate, path)!;
      this.controls.set(
        key,
        certificates.control().then((credential) => this.createSession(gate, credential, path ? { trustAnchorArn: path.trustAnchorArn, profileArn: path.profileArn } : {})),
      );
    }
    return this.controls.get(key)!;
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
