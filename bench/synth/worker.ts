// One measurement in a fresh process: build + synth wall and CPU time (ms), peak RSS (MB), as JSON.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Variant, synthesize } from './stacks';

// aws-cdk-lib's built-in CloudFormation validation (on by default in an app) takes seconds a synth
// and is the same work for every variant, so by default it is off and the variants' own costs are
// compared; BENCH_BUILTIN_VALIDATION=on keeps it, to measure what a default `cdk synth` costs.
if (process.env.BENCH_BUILTIN_VALIDATION !== 'on') process.env.CDK_VALIDATION = 'false';
const [variant, n, repoRoot] = [process.argv[2] as Variant, Number(process.argv[3]), process.argv[4]];
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-bench-'));
const start = performance.now();
const cpuStart = process.cpuUsage();
const resources = synthesize(variant, n, outdir, repoRoot);
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
fs.rmSync(outdir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ variant, n, ms, cpuMs: (cpu.user + cpu.system) / 1000, rssMb: process.resourceUsage().maxRSS / 1024, resources }));
