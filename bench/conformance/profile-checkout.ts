/**
 * Where a probe's time goes at 100 gates in a given checkout of attestgate (default: this one):
 * one unmeasured warm-up at 10 and one at 100 gates, then one in-process 100-gate run under the
 * CPU profiler, charged to steps by that checkout's own bench/conformance/where-time-goes.ts.
 * Run it alternately on two checkouts (fresh processes) to compare code before and after:
 *
 *   npx tsx bench/conformance/profile-checkout.ts /tmp/base-checkout
 *   npx tsx bench/conformance/profile-checkout.ts
 *
 * The checkout needs its node_modules (a symlink to this one's will do).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..'));
// The modules of the checkout given, not of this one.
const { BENCH_ISSUER, benchPki, synthAwsGateTemplates } = require(path.join(root, 'bench/aws-gate-templates')) as typeof import('../aws-gate-templates');
const { runAwsConformance } = require(path.join(root, 'conformance/aws/run-aws-conformance')) as typeof import('../../conformance/aws/run-aws-conformance');
const { PROBE_CATEGORIES, profiled, timeByCategory } = require(path.join(root, 'bench/conformance/where-time-goes')) as typeof import('./where-time-goes');

async function main(): Promise<void> {
  process.env.CDK_VALIDATION = 'false';
  const { pki, caPem, crlPem } = await benchPki();
  const synth = (count: number) => synthAwsGateTemplates({ count, caPem, crlPem, issuer: BENCH_ISSUER });
  const run = async (sources: ReturnType<typeof synth>) => {
    const start = performance.now();
    const result = await runAwsConformance({ sources, pki, target: 'local', ratePerSecond: Infinity, concurrency: 4, localEmulator: 'in-process', emulator: { createSessionRatePerSecond: Infinity } });
    const notPass = result.results.filter((r) => r.status !== 'PASS');
    if (notPass.length > 0) throw new Error(`bench run not clean: ${notPass.map((r) => `${r.checkId} ${r.status} ${r.reason}`).join('; ')}`);
    return { requests: result.requests, seconds: (performance.now() - start) / 1000 };
  };
  const gates = synth(100);
  await run(synth(10));
  await run(gates);
  const load = os.loadavg()[0];
  const { result, profile } = await profiled(() => run(gates));
  console.log(`${root}: node ${process.version}, load average ${load.toFixed(1)} before and ${os.loadavg()[0].toFixed(1)} after; ${result.requests} requests in ${result.seconds.toFixed(2)} s under the profiler\n`);
  console.log('| step | µs per probe |');
  console.log('|---|---|');
  for (const [name, ms] of [...timeByCategory(profile, PROBE_CATEGORIES)].sort((a, b) => b[1] - a[1])) console.log(`| ${name} | ${((ms * 1000) / result.requests).toFixed(0)} |`);
}

void main();
