import { Session } from 'node:inspector/promises';

/**
 * Where a conformance run's CPU goes, from a V8 CPU profile of it: each sample is charged to the
 * first category (in the order given) that any frame of its stack belongs to, so a key import
 * inside the emulator's signature check is "verify", not "crypto" in general.
 *
 * The samples are of the prober's thread, each weighted by the wall time since the one before: on
 * a machine short of cores, time the thread spent waiting for one lands on the frame it was
 * preempted in — often a hand-off to libuv's pool (native `run` under key generation and
 * `crypto.sign` with a callback), whose own CPU this profile does not see.
 */
export interface Category {
  readonly name: string;
  /** Matched against `<url> <function name>` of each frame. */
  readonly frames: RegExp;
}

/** The steps of a CreateSession probe, client and emulator in one process. */
export const PROBE_CATEGORIES: readonly Category[] = [
  { name: 'path: chain validation (emulator)', frames: /emulator\/x509\/path-validation/ },
  { name: 'verify: request signature and key import (emulator)', frames: /signatureMatches|emulator\/x509\/verified-signatures/ },
  { name: 'sign: CreateSession request (client)', frames: /signCreateSessionRequest/ },
  { name: 'mint: probe certificates (client)', frames: /probe-certificates|probe-keys|certificate-writer|der-writer|throwaway-pki|@peculiar/ },
  { name: 'revocation: CRL check (emulator)', frames: /checkRevocation/ },
  { name: 'IAM: trust policy evaluation (emulator)', frames: /lib\/model\/aws\/iam/ },
  { name: 'JSON: parse and stringify', frames: /^ (parse|stringify)$/ },
  { name: 'CreateSession: headers, parsing, tags (emulator)', frames: /emulator\/aws\// },
  { name: 'HTTP: server', frames: /emulator\/http\/|node:_http_server|node:_http_incoming/ },
  // Since issue 16 the STS probe is signed with the SDK's signer (@smithy/signature-v4) and sent
  // over the one HTTP client, not through @aws-sdk/client-sts.
  { name: 'STS probes: signing (client)', frames: /@smithy|@aws-sdk|unattested-assume-role/ },
  { name: 'HTTP: client', frames: /lib\/http\/|node:_http_client|node:_http_agent|node:net|node:_http_outgoing|node:internal\/stream/ },
  { name: 'engine: runner, checks, judging', frames: /conformance\/(engine|aws|checks)\// },
];

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Runs `work` under the CPU profiler of this process; returns its result and the profile. */
export async function profiled<T>(work: () => Promise<T>): Promise<{ result: T; profile: Profile }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/** Milliseconds of CPU per category, plus garbage collection, idle and everything else. */
export function timeByCategory(profile: Profile, categories: readonly Category[]): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // The category of each node, found once: its own frame's or its nearest ancestor's best.
  const memo = new Map<number, number>();
  const rank = (id: number): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const frame = `${node.callFrame.url} ${node.callFrame.functionName}`;
    const own = categories.findIndex((c) => c.frames.test(frame));
    const up = parent.has(id) ? rank(parent.get(id)!) : -1;
    const best = own === -1 ? up : up === -1 ? own : Math.min(own, up);
    memo.set(id, best);
    return best;
  };
  const totals = new Map<string, number>([...categories.map((c) => [c.name, 0] as [string, number]), ['garbage collection', 0], ['idle', 0], ['other', 0]]);
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    const category = name === '(garbage collector)' ? 'garbage collection' : name === '(idle)' ? 'idle' : rank(id) === -1 ? 'other' : categories[rank(id)].name;
    totals.set(category, totals.get(category)! + profile.timeDeltas[i] / 1000);
  });
  return totals;
}
