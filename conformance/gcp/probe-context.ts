import { Verdict, inconclusive, skipped } from '../engine/check';
import { RateLimiter, RetryPolicy, withRetries } from '../engine/retry';
import { HTTP_RETRY_HINTS } from '../engine/http-outcome';
import * as crypto from 'node:crypto';
import { IssuerKey, generateIssuerKey, issuerKeyThumbprint } from '../oidc/issuer-key';
import { TokenClaims, decodeJwt, signJwtAsync, tamperedJwt, unsignedJwt } from '../oidc/jwt';
import { LiveQuota, PlannedRequest } from '../engine/request-plan';
import { SharedRequests } from '../engine/shared-requests';
import { ExpectedDenial, HttpOutcome, describeGcpOutcome, isTransientGcp, issuedToken, judgeGcpDenial } from './gcp-outcome';
import { CLOUD_PLATFORM_SCOPE, GcpProbeTarget } from './gcp-probe-target';
import { ResolvedGcpGate, serviceAccountsFor } from './resolve-gates';
import { federatePlanned } from './token-plan';
import { GENERATE_CREDENTIALS_QUOTA, STS_EXCHANGE_QUOTA } from '../../lib/model/gcp/quotas';

export interface GcpProbeContextOptions {
  readonly target: GcpProbeTarget;
  readonly limiter: RateLimiter;
  readonly retry: RetryPolicy;
  /** Prints a valid token for the gate (`--token-command`); run once per run. */
  readonly tokenCommand?: () => Promise<string>;
}

/** The positive control of a gate in this run. */
export type ControlRun =
  /** Nothing to sign with and no token command: the control cannot run (SKIPPED). */
  | { readonly kind: 'unavailable'; readonly reason: string }
  /** The token command failed: the control could not run although it should have (INCONCLUSIVE). */
  | { readonly kind: 'error'; readonly reason: string }
  | {
      readonly kind: 'ran';
      /** `issuer key` or `token command`. */
      readonly source: string;
      readonly claims: TokenClaims;
      readonly exchange: HttpOutcome;
      /** generateAccessToken for the service account bound to (or, per the manifest, meant for) the control's principal. */
      readonly impersonation?: { readonly serviceAccount: string; readonly outcome: HttpOutcome };
    };

/** Whether the control got what it should: a federated token, and the bound service account's token. */
export function controlSucceeded(control: ControlRun): boolean {
  if (control.kind !== 'ran' || !issuedToken(control.exchange)) return false;
  return !control.impersonation || issuedToken(control.impersonation.outcome) !== undefined;
}

export function describeControl(control: ControlRun): string {
  if (control.kind !== 'ran') return control.reason;
  if (!issuedToken(control.exchange)) return `STS: ${describeGcpOutcome(control.exchange)}`;
  return control.impersonation ? `generateAccessToken ${control.impersonation.serviceAccount}: ${describeGcpOutcome(control.impersonation.outcome)}` : 'STS issued a federated token';
}

/** Claims without the times, so a re-signed token gets fresh ones. */
function timeless(claims: Record<string, unknown>): TokenClaims {
  const { iat: _iat, exp: _exp, nbf: _nbf, ...rest } = claims;
  return rest as unknown as TokenClaims;
}

/**
 * The live quotas of what GCP probes send: Google's default per-project quotas of the two
 * credential APIs, from the one place they live (lib/model/gcp/quotas.ts — the emulator throttles
 * at the same figures). Source: Google's "IAM quotas and limits" page, cloud.google.com/iam/quotas,
 * as stored for our research tools on 2026-12-04. The Workload Identity Federation quotas on that
 * page (600 reads, 60 writes per project per minute) are for managing pools and providers, which no
 * probe calls; the issuer discovery and JWKS fetches of a live target's preparation are not probes.
 */
export const GCP_LIVE_QUOTAS: readonly LiveQuota[] = [
  {
    id: 'gcp:sts-exchange-token',
    name: 'Security Token Service token exchange',
    perSecond: STS_EXCHANGE_QUOTA.perMinute / 60,
    source: `cloud.google.com/iam/quotas: Security Token Service API, exchange token requests (non-workforce identity federation), ${STS_EXCHANGE_QUOTA.perMinute.toLocaleString('en-US')} per minute`,
  },
  {
    id: 'gcp:generate-credentials',
    name: 'IAM Service Account Credentials generateAccessToken',
    perSecond: GENERATE_CREDENTIALS_QUOTA.perMinute / 60,
    source: `cloud.google.com/iam/quotas: Service Account Credentials API, requests to generate credentials, ${GENERATE_CREDENTIALS_QUOTA.perMinute.toLocaleString('en-US')} per minute`,
  },
];

