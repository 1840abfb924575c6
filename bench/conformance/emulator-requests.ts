/**
 * bench/conformance/emulator-requests: the AWS emulator's side of a conformance run alone —
 * CreateSession requests per second and where the emulator's time goes per request, with no
 * prober competing for the core.
 *
 * The requests are the suite's own: one real conformance run at GATES gates (in process, rate
 * limits off) is recorded at the emulator's router, every CreateSession the checks send (valid
 * controls, rogue CA, wrong CN and SAN, revoked, expired, not yet valid, CA as leaf, SHA-1,
 * mismatched key, stale date, tampered body, foreign anchor…) with the status it got. Each
 * measurement is then a fresh process that deploys the same templates and replays that set once,
 * so the emulator's memos start as empty as in a real run and its per-process costs are paid once:
 *
 * - `handler`: `createSession` called directly, one request after another (the emulator's
 *   per-request work without HTTP); this mode also runs once more under the CPU profiler to
 *   charge each sample to a step;
 * - `http`: over a keep-alive socket to the emulator in the replaying process, CONCURRENCY at once;
 * - `worker`: the same to the emulator in its worker thread, as the CLI runs it.
 *
 * Every replayed answer must have the status recorded (a faster emulator that answers
 * differently is not a result). The replay widens the emulator's clock skew (REPLAY_SKEW_SECONDS)
 * so a request signed at recording time is still current; nothing else of its behaviour changes.
 *
 *   npx tsx bench/conformance/emulator-requests.ts                  (ROUNDS=3 GATES=100)
 *   COMPARE=../attestgate-base npx tsx bench/conformance/emulator-requests.ts
 *   npx tsx bench/conformance/emulator-requests.ts record <file>; RECORDING=<file> …   (reuse one
 *   recording, within 15 minutes of making it: see REPLAY_SKEW_SECONDS)
 *
 * COMPARE names other checkouts (comma-separated) holding this same file: their emulator code
 * replays the same recorded requests, interleaved with this checkout's, round by round.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TemplateModel } from '../../lib/model/aws/template';
import { TemplateSource } from '../../conformance/discovery/sources';
import { startAwsEmulator } from '../../conformance/emulator/aws-emulator';
import { startAwsEmulatorWorker } from '../../conformance/emulator/aws-emulator-worker';
import { DEFAULT_ROLES_ANYWHERE_BEHAVIOUR, createSession } from '../../conformance/emulator/aws/create-session';
import { AwsEmulatorServer } from '../../conformance/emulator/aws/server';
import { EmulatorHttpRequest, EmulatorHttpResponse } from '../../conformance/emulator/http/loopback-server';
import { profiled, timeByCategory } from './where-time-goes';
import { runAwsConformance } from '../../conformance/aws/run-aws-conformance';
import { BENCH_ISSUER, benchPki, synthAwsGateTemplates } from '../aws-gate-templates';

const GATES = Number(process.env.GATES ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONCURRENCY = 16;
/**
 * A replay runs minutes after the recording, so the skew check runs with 15 minutes instead of 5:
 * the recorded requests stay current for 15 minutes after the recording (a longer bench fails on
 * mismatched statuses, never silently), and AGC-AWS-013's request, signed 20 minutes before it
 * was sent, is still refused.
 */
const REPLAY_SKEW_SECONDS = 15 * 60;
const MODES = ['handler', 'http', 'worker'] as const;
type Mode = (typeof MODES)[number];

interface Recording {
  readonly templates: ReadonlyArray<{ readonly stackName: string; readonly file: string; readonly name: string; readonly template: unknown }>;
  readonly requests: ReadonlyArray<{ readonly request: EmulatorHttpRequest; readonly status: number }>;
}

interface ReplayResult {
  readonly mode: Mode;
  readonly requests: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Requests whose replayed status differs from the recorded one. */
  readonly mismatches: number;
  /** CPU µs per request of the whole process (user + system), and of threads other than the main one. */
  readonly cpuPerRequest: number;
  readonly otherThreadsCpuPerRequest: number;
  /** µs per request by step, when profiled: the profile's share of each step times the measured CPU per request. */
  readonly steps?: Record<string, number>;
}

