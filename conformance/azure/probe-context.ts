import { HTTP_RETRY_HINTS, HttpOutcome } from '../engine/http-outcome';
import { AzureGate } from './discover-gates';
import { Verdict, inconclusive, skipped } from '../engine/check';
import { RateLimiter, RetryPolicy, withRetries } from '../engine/retry';
import { IssuerKey } from '../oidc/issuer-key';
import { decodeJwt } from '../oidc/jwt';
import { LiveQuota, PlannedRequest } from '../engine/request-plan';
import { SharedRequests } from '../engine/shared-requests';
import { AssertedIdentity, ClientAssertion, existingAssertion, signedAssertion } from './client-assertion';
import { AadDenial, accessTokenOf, combineVerdicts, describeAadOutcome, isTransientAad, judgeAadDenial } from './aad-outcome';
import { AzureProbeTarget } from './azure-probe-target';
import { ForeignSubject } from './foreign-subjects';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The resource probes ask a token for: Azure Resource Manager, where role assignments act. */
export const DEFAULT_PROBE_SCOPE = 'https://management.azure.com/.default';
/** Leg 1 of Entra Agent ID's flow asks a token for the token exchange audience. */
export const AGENT_LEG1_SCOPE = 'api://AzureADTokenExchange/.default';

/** A federated credential of a gate, concrete: what a token must carry to be exchanged. */
export interface ProbeCredential {
  /** The Terraform address it came from. */
  readonly address: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
  /** Listed in the gate manifest: a subject other than the agent's was acknowledged there with a reason. */
  readonly declared: boolean;
}

/** A gate as deployed on a target, with what probing it needs. */
export interface ResolvedAzureGate {
  readonly gate: AzureGate;
  readonly tenantId?: string;
  readonly clientId?: string;
  /** An agent identity's blueprint: leg 1's `client_id` (the agent's own client ID is its `fmi_path`). */
  readonly blueprintClientId?: string;
  readonly credentials: readonly ProbeCredential[];
  /** Why the gate is not deployed faithfully on this target (INCONCLUSIVE). */
  readonly problems: readonly string[];
  /** What is missing to probe it at all, e.g. its client ID on a live tenant (SKIPPED). */
  readonly unresolved?: string;
  /** The agent's own subject, when a gate manifest declares it (its SPIFFE ID). */
  readonly agentSubject?: string;
  /** Private keys per issuer whose public keys the issuer publishes; RS256 first. */
  readonly issuerKeys: ReadonlyMap<string, readonly IssuerKey[]>;
  /** Why an issuer has no key, for SKIPPED reasons. */
  readonly noKeyReason: string;
  /** Subjects that other identities' credentials trust: other workloads' tokens. */
  readonly foreignSubjects: readonly ForeignSubject[];
  readonly scope: string;
  /** An agent gate's view of the run's other agent gates under other blueprints: their workloads are another blueprint's leg 1. */
  readonly otherBlueprints?: readonly ResolvedAzureGate[];
}

/** Gives each agent gate the run's agent gates of other blueprints (resolved on the same target). */
export function withOtherBlueprints(gates: readonly ResolvedAzureGate[]): ResolvedAzureGate[] {
  const agents = gates.filter((g) => g.gate.agent && g.blueprintClientId && g.clientId);
  return gates.map((g) => (g.gate.agent ? { ...g, otherBlueprints: agents.filter((o) => o.blueprintClientId !== g.blueprintClientId) } : g));
}

/** What the positive control of a gate did in this run. */
export type PositiveControl =
  | { readonly kind: 'unavailable'; readonly reason: string }
  | {
      readonly kind: 'ran';
      readonly credential: ProbeCredential;
      /** The assertion that was exchanged, as presented (the first leg's, for an agent). */
      readonly assertion: ClientAssertion;
      readonly source: 'issuer-key' | 'token-command';
      readonly outcome: HttpOutcome;
    };

