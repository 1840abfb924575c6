/**
 * bench/synth: synth wall time and peak memory of the AWS example scaled to 1, 10, 100 and 1,000
 * identities, attestgate constructs against the same gates written with raw L1 constructs (over
 * the same IdentityStacks at 1,000). Each variant is compared with raw L1 without monitoring and
 * with the raw L1 that writes the same template (raw-l1+gate-metadata for the gate; for the
 * monitoring variants, the hand-written monitoring), so the monitors' cost splits into their
 * resources and our code, printed per added resource after the main table.
 * Wall and CPU time are both reported: on a shared machine CPU time is the steadier ratio.
 * Every measurement runs in a fresh process; variants are interleaved within each round so
 * machine noise hits them alike; the median of the rounds is reported.
 *
 *   npm run bench            (ROUNDS=9 npm run bench for more rounds, SIZES=100,1000 for some sizes)
 *
 * DECOMPOSE=1 adds raw-l1+nested, raw-l1+nested+cached-id and raw-l1+nested+plugin (see Variant
 * in stacks.ts): what of the gate's cost over raw L1 any construct library pays, and what is our
 * code.
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
// VARIANTS=raw-l1,raw-l1+nested picks some variants (a comparison in isolation, with more rounds).
const VARIANTS: Variant[] = process.env.VARIANTS ? (process.env.VARIANTS.split(',') as Variant[]) : [
  'raw-l1',
  'raw-l1+gate-metadata',
  ...(process.env.DECOMPOSE ? (['raw-l1+nested', 'raw-l1+nested+cached-id', 'raw-l1+nested+plugin'] as const) : []),
  'attestgate',
  'raw-l1+monitoring',
  'attestgate+monitoring',
  'attestgate+checks',
];

/**
 * The raw L1 variant that writes the same template as each variant: the same resources and
 * properties, and the gate metadata attestgate writes on each role (names and logical IDs aside).
 */
const SAME_TEMPLATE: Record<Variant, Variant> = {
  'raw-l1': 'raw-l1',
  'raw-l1+gate-metadata': 'raw-l1+gate-metadata',
  attestgate: 'raw-l1+gate-metadata',
  'raw-l1+monitoring': 'raw-l1+monitoring',
  'attestgate+monitoring': 'raw-l1+monitoring',
  'attestgate+checks': 'raw-l1+monitoring',
  'raw-l1+nested': 'raw-l1',
  'raw-l1+nested+cached-id': 'raw-l1',
  'raw-l1+nested+plugin': 'raw-l1',
};

const missing = [...new Set(VARIANTS.flatMap((v) => ['raw-l1' as Variant, SAME_TEMPLATE[v]]))].filter((v) => !VARIANTS.includes(v));
if (missing.length > 0) {
  console.error(`bench/synth: VARIANTS=${process.env.VARIANTS} lacks ${missing.join(', ')}, which the ratios are taken against. Fix: add them to VARIANTS.`);
  process.exit(2);
}

const workerJs = buildWorker(path.join(__dirname, '../..'));
const measure = (variant: Variant, n: number, nodeOptions: string[] = []) => measureWorker(workerJs, variant, n, nodeOptions);

if (process.env.PROFILE) {
  const [variant, n] = process.env.PROFILE.split(':');
  const sample = measure(variant as Variant, Number(n), ['--cpu-prof', `--cpu-prof-dir=${process.cwd()}`]);
  console.log(`profiled ${variant} at ${n}: ${sample.ms.toFixed(0)} ms wall, ${sample.resources} resources; .cpuprofile in ${process.cwd()}`);
  process.exit(0);
}

const rows: string[] = [];
const monitoringRows: string[] = [];
for (const n of SIZES) {
  // Every variant at every size: over IdentityStacks each role pins the base stack's anchor
  // through Fn::ImportValue, which AttestationChecks resolves against the base stack's export.
  const variants = VARIANTS;
  const { of, first, rounds } = interleavedMedians(variants, ROUNDS, (variant) => measure(variant, n));
  const ratio = (variant: Variant, base: Variant, key: keyof Sample) => `${(of(variant, key) / of(base, key)).toFixed(2)}×`;
  // The CPU ratio of each round (both measured within it), as median and range: the spread says
  // how far one run of this bench can be trusted at the machine's load.
  const cpuRatios = (variant: Variant, base: Variant) => {
    const ratios = rounds(variant).map((sample, i) => sample.cpuMs / rounds(base)[i].cpuMs).sort((a, b) => a - b);
    return `${ratios[Math.floor(ratios.length / 2)].toFixed(2)}× (${ratios[0].toFixed(2)}–${ratios[ratios.length - 1].toFixed(2)})`;
  };
  for (const variant of variants) {
    const same = SAME_TEMPLATE[variant];
    rows.push(
      `| ${n} | ${variant} | ${first(variant).resources} | ${of(variant, 'ms').toFixed(0)} | ${of(variant, 'cpuMs').toFixed(0)} | ${of(variant, 'rssMb').toFixed(0)} | ` +
        `${ratio(variant, 'raw-l1', 'ms')} | ${ratio(variant, 'raw-l1', 'cpuMs')} | ${cpuRatios(variant, 'raw-l1')} | ${same} | ${ratio(variant, same, 'ms')} | ${cpuRatios(variant, same)} | ${ratio(variant, same, 'rssMb')} |`,
    );
  }
  // What each resource the IssuanceMonitor adds costs: written by hand (the resources), and what
  // attestgate's monitor costs beyond that (our code), in CPU ms per added resource.
  if ((['raw-l1+gate-metadata', 'attestgate', 'raw-l1+monitoring', 'attestgate+monitoring'] as const).every((v) => variants.includes(v))) {
    const added = first('attestgate+monitoring').resources - first('attestgate').resources;
    const resourcesMs = of('raw-l1+monitoring', 'cpuMs') - of('raw-l1+gate-metadata', 'cpuMs');
    const oursMs = of('attestgate+monitoring', 'cpuMs') - of('attestgate', 'cpuMs') - resourcesMs;
    monitoringRows.push(`| ${n} | ${added} | ${resourcesMs.toFixed(0)} ms (${(resourcesMs / added).toFixed(2)} ms each) | ${oursMs.toFixed(0)} ms (${(oursMs / added).toFixed(2)} ms each) |`);
  }
}
console.log(`bench/synth — median of ${ROUNDS} rounds, fresh process each, compiled JS, ${process.env.BENCH_BUILTIN_VALIDATION === 'on' ? "aws-cdk-lib's built-in validation on" : 'CDK_VALIDATION=false'}, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
console.log('| identities | variant | resources | wall ms | CPU ms | peak RSS MB | wall / raw L1 | CPU / raw L1 | CPU / raw L1 per round: median (range) | same template in | wall / same | CPU / same per round: median (range) | RSS / same |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
if (monitoringRows.length > 0) {
  console.log('\nIssuanceMonitor, CPU per resource it adds (medians): the resources written by hand (raw-l1+monitoring − raw-l1+gate-metadata), and our code beyond them ((attestgate+monitoring − attestgate) − the resources)\n');
  console.log('| identities | resources added | the resources | our code |');
  console.log('|---|---|---|---|');
  console.log(monitoringRows.join('\n'));
}
