import * as crypto from 'node:crypto';
import { RegistrationEntry, SpiffeSelector, formatSelector } from '../../lib/spiffe/registration-entry';
import { WorkloadApiClient, WorkloadApiError } from '../../lib/spiffe/workload-api';
import type { JwtSvid, X509Svid } from '../../lib/spiffe/workload-api';
import { Verdict, combinePathVerdicts, fail, inconclusive, pass, skipped } from '../engine/check';
import { countRequest, probeSignal } from '../engine/probe-scope';
import type { CheckResult } from '../engine/report';
import type { ConformanceOptions } from '../run-conformance';
import { ProbeRole } from './probe-workloads';

/** A probe workload the target serves: who it is, and the Workload API socket it reaches as that workload. */
export interface SpiffeTargetWorkload {
  readonly name: string;
  readonly role: ProbeRole;
  /** What it differs in from the registered workload, for reports. */
  readonly description?: string;
  /** The selectors attestation finds for it, for reports. */
  readonly selectors?: readonly SpiffeSelector[];
  /** `unix:///…` (or `tcp://…`): the address its Workload API client dials, as SPIFFE_ENDPOINT_SOCKET. */
  readonly address: string;
}

/**
 * The cloud gates an identity's SVIDs are presented to, probed as `attestgate conformance` probes
 * them (the same options: apps, target, `--pki`, each cloud's own options).
 */
export type SpiffeGates = Omit<ConformanceOptions, 'tags' | 'allowUnproven' | 'onResult' | 'signal'>;

/**
 * A registration under test: the entry as declared (the SPIFFE ID, the selectors it requires, its
 * TTLs) and the probe workloads that reach the Workload API — the emulator serves one socket per
 * workload (`serveSpiffeProbeTarget`); on a real cluster each is a pod that runs the probe.
 */
export interface SpiffeTarget {
  /** Its name in reports. */
  readonly id: string;
  readonly entry: RegistrationEntry;
  readonly workloads: readonly SpiffeTargetWorkload[];
  /** The audience of the probes' JWT-SVIDs. @default 'attestgate-conformance' */
  readonly jwtAudience?: string;
  /**
   * What the server issues for an entry whose TTL is 0 (`default_x509_svid_ttl`, `default_jwt_svid_ttl`).
   *
   * @default - SPIRE's defaults: 1 h and 5 min
   */
  readonly serverDefaults?: { readonly x509SvidTtlSeconds?: number; readonly jwtSvidTtlSeconds?: number };
  /** The cloud gates the SVIDs are presented to: AGC-SPIFFE-006 probes them with SVIDs past their expiry. */
  readonly gates?: SpiffeGates;
}

/** What the Workload API answered a probe workload. */
export type WorkloadApiAnswer<T> =
  | { readonly kind: 'issued'; readonly value: T; readonly fetchedAt: Date }
  /** PermissionDenied: SPIRE's answer to a workload no entry matches. */
  | { readonly kind: 'denied'; readonly details: string }
  /** Anything else: unreachable, another status, an answer the client cannot use. */
  | { readonly kind: 'unusable'; readonly described: string };

/** SPIRE's server defaults (default_x509_svid_ttl, default_jwt_svid_ttl). */
const SPIRE_DEFAULT_TTL_SECONDS = { x509: 3600, jwt: 300 } as const;

export const DEFAULT_PROBE_AUDIENCE = 'attestgate-conformance';

/**
 * How far an SVID's lifetime may exceed the entry's TTL before it is a finding: the clock skew
 * between agent and probe (go-jose's default leeway is the same), which also covers SPIRE
 * backdating notBefore by 10 s.
 */
export const SVID_LIFETIME_LEEWAY_SECONDS = 60;

/**
 * Probes the cloud gates with their clouds' checks tagged with any of the threats (and the positive
 * controls those need): `runConformance`, bound by the run so the checks need not import it.
 */
export type GateCheckRunner = (gates: SpiffeGates, threats: readonly string[]) => Promise<{ readonly results: readonly CheckResult[]; readonly gates: readonly string[] }>;

export interface SpiffeProbeContextOptions {
  /** The deadline of one Workload API call. @default 5000 */
  readonly timeoutMs?: number;
  readonly runGateChecks: GateCheckRunner;
}

export const describeWorkload = (workload: SpiffeTargetWorkload): string =>
  `${workload.name}${workload.description ? ` (${workload.description})` : workload.selectors ? ` (${workload.selectors.map(formatSelector).join(', ')})` : ''}`;

export const describeAnswer = (answer: WorkloadApiAnswer<unknown>): string =>
  answer.kind === 'issued' ? 'issued' : answer.kind === 'denied' ? `PermissionDenied: ${answer.details}` : answer.described;

/**
 * What the SPIFFE checks share: Workload API calls as each probe workload, each answer read as
 * issued, denied (PermissionDenied) or unusable — only the agent's own refusal is a refusal.
 */
export class SpiffeProbeContext {
  constructor(private readonly options: SpiffeProbeContextOptions) {}

  /** The X.509-SVIDs the workload is issued (the first message of FetchX509SVID). */
  fetchX509(workload: SpiffeTargetWorkload): Promise<WorkloadApiAnswer<readonly X509Svid[]>> {
    return this.call(workload, async (client) => (await client.fetchX509Context({ signal: probeSignal() })).svids);
  }