/**
 * How a probe's subject token is made: with the gate's provider, everything the STS's answer
 * depends on. It is minted only when sent, so planning costs no signature.
 */
export interface SubjectToken {
  /** The claims, times left out unless `times` sets them (signing adds fresh ones). */
  readonly claims: TokenClaims;
  /**
   * `issuer-key`: the gate's first issuer key; `unknown-key`: the run's one key that no issuer
   * publishes; `none`: unsigned (alg none); `token-command`: the command's token as it printed it.
   */
  readonly signer: 'issuer-key' | 'unknown-key' | 'none' | 'token-command';
  /** Relative to sending: `fresh` (iat now, exp in 5 min), `expired` (exp 10 min ago), `future` (iat and nbf in 10 min). @default fresh */
  readonly times?: 'fresh' | 'expired' | 'future';
  /** One bit of the signature flipped. */
  readonly tampered?: boolean;
}

/** The token a gate's positive control presents, or why there is none. */
type ControlToken =
  | { readonly kind: 'unavailable'; readonly reason: string }
  | { readonly kind: 'error'; readonly reason: string }
  | { readonly kind: 'token'; readonly token: SubjectToken; readonly source: string };

// Why requests with the same key have the same answer, per kind: the evidence of every check
// that reuses one names it.
const SAME_EXCHANGE =
  'the same STS token exchange — provider (audience) and its whole configuration, subject-token claims, signing key, token times — and the STS’s answer depends on nothing else';
const SAME_IMPERSONATION =
  'the same generateAccessToken — service account and the gate’s configuration (its grants), the federated token of the same exchange, scope and lifetime — and its answer depends on nothing else';

/** JSON with object members sorted, so equal values give equal keys. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('base64url');

/** A digest of grants, without where each comes from (its stack and address), in a stable order. */
function grantsDigest(grants: ReadonlyArray<{ readonly origin: string }>): string {
  return sha256(canonical(grants.map(({ origin: _origin, ...grant }) => canonical(grant)).sort()));
}

/**
 * What of a gate's configuration any answer about it can depend on: the provider as deployed
 * (name, issuer, keys it trusts, audiences, mapping, condition, manifest) and every grant to the
 * pool's principals — without where each grant comes from, so the same configuration under two
 * stack names is the same. Part of every request key: requests are never shared across gates
 * whose configurations differ in any of it. `poolDigest` digests the pool's grants (the same for
 * every gate of a pool: computed once per pool, not once per gate).
 */
function configurationOf(gate: ResolvedGcpGate, poolDigest: (grants: ReadonlyArray<{ readonly origin: string }>) => string): string {
  const provider = gate.provider;
  return sha256(
    canonical({
      kind: gate.gate.kind,
      providerName: gate.providerName ?? null,
      stsAudience: gate.stsAudience ?? null,
      issuer: gate.issuer ?? null,
      jwks: gate.jwks ?? null,
      provider: provider
        ? { audiences: provider.audiences, attributeMapping: provider.attributeMapping, attributeCondition: provider.attributeCondition ?? null, manifest: provider.manifest ?? null }
        : null,
      // What the provider's plan reads of the grants (impersonators, bound subjects) derives from these.
      grants: poolDigest(gate.poolGrants),
      impersonations: poolDigest(gate.impersonations),
      intendedServiceAccounts: [...gate.intendedServiceAccounts].sort(),
    }),
  );
}

const CONTROL_EXCHANGE = 'positive control: STS token exchange';

/** The lifetime every generateAccessToken asks for (the target's default). */
const IMPERSONATION_LIFETIME_SECONDS = 3600;

/** Shared state of a run: the target, the rate limit, the token command's token, requests sent once and shared. */
export class GcpProbeContext {
  private commandToken?: Promise<{ token: string } | { error: string }>;
  /** The token command's answer once it has come: plans are computed from it. */
  private commandAnswer?: { token: string } | { error: string };
  private unknownKey?: IssuerKey;
  private readonly configurations = new WeakMap<ResolvedGcpGate, string>();
  /** Digests of grant lists by the list (a pool's gates share theirs: resolveGcpGates), computed from their content. */
  private readonly grantDigests = new WeakMap<object, string>();
  /** Every request the checks send goes through it: one send per key (`SharedRequests`). */
  public readonly shared = new SharedRequests();
  public attempts = 0;

