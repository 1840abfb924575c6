import { Verdict, inconclusive, skipped } from '../engine/check';
import { RateLimiter, RetryPolicy, withRetries } from '../engine/retry';
import { HTTP_RETRY_HINTS } from '../engine/http-outcome';
import { IssuerKey } from '../oidc/issuer-key';
import { TokenClaims, decodeJwt, signJwt } from '../oidc/jwt';
import { ExpectedDenial, HttpOutcome, describeGcpOutcome, isTransientGcp, issuedToken, judgeGcpDenial } from './gcp-outcome';
import { GcpProbeTarget } from './gcp-probe-target';
import { ResolvedGcpGate, serviceAccountsFor } from './resolve-gates';
import { federatePlanned } from './token-plan';

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

/** Shared state of a run: the target, the rate limit, the token command's token, positive controls. */
export class GcpProbeContext {
  private readonly controls = new Map<string, Promise<ControlRun>>();
  private commandToken?: Promise<{ token: string } | { error: string }>;
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

  /** STS token exchange of a subject token for the gate's provider. */
  public exchange(gate: ResolvedGcpGate, subjectToken: string): Promise<HttpOutcome> {
    return this.send(() => this.target.exchange(gate.stsAudience!, subjectToken));
  }

  public generateAccessToken(serviceAccount: string, federatedToken: string): Promise<HttpOutcome> {
    return this.send(() => this.target.generateAccessToken(serviceAccount, federatedToken));
  }

  /** The token the user's command prints, fetched once per run. */
  public tokenFromCommand(): Promise<{ token: string } | { error: string }> | undefined {
    if (!this.options.tokenCommand) return undefined;
    this.commandToken ??= this.options.tokenCommand().then(
      (token) => ({ token }),
      (e: Error) => ({ error: e.message }),
    );
    return this.commandToken;
  }

  /** A token the gate's issuer key signs. */
  public sign(gate: ResolvedGcpGate, claims: TokenClaims, key: IssuerKey = gate.keys[0]): string {
    return signJwt(key, claims);
  }

  /** The claims mutations start from: the token command's (times dropped) or the planned control's. */
  public async baselineClaims(gate: ResolvedGcpGate): Promise<TokenClaims | undefined> {
    const fromCommand = await this.tokenFromCommand();
    if (fromCommand && 'token' in fromCommand) return timeless(decodeJwt(fromCommand.token).claims);
    return gate.plan?.control ?? gate.plan?.baseClaims;
  }

  /** The positive control, once per gate per run: a token the gate should admit, exchanged, then the bound service account's token. */
  public positiveControl(gate: ResolvedGcpGate): Promise<ControlRun> {
    if (!this.controls.has(gate.gate.id)) this.controls.set(gate.gate.id, this.runControl(gate));
    return this.controls.get(gate.gate.id)!;
  }

  private async runControl(gate: ResolvedGcpGate): Promise<ControlRun> {
    let token: string;
    let source: string;
    const fromCommand = await this.tokenFromCommand();
    if (fromCommand && 'error' in fromCommand) return { kind: 'error', reason: fromCommand.error };
    if (fromCommand) {
      token = fromCommand.token;
      source = 'token command';
    } else if (gate.keys.length === 0) {
      return { kind: 'unavailable', reason: `${gate.noKeyReason ?? 'no issuer key'}, and no --token-command` };
    } else if (!gate.plan?.control) {
      return { kind: 'unavailable', reason: gate.plan?.controlNote ?? 'no token claims could be derived' };
    } else {
      token = this.sign(gate, gate.plan.control);
      source = 'issuer key';
    }
    const claims = decodeJwt(token).claims as unknown as TokenClaims;
    const exchange = await this.exchange(gate, token);
    const federated = issuedToken(exchange);
    const principal = gate.provider ? federatePlanned(gate.provider, claims) : undefined;
    // The account the configuration binds to this principal, else the one the manifest intends it to reach.
    const serviceAccount = (principal ? serviceAccountsFor(gate, principal)[0] : undefined) ?? gate.intendedServiceAccounts[0];
    if (!federated || !serviceAccount) return { kind: 'ran', source, claims, exchange };
    return { kind: 'ran', source, claims, exchange, impersonation: { serviceAccount, outcome: await this.generateAccessToken(serviceAccount, federated) } };
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

/** A mutated token must be refused by the STS with the expected denial. */
export async function probeExchangeDenied(
  gate: ResolvedGcpGate,
  context: GcpProbeContext,
  what: string,
  expected: ExpectedDenial,
  needsKey: boolean,
  token: (baseline: TokenClaims) => string | Promise<string | Verdict> | Verdict,
): Promise<Verdict> {
  const blocked = await mutationBlocker(gate, context, needsKey);
  if (blocked) return blocked;
  const baseline = await context.baselineClaims(gate);
  if (!baseline) return skipped('no token claims could be derived for this provider');
  const made = await token(baseline);
  if (typeof made !== 'string') return made;
  return judgeGcpDenial(await context.exchange(gate, made), expected, what);
}

/** The denial generateAccessToken must answer for a principal without an impersonation grant. */
export const IMPERSONATION_DENIED: ExpectedDenial = { status: 403, code: 'PERMISSION_DENIED', message: /iam\.serviceAccounts\.getAccessToken/ };

/**
 * generateAccessToken for each service account with one federated token, each judged as a
 * denial: FAIL when any account's token is issued, INCONCLUSIVE when any answer is not the
 * expected denial, PASS when every one is.
 */
export async function probeImpersonationsDenied(context: GcpProbeContext, federatedToken: string, serviceAccounts: readonly string[], what: string): Promise<Verdict> {
  const verdicts: Verdict[] = [];
  for (const serviceAccount of serviceAccounts) {
    verdicts.push(judgeGcpDenial(await context.generateAccessToken(serviceAccount, federatedToken), IMPERSONATION_DENIED, `${what}: generateAccessToken for ${serviceAccount}`));
  }
  const worst = verdicts.find((v) => v.status === 'FAIL') ?? verdicts.find((v) => v.status === 'INCONCLUSIVE');
  if (worst) return worst;
  return {
    status: 'PASS',
    reason: `${what}: generateAccessToken denied with 403 PERMISSION_DENIED for ${serviceAccounts.join(', ')}`,
    evidence: { received: verdicts.map((v) => v.evidence?.received), expected: '403 PERMISSION_DENIED' },
  };
}
