/**
 * bench/conformance: probes per second against the local emulator at 1, 10 and 100 gates, next
 * to the limit — the cryptographic work one CreateSession probe cannot do without, measured in
 * the same run: sign the request, verify its signature, verify the certificate chain with
 * node:crypto (X509Certificate: parse what arrived, checkIssued, verify). Variants run
 * interleaved, median of the rounds. Every check runs; the emulator's and the runner's rate
 * limits are off (they would measure the quota, not the suite). Then one more run at 100 gates
 * under the CPU profiler says where a probe's time goes.
 *
 *   npm run bench:conformance            (BENCH_ROUNDS=5 for more rounds; default 3)
 */
import * as crypto from 'node:crypto';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { signCreateSessionRequest, signatureMatches } from '../../lib/credentials/roles-anywhere/sign-request';
import { parseAuthorizationHeader, canonicalHeaders, canonicalRequest, payloadHash, stringToSign } from '../../lib/credentials/roles-anywhere/canonical-request';
import { runAwsConformance } from '../../conformance/aws/run-aws-conformance';
import { TemplateSource } from '../../conformance/discovery/sources';
import { PkiMaterial } from '../../conformance/pki/pki-directory';
import { createCa, issueLeaf } from '../../conformance/pki/throwaway-pki';
import { interleavedMediansAsync } from '../interleaved-rounds';
import { BENCH_ISSUER, benchPki, synthAwsGateTemplates } from '../aws-gate-templates';
import { PROBE_CATEGORIES, profiled, timeByCategory } from './where-time-goes';

process.env.CDK_VALIDATION = 'false';
const GATES = [1, 10, 100] as const;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LIMIT_ITERATIONS = 400;

const arn = (r: string) => `arn:aws:rolesanywhere:us-east-1:111122223333:${r}/00000000-0000-4000-a000-000000000000`;

/** The limit: µs per probe for each step a probe cannot skip, each timed over LIMIT_ITERATIONS. */
async function limitMeasure(): Promise<() => Promise<{ sign: number; verify: number; chain: number; perSecond: number }>> {
  const ca = await createCa({ subject: BENCH_ISSUER });
  const leaf = await issueLeaf({ issuer: ca, subject: { CN: 'agent-0' }, sanUris: ['spiffe://bench.example/agent/agent-0'] });
  const key = crypto.KeyObject.from(leaf.keys.privateKey as unknown as crypto.webcrypto.CryptoKey);
  // The anchor is configuration: parsed once, as a server would.
  const anchor = new crypto.X509Certificate(ca.der);
  const sign = () => signCreateSessionRequest({ certificate: leaf.der, privateKey: key, region: 'us-east-1', endpoint: 'http://127.0.0.1:1', trustAnchorArn: arn('trust-anchor'), profileArn: arn('profile'), roleArn: 'arn:aws:iam::111122223333:role/r' });
  const signed = sign();
  // What arrives: the certificate in a header; its key must be read from it on every request.
  const verify = () => {
    const certificate = new crypto.X509Certificate(Buffer.from(signed.headers['X-Amz-X509'], 'base64'));
    const url = new URL(signed.url);
    const auth = parseAuthorizationHeader(signed.headers.Authorization);
    const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const canonical = canonicalRequest({ path: url.pathname, query: url.searchParams, headers: canonicalHeaders(headers, auth.signedHeaders), payloadHash: payloadHash(signed.body) });
    if (!signatureMatches(auth.algorithm, stringToSign(auth.algorithm, headers['x-amz-date'], auth.scope, canonical), auth.signature, certificate.publicKey)) throw new Error('signature');
  };
  const chain = () => {
    const certificate = new crypto.X509Certificate(Buffer.from(signed.headers['X-Amz-X509'], 'base64'));
    if (!certificate.checkIssued(anchor) || !certificate.verify(anchor.publicKey)) throw new Error('chain');
  };
  const timed = (step: () => void) => {
    const start = performance.now();
    for (let i = 0; i < LIMIT_ITERATIONS; i++) step();
    return ((performance.now() - start) * 1000) / LIMIT_ITERATIONS;
  };
  for (let i = 0; i < 50; i++) [sign, verify, chain].forEach((s) => s());
  return async () => {
    const [s, v, c] = [timed(sign), timed(verify), timed(chain)];
    return { sign: s, verify: v, chain: c, perSecond: 1e6 / (s + v + c) };
  };
}

/**
 * Where the emulator runs and how many gates are probed at once: in a worker thread with 16 (as
 * the CLI runs it: prober and emulator on the two cores), or in the prober's process with 4 (the
 * API's default; the CPU profile below can only see this one).
 */