  constructor(public readonly options: GcpProbeContextOptions) {}

  public get target(): GcpProbeTarget {
    return this.options.target;
  }

  private async send(attempt: () => Promise<HttpOutcome>): Promise<HttpOutcome> {
    const { result, attempts } = await withRetries(
      async () => {
        await this.options.limiter.take();
        return attempt();
      },
      isTransientGcp,
      this.options.retry,
      HTTP_RETRY_HINTS,
    );
    this.attempts += attempts;
    return result;
  }

  private configuration(gate: ResolvedGcpGate): string {
    let digest = this.configurations.get(gate);
    if (digest === undefined) {
      const poolDigest = (grants: ReadonlyArray<{ readonly origin: string }>) => {
        let found = this.grantDigests.get(grants);
        if (found === undefined) this.grantDigests.set(grants, (found = grantsDigest(grants)));
        return found;
      };
      this.configurations.set(gate, (digest = configurationOf(gate, poolDigest)));
    }
    return digest;
  }

  /** Who signs a token, as the request key names it: a key by its thumbprint, never a private key. */
  private signerOf(gate: ResolvedGcpGate, token: SubjectToken): string {
    switch (token.signer) {
      case 'issuer-key':
        return `issuer-key:${gate.keys[0] ? issuerKeyThumbprint(gate.keys[0]) : 'none'}`;
      case 'token-command': {
        const answer = this.resolvedCommand();
        return `token-command:${answer && 'token' in answer ? sha256(answer.token) : 'none'}`;
      }
      default:
        // One key per run that no issuer publishes; unsigned is unsigned.
        return token.signer;
    }
  }

  /**
   * The planned STS exchange of a subject token for a gate's provider: the same key `exchange`
   * sends under, so the plan and the run agree. The target is one per run (one context), so its
   * endpoint is the same for every key.
   */
  public plannedExchange(gate: ResolvedGcpGate, token: SubjectToken, what: string): PlannedRequest {
    const claims = token.signer === 'token-command' ? null : canonical(token.claims);
    const key = JSON.stringify(['sts:token', this.target.name, gate.stsAudience ?? null, this.configuration(gate), this.signerOf(gate, token), token.times ?? 'fresh', token.tampered === true, claims]);
    return { key, quota: 'gcp:sts-exchange-token', what, shareReason: SAME_EXCHANGE };
  }

  /** The planned generateAccessToken for a service account with the federated token of a planned exchange. */
  public plannedImpersonation(gate: ResolvedGcpGate, serviceAccount: string, exchange: PlannedRequest, what: string): PlannedRequest {
    const key = JSON.stringify(['iamcredentials:generateAccessToken', this.target.name, serviceAccount, this.configuration(gate), CLOUD_PLATFORM_SCOPE, IMPERSONATION_LIFETIME_SECONDS, exchange.key]);
    return { key, quota: 'gcp:generate-credentials', what, shareReason: SAME_IMPERSONATION };
  }

  /**
   * The subject token as sent: signed (or not) now, with the times it asks for. The RSA signature
   * is made on libuv's pool: one per exchange, it was the largest linear cost on the prober's
   * (and in-process emulator's) thread at scale.
   */
  private async mint(gate: ResolvedGcpGate, token: SubjectToken): Promise<string> {
    let minted: string;
    if (token.signer === 'token-command') {
      const answer = this.resolvedCommand();
      if (!answer || !('token' in answer)) throw new Error('a token-command subject token needs the token command’s token');
      minted = answer.token;
    } else {
      const now = Math.floor(Date.now() / 1000);
      const times = token.times === 'expired' ? { iat: now - 3600, exp: now - 600 } : token.times === 'future' ? { iat: now + 600, nbf: now + 600, exp: now + 900 } : {};
      const claims = { ...token.claims, ...times };
      if (token.signer === 'none') minted = unsignedJwt(claims);
      else minted = await signJwtAsync(token.signer === 'issuer-key' ? gate.keys[0] : (this.unknownKey ??= generateIssuerKey('RS256')), claims);
    }
    return token.tampered ? tamperedJwt(minted) : minted;
  }

