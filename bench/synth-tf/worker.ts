// One measurement in a fresh process, as JSON: wall and CPU ms of the whole run (module loading
// + build + synth) and of build + synth alone, peak RSS (MB), resources written.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Variant } from './stacks';

const start = performance.now();
const cpuStart = process.cpuUsage();
// Loaded inside the measurement: importing cdktf, the providers and attestgate is part of what a synth costs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { synthesize } = require('./stacks') as typeof import('./stacks');
const [variant, n, repoRoot] = [process.argv[2] as Variant, Number(process.argv[3]), process.argv[4]];
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-bench-tf-'));
const synthStart = performance.now();
const synthCpuStart = process.cpuUsage();
const resources = synthesize(variant, n, outdir, repoRoot);
const end = performance.now();
const cpu = process.cpuUsage(cpuStart);
const synthCpu = process.cpuUsage(synthCpuStart);
fs.rmSync(outdir, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({
    variant,
    n,
    ms: end - start,
    cpuMs: (cpu.user + cpu.system) / 1000,
    synthMs: end - synthStart,
    synthCpuMs: (synthCpu.user + synthCpu.system) / 1000,
    rssMb: process.resourceUsage().maxRSS / 1024,
    resources,
  }),
);
