import * as crypto from 'node:crypto';
import { HTTP_RETRY_HINTS, HttpOutcome } from '../engine/http-outcome';
import { AzureGate } from './discover-gates';
import { Verdict, inconclusive, skipped } from '../engine/check';
import { RateLimiter, RetryPolicy, withRetries } from '../engine/retry';
import { IssuerKey } from '../oidc/issuer-key';
import { TokenClaims, decodeJwt, signJwt } from '../oidc/jwt';
import { AadDenial, accessTokenOf, combineVerdicts, describeAadOutcome, isTransientAad, judgeAadDenial } from './aad-outcome';
import { AzureProbeTarget } from './azure-probe-target';

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
  readonly foreignSubjects: ReadonlyArray<{ readonly subject: string; readonly identity: string }>;
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
      /** The assertion that was exchanged: signed with an issuer key, or printed by the token command. */
      readonly assertion: string;
      readonly source: 'issuer-key' | 'token-command';
      readonly outcome: HttpOutcome;
    };

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

/** Shared state of a run: the target, the rate limit, positive controls, the attacker's keys. */
export class AzureProbeContext {
  private readonly controls = new Map<string, Promise<PositiveControl>>();
  public attempts = 0;

  constructor(public readonly options: AzureProbeContextOptions) {}

  public get target(): AzureProbeTarget {
    return this.options.target;
  }

  /**
   * Exchanges an assertion for the gate's identity, retrying transient failures within the rate
   * limit. For an agent identity, both legs: the assertion as its blueprint with `fmi_path` = the
   * agent, then the leg-1 token as the agent. A refusal at either leg is the outcome, so every
   * check judges it as a refusal; a token is issued only when leg 2 issues one.
   */
  public async exchange(gate: ResolvedAzureGate, assertion: string): Promise<HttpOutcome> {
    if (gate.gate.agent === undefined) return this.request(gate, { client_id: gate.clientId!, scope: gate.scope, client_assertion: assertion });
    return this.twoLegs(gate, gate.blueprintClientId!, assertion, gate.clientId!);
  }

  /** Leg 1 as `blueprintClientId` for `fmiPath`, then, with its token, leg 2 as the gate's agent identity. */
  public async twoLegs(gate: ResolvedAzureGate, blueprintClientId: string, assertion: string, fmiPath: string): Promise<HttpOutcome> {
    const leg1 = await this.leg1(gate, blueprintClientId, assertion, fmiPath);
    const token = accessTokenOf(leg1);
    return token === undefined ? leg1 : this.leg2(gate, token);
  }

  /** Leg 1 of the agent flow: a token for api://AzureADTokenExchange naming `fmiPath`. */
  public leg1(gate: ResolvedAzureGate, blueprintClientId: string, assertion: string, fmiPath: string): Promise<HttpOutcome> {
    return this.request(gate, { client_id: blueprintClientId, scope: AGENT_LEG1_SCOPE, fmi_path: fmiPath, client_assertion: assertion });
  }

  /** Leg 2 of the agent flow: a leg-1 token presented as the gate's agent identity. */
  public leg2(gate: ResolvedAzureGate, leg1Token: string): Promise<HttpOutcome> {
    return this.request(gate, { client_id: gate.clientId!, scope: gate.scope, client_assertion: leg1Token });
  }

  private async request(gate: ResolvedAzureGate, form: { client_id: string; scope: string; client_assertion: string; fmi_path?: string }): Promise<HttpOutcome> {
    const attempt = async () => {
      await this.options.limiter.take();
      return this.target.requestToken(gate.tenantId!, { ...form, grant_type: 'client_credentials', client_assertion_type: JWT_BEARER });
    };
    const { result, attempts } = await withRetries(attempt, isTransientAad, this.options.retry, HTTP_RETRY_HINTS);
    this.attempts += attempts;
    return result;
  }

  /** The gate's issuer key for a credential: an RS256 key, which Entra accepts. */
  public rsaKeyFor(gate: ResolvedAzureGate, credential: ProbeCredential): IssuerKey | undefined {
    return gate.issuerKeys.get(credential.issuer)?.find((k) => k.alg === 'RS256');
  }

  /** The credential probes mutate: the control's, else the first. */
  public async primaryCredential(gate: ResolvedAzureGate): Promise<ProbeCredential> {
    const control = await this.positiveControl(gate);
    return control.kind === 'ran' ? control.credential : gate.credentials[0];
  }

  /**
   * The positive control of a gate, run once per run: a token with exactly the issuer, subject
   * and audience of a credential, signed RS256 by the issuer's key — or, without a key, the token
   * `--token-command` printed, when it carries a credential's issuer, subject and audience.
   */
  public positiveControl(gate: ResolvedAzureGate): Promise<PositiveControl> {
    if (!this.controls.has(gate.gate.id)) this.controls.set(gate.gate.id, this.runControl(gate));
    return this.controls.get(gate.gate.id)!;
  }