  /** STS token exchange of a subject token for the gate's provider, retried like every probe; once per key. */
  public exchange(gate: ResolvedGcpGate, token: SubjectToken, what = 'STS token exchange'): Promise<HttpOutcome> {
    return this.shared.send(this.plannedExchange(gate, token, what), () => this.send(async () => this.target.exchange(gate.stsAudience!, await this.mint(gate, token))));
  }

  /** generateAccessToken for a service account with the federated token `exchange` got; once per key. */
  public generateAccessToken(gate: ResolvedGcpGate, serviceAccount: string, exchange: PlannedRequest, federatedToken: string, what = `generateAccessToken for ${serviceAccount}`): Promise<HttpOutcome> {
    return this.shared.send(this.plannedImpersonation(gate, serviceAccount, exchange, what), () =>
      this.send(() => this.target.generateAccessToken(serviceAccount, federatedToken, IMPERSONATION_LIFETIME_SECONDS)),
    );
  }

  /** The token the user's command prints, fetched once per run (the run fetches it before planning). */
  public tokenFromCommand(): Promise<{ token: string } | { error: string }> | undefined {
    if (!this.options.tokenCommand) return undefined;
    this.commandToken ??= this.options.tokenCommand().then(
      (token) => (this.commandAnswer = { token }),
      (e: Error) => (this.commandAnswer = { error: e.message }),
    );
    return this.commandToken;
  }

  /** The token command's answer for a plan, which cannot wait: the run fetches it first. */
  private resolvedCommand(): { token: string } | { error: string } | undefined {
    if (!this.options.tokenCommand) return undefined;
    if (!this.commandAnswer) throw new Error('GcpProbeContext: the token command must have run before requests are planned (await tokenFromCommand() first)');
    return this.commandAnswer;
  }

  /** Whether the token command printed a token (it has run). */
  public hasCommandToken(): boolean {
    const answer = this.resolvedCommand();
    return answer !== undefined && 'token' in answer;
  }

  /** The claims mutations start from: the token command's (times dropped) or the planned control's. */
  public async baselineClaims(gate: ResolvedGcpGate): Promise<TokenClaims | undefined> {
    await this.tokenFromCommand();
    return this.plannedBaseline(gate);
  }

  /** `baselineClaims` for a plan, once the token command has run. */
  public plannedBaseline(gate: ResolvedGcpGate): TokenClaims | undefined {
    const fromCommand = this.resolvedCommand();
    if (fromCommand && 'token' in fromCommand) return timeless(decodeJwt(fromCommand.token).claims);
    return gate.plan?.control ?? gate.plan?.baseClaims;
  }

  /** The token of a gate's positive control: the command's, else claims the gate admits signed with its key. */
  public controlToken(gate: ResolvedGcpGate): ControlToken {
    const fromCommand = this.resolvedCommand();
    if (fromCommand && 'error' in fromCommand) return { kind: 'error', reason: fromCommand.error };
    if (fromCommand) return { kind: 'token', token: { claims: timeless(decodeJwt(fromCommand.token).claims), signer: 'token-command' }, source: 'token command' };
    if (gate.keys.length === 0) return { kind: 'unavailable', reason: `${gate.noKeyReason ?? 'no issuer key'}, and no --token-command` };
    if (!gate.plan?.control) return { kind: 'unavailable', reason: gate.plan?.controlNote ?? 'no token claims could be derived' };
    return { kind: 'token', token: { claims: gate.plan.control, signer: 'issuer-key' }, source: 'issuer key' };
  }

  /** The account the configuration binds to the control's principal, else the one the manifest intends it to reach. */
  private controlServiceAccount(gate: ResolvedGcpGate, claims: TokenClaims): string | undefined {
    // Every check plans the control and the run asks again: each time ran the provider's condition
    // (CEL) on the same claims. Remembered per gate for the same claims object (the plan's control).
    const known = this.controlAccounts.get(gate);
    if (known?.claims === claims) return known.account;
    const principal = gate.provider ? federatePlanned(gate.provider, claims) : undefined;
    const account = (principal ? serviceAccountsFor(gate, principal)[0] : undefined) ?? gate.intendedServiceAccounts[0];
    this.controlAccounts.set(gate, { claims, account });
    return account;
  }
  private readonly controlAccounts = new WeakMap<ResolvedGcpGate, { readonly claims: TokenClaims; readonly account: string | undefined }>();