/** The positive control a gate will get, known before anything is sent: what the plan and the run both start from. */
export type ControlPlan =
  | { readonly kind: 'unavailable'; readonly reason: string }
  | { readonly kind: 'issuer-key'; readonly credential: ProbeCredential; readonly assertion: ClientAssertion }
  | { readonly kind: 'token-command' };

export interface AzureProbeContextOptions {
  readonly target: AzureProbeTarget;
  readonly limiter: RateLimiter;
  readonly retry: RetryPolicy;
  /** The token printed by `--token-command`, fetched at most once per run. */
  readonly commandToken?: () => Promise<string>;
  /**
   * The key the target signs its own tokens with — only the local emulator can give it: with it a
   * check re-dates a leg-1 token the target issued, which a live tenant's tokens cannot be.
   */
  readonly tenantKey?: IssuerKey;
}

/**
 * Entra's documented request quotas for what Azure probes send: none. Every probe is a POST to
 * the token endpoint (no Graph or ARM call, no mutation), and Microsoft publishes no rate for it
 * on a workforce tenant: the MSAL throttling guide (learn.microsoft.com/entra/msal/dotnet/advanced/
 * client-and-server-throttling) documents only the answer, 429 with `Retry-After: 60`; Microsoft's
 * Q&A answer "Azure oAuth endpoint throttling" (learn.microsoft.com/answers/questions/436012) says
 * the figure is not public; the 200 requests per second of "Microsoft Entra External ID service
 * limits" apply to external (CIAM) tenants only. So the plan's Azure requests are unquoted and add
 * no bound; the emulator's 600 a minute is its own choice (docs/emulator.md), not Entra's figure.
 */
export const AZURE_LIVE_QUOTAS: readonly LiveQuota[] = [];

// Why requests with the same key have the same answer, per kind: the evidence of every check
// that reuses one names it.
const SAME_FRESH_ASSERTION =
  'the same token request — authority, tenant, client, scope, fmi_path — with an assertion of the same claims, validity window and signing key; each is minted with a fresh jti, which is never a replay, so Entra’s answer depends on nothing else';
const SAME_LEG1_TOKEN = 'the same leg-1 token (from the same leg-1 request) presented as the same agent identity for the same scope';
const SAME_BYTES = 'the same token bytes presented to the same client for the same scope: sent once, a second presentation could be refused as a replay';

/** One token request, planned or sent: the canonical key, and the form it sends. */
interface TokenRequest {
  readonly planned: PlannedRequest;
  readonly client: string;
  readonly scope: string;
  readonly assertion: ClientAssertion;
  readonly fmiPath?: string;
}

/** A leg 1 as sent: its key (leg 2's assertion is derived from it), its answer, and what it presented. */
export interface Leg1Answer {
  readonly key: string;
  readonly outcome: HttpOutcome;
  readonly presented: string;
}

/** A probe that goes another way than exchanging its assertion for the gate: its requests, as planned and as sent. */
export interface ProbeRoute {
  readonly requests: readonly PlannedRequest[];
  send(): Promise<HttpOutcome>;
}

/**
 * Shared state of a run: the target, the rate limit, the attacker's keys, and every token request
 * sent once per key (`SharedRequests`). The plan and the sending build keys with the same
 * functions (`tokenRequest`, `leg1Request`, `leg2Request`), so a run sends exactly the plan's
 * distinct requests, when the gates answer as the plan expects (see `plannedExchange`).
 */
export class AzureProbeContext {
  /** Every token request the checks send goes through it: one send per key. */
  public readonly shared = new SharedRequests();
  public attempts = 0;

  constructor(public readonly options: AzureProbeContextOptions) {}

  public get target(): AzureProbeTarget {
    return this.options.target;
  }