  private async runControl(gate: ResolvedAzureGate): Promise<PositiveControl> {
    const keyed = gate.credentials.find((c) => this.rsaKeyFor(gate, c));
    if (keyed) {
      const assertion = mint(this.rsaKeyFor(gate, keyed)!, claimsFor(keyed));
      return { kind: 'ran', credential: keyed, assertion, source: 'issuer-key', outcome: await this.exchange(gate, assertion) };
    }
    if (this.options.commandToken) {
      let token: string;
      try {
        token = await this.options.commandToken();
      } catch (e) {
        return { kind: 'unavailable', reason: (e as Error).message };
      }
      const { claims } = decodeJwt(token);
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      const credential = gate.credentials.find((c) => c.issuer === claims.iss && c.subject === claims.sub && audiences.includes(c.audience));
      if (!credential) return { kind: 'unavailable', reason: `the token command's token (iss ${String(claims.iss)}, sub ${String(claims.sub)}) matches no federated credential of this gate` };
      return { kind: 'ran', credential, assertion: token, source: 'token-command', outcome: await this.exchange(gate, token) };
    }
    return { kind: 'unavailable', reason: gate.noKeyReason };
  }
}

/** The claims of the agent's token for a credential, with a fresh `jti`. */
export function claimsFor(credential: ProbeCredential, overrides: Partial<TokenClaims> = {}): TokenClaims {
  const now = Math.floor(Date.now() / 1000);
  return { iss: credential.issuer, sub: credential.subject, aud: credential.audience, iat: now, exp: now + 300, jti: crypto.randomUUID(), ...overrides };
}

export const mint = (key: IssuerKey, claims: TokenClaims, header: { alg?: IssuerKey['alg']; kid?: string } = {}): string => signJwt(key, claims, header);

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
  readonly assertion: string;
  readonly expected: AadDenial | readonly AadDenial[];
  /** Sends the probe another way than exchanging `assertion` for the gate (e.g. one leg of the agent flow, or another blueprint's). */
  readonly send?: () => Promise<HttpOutcome>;
  /** Why the path the probe takes is accepted on purpose: a token issued is then shown as acknowledged, never as PASS. */
  readonly acknowledged?: string;
}

/** What a check's mutations need: nothing secret, a valid token (to tamper with), or the issuer's key (to re-sign). */
export type ProbeNeeds = 'nothing' | 'valid-token' | 'issuer-key';

/**
 * The skeleton of every token mutation. The positive control must have got a token in this run,
 * then each mutated assertion must be denied with its expected AADSTS code. Mutations that need
 * no issuer key still run when no control is possible (live, without a key or token command): a
 * token they get is a FAIL, while the runner keeps their denials from passing without a control.
 */
export async function probeAzureDenied(
  gate: ResolvedAzureGate,
  context: AzureProbeContext,
  needs: ProbeNeeds,
  build: (material: { credential: ProbeCredential; key?: IssuerKey; validToken?: string }) => DenialProbe[] | Verdict,
): Promise<Verdict> {
  const blocker = gateBlocker(gate);
  if (blocker) return blocker;
  const control = await context.positiveControl(gate);
  if (control.kind === 'ran' && !accessTokenOf(control.outcome)) {
    return inconclusive(`the positive control did not get a token in this run (${describeAadOutcome(control.outcome)}), so a denial would prove nothing`);
  }
  const credential = control.kind === 'ran' ? control.credential : gate.credentials[0];
  const key = context.rsaKeyFor(gate, credential);
  if (needs === 'issuer-key' && !key) return skipped(`needs the private key of issuer ${credential.issuer} to re-sign a token: ${control.kind === 'ran' ? 'the control came from the token command' : control.reason}`);
  if (needs === 'valid-token' && control.kind !== 'ran') return skipped(`needs a valid token: ${control.reason}`);
  const probes = build({ credential, ...(key ? { key } : {}), ...(control.kind === 'ran' ? { validToken: control.assertion } : {}) });
  if (!Array.isArray(probes)) return probes as Verdict;
  const verdicts: Verdict[] = [];
  for (const probe of probes) {
    const verdict = judgeAadDenial(await (probe.send?.() ?? context.exchange(gate, probe.assertion)), probe.expected, probe.what);
    verdicts.push(verdict.status === 'FAIL' && probe.acknowledged ? { ...inconclusive(`${verdict.reason}, on a path accepted on purpose (${probe.acknowledged})`, verdict.evidence), acknowledged: probe.acknowledged } : verdict);
  }
  const combined = combineVerdicts(verdicts);
  const acknowledged = verdicts.flatMap((v) => (v.acknowledged ? [v.acknowledged] : []));
  return combined.status === 'INCONCLUSIVE' && acknowledged.length > 0 ? { ...combined, acknowledged: acknowledged.join('; ') } : combined;
}
