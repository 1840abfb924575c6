/**
 * bench/conformance-scale: AWS conformance at 100 and 1,000 gates on the local emulator, rate
 * limits off (the emulator's no-throttle mode and an unlimited run pace: they would measure the
 * quota, not the suite). Per scale and mode: wall time, CPU time of the process and of its main
 * thread (the prober) apart from every other thread (the emulator's worker, libuv's pool that
 * mints certificates, V8's helpers), requests planned vs sent, requests per second, and the
 * plan's bound at the live quotas. The machine's load average is printed with each row: on
 * shared CPUs it moves the wall figures, so the CPU split is what says what an idle machine gets.
 *
 *   npm run bench:conformance-scale [-- 100 1000]
 *   MODES=in-process:4,worker:16 ROUNDS=2 npm run bench:conformance-scale -- 300
 *
 * A mode is where the emulator runs (`worker`, as the CLI runs it, or `in-process`) and how many
 * gates are probed at once. Modes alternate within each round, after one unmeasured warm-up run
 * of each (module loading, the JIT), so they meet the same load.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { BENCH_ISSUER, benchPki, synthAwsGateTemplates } from '../aws-gate-templates';
import { LocalEmulatorThread } from '../../conformance/aws/local-target';
import { runAwsConformance } from '../../conformance/aws/run-aws-conformance';
import { formatDuration } from '../../conformance/engine/request-plan';
import { PkiMaterial } from '../../conformance/pki/pki-directory';

/** Gates per stack: a stack holds at most 500 resources, and a monitored identity writes ~2.4. */
const GATES_PER_STACK = 125;

interface Mode {
  readonly emulator: LocalEmulatorThread;
  readonly concurrency: number;
}

function modes(): Mode[] {
  return (process.env.MODES ?? 'worker:16').split(',').map((m) => {
    const [emulator, concurrency] = m.split(':');
    if (emulator !== 'worker' && emulator !== 'in-process') throw new Error(`MODES: ${m}: write worker:<n> or in-process:<n>`);
    return { emulator, concurrency: Number(concurrency ?? 4) };
  });
}

/** utime + stime of a /proc stat file, in clock ticks (the comm field may hold spaces: read after its ')'). */
function ticks(file: string): number {
  const fields = fs.readFileSync(file, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** The main thread's CPU ticks and the whole process's, from /proc (Linux). */
const cpuTicks = () => ({ main: ticks(`/proc/self/task/${process.pid}/stat`), all: ticks('/proc/self/stat') });

async function measure(mode: Mode, pki: PkiMaterial, sources: ReturnType<typeof synthAwsGateTemplates>) {
  const load = os.loadavg()[0];
  const cpu = process.cpuUsage();
  const before = cpuTicks();
  const start = performance.now();
  const run = await runAwsConformance({ sources, pki, target: 'local', ratePerSecond: Infinity, concurrency: mode.concurrency, emulator: { createSessionRatePerSecond: Infinity }, localEmulator: mode.emulator });
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const after = cpuTicks();
  const notPass = run.results.filter((r) => r.status !== 'PASS');
  if (notPass.length > 0) throw new Error(`bench run not clean: ${notPass.slice(0, 5).map((r) => `${r.checkId} ${r.status} ${r.reason}`).join('; ')}`);
  const cpuSeconds = (used.user + used.system) / 1e6;
  // The main thread's share of the process's ticks, applied to the process's CPU time.
  const mainSeconds = (cpuSeconds * (after.main - before.main)) / Math.max(1, after.all - before.all);
  return { run, seconds, cpuSeconds, mainSeconds, load: `${load.toFixed(1)}–${os.loadavg()[0].toFixed(1)}` };
}

async function main(): Promise<void> {
  const scales = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const rounds = Number(process.env.ROUNDS ?? 1);
  const { pki, caPem, crlPem } = await benchPki();
  const synth = (n: number) => synthAwsGateTemplates({ count: n, caPem, crlPem, issuer: BENCH_ISSUER, stacks: Math.ceil(n / GATES_PER_STACK) });
  console.log(`bench/conformance-scale — node ${process.version}, ${os.cpus().length} CPUs, ${rounds} round(s)\n`);
  const warmUp = synth(20);
  for (const mode of modes()) await measure(mode, pki, warmUp);
  console.log('| gates | emulator | concurrency | needed | planned | sent | wall s | CPU s | main thread CPU s | other threads CPU s | sent/s | live bound | load avg |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const n of scales.length > 0 ? scales : [100, 1000]) {
    const sources = synth(n);
    for (let round = 0; round < rounds; round++) {
      for (const mode of modes()) {
        const m = await measure(mode, pki, sources);
        const { plan } = m.run;
        const cells = [n, mode.emulator, mode.concurrency, plan.needed, plan.planned, m.run.requests, m.seconds.toFixed(1), m.cpuSeconds.toFixed(1), m.mainSeconds.toFixed(1), (m.cpuSeconds - m.mainSeconds).toFixed(1), (m.run.requests / m.seconds).toFixed(0), `≥ ${formatDuration(plan.liveSeconds)}`, m.load];
        console.log(`| ${cells.join(' | ')} |`);
      }
    }
  }
}

void main();