  /** A token request's key: everything its answer depends on, the assertion's key included. */
  private tokenRequest(gate: ResolvedAzureGate, client: string, scope: string, assertion: ClientAssertion, what: string, fmi?: { path: string; presentedAs: string }, leg2 = false): TokenRequest {
    const key = JSON.stringify(['entra:token', this.target.authorityHost, gate.tenantId ?? null, client, scope, fmi?.path ?? null, fmi?.presentedAs ?? null, assertion.key, configurationOf(gate)]);
    // Why an identical request's answer is the same depends on what it presents.
    const shareReason = assertion.fresh ? SAME_FRESH_ASSERTION : leg2 ? SAME_LEG1_TOKEN : SAME_BYTES;
    return { planned: { key, what, shareReason }, client, scope, assertion, ...(fmi ? { fmiPath: fmi.path } : {}) };
  }

  /**
   * Leg 1 of the agent flow as `blueprint` for `fmiPath`. Its key names the agent identity whose
   * leg 2 will present the token (`presentedAs`): a leg-1 token is presented at one leg 2 only.
   * Two leg-1 requests that differ only there are the same HTTP request, but each is sent: had
   * one token been presented as two agents, the second presentation's answer could depend on
   * whether Entra takes a leg-1 token once (it documents no reuse) — and a refusal for that reason
   * would read as a gate refusing its own agent.
   */
  private leg1Request(gate: ResolvedAzureGate, blueprint: string, assertion: ClientAssertion, fmiPath: string, presentedAs: string, what: string): TokenRequest {
    return this.tokenRequest(gate, blueprint, AGENT_LEG1_SCOPE, assertion, `leg 1 of ${what}`, { path: fmiPath, presentedAs });
  }

  /** Leg 2 of the agent flow: the token of the leg-1 request `leg1Key` (or one derived from it), presented as the gate's agent. */
  private leg2Request(gate: ResolvedAzureGate, assertion: ClientAssertion, what: string): TokenRequest {
    return this.tokenRequest(gate, gate.clientId!, gate.scope, assertion, `leg 2 of ${what}`, undefined, true);
  }

  /** Sends a token request once per key, retrying transient failures within the rate limit. */
  private send(gate: ResolvedAzureGate, request: TokenRequest): Promise<{ outcome: HttpOutcome; presented: string }> {
    return this.shared.send(request.planned, async () => {
      let presented = '';
      // Minted per attempt: a retry after a 5xx or a reset that Entra may have processed presents
      // a fresh jti, so its answer cannot be a replay refusal. A token that exists already (a
      // leg-1 token, the token command's) can only be presented again as it is.
      const attempt = async () => {
        presented = request.assertion.mint();
        const form = {
          client_id: request.client,
          scope: request.scope,
          ...(request.fmiPath !== undefined ? { fmi_path: request.fmiPath } : {}),
          client_assertion: presented,
          grant_type: 'client_credentials',
          client_assertion_type: JWT_BEARER,
        };
        await this.options.limiter.take();
        return this.target.requestToken(gate.tenantId!, form);
      };
      const { result, attempts } = await withRetries(attempt, isTransientAad, this.options.retry, HTTP_RETRY_HINTS);
      this.attempts += attempts;
      return { outcome: result, presented };
    });
  }

  /**
   * The requests of exchanging an assertion for the gate's identity: one for a managed identity;
   * for an agent identity leg 1 and — when `leg1Issues`, as for a correct gate's control — leg 2.
   * A probe refused at leg 1 on a correct gate sends no leg 2; one a tenant lets through to leg 2
   * sends one request more than planned (the plan, like its duration, is then a lower bound).
   */
  public plannedExchange(gate: ResolvedAzureGate, assertion: ClientAssertion, what: string, leg1Issues: boolean): PlannedRequest[] {
    if (gate.gate.agent === undefined) return [this.tokenRequest(gate, gate.clientId!, gate.scope, assertion, what).planned];
    return this.plannedTwoLegs(gate, gate.blueprintClientId!, assertion, gate.clientId!, what, leg1Issues);
  }

