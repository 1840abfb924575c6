/**
 * bench/conformance-scale/gcp: GCP conformance at 100 and 1,000 gates on the local emulator, rate
 * limits off (the emulator's throttle at Google's quotas and the run's pace would measure the
 * quota, not the suite). The gates are what attestgate writes: N `AttestedWorkloadIdentityProvider`s
 * in one pool, each with its `AttestedServiceAccount`, synthesized once per scale with cdktf (not
 * measured). Per scale and concurrency: wall time, CPU time of the process (prober and emulator
 * share it: the GCP emulator runs in process), requests needed, planned and sent, requests per
 * second, and the plan's bound at the live quotas. The load average is printed with each row.
 *
 *   npx tsx bench/conformance-scale/gcp.ts [100 1000]
 *   CONCURRENCY=4,16 ROUNDS=2 npx tsx bench/conformance-scale/gcp.ts 300
 *
 * Concurrencies alternate within each round, after one unmeasured warm-up run of each (module
 * loading, the JIT), so they meet the same load. AWS's bench is run.ts, beside this one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { IamWorkloadIdentityPool } from '@cdktf/provider-google/lib/iam-workload-identity-pool';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { loadTerraformSources } from '../../conformance/discovery/terraform-sources';
import { formatDuration } from '../../conformance/engine/request-plan';
import { runGcpConformance } from '../../conformance/gcp/run-gcp-conformance';
import { generateIssuerKey } from '../../conformance/oidc/issuer-key';
import { PkiMaterial, loadPkiDirectory } from '../../conformance/pki/pki-directory';
import { AgentIdentity, PrivilegeTier, SignalMonitoring } from '../../lib/core';
import { AttestedServiceAccount, AttestedWorkloadIdentityProvider, WorkloadIdentitySource } from '../../lib/gcp';
import { TerraformSource } from '../../lib/model/terraform/configuration';

const PROJECT = 'attestgate-bench';
const ISSUER = 'https://oidc.prod.example';
// A high-privilege role that acts as no service account: roles/editor would be a real path from
// each agent to every other agent's account (AGC-GCP-012 FAILs n(n-1) times), not a clean run.
const AGENT_ROLE = 'roles/storage.admin';
// The detection signals are resources the emulator has no use for; the gates are what is probed.
const WITHOUT_SIGNALS = SignalMonitoring.disabled('benchmark: conformance probes the gates alone');

function identity(i: number): AgentIdentity {
  return new AgentIdentity({
    name: `agent-${i}`,
    spiffeId: `spiffe://prod.example/agent/agent-${i}`,
    subject: { CN: `agent-${i}`, O: 'attestgate bench' },
    privilege: PrivilegeTier.HIGH,
    maxCredentialLifetime: { toSeconds: () => 3600 },
  });
}

/** `n` gates in one pool and one stack, synthesized into a temporary directory and loaded as the CLI loads them. */
function synthGcpGates(n: number, jwks: string): TerraformSource[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-bench-gcp-'));
  const app = new App({ outdir, stackTraces: false });
  const stack = new TerraformStack(app, 'attestgate-bench-gcp');
  new GoogleProvider(stack, 'google', { project: PROJECT });
  const pool = new IamWorkloadIdentityPool(stack, 'Pool', { workloadIdentityPoolId: 'attested-agents', project: PROJECT });
  for (let i = 0; i < n; i++) {
    const gate = new AttestedWorkloadIdentityProvider(stack, `Gate${i}`, {
      identity: identity(i),
      source: WorkloadIdentitySource.oidc({ issuerUri: ISSUER, allowedAudiences: ['gcp'], jwks }),
      pool,
      project: PROJECT,
      federationMonitoring: WITHOUT_SIGNALS,
    });
    new AttestedServiceAccount(stack, `Agent${i}`, { provider: gate, project: PROJECT, projectRoles: [AGENT_ROLE] });
  }
  app.synth();
  const sources = loadTerraformSources(outdir);
  fs.rmSync(outdir, { recursive: true, force: true });
  return sources;
}

/** An issuer key on disk as `--pki` reads it, and the JWKS the providers trust. */
function benchIssuer(): { pki: PkiMaterial; jwks: string } {
  const key = generateIssuerKey('RS256');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-bench-gcp-pki-'));
  fs.writeFileSync(path.join(dir, 'issuer.key'), key.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const pki = loadPkiDirectory(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  return { pki, jwks: JSON.stringify({ keys: [key.publicJwk] }) };
}

async function measure(concurrency: number, pki: PkiMaterial, sources: TerraformSource[]) {
  const load = os.loadavg()[0];
  const cpu = process.cpuUsage();
  const start = performance.now();
  const run = await runGcpConformance({ sources, pki, target: 'local', ratePerSecond: Infinity, concurrency, emulator: { requestsPerMinute: { sts: Infinity, iamCredentials: Infinity } } });
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  // The gates pin their subject: no admitted subject is left unbound, so AGC-GCP-010 has nothing to try.
  const unexpected = run.results.filter((r) => r.status !== 'PASS' && !(r.checkId === 'AGC-GCP-010' && r.status === 'SKIPPED'));
  if (unexpected.length > 0) throw new Error(`bench run not clean: ${unexpected.slice(0, 5).map((r) => `${r.gate} ${r.checkId} ${r.status} ${r.reason}`).join('; ')}`);
  return { run, seconds, cpuSeconds: (used.user + used.system) / 1e6, load: `${load.toFixed(1)}–${os.loadavg()[0].toFixed(1)}` };
}

async function main(): Promise<void> {
  const scales = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const rounds = Number(process.env.ROUNDS ?? 1);
  const concurrencies = (process.env.CONCURRENCY ?? '4,16').split(',').map(Number);
  if (concurrencies.some((c) => !(c > 0))) throw new Error(`CONCURRENCY: ${process.env.CONCURRENCY}: write positive numbers, e.g. 4,16`);
  const { pki, jwks } = benchIssuer();
  console.log(`bench/conformance-scale/gcp — node ${process.version}, ${os.cpus().length} CPUs, ${rounds} round(s)\n`);
  const warmUp = synthGcpGates(20, jwks);
  for (const concurrency of concurrencies) await measure(concurrency, pki, warmUp);
  console.log('| gates | concurrency | needed | planned | sent | wall s | CPU s | sent/s | live bound | load avg |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const n of scales.length > 0 ? scales : [100, 1000]) {
    const sources = synthGcpGates(n, jwks);
    for (let round = 0; round < rounds; round++) {
      for (const concurrency of concurrencies) {
        const m = await measure(concurrency, pki, sources);
        const { plan } = m.run;
        const cells = [n, concurrency, plan.needed, plan.planned, m.run.requests, m.seconds.toFixed(1), m.cpuSeconds.toFixed(1), (m.run.requests / m.seconds).toFixed(0), `≥ ${formatDuration(plan.liveSeconds)}`, m.load];
        console.log(`| ${cells.join(' | ')} |`);
      }
    }
  }
}

void main();
