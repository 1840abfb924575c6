/**
 * The bench worker compiled to plain JavaScript, and one measurement of it in a fresh process:
 * shared by run.ts (variants side by side) and compare-commits.ts (two commits side by side).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { type Variant } from './stacks';

export interface Sample {
  ms: number;
  cpuMs: number;
  rssMb: number;
  resources: number;
}

const NODE_MODULES = path.join(__dirname, '../../node_modules');

/**
 * Compiles `<sourceRoot>/bench/synth/worker.ts` with the attestgate sources it imports into one
 * JavaScript file, as a CDK app is compiled before `node app.js`: under a TypeScript loader,
 * source-mapped stack traces (which aws-cdk-lib captures per construct) would dominate the
 * measurement. aws-cdk-lib and constructs stay external: every build loads the same copies.
 */
export function buildWorker(sourceRoot: string): string {
  const workerJs = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-bench-')), 'worker.js');
  buildSync({
    entryPoints: [path.join(sourceRoot, 'bench/synth/worker.ts')],
    bundle: true,
    platform: 'node',
    outfile: workerJs,
    external: ['aws-cdk-lib', 'constructs'],
    nodePaths: [NODE_MODULES],
    logLevel: 'warning',
  });
  return workerJs;
}

/** One synth of `variant` at `n` identities by a compiled worker, in a fresh process. */
export function measure(workerJs: string, variant: Variant, n: number, nodeOptions: string[] = []): Sample {
  const out = execFileSync(process.execPath, [...nodeOptions, workerJs, variant, String(n), path.join(__dirname, '../..')], {
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: NODE_MODULES },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out) as Sample;
}
