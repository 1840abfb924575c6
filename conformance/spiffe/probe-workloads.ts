import * as crypto from 'node:crypto';
import { RegistrationEntry, SpiffeSelector, formatSelector } from '../../lib/spiffe/registration-entry';
import { readSelector } from '../../lib/spiffe/selectors';

/**
 * What a probe workload is, for the checks that probe the Workload API:
 *
 * - `registered`: presents exactly the entry's selectors under its parent — the positive control;
 * - `unregistered`: every selector of the entry changed — a workload no one registered;
 * - `runtime-only`: the entry's runtime selectors (namespace and service account, user) with the
 *   code selectors changed or absent — a rogue image deployed under the right service account;
 * - `code-only`: the entry's code selectors (image digest, binary hash) with a runtime selector
 *   changed — the right image run in another namespace or as another service account or user.
 */
export type ProbeRole = 'registered' | 'unregistered' | 'runtime-only' | 'code-only';

export interface SpiffeProbeWorkload {
  /** Letters, digits, `.`, `_` and `-`: it names the emulator's socket. */
  readonly name: string;
  readonly role: ProbeRole;
  /** What it differs in from the registered workload, for reports. */
  readonly description: string;
  /** The selectors workload attestation finds for it. */
  readonly selectors: readonly SpiffeSelector[];
}

/** The entry's selectors by the evidence they carry (lib/spiffe/selectors: the kinds AG-SPIFFE-005 requires). */
export function selectorKinds(selectors: readonly SpiffeSelector[]): { runtime: SpiffeSelector[]; code: SpiffeSelector[]; other: SpiffeSelector[] } {
  const kinds = { runtime: [] as SpiffeSelector[], code: [] as SpiffeSelector[], other: [] as SpiffeSelector[] };
  for (const selector of selectors) {
    const evidence = readSelector(selector).evidence;
    if (evidence === 'namespace' || evidence === 'service-account' || evidence === 'user') kinds.runtime.push(selector);
    else if (evidence === 'image-digest' || evidence === 'binary-hash') kinds.code.push(selector);
    else kinds.other.push(selector);
  }
  return kinds;
}

const PROBE_VALUE = 'attestgate-probe';

/**
 * The same selector with another value of the same shape, so that attestation finds the same kind
 * of fact, only not the registered one: another digest, another namespace, another uid.
 */
export function otherSelector(selector: SpiffeSelector): SpiffeSelector {
  const reading = readSelector(selector);
  const key = reading.key ?? '';
  const value = key === '' ? selector.value : selector.value.slice(key.length + 1);
  // A digest another image or binary has: the SHA-256 of the registered one cannot be it.
  const otherHash = (hex: string) => crypto.createHash('sha256').update(hex).digest('hex');
  let other: string;
  if (reading.evidence === 'image-digest' && value.includes('@sha256:')) other = value.replace(/@sha256:([0-9a-f]{64})$/, (_m, hex: string) => `@sha256:${otherHash(hex)}`);
  else if (/^[0-9a-f]{64}$/.test(value)) other = otherHash(value);
  else if (/^\d+$/.test(value)) other = String(Number(value) + 1);
  else other = value === PROBE_VALUE ? `${PROBE_VALUE}-2` : PROBE_VALUE;
  return { type: selector.type, value: key === '' ? other : `${key}:${other}` };
}

const nameOf = (selector: SpiffeSelector) => `${selector.type}-${(readSelector(selector).key ?? 'selector').replace(/[^A-Za-z0-9._-]/g, '-')}`;
const replaced = (selectors: readonly SpiffeSelector[], which: readonly SpiffeSelector[]) => selectors.map((s) => (which.includes(s) ? otherSelector(s) : s));

/**
 * The probe workloads of an entry: the registered one, an unregistered one, and for each required
 * kind of evidence the workloads that present it alone. Each differs from the registered workload
 * in one property only, so a refusal can have one cause. `runtime-only` and `code-only` workloads
 * exist only when the entry has both kinds (an entry acknowledged for single attestation has
 * nothing to hold back).
 */
export function spiffeProbeWorkloads(entry: RegistrationEntry): SpiffeProbeWorkload[] {
  const { runtime, code } = selectorKinds(entry.selectors);
  const workloads: SpiffeProbeWorkload[] = [
    { name: 'registered', role: 'registered', description: 'every selector of the entry', selectors: entry.selectors },
    { name: 'unregistered', role: 'unregistered', description: 'every selector changed', selectors: replaced(entry.selectors, entry.selectors) },
  ];
  if (runtime.length > 0 && code.length > 0) {
    workloads.push(
      { name: 'runtime-only-other-code', role: 'runtime-only', description: `the runtime selectors, another ${code.map((s) => formatSelector(otherSelector(s))).join(', ')}`, selectors: replaced(entry.selectors, code) },
      { name: 'runtime-only-no-code', role: 'runtime-only', description: `the runtime selectors, no ${code.map((s) => `${s.type}:${readSelector(s).key}`).join(', ')}`, selectors: entry.selectors.filter((s) => !code.includes(s)) },
    );
    for (const selector of runtime) {
      workloads.push({ name: `code-only-other-${nameOf(selector)}`, role: 'code-only', description: `the code selectors, ${formatSelector(otherSelector(selector))}`, selectors: replaced(entry.selectors, [selector]) });
    }
    if (runtime.length > 1) {
      workloads.push({ name: 'code-only-other-runtime', role: 'code-only', description: 'the code selectors, every runtime selector changed', selectors: replaced(entry.selectors, runtime) });
    }
  }
  return workloads;
}
