/**
 * bench/conformance-scale: AWS conformance at 100 and 1,000 gates on the local emulator, rate
 * limits off (the emulator's no-throttle mode and an unlimited run pace: they would measure the
 * quota, not the suite). Per scale: wall time, CPU time of the process (emulator and prober share
 * it), requests planned vs sent, requests per second, and the plan's bound at the live quotas.
 * The machine's load average is printed with each row: on shared CPUs it moves the wall figures.
 *
 *   npm run bench:conformance-scale [-- 100 1000]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { synthAwsGateTemplates } from '../aws-gate-templates';
import { runAwsConformance } from '../../conformance/aws/run-aws-conformance';
import { formatDuration } from '../../conformance/engine/request-plan';
import { loadPkiDirectory } from '../../conformance/pki/pki-directory';
import { createCa, createCrl, privateKeyPem, randomSerial } from '../../conformance/pki/throwaway-pki';

const ISSUER = { CN: 'attestgate Bench CA', O: 'attestgate bench' };
/** Gates per stack: a stack holds at most 500 resources, and a monitored identity writes ~2.4. */
const GATES_PER_STACK = 125;

async function main(): Promise<void> {
  const scales = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-bench-pki-'));
  const ca = await createCa({ subject: ISSUER });
  const crl = await createCrl({ issuer: ca, revokedSerials: [randomSerial()] });
  fs.writeFileSync(path.join(dir, 'ca.crt'), ca.pem);
  fs.writeFileSync(path.join(dir, 'ca.key'), await privateKeyPem(ca.keys));
  const pki = loadPkiDirectory(dir);
  console.log(`bench/conformance-scale — node ${process.version}, ${os.cpus().length} CPUs\n`);
  console.log('| gates | checks | needed | planned | sent | wall s | CPU s | sent/s | live bound | load avg |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const n of scales.length > 0 ? scales : [100, 1000]) {
    const sources = synthAwsGateTemplates({ count: n, caPem: ca.pem, crlPem: crl.pem, issuer: ISSUER, stacks: Math.ceil(n / GATES_PER_STACK) });
    const load = os.loadavg()[0];
    const cpu = process.cpuUsage();
    const start = performance.now();
    const run = await runAwsConformance({ sources, pki, target: 'local', ratePerSecond: Infinity, concurrency: Number(process.env.CONCURRENCY ?? 4), emulator: { createSessionRatePerSecond: Infinity }, localEmulator: (process.env.EMULATOR as 'worker' | 'in-process' | undefined) ?? 'worker' });
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    const notPass = run.results.filter((r) => r.status !== 'PASS');
    if (notPass.length > 0) throw new Error(`bench run not clean: ${notPass.slice(0, 5).map((r) => `${r.checkId} ${r.status} ${r.reason}`).join('; ')}`);
    const { plan } = run;
    const cells = [n, run.results.length, plan.needed, plan.planned, run.requests, seconds.toFixed(1), ((used.user + used.system) / 1e6).toFixed(1), (run.requests / seconds).toFixed(0), `≥ ${formatDuration(plan.liveSeconds)}`, `${load.toFixed(1)}–${os.loadavg()[0].toFixed(1)}`];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

void main();
