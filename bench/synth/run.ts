/**
 * bench/synth: synth wall time and peak memory of the AWS example scaled to 1, 10 and 100
 * identities, attestgate constructs against the same gates written with raw L1 constructs.
 * Wall and CPU time are both reported: on a shared machine CPU time is the steadier ratio.
 * Every measurement runs in a fresh process; variants are interleaved within each round so
 * machine noise hits them alike; the median of the rounds is reported.
 *
 *   npm run bench            (ROUNDS=9 npm run bench for more rounds)
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import type { Variant } from './stacks';
import { interleavedMedians } from '../interleaved-rounds';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const SIZES = [1, 10, 100];
const VARIANTS: Variant[] = ['raw-l1', 'attestgate', 'attestgate+monitoring', 'attestgate+checks'];

interface Sample {
  ms: number;
  cpuMs: number;
  rssMb: number;
  resources: number;
}

// The worker is compiled to plain JavaScript once, as a CDK app is before `node app.js`: under a
// TypeScript loader, source-mapped stack traces (which aws-cdk-lib captures per construct)
// would dominate the measurement.
const workerJs = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-bench-')), 'worker.js');
buildSync({
  entryPoints: [path.join(__dirname, 'worker.ts')],
  bundle: true,
  platform: 'node',
  outfile: workerJs,
  external: ['aws-cdk-lib', 'constructs'],
  nodePaths: [path.join(__dirname, '../../node_modules')],
  logLevel: 'warning',
});

function measure(variant: Variant, n: number): Sample {
  const out = execFileSync(process.execPath, [workerJs, variant, String(n), path.join(__dirname, '../..')], { encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(__dirname, '../../node_modules') } });
  return JSON.parse(out) as Sample;
}

const rows: string[] = [];
for (const n of SIZES) {
  const { of, first } = interleavedMedians(VARIANTS, ROUNDS, (variant) => measure(variant, n));
  for (const variant of VARIANTS) {
    const [ms, cpu, rss] = [of(variant, 'ms'), of(variant, 'cpuMs'), of(variant, 'rssMb')];
    const ratio = (value: number, key: keyof Sample) => `${(value / of('raw-l1', key)).toFixed(2)}×`;
    rows.push(`| ${n} | ${variant} | ${first(variant).resources} | ${ms.toFixed(0)} | ${ratio(ms, 'ms')} | ${cpu.toFixed(0)} | ${ratio(cpu, 'cpuMs')} | ${rss.toFixed(0)} | ${ratio(rss, 'rssMb')} |`);
  }
}
console.log(`bench/synth — median of ${ROUNDS} rounds, fresh process each, compiled JS, CDK_VALIDATION=false, node ${process.version}\n`);
console.log('| identities | variant | resources | wall ms | wall ratio | CPU ms | CPU ratio | peak RSS MB | RSS ratio |');
console.log('|---|---|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