  /** The requests of `twoLegs`. */
  public plannedTwoLegs(gate: ResolvedAzureGate, blueprint: string, assertion: ClientAssertion, fmiPath: string, what: string, leg1Issues: boolean): PlannedRequest[] {
    const leg1 = this.leg1Request(gate, blueprint, assertion, fmiPath, gate.clientId!, what);
    return leg1Issues ? [leg1.planned, this.leg2Request(gate, leg1Token(leg1.planned.key), what).planned] : [leg1.planned];
  }

  /**
   * Exchanges an assertion for the gate's identity. For an agent identity, both legs: the
   * assertion as its blueprint with `fmi_path` = the agent, then the leg-1 token as the agent. A
   * refusal at either leg is the outcome, so every check judges it as a refusal; a token is issued
   * only when leg 2 issues one.
   */
  public async exchange(gate: ResolvedAzureGate, assertion: ClientAssertion, what = 'an exchange'): Promise<HttpOutcome> {
    return (await this.exchangePresenting(gate, assertion, what)).outcome;
  }

  private async exchangePresenting(gate: ResolvedAzureGate, assertion: ClientAssertion, what: string): Promise<{ outcome: HttpOutcome; presented: string }> {
    if (gate.gate.agent === undefined) return this.send(gate, this.tokenRequest(gate, gate.clientId!, gate.scope, assertion, what));
    const leg1 = await this.leg1(gate, gate.blueprintClientId!, assertion, gate.clientId!, gate.clientId!, what);
    return { outcome: await this.afterLeg1(gate, leg1, what), presented: leg1.presented };
  }

  /** Leg 1 as `blueprint` for `fmiPath`, then, with its token, leg 2 as the gate's agent identity. */
  public async twoLegs(gate: ResolvedAzureGate, blueprint: string, assertion: ClientAssertion, fmiPath: string, what: string): Promise<HttpOutcome> {
    return this.afterLeg1(gate, await this.leg1(gate, blueprint, assertion, fmiPath, gate.clientId!, what), what);
  }

  /** `twoLegs` as a probe's route: its requests and its sending from the same keys. */
  public twoLegsRoute(gate: ResolvedAzureGate, blueprint: string, assertion: ClientAssertion, fmiPath: string, what: string, leg1Issues: boolean): ProbeRoute {
    return { requests: this.plannedTwoLegs(gate, blueprint, assertion, fmiPath, what, leg1Issues), send: () => this.twoLegs(gate, blueprint, assertion, fmiPath, what) };
  }

  private afterLeg1(gate: ResolvedAzureGate, leg1: Leg1Answer, what: string): Promise<HttpOutcome> | HttpOutcome {
    const token = accessTokenOf(leg1.outcome);
    return token === undefined ? leg1.outcome : this.leg2(gate, leg1Token(leg1.key, () => token), what);
  }

  /**
   * Leg 1 of the agent flow: a token for api://AzureADTokenExchange naming `fmiPath`, as
   * `blueprint`, whose token the agent identity `presentedAs` will present at leg 2.
   */
  public async leg1(gate: ResolvedAzureGate, blueprint: string, assertion: ClientAssertion, fmiPath: string, presentedAs: string, what: string): Promise<Leg1Answer> {
    const request = this.leg1Request(gate, blueprint, assertion, fmiPath, presentedAs, what);
    return { key: request.planned.key, ...(await this.send(gate, request)) };
  }

  /** The planned leg 1 (`leg1`'s key). */
  public plannedLeg1(gate: ResolvedAzureGate, blueprint: string, assertion: ClientAssertion, fmiPath: string, presentedAs: string, what: string): PlannedRequest {
    return this.leg1Request(gate, blueprint, assertion, fmiPath, presentedAs, what).planned;
  }

  /** Leg 2 of the agent flow: an assertion (a leg-1 token, or one derived from it) presented as the gate's agent identity. */
  public async leg2(gate: ResolvedAzureGate, assertion: ClientAssertion, what: string): Promise<HttpOutcome> {
    return (await this.send(gate, this.leg2Request(gate, assertion, what))).outcome;
  }