  /** The requests of a gate's positive control: the exchange, then the bound service account's token. */
  public plannedControl(gate: ResolvedGcpGate): PlannedRequest[] {
    if (gateProbeBlocker(gate)) return [];
    const control = this.controlToken(gate);
    if (control.kind !== 'token') return [];
    const exchange = this.plannedExchange(gate, control.token, CONTROL_EXCHANGE);
    const serviceAccount = this.controlServiceAccount(gate, control.token.claims);
    return serviceAccount ? [exchange, this.plannedImpersonation(gate, serviceAccount, exchange, `positive control: generateAccessToken for ${serviceAccount}`)] : [exchange];
  }

  /**
   * The positive control of a gate: a token the gate should admit, exchanged, then the bound
   * service account's token. Sent once per key: the first check that needs it sends it, the
   * others reuse its answer (with the evidence saying so).
   */
  public async positiveControl(gate: ResolvedGcpGate): Promise<ControlRun> {
    await this.tokenFromCommand();
    const control = this.controlToken(gate);
    if (control.kind !== 'token') return control;
    const exchangeRequest = this.plannedExchange(gate, control.token, CONTROL_EXCHANGE);
    const exchange = await this.exchange(gate, control.token, CONTROL_EXCHANGE);
    const federated = issuedToken(exchange);
    const serviceAccount = this.controlServiceAccount(gate, control.token.claims);
    const ran = { kind: 'ran' as const, source: control.source, claims: control.token.claims, exchange };
    if (!federated || !serviceAccount) return ran;
    const outcome = await this.generateAccessToken(gate, serviceAccount, exchangeRequest, federated, `positive control: generateAccessToken for ${serviceAccount}`);
    return { ...ran, impersonation: { serviceAccount, outcome } };
  }

  /**
   * Whether the STS is expected to federate a fresh token of these claims signed by the issuer's
   * key: the provider's own mapping and condition decide (token-plan, the emulator's CEL path).
   * Only plans use it, for the generateAccessToken calls a check sends after a federated token;
   * a target that federates what this says is refused is sent more than planned (the run's
   * request count says how many), and the checks judge what it answered.
   */
  public predictsFederated(gate: ResolvedGcpGate, claims: TokenClaims): boolean {
    return gate.provider !== undefined && federatePlanned(gate.provider, claims) !== undefined;
  }
}

/** Why a gate cannot be probed at all, or undefined when it can. */
export function gateProbeBlocker(gate: ResolvedGcpGate): Verdict | undefined {
  if (gate.gate.kind !== 'oidc') return skipped(`the provider accepts ${gate.gate.kind} credentials; only OIDC providers are probed`);
  if (gate.problems.length > 0) return inconclusive(`the gate is not deployed faithfully on this target: ${gate.problems.join('; ')}`);
  if (!gate.stsAudience) return inconclusive('the provider has no resource name on this target');
  return undefined;
}

/**
 * Why a mutation cannot be sent, or undefined when it can: the gate can be probed, and the
 * positive control did not fail. A control that cannot run (no key, no token command) still lets
 * mutations that need no issuer key go: a token they get is a FAIL, and the runner keeps any
 * denial from passing without a control. A control that ran and failed makes them INCONCLUSIVE.
 */
export async function mutationBlocker(gate: ResolvedGcpGate, context: GcpProbeContext, needsKey: boolean): Promise<Verdict | undefined> {
  const blocker = gateProbeBlocker(gate);
  if (blocker) return blocker;
  if (needsKey && gate.keys.length === 0) return skipped(`${gate.noKeyReason ?? 'no issuer key'}: this mutation signs a token with changed claims, which needs the issuer's key (--pki)`);
  const control = await context.positiveControl(gate);
  if (control.kind === 'unavailable') return needsKey ? skipped(control.reason) : undefined;
  if (control.kind === 'error') return inconclusive(`the positive control could not run: ${control.reason}`);
  if (!controlSucceeded(control)) return inconclusive(`the positive control did not succeed in this run (${describeControl(control)}), so a denial would prove nothing`);
  return undefined;
}

/**
 * The requests `mutationBlocker` lets through, as a plan: none when it would block whatever the
 * control's answer (the same conditions), else the positive control's (assumed to succeed, as a
 * plan assumes of every control) — and the claims the mutation starts from, or undefined when it
 * sends nothing.
 */