const MODES = { worker: { localEmulator: 'worker', concurrency: 16 }, 'in-process': { localEmulator: 'in-process', concurrency: 4 } } as const;
type Mode = keyof typeof MODES;

/** One conformance run on a fresh emulator; throws unless every check passed. */
async function conformanceRun(sources: TemplateSource[], pki: PkiMaterial, mode: Mode): Promise<{ seconds: number; requests: number; checks: number; perSecond: number }> {
  const start = performance.now();
  const run = await runAwsConformance({ sources, pki, target: 'local', ratePerSecond: Infinity, ...MODES[mode], emulator: { createSessionRatePerSecond: Infinity } });
  const seconds = (performance.now() - start) / 1000;
  const notPass = run.results.filter((r) => r.status !== 'PASS');
  if (notPass.length > 0) throw new Error(`bench run not clean: ${notPass.map((r) => `${r.checkId} ${r.status} ${r.reason}`).join('; ')}`);
  return { seconds, requests: run.requests, checks: run.results.length, perSecond: run.requests / seconds };
}

async function main(): Promise<void> {
  const { pki, caPem, crlPem } = await benchPki();
  const sources = new Map(GATES.map((n) => [n, synthAwsGateTemplates({ count: n, caPem, crlPem, issuer: BENCH_ISSUER })]));
  const limit = await limitMeasure();
  // Warm-up, not measured: module loading (the AWS SDK, the emulator) and the JIT.
  for (const mode of Object.keys(MODES) as Mode[]) await conformanceRun(sources.get(10)!, pki, mode);

  const modes = Object.keys(MODES) as Mode[];
  const variants = ['limit', ...GATES.flatMap((n) => modes.map((mode) => `${n} ${mode}`))];
  type Variant = string;
  const load = os.loadavg()[0];
  const medians = await interleavedMediansAsync<Variant, Record<string, number>>(variants, ROUNDS, async (variant) => {
    if (variant === 'limit') return limit();
    const [n, mode] = variant.split(' ');
    return conformanceRun(sources.get(Number(n) as (typeof GATES)[number])!, pki, mode as Mode);
  });
  const loadAfter = os.loadavg()[0];
  const limitPerSecond = medians.of('limit', 'perSecond');

  console.log(`bench/conformance — node ${process.version}, ${os.cpus().length} CPUs, load average ${load.toFixed(1)} before and ${loadAfter.toFixed(1)} after; median of ${ROUNDS} interleaved rounds\n`);
  console.log(
    `The limit, per core: sign ${medians.of('limit', 'sign').toFixed(0)} µs + verify ${medians.of('limit', 'verify').toFixed(0)} µs + chain ${medians.of('limit', 'chain').toFixed(0)} µs a probe = ${limitPerSecond.toFixed(0)} probes/s (rounds: ${medians.range('limit', 'perSecond').map((x) => x.toFixed(0)).join('–')})\n`,
  );
  // The limit is per core; a run with the emulator in a worker uses both, so it is also set
  // against twice the limit (the machine's).
  console.log('| gates | emulator | checks run | requests | wall s | probes/s (range) | of one core\'s limit | of two cores\' |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const n of GATES) {
    for (const mode of modes) {
      const v = `${n} ${mode}`;
      const [low, high] = medians.range(v, 'perSecond');
      const perSecond = medians.of(v, 'perSecond');
      console.log(`| ${n} | ${mode} | ${medians.of(v, 'checks')} | ${medians.of(v, 'requests')} | ${medians.of(v, 'seconds').toFixed(2)} | ${perSecond.toFixed(0)} (${low.toFixed(0)}–${high.toFixed(0)}) | ${((perSecond / limitPerSecond) * 100).toFixed(0)} % | ${((perSecond / (2 * limitPerSecond)) * 100).toFixed(0)} % |`);
    }
  }

  // Where the time goes: one more run at 100 gates under the profiler (slower than the table's).
  const { result, profile } = await profiled(() => conformanceRun(sources.get(100)!, pki, 'in-process'));
  const byCategory = timeByCategory(profile, PROBE_CATEGORIES);
  const total = [...byCategory.values()].reduce((a, b) => a + b, 0);
  console.log(`\nWhere a probe's time goes at 100 gates (CPU profile of one run: ${result.requests} requests, ${result.seconds.toFixed(2)} s under the profiler):\n`);
  console.log('| step | µs per probe | share |');
  console.log('|---|---|---|');
  for (const [name, ms] of [...byCategory].sort((a, b) => b[1] - a[1])) {
    console.log(`| ${name} | ${((ms * 1000) / result.requests).toFixed(0)} | ${((ms / total) * 100).toFixed(1)} % |`);
  }
}

void main();