  /** The planned leg 2 (`leg2`'s key). */
  public plannedLeg2(gate: ResolvedAzureGate, assertion: ClientAssertion, what: string): PlannedRequest {
    return this.leg2Request(gate, assertion, what).planned;
  }

  /** The gate's issuer key for a credential: an RS256 key, which Entra accepts. */
  public rsaKeyFor(gate: ResolvedAzureGate, credential: ProbeCredential): IssuerKey | undefined {
    return gate.issuerKeys.get(credential.issuer)?.find((k) => k.alg === 'RS256');
  }

  /**
   * The control a gate gets: a token with exactly the issuer, subject and audience of its first
   * credential with an issuer key at hand, signed RS256 — else the token `--token-command`
   * prints (which credential it matches is known only once it is printed).
   */
  public controlPlan(gate: ResolvedAzureGate): ControlPlan {
    const keyed = gate.credentials.find((c) => this.rsaKeyFor(gate, c));
    if (keyed) return { kind: 'issuer-key', credential: keyed, assertion: signedAssertion(this.rsaKeyFor(gate, keyed)!, identityOf(keyed)) };
    if (this.options.commandToken) return { kind: 'token-command' };
    return { kind: 'unavailable', reason: gate.noKeyReason };
  }

  /**
   * The requests of the positive control. The token command's one token is keyed as itself:
   * presented to several gates, each a distinct client, it is sent to each (their answers may
   * differ), and an issuer that takes a token once would refuse it after the first — which the
   * plan cannot avoid, as the run has one such token.
   */
  public plannedControl(gate: ResolvedAzureGate): PlannedRequest[] {
    const plan = this.controlPlan(gate);
    if (plan.kind === 'unavailable') return [];
    return this.plannedExchange(gate, plan.kind === 'issuer-key' ? plan.assertion : COMMAND_TOKEN_PLACEHOLDER, 'positive control', true);
  }

  /**
   * The positive control of a gate: sent once per key, so the control of a gate — asked for by
   * every check that depends on it — is sent by the first and reused by the others, with the
   * evidence saying so. A failed control is reused as it is: its dependents stay INCONCLUSIVE.
   */
  public async positiveControl(gate: ResolvedAzureGate): Promise<PositiveControl> {
    const plan = this.controlPlan(gate);
    if (plan.kind === 'unavailable') return plan;
    if (plan.kind === 'issuer-key') {
      const { outcome, presented } = await this.exchangePresenting(gate, plan.assertion, 'positive control');
      return { kind: 'ran', credential: plan.credential, assertion: existingAssertion(plan.assertion.key, () => presented), source: 'issuer-key', outcome };
    }
    let token: string;
    try {
      token = await this.options.commandToken!();
    } catch (e) {
      return { kind: 'unavailable', reason: (e as Error).message };
    }
    const { claims } = decodeJwt(token);
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const credential = gate.credentials.find((c) => c.issuer === claims.iss && c.subject === claims.sub && audiences.includes(c.audience));
    if (!credential) return { kind: 'unavailable', reason: `the token command's token (iss ${String(claims.iss)}, sub ${String(claims.sub)}) matches no federated credential of this gate` };
    const assertion = existingAssertion(COMMAND_TOKEN_PLACEHOLDER.key, () => token);
    const { outcome } = await this.exchangePresenting(gate, assertion, 'positive control');
    return { kind: 'ran', credential, assertion, source: 'token-command', outcome };
  }
}

/** The token a leg 1 (by its key) issued, as leg 2's assertion; `token` is read only when leg 2 is sent. */
export function leg1Token(leg1Key: string, token: () => string = NOT_PLANNED): ClientAssertion {
  return existingAssertion(JSON.stringify(['leg-1 token of', leg1Key]), token);
}