  /** A JWT-SVID of the given identity for the audience. */
  fetchJwt(workload: SpiffeTargetWorkload, audience: string, spiffeId: string): Promise<WorkloadApiAnswer<JwtSvid>> {
    return this.call(workload, (client) => client.fetchJwtSvid({ audience, spiffeId, signal: probeSignal() }));
  }

  runGateChecks(gates: SpiffeGates, threats: readonly string[]): ReturnType<GateCheckRunner> {
    return this.options.runGateChecks(gates, threats);
  }

  private async call<T>(workload: SpiffeTargetWorkload, fetch: (client: WorkloadApiClient) => Promise<T>): Promise<WorkloadApiAnswer<T>> {
    let client: WorkloadApiClient;
    try {
      client = new WorkloadApiClient({ address: workload.address, timeoutMs: this.options.timeoutMs ?? 5000 });
    } catch (error) {
      return { kind: 'unusable', described: (error as Error).message };
    }
    countRequest();
    try {
      const fetchedAt = new Date();
      return { kind: 'issued', value: await fetch(client), fetchedAt };
    } catch (error) {
      if (error instanceof WorkloadApiError && error.code === 'PermissionDenied') return { kind: 'denied', details: error.details };
      return { kind: 'unusable', described: error instanceof WorkloadApiError ? `${error.code}: ${error.details}` : (error as Error).message };
    } finally {
      client.close();
    }
  }
}

/**
 * Whether the SVID's leaf chains, through the intermediates it came with, to a certificate of the
 * bundle it was sent with, each link's signature verified: what a relying party checks before
 * trusting it (validity periods are AGC-SPIFFE-005's to judge).
 */
export function chainsToBundle(svid: X509Svid): boolean {
  const intermediates = svid.certificates.slice(1).map((der) => new crypto.X509Certificate(der));
  const anchors = svid.bundle.map((der) => new crypto.X509Certificate(der));
  const signedBy = (child: crypto.X509Certificate, parent: crypto.X509Certificate) => child.checkIssued(parent) && child.verify(parent.publicKey);
  let current = new crypto.X509Certificate(svid.certificates[0]);
  for (let depth = 0; depth <= intermediates.length; depth++) {
    if (anchors.some((anchor) => signedBy(current, anchor))) return true;
    const next = intermediates.find((i) => i !== current && signedBy(current, i));
    if (!next) return false;
    current = next;
  }
  return false;
}

/** The entry's TTLs in seconds, a TTL of 0 read as the server's default. */
export function declaredTtls(target: SpiffeTarget): { x509: number; jwt: number } {
  const x509Default = target.serverDefaults?.x509SvidTtlSeconds ?? SPIRE_DEFAULT_TTL_SECONDS.x509;
  const jwtDefault = target.serverDefaults?.jwtSvidTtlSeconds ?? SPIRE_DEFAULT_TTL_SECONDS.jwt;
  return { x509: target.entry.x509SvidTtlSeconds || x509Default, jwt: target.entry.jwtSvidTtlSeconds || jwtDefault };
}

/**
 * Judges the workloads of a role that must not be issued the entry's SPIFFE ID: each asks for its
 * X.509-SVIDs and for a JWT-SVID of that ID. PASS only when the agent refused the JWT-SVID and
 * the X.509 answer was a refusal or held other identities only (a workload may be registered for
 * something else); the ID in any answer is a FAIL; an unreachable socket or another status is
 * INCONCLUSIVE. One verdict per workload, combined: one workload refused proves nothing of another.
 */
export async function judgeNotIssued(target: SpiffeTarget, context: SpiffeProbeContext, role: ProbeRole, what: string): Promise<Verdict> {
  const workloads = target.workloads.filter((w) => w.role === role);
  if (workloads.length === 0) return skipped(`the target has no ${role} probe workload (${what})`);
  const id = target.entry.spiffeId;
  const audience = target.jwtAudience ?? DEFAULT_PROBE_AUDIENCE;
  const verdicts: Array<{ path: string; verdict: Verdict }> = [];
  for (const workload of workloads) {
    const x509 = await context.fetchX509(workload);
    const jwt = await context.fetchJwt(workload, audience, id);
    const others = x509.kind === 'issued' ? x509.value.map((s) => s.spiffeId) : [];
    const evidence = { workload: workload.name, selectors: workload.selectors?.map(formatSelector), x509: x509.kind === 'issued' ? others : describeAnswer(x509), jwt: jwt.kind === 'issued' ? jwt.value.spiffeId : describeAnswer(jwt) };
    const path = describeWorkload(workload);
    if (others.includes(id) || jwt.kind === 'issued') {
      const how = [others.includes(id) ? 'an X.509-SVID' : '', jwt.kind === 'issued' ? 'a JWT-SVID' : ''].filter(Boolean).join(' and ');
      verdicts.push({ path, verdict: fail(`${what} was issued ${how} of ${id}`, evidence) });
    } else if (x509.kind === 'unusable' || jwt.kind === 'unusable') {
      verdicts.push({ path, verdict: inconclusive(`the Workload API gave no verdict (X.509: ${describeAnswer(x509)}; JWT: ${describeAnswer(jwt)})`, evidence) });
    } else {
      const x509Said = x509.kind === 'denied' ? `PermissionDenied "${x509.details}"` : `only ${others.join(', ')}`;
      verdicts.push({ path, verdict: pass(`${what} was refused ${id} (X.509: ${x509Said}; JWT: PermissionDenied "${(jwt as { details: string }).details}")`, evidence) });
    }
  }
  return combinePathVerdicts(verdicts);
}
