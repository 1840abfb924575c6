/**
 * bench/synth-tf: synth wall time and peak memory of the GCP and Azure examples (one app, two
 * stacks) scaled to 1, 10 and 100 agents, attestgate constructs against the same resources
 * written with raw deep-imported cdktf provider classes, and with the rules Aspect added. Each
 * measurement runs in a fresh process on compiled JS and reports the whole run (module loading
 * + build + synth: what `cdktf synth` of the examples costs) and, as bench/synth does, build +
 * synth alone. Variants are interleaved within each round; the median of the rounds is reported.
 *
 *   npm run bench:tf            (ROUNDS=9 npm run bench:tf for more rounds; SIZES=1 for the examples only;
 *                                VARIANTS=raw-cdktf,attestgate for some variants)
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import type { Variant } from './stacks';
import { interleavedMedians } from '../interleaved-rounds';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const SIZES = (process.env.SIZES ?? '1,10,100').split(',').map(Number);
const ALL_VARIANTS: Variant[] = ['raw-cdktf', 'attestgate', 'attestgate+aspect', 'attestgate+monitoring'];
// VARIANTS=raw-cdktf,attestgate to leave some out (SIZES=1000 ROUNDS=3 takes ~2 minutes of all four).
const VARIANTS = process.env.VARIANTS ? ALL_VARIANTS.filter((v) => process.env.VARIANTS!.split(',').includes(v)) : ALL_VARIANTS;

interface Sample {
  ms: number;
  cpuMs: number;
  synthMs: number;
  synthCpuMs: number;
  rssMb: number;
  resources: number;
}

const root = path.join(__dirname, '../..');
// Compiled once to plain JavaScript, as a cdktf app is before `node main.js`; packages stay in
// node_modules, loaded the ordinary way.
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-bench-tf-'));
buildSync({
  entryPoints: [path.join(__dirname, 'worker.ts'), path.join(__dirname, 'stacks.ts')],
  bundle: true,
  platform: 'node',
  outdir,
  packages: 'external',
  logLevel: 'warning',
});

function measure(variant: Variant, n: number): Sample {
  const out = execFileSync(process.execPath, [path.join(outdir, 'worker.js'), variant, String(n), root], {
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') },
  });
  return JSON.parse(out) as Sample;
}

const rows: string[] = [];
for (const n of SIZES) {
  const { of, first } = interleavedMedians(VARIANTS, ROUNDS, (variant) => measure(variant, n));
  for (const variant of VARIANTS) {
    const cell = (key: keyof Sample) => `${of(variant, key).toFixed(0)} (${(of(variant, key) / of('raw-cdktf', key)).toFixed(2)}×)`;
    rows.push(`| ${n} | ${variant} | ${first(variant).resources} | ${cell('ms')} | ${cell('cpuMs')} | ${cell('synthMs')} | ${cell('synthCpuMs')} | ${cell('rssMb')} |`);
  }
}
fs.rmSync(outdir, { recursive: true, force: true });
console.log(`bench/synth-tf — GCP + Azure examples, median of ${ROUNDS} rounds, fresh process each, compiled JS, node ${process.version}\n`);
console.log('| agents | variant | resources | whole run: wall ms | whole run: CPU ms | build+synth: wall ms | build+synth: CPU ms | peak RSS MB |');
console.log('|---|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