/** The key a token derived from a leg-1 token is presented under (`derivation`: what was changed). */
export function derivedLeg1Token(derivation: string, leg1Key: string, token: () => string = NOT_PLANNED): ClientAssertion {
  return existingAssertion(JSON.stringify([derivation, leg1Key]), token);
}

function NOT_PLANNED(): never {
  throw new Error('a token that exists only once its request is answered is read when it is sent, not planned');
}

/** The token command's token, as a key: one token per run. */
const COMMAND_TOKEN_PLACEHOLDER = existingAssertion(JSON.stringify(['token-command']), NOT_PLANNED);

const configurations = new WeakMap<ResolvedAzureGate, string>();

/**
 * What the gate's configuration says the identity trusts — every credential's issuer, subject
 * and audience, and its blueprint — once per gate. Part of every request key: the client ID names
 * the deployed identity, but two gates that describe one client differently (a live run mapping
 * both to it) are judged each against its own configuration, so nothing is shared across them.
 */
function configurationOf(gate: ResolvedAzureGate): string {
  let configuration = configurations.get(gate);
  if (configuration === undefined) {
    const trusts = gate.credentials.map((c) => JSON.stringify([c.issuer, c.subject, c.audience])).sort();
    configurations.set(gate, (configuration = JSON.stringify([gate.blueprintClientId ?? null, trusts])));
  }
  return configuration;
}

/** What a token for a credential claims: exactly its issuer, subject and audience. */
export const identityOf = (credential: ProbeCredential, overrides: Partial<AssertedIdentity> = {}): AssertedIdentity => ({ iss: credential.issuer, sub: credential.subject, aud: credential.audience, ...overrides });

/** Why a gate cannot be probed at all on this target, or undefined when it can. */
export function gateBlocker(gate: ResolvedAzureGate): Verdict | undefined {
  if (gate.unresolved) return skipped(gate.unresolved);
  if (gate.problems.length > 0) return inconclusive(`the gate is not deployed faithfully on this target: ${gate.problems.join('; ')}`);
  if (gate.credentials.length === 0) return inconclusive('the gate has no federated credential with a known issuer, subject and audience on this target');
  return undefined;
}

/** What a negative probe sends and the denial it must get. */
export interface DenialProbe {
  readonly what: string;
  readonly assertion: ClientAssertion;
  readonly expected: AadDenial | readonly AadDenial[];
  /** Sends the probe another way than exchanging `assertion` for the gate (e.g. one leg of the agent flow, or another blueprint's). */
  readonly route?: ProbeRoute;
  /**
   * For an agent gate: the assertion passes leg 1 on a correct tenant (a sibling's attested token,
   * refused — if at all — at leg 2), so leg 2 is planned too. @default false: refused at leg 1,
   * where the blueprint's credentials are matched
   */
  readonly leg1Issues?: boolean;
  /** Why the path the probe takes is accepted on purpose: a token issued is then shown as acknowledged, never as PASS. */
  readonly acknowledged?: string;
}

/** What a check's mutations need: nothing secret, a valid token (to tamper with), or the issuer's key (to re-sign). */
export type ProbeNeeds = 'nothing' | 'valid-token' | 'issuer-key';

/** What a check builds its mutations from: the control's credential, its issuer key, the control's token. */
export interface DenialMaterial {
  readonly credential: ProbeCredential;
  readonly key?: IssuerKey;
  /** The control's assertion as presented; at planning, only its key is known (it is never minted there). */
  readonly validToken?: ClientAssertion;
}

export type DenialBuilder = (material: DenialMaterial) => DenialProbe[] | Verdict;

/**
 * The material of a check's mutations once its control is known, or why there is none (SKIPPED):
 * one function for the plan and the run, so both build the same probes.
 */
