/**
 * bench/synth: synth wall time and peak memory of the AWS example scaled to 1, 10, 100 and 1,000
 * identities, attestgate constructs against the same gates written with raw L1 constructs (over
 * the same IdentityStacks at 1,000). Each variant is compared with raw L1 without monitoring and
 * with the raw L1 that writes the same resources: for the monitoring variants, that is the
 * hand-written monitoring, so the monitors' cost splits into their resources and our code.
 * Wall and CPU time are both reported: on a shared machine CPU time is the steadier ratio.
 * Every measurement runs in a fresh process; variants are interleaved within each round so
 * machine noise hits them alike; the median of the rounds is reported.
 *
 *   npm run bench            (ROUNDS=9 npm run bench for more rounds, SIZES=100,1000 for some sizes)
 *
 * DECOMPOSE=1 adds raw-l1+nested and raw-l1+nested+plugin (see Variant in stacks.ts): what of the
 * gate's cost over raw L1 any construct library pays, and what is our code.
 *
 * A variant's worker can be profiled alone: PROFILE=attestgate:1000 npm run bench writes a
 * .cpuprofile of one synth to the current directory and exits.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { type Variant } from './stacks';
import { type Sample, buildWorker, measure as measureWorker } from './worker-process';
import { interleavedMedians } from '../interleaved-rounds';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const SIZES = (process.env.SIZES ?? '1,10,100,1000').split(',').map(Number);
const VARIANTS: Variant[] = [
  'raw-l1',
  ...(process.env.DECOMPOSE ? (['raw-l1+nested', 'raw-l1+nested+plugin'] as const) : []),
  'attestgate',
  'raw-l1+monitoring',
  'attestgate+monitoring',
  'attestgate+checks',
];

/** The raw L1 variant that writes the same resources as each variant. */
const SAME_RESOURCES: Record<Variant, Variant> = {
  'raw-l1': 'raw-l1',
  attestgate: 'raw-l1',
  'raw-l1+monitoring': 'raw-l1+monitoring',
  'attestgate+monitoring': 'raw-l1+monitoring',
  'attestgate+checks': 'raw-l1+monitoring',
  'raw-l1+nested': 'raw-l1',
  'raw-l1+nested+plugin': 'raw-l1',
};

const workerJs = buildWorker(path.join(__dirname, '../..'));
const measure = (variant: Variant, n: number, nodeOptions: string[] = []) => measureWorker(workerJs, variant, n, nodeOptions);

if (process.env.PROFILE) {
  const [variant, n] = process.env.PROFILE.split(':');
  const sample = measure(variant as Variant, Number(n), ['--cpu-prof', `--cpu-prof-dir=${process.cwd()}`]);
  console.log(`profiled ${variant} at ${n}: ${sample.ms.toFixed(0)} ms wall, ${sample.resources} resources; .cpuprofile in ${process.cwd()}`);
  process.exit(0);
}

const rows: string[] = [];
for (const n of SIZES) {
  // Every variant at every size: over IdentityStacks each role pins the base stack's anchor
  // through Fn::ImportValue, which AttestationChecks resolves against the base stack's export.
  const variants = VARIANTS;
  const { of, first } = interleavedMedians(variants, ROUNDS, (variant) => measure(variant, n));
  const ratio = (variant: Variant, base: Variant, key: keyof Sample) => `${(of(variant, key) / of(base, key)).toFixed(2)}×`;
  for (const variant of variants) {
    const same = SAME_RESOURCES[variant];
    rows.push(
      `| ${n} | ${variant} | ${first(variant).resources} | ${of(variant, 'ms').toFixed(0)} | ${of(variant, 'cpuMs').toFixed(0)} | ${of(variant, 'rssMb').toFixed(0)} | ` +
        `${ratio(variant, 'raw-l1', 'ms')} | ${ratio(variant, 'raw-l1', 'cpuMs')} | ${same} | ${ratio(variant, same, 'ms')} | ${ratio(variant, same, 'cpuMs')} | ${ratio(variant, same, 'rssMb')} |`,
    );
  }
}
console.log(`bench/synth — median of ${ROUNDS} rounds, fresh process each, compiled JS, CDK_VALIDATION=false, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
console.log('| identities | variant | resources | wall ms | CPU ms | peak RSS MB | wall / raw L1 | CPU / raw L1 | same resources in | wall / same | CPU / same | RSS / same |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