export function plannedUnblocked(gate: ResolvedGcpGate, context: GcpProbeContext, needsKey: boolean): { readonly control: PlannedRequest[]; readonly baseline?: TokenClaims } | undefined {
  if (gateProbeBlocker(gate)) return undefined;
  if (needsKey && gate.keys.length === 0) return undefined;
  const control = context.controlToken(gate);
  if (control.kind === 'error' || (control.kind === 'unavailable' && needsKey)) return undefined;
  const baseline = context.plannedBaseline(gate);
  return { control: context.plannedControl(gate), ...(baseline ? { baseline } : {}) };
}

/** A mutation's subject token from the baseline claims, or the verdict when it cannot be made. */
export type MutatedToken = (baseline: TokenClaims) => SubjectToken | Verdict;

const isVerdict = (made: SubjectToken | Verdict): made is Verdict => 'status' in made;

/** A mutated token must be refused by the STS with the expected denial. */
export async function probeExchangeDenied(gate: ResolvedGcpGate, context: GcpProbeContext, what: string, expected: ExpectedDenial, needsKey: boolean, token: MutatedToken): Promise<Verdict> {
  const blocked = await mutationBlocker(gate, context, needsKey);
  if (blocked) return blocked;
  const baseline = await context.baselineClaims(gate);
  if (!baseline) return skipped('no token claims could be derived for this provider');
  const made = token(baseline);
  if (isVerdict(made)) return made;
  return judgeGcpDenial(await context.exchange(gate, made, what), expected, what);
}

/** The requests `probeExchangeDenied` sends with the same arguments: the control's and the mutation. */
export function plannedExchangeDenial(gate: ResolvedGcpGate, context: GcpProbeContext, what: string, needsKey: boolean, token: MutatedToken): PlannedRequest[] {
  const unblocked = plannedUnblocked(gate, context, needsKey);
  if (!unblocked?.baseline) return [];
  const made = token(unblocked.baseline);
  if (isVerdict(made)) return [];
  return [...unblocked.control, context.plannedExchange(gate, made, what)];
}

/** The denial generateAccessToken must answer for a principal without an impersonation grant. */
export const IMPERSONATION_DENIED: ExpectedDenial = { status: 403, code: 'PERMISSION_DENIED', message: /iam\.serviceAccounts\.getAccessToken/ };

/**
 * generateAccessToken for each service account with the federated token of one exchange (the
 * subject token it was for), each judged as a denial: FAIL when any account's token is issued,
 * INCONCLUSIVE when any answer is not the expected denial, PASS when every one is.
 */
export async function probeImpersonationsDenied(
  gate: ResolvedGcpGate,
  context: GcpProbeContext,
  exchanged: SubjectToken,
  federatedToken: string,
  serviceAccounts: readonly string[],
  what: string,
): Promise<Verdict> {
  const exchange = context.plannedExchange(gate, exchanged, what);
  const verdicts: Verdict[] = [];
  for (const serviceAccount of serviceAccounts) {
    const request = `${what}: generateAccessToken for ${serviceAccount}`;
    verdicts.push(judgeGcpDenial(await context.generateAccessToken(gate, serviceAccount, exchange, federatedToken, request), IMPERSONATION_DENIED, request));
  }
  const worst = verdicts.find((v) => v.status === 'FAIL') ?? verdicts.find((v) => v.status === 'INCONCLUSIVE');
  if (worst) return worst;
  return {
    status: 'PASS',
    reason: `${what}: generateAccessToken denied with 403 PERMISSION_DENIED for ${serviceAccounts.join(', ')}`,
    evidence: { received: verdicts.map((v) => v.evidence?.received), expected: '403 PERMISSION_DENIED' },
  };
}

/**
 * The requests of an exchange followed, when the STS is expected to federate the token
 * (`predictsFederated`), by generateAccessToken on each service account — as
 * `probeImpersonationsDenied` sends them after that exchange.
 */
export function plannedExchangeThenImpersonations(gate: ResolvedGcpGate, context: GcpProbeContext, token: SubjectToken, serviceAccounts: readonly string[], what: string): PlannedRequest[] {
  const exchange = context.plannedExchange(gate, token, what);
  if (!context.predictsFederated(gate, token.claims)) return [exchange];
  return [exchange, ...serviceAccounts.map((serviceAccount) => context.plannedImpersonation(gate, serviceAccount, exchange, `${what}: generateAccessToken for ${serviceAccount}`))];
}