function materialOf(gate: ResolvedAzureGate, context: AzureProbeContext, needs: ProbeNeeds, control: { credential?: ProbeCredential; validToken?: ClientAssertion; fromCommand: boolean; unavailable?: string }): DenialMaterial | Verdict {
  const credential = control.credential ?? gate.credentials[0];
  const key = context.rsaKeyFor(gate, credential);
  if (needs === 'issuer-key' && !key) return skipped(`needs the private key of issuer ${credential.issuer} to re-sign a token: ${control.fromCommand ? 'the control came from the token command' : control.unavailable}`);
  if (needs === 'valid-token' && !control.validToken) return skipped(`needs a valid token: ${control.unavailable}`);
  return { credential, ...(key ? { key } : {}), ...(control.validToken ? { validToken: control.validToken } : {}) };
}

/**
 * The skeleton of every token mutation. The positive control must have got a token in this run,
 * then each mutated assertion must be denied with its expected AADSTS code. Mutations that need
 * no issuer key still run when no control is possible (live, without a key or token command): a
 * token they get is a FAIL, while the runner keeps their denials from passing without a control.
 */
export async function probeAzureDenied(gate: ResolvedAzureGate, context: AzureProbeContext, needs: ProbeNeeds, build: DenialBuilder): Promise<Verdict> {
  const blocker = gateBlocker(gate);
  if (blocker) return blocker;
  const control = await context.positiveControl(gate);
  if (control.kind === 'ran' && !accessTokenOf(control.outcome)) {
    return inconclusive(`the positive control did not get a token in this run (${describeAadOutcome(control.outcome)}), so a denial would prove nothing`);
  }
  const material = materialOf(
    gate,
    context,
    needs,
    control.kind === 'ran' ? { credential: control.credential, validToken: control.assertion, fromCommand: control.source === 'token-command' } : { fromCommand: false, unavailable: control.reason },
  );
  if (!('credential' in material)) return material;
  const probes = build(material);
  if (!Array.isArray(probes)) return probes as Verdict;
  const verdicts: Verdict[] = [];
  for (const probe of probes) {
    const verdict = judgeAadDenial(await (probe.route?.send() ?? context.exchange(gate, probe.assertion, probe.what)), probe.expected, probe.what);
    verdicts.push(verdict.status === 'FAIL' && probe.acknowledged ? { ...inconclusive(`${verdict.reason}, on a path accepted on purpose (${probe.acknowledged})`, verdict.evidence), acknowledged: probe.acknowledged } : verdict);
  }
  const combined = combineVerdicts(verdicts);
  const acknowledged = verdicts.flatMap((v) => (v.acknowledged ? [v.acknowledged] : []));
  return combined.status === 'INCONCLUSIVE' && acknowledged.length > 0 ? { ...combined, acknowledged: acknowledged.join('; ') } : combined;
}

/**
 * The requests `probeAzureDenied` sends when the control gets a token: none for a gate that
 * cannot be probed, else the control's and each probe's — built by the same `build`, from the
 * material the control will give (with a token command, which credential its token matches is
 * known only when it is printed: the plan takes the gate's first).
 */
export function plannedAzureDenial(gate: ResolvedAzureGate, context: AzureProbeContext, needs: ProbeNeeds, build: DenialBuilder): PlannedRequest[] {
  if (gateBlocker(gate)) return [];
  const control = context.controlPlan(gate);
  const material = materialOf(
    gate,
    context,
    needs,
    control.kind === 'issuer-key'
      ? { credential: control.credential, validToken: control.assertion, fromCommand: false }
      : control.kind === 'token-command'
        ? { validToken: COMMAND_TOKEN_PLACEHOLDER, fromCommand: true }
        : { fromCommand: false, unavailable: control.reason },
  );
  const controlRequests = context.plannedControl(gate);
  if (!('credential' in material)) return controlRequests;
  const probes = build(material);
  if (!Array.isArray(probes)) return controlRequests;
  return [...controlRequests, ...probes.flatMap((probe) => probe.route?.requests ?? context.plannedExchange(gate, probe.assertion, probe.what, probe.leg1Issues ?? false))];
}
