/**
 * One variant of bench/synth, built from a base commit and from the working tree, measured side
 * by side: interleaved rounds (base, working tree, raw L1 from the working tree), a fresh process
 * each, medians and ranges. What a performance change gained, measured in one run so that the
 * machine's load hits both alike.
 *
 *   BASE=HEAD~1 SIZES=100,1000 ROUNDS=9 npx tsx bench/synth/compare-commits.ts
 *
 * VARIANT picks the variant (default attestgate). The base's sources are taken with
 * `git archive` into a temporary directory; both builds load the same aws-cdk-lib.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Variant } from './stacks';
import { buildWorker, measure } from './worker-process';
import { interleavedMedians } from '../interleaved-rounds';

const repoRoot = path.join(__dirname, '../..');
const BASE = process.env.BASE ?? 'HEAD';
const VARIANT = (process.env.VARIANT ?? 'attestgate') as Variant;
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const SIZES = (process.env.SIZES ?? '100,1000').split(',').map(Number);

const baseRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-bench-base-'));
const archive = execFileSync('git', ['-C', repoRoot, 'archive', '--format=tar', BASE], { maxBuffer: 1 << 30 });
execFileSync('tar', ['-x', '-C', baseRoot], { input: archive });
const workers = { base: buildWorker(baseRoot), head: buildWorker(repoRoot) };
const baseCommit = execFileSync('git', ['-C', repoRoot, 'rev-parse', '--short', BASE], { encoding: 'utf8' }).trim();

const loadBefore = os.loadavg();
const rows: string[] = [];
type Arm = 'base' | 'head' | 'raw-l1';
for (const n of SIZES) {
  const { of, range } = interleavedMedians<Arm, ReturnType<typeof measure>>(['base', 'head', 'raw-l1'], ROUNDS, (arm) =>
    arm === 'raw-l1' ? measure(workers.head, 'raw-l1', n) : measure(workers[arm], VARIANT, n),
  );
  const cell = (arm: Arm) => {
    const [low, high] = range(arm, 'cpuMs');
    return `${of(arm, 'cpuMs').toFixed(0)} (${low.toFixed(0)}–${high.toFixed(0)})`;
  };
  const ratio = (arm: Arm) => `${(of(arm, 'cpuMs') / of('raw-l1', 'cpuMs')).toFixed(3)}×`;
  rows.push(`| ${n} | ${cell('raw-l1')} | ${cell('base')} | ${cell('head')} | ${ratio('base')} | ${ratio('head')} | ${(of('head', 'cpuMs') / of('base', 'cpuMs')).toFixed(3)}× |`);
}
fs.rmSync(baseRoot, { recursive: true, force: true });
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(`bench/synth compare-commits — ${VARIANT}, base ${BASE} (${baseCommit}) vs working tree, median (range) of ${ROUNDS} interleaved rounds, CPU ms, node ${process.version}; load average ${load(loadBefore)} before, ${load(os.loadavg())} after\n`);
console.log(`| identities | raw L1 | base | working tree | base / raw L1 | working tree / raw L1 | working tree / base |`);
console.log('|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
