/**
 * The requests a run will send, known before it sends any: each check of each gate lists the
 * requests it needs (its positive control included), and requests whose answer is determined by
 * identical inputs are sent once and shared. The plan says how many requests that is, how many
 * sharing saved, and how long the run takes at least at the live services' quotas.
 */

/** A live service's documented request quota, the bound a run cannot beat. */
export interface LiveQuota {
  readonly id: string;
  /** What it limits, e.g. `Roles Anywhere CreateSession`. */
  readonly name: string;
  readonly perSecond: number;
  /** Where the figure comes from. */
  readonly source: string;
}

/** One request a check needs. */
export interface PlannedRequest {
  /**
   * Everything the answer depends on, canonical: the endpoint, the API, the resources it names
   * (trust anchor, profile, role; provider, audience; client), the credential material and the
   * mutation. Two requests with the same key get the same answer, so it is sent once.
   */
  readonly key: string;
  /** The quota it counts against (`LiveQuota.id`); undefined under none the reference documents. */
  readonly quota?: string;
  /** What it is, for a person: `positive control through rolesanywhere:Anchor/Profile`. */
  readonly what: string;
  /** Why every request with this key has the same answer: written into the evidence of the checks that reuse it. */
  readonly shareReason: string;
}

/** The requests one check of one gate needs. */
export interface CheckRequests {
  readonly gate: string;
  readonly checkId: string;
  readonly requests: readonly PlannedRequest[];
}

/** A cloud's plan, as the report carries it. */
export interface RequestPlan {
  /** Requests the checks need, each counted for every check that needs it. */
  readonly needed: number;
  /** Distinct requests to send, before retries: what sharing leaves. */
  readonly planned: number;
  /** `needed - planned`: requests answered by another check's identical request. */
  readonly shared: number;
  /** Planned requests per live quota, and the seconds they take at it. */
  readonly quotas: ReadonlyArray<{ readonly id: string; readonly name: string; readonly perSecond: number; readonly requests: number; readonly seconds: number }>;
  /** Planned requests under no quota the reference documents (they add no bound). */
  readonly unquoted: number;
  /**
   * The least time the planned requests take at the live quotas: the slowest quota's share, as
   * quotas are independent buckets. A lower bound: retries, latency and the run's own pacing
   * (under each quota) only add to it.
   */
  readonly liveSeconds: number;
  /** Checks whose requests are not planned (a cloud whose checks cannot list them yet). */
  readonly unplannedChecks: number;
}

/**
 * The plan of a run: distinct keys are sent once; the rest is shared. Counting is one pass over
 * the needs with a set of keys, linear in the requests (1,000 gates need ~36,000).
 */
export function buildRequestPlan(needs: readonly CheckRequests[], quotas: readonly LiveQuota[], unplannedChecks = 0): RequestPlan {
  const distinct = new Map<string, PlannedRequest>();
  let needed = 0;
  for (const need of needs) {
    for (const request of need.requests) {
      needed++;
      if (!distinct.has(request.key)) distinct.set(request.key, request);
    }
  }
  const perQuota = new Map<string, number>();
  let unquoted = 0;
  for (const request of distinct.values()) {
    const quota = request.quota !== undefined ? quotas.find((q) => q.id === request.quota) : undefined;
    if (quota) perQuota.set(quota.id, (perQuota.get(quota.id) ?? 0) + 1);
    else unquoted++;
  }
  const rows = quotas
    .filter((q) => perQuota.has(q.id))
    .map((q) => ({ id: q.id, name: q.name, perSecond: q.perSecond, requests: perQuota.get(q.id)!, seconds: perQuota.get(q.id)! / q.perSecond }));
  return {
    needed,
    planned: distinct.size,
    shared: needed - distinct.size,
    quotas: rows,
    unquoted,
    liveSeconds: rows.reduce((most, r) => Math.max(most, r.seconds), 0),
    unplannedChecks,
  };
}

const count = (n: number) => n.toLocaleString('en-US');

/** A duration as a person reads it: `42 s`, `31 min`, `2 h 5 min`. Rounded up: the figure is a bound. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

/**
 * The plan in one line (well under 100 columns): `aws plan: 18,002 requests (17,998 shared), ≥ 29 min
 * at the live quotas`. A plan with unplanned checks says so: its figures leave their requests out; one
 * whose requests fall under no documented quota (Azure's) says that instead of a bound.
 */
export function formatPlanLine(cloud: string, plan: RequestPlan): string {
  const unplanned = plan.unplannedChecks > 0 ? `; ${count(plan.unplannedChecks)} checks unplanned` : '';
  // Requests under no documented quota bound nothing: "≥ 0 s" would read as a figure.
  const bound = plan.planned > 0 && plan.quotas.length === 0 ? 'no documented live quota' : `≥ ${formatDuration(plan.liveSeconds)} at the live quotas`;
  return `${cloud} plan: ${count(plan.planned)} requests (${count(plan.shared)} shared), ${bound}${unplanned}`;
}