/** The emulator's steps, for the profile of the handler replay: the first matching frame up the stack wins. */
const EMULATOR_STEPS = [
  { name: 'signature: verify (crypto.verify)', frames: / (signatureMatches|verifyRequestSignature)$/ },
  { name: 'key import from SPKI', frames: /pki\/spki\.ts| publicKey$/ },
  { name: 'path validation', frames: /emulator\/x509\/path-validation/ },
  { name: 'signature memo (CA, CRL)', frames: /emulator\/x509\/verified-signatures/ },
  { name: 'certificate parsing (DER)', frames: /lib\/core\/pki\/(certificate|der|name|crl)/ },
  { name: 'Authorization header and X-Amz-Date', frames: /parseAuthorizationHeader|parseAmzDate|formatAmzDate|isCalendarDay/ },
  { name: 'canonical request and hashes', frames: /canonical-request|canonicalRequest|stringToSign|payloadHash/ },
  { name: 'revocation (CRL)', frames: /checkRevocation/ },
  { name: 'IAM trust policy', frames: /lib\/model\/aws\/iam|trust-policy|evaluateTrust/ },
  { name: 'session tags and identity', frames: /session-tags/ },
  { name: 'issue session and response JSON', frames: /issueSession|issueRoleSession|emulator\/aws\/world/ },
  { name: 'CreateSession: rest of the handler', frames: /emulator\/aws\// },
];

async function record(file: string): Promise<void> {
  const { pki, caPem, crlPem } = await benchPki();
  const sources = synthAwsGateTemplates({ count: GATES, caPem, crlPem, issuer: BENCH_ISSUER });
  const requests: Array<{ request: EmulatorHttpRequest; status: number }> = [];
  // The router is where a request is whole and its answer known; wrapping it records exactly
  // what the prober sent, without a recording hook in the emulator.
  const router = AwsEmulatorServer.prototype as unknown as { route(request: EmulatorHttpRequest): Promise<EmulatorHttpResponse> | EmulatorHttpResponse };
  const route = router.route;
  const createdAnchors = new Set<string>();
  router.route = function (this: unknown, request: EmulatorHttpRequest) {
    const answer = route.call(this, request);
    if (request.method === 'POST' && request.path === '/sessions') void Promise.resolve(answer).then((response) => requests.push({ request, status: response.status }));
    if (request.method === 'POST' && request.path === '/trustanchors') {
      void Promise.resolve(answer).then((response) => response.status < 300 && createdAnchors.add((JSON.parse(response.body) as { trustAnchor: { trustAnchorArn: string } }).trustAnchor.trustAnchorArn));
    }
    return answer;
  };
  const run = await runAwsConformance({ sources, pki, target: 'local', ratePerSecond: Infinity, localEmulator: 'in-process', concurrency: 4, emulator: { createSessionRatePerSecond: Infinity } });
  router.route = route;
  const notPass = run.results.filter((r) => r.status !== 'PASS');
  if (notPass.length > 0) throw new Error(`recording run not clean: ${notPass.map((r) => `${r.checkId} ${r.status}`).join('; ')}`);
  // AGC-AWS-015 names an anchor its probe created through the control plane, with an ARN a
  // replay's fresh deployment cannot have (it would answer 404 early): those are left out.
  const replayable = requests.filter(({ request }) => !createdAnchors.has(new Map(request.query).get('trustAnchorArn') ?? ''));
  const recording: Recording = { templates: sources.map((s) => ({ stackName: s.stackName, file: s.file, name: s.model.name, template: s.model.template })), requests: replayable };
  fs.writeFileSync(file, JSON.stringify(recording));
}

function sourcesOf(recording: Recording): TemplateSource[] {
  return recording.templates.map((t) => ({ stackName: t.stackName, file: t.file, model: TemplateModel.parse(t.template, t.name) }));
}

const emulatorOptions = { createSessionRatePerSecond: Infinity, behaviour: { clockSkewSeconds: REPLAY_SKEW_SECONDS } };

/** Sends the recorded requests over keep-alive sockets, `CONCURRENCY` in flight; the statuses in order. */
async function sendAll(endpoint: string, requests: Recording['requests']): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(endpoint);
  const statuses: number[] = new Array(requests.length);
  let next = 0;
  const send = ({ request }: Recording['requests'][number]): Promise<number> =>
    new Promise((resolve, reject) => {
      const query = new URLSearchParams(request.query.map(([k, v]) => [k, v])).toString();
      // The recorded Host is signed: it is sent as recorded, whatever port answers now.
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([name, value]) => value !== undefined && name !== 'content-length' && name !== 'connection'));
      const req = http.request({ agent, hostname: url.hostname, port: url.port, method: request.method, path: `${request.path}${query ? `?${query}` : ''}`, headers: headers as http.OutgoingHttpHeaders }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(request.body);
    });
  const lane = async () => {
    while (next < requests.length) {
      const index = next++;
      statuses[index] = await send(requests[index]);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  agent.destroy();
  return statuses;
}

/** utime + stime of a /proc stat file, in clock ticks (the comm field may hold spaces: read after its ')'). */
function ticks(file: string): number {
  const fields = fs.readFileSync(file, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** The main thread's CPU ticks and the whole process's, from /proc (Linux). */
const cpuTicks = () => ({ main: ticks(`/proc/self/task/${process.pid}/stat`), all: ticks('/proc/self/stat') });

/**
 * CPU time, not only wall time: on this shared machine a replay's wall time is mostly waiting for
 * a core, while the CPU it used is what the emulator costs.
 */
async function withCpu<T>(work: () => Promise<T>): Promise<{ result: T; cpuMs: number; otherThreadsMs: number }> {
  const usage = process.cpuUsage();
  const before = cpuTicks();
  const result = await work();
  const used = process.cpuUsage(usage);
  const after = cpuTicks();
  const cpuMs = (used.user + used.system) / 1000;
  // The other threads' share of the process's ticks, applied to the process's CPU time.
  const otherShare = (after.all - before.all - (after.main - before.main)) / Math.max(1, after.all - before.all);
  return { result, cpuMs, otherThreadsMs: cpuMs * otherShare };
}

async function replay(file: string, mode: Mode, profile: boolean): Promise<ReplayResult> {
  const recording = JSON.parse(fs.readFileSync(file, 'utf8')) as Recording;
  const sources = sourcesOf(recording);
  const requests = recording.requests;
  let statuses: number[];
  let seconds: number;
  let steps: Record<string, number> | undefined;
  let cpu: { cpuMs: number; otherThreadsMs: number };
  if (mode === 'worker') {
    const emulator = await startAwsEmulatorWorker({ sources, ...emulatorOptions });
    const start = performance.now();
    const measured = await withCpu(() => sendAll(emulator.deployment.endpoint, requests));
    statuses = measured.result;
    cpu = measured;
    seconds = (performance.now() - start) / 1000;
    await emulator.close();
  } else {
    const emulator = await startAwsEmulator({ sources, ...emulatorOptions });
    const behaviour = { ...DEFAULT_ROLES_ANYWHERE_BEHAVIOUR, clockSkewSeconds: REPLAY_SKEW_SECONDS };
    const work = async () => {
      const start = performance.now();
      const out: number[] = [];
      if (mode === 'http') out.push(...(await sendAll(emulator.endpoint, requests)));
      else for (const { request } of requests) out.push((await createSession(emulator.world, request, new Date(), behaviour)).status);
      return { out, seconds: (performance.now() - start) / 1000 };
    };
    if (profile) {
      const measured = await withCpu(() => profiled(work));
      const byStep = timeByCategory(measured.result.profile, EMULATOR_STEPS);
      // Profile samples are wall time (under load they include waiting for a core): each step
      // gets its share of the samples times the CPU the replay used.
      byStep.delete('idle');
      const sampled = [...byStep.values()].reduce((a, b) => a + b, 0);
      steps = Object.fromEntries([...byStep].map(([name, ms]) => [name, ((ms / sampled) * measured.cpuMs * 1000) / requests.length]));
      ({ out: statuses, seconds } = measured.result.result);
      cpu = measured;
    } else {
      const measured = await withCpu(work);
      ({ out: statuses, seconds } = measured.result);
      cpu = measured;
    }
    await emulator.close();
  }
  const mismatches = statuses.filter((status, i) => status !== requests[i].status).length;
  // SHOW_MISMATCHES=1 says which requests were answered differently (recorded, replayed, signing time).
  if (process.env.SHOW_MISMATCHES) statuses.forEach((status, i) => status !== requests[i].status && console.error(requests[i].status, status, requests[i].request.headers['x-amz-date']));
  return {
    mode,
    requests: requests.length,
    seconds,
    perSecond: requests.length / seconds,
    mismatches,
    cpuPerRequest: (cpu.cpuMs * 1000) / requests.length,
    otherThreadsCpuPerRequest: (cpu.otherThreadsMs * 1000) / requests.length,
    ...(steps ? { steps } : {}),
  };
}

/** Runs one replay in a fresh process of the checkout `root`; its JSON result. */
function replayIn(root: string, file: string, mode: Mode, profile = false): Promise<ReplayResult> {
  const script = path.join(root, 'bench/conformance/emulator-requests.ts');
  const args = [require.resolve('tsx/cli'), script, 'replay', file, mode, ...(profile ? ['profile'] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as ReplayResult) : reject(new Error(`replay ${mode} in ${root} exited ${code}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const [command, file, mode, profile] = process.argv.slice(2);
  if (command === 'record') return record(file);
  if (command === 'replay') {
    const result = await replay(file, mode as Mode, profile === 'profile');
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const here = path.resolve(__dirname, '../..');
  const roots = [here, ...(process.env.COMPARE ? process.env.COMPARE.split(',').map((r) => path.resolve(r)) : [])];
  const recordingFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-emulator-requests-')), 'recording.json');
  const loadBefore = os.loadavg();
  if (process.env.RECORDING) fs.copyFileSync(process.env.RECORDING, recordingFile);
  else await record(recordingFile);
  const recorded = (JSON.parse(fs.readFileSync(recordingFile, 'utf8')) as Recording).requests;
  const byStatus = new Map<number, number>();
  for (const r of recorded) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  console.log(`bench/conformance/emulator-requests — node ${process.version}, ${os.cpus().length} CPUs, ${GATES} gates: ${recorded.length} CreateSession requests recorded (${[...byStatus].map(([s, n]) => `${n}× ${s}`).join(', ')})`);
  console.log(`load average before: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}\n`);

  const samples = new Map<string, ReplayResult[]>();
  for (let round = 0; round < ROUNDS; round++) {
    // Checkouts alternate within each mode, and their order flips every round.
    const order = round % 2 === 0 ? roots : [...roots].reverse();
    for (const m of MODES) {
      for (const root of order) {
        const result = await replayIn(root, recordingFile, m);
        if (result.mismatches > 0) throw new Error(`${root} ${m}: ${result.mismatches} answers differ from the recorded statuses`);
        const key = `${root}\t${m}`;
        samples.set(key, [...(samples.get(key) ?? []), result]);
      }
    }
    console.log(`round ${round + 1}: load average ${os.loadavg()[0].toFixed(2)}`);
  }
  // In the worker mode the main thread is the replaying client; the emulator is the other threads
  // (its worker, libuv's pool, V8's helpers). In the other two, client and emulator share a thread.
  console.log(`\n| checkout | mode | requests | requests/s, wall (median; rounds) | CPU µs per request, process (median; rounds) | CPU µs per request, other threads (worker: the emulator) |`);
  console.log('|---|---|---|---|---|---|');
  for (const m of MODES) {
    for (const root of roots) {
      const runs = samples.get(`${root}\t${m}`)!;
      const show = (xs: number[]) => `${median(xs).toFixed(0)} (${xs.map((x) => x.toFixed(0)).join(', ')})`;
      console.log(`| ${root} | ${m} | ${recorded.length} | ${show(runs.map((r) => r.perSecond))} | ${show(runs.map((r) => r.cpuPerRequest))} | ${show(runs.map((r) => r.otherThreadsCpuPerRequest))} |`);
    }
  }
  console.log('\nWhere the handler\'s CPU goes (one profiled handler replay per checkout; CPU µs per request, split by the profile\'s samples):\n');
  const profiles = [];
  for (const root of roots) profiles.push(await replayIn(root, recordingFile, 'handler', true));
  const stepNames = [...new Set(profiles.flatMap((p) => Object.keys(p.steps ?? {})))];
  console.log(`| step | ${roots.join(' | ')} |`);
  console.log(`|---|${roots.map(() => '---|').join('')}`);
  for (const name of stepNames) console.log(`| ${name} | ${profiles.map((p) => (p.steps?.[name] ?? 0).toFixed(0)).join(' | ')} |`);
  console.log(`\nload average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
