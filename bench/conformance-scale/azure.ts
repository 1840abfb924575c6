/**
 * bench/conformance-scale/azure: Azure conformance at 100 and 1,000 gates on the local emulator,
 * rate limits off (the emulator's token-endpoint throttle and the run's pace: they would measure
 * the pacing, not the suite). The gates are examples/azure's managed identity `n` times — its
 * identity, two federated credentials (two issuers) and role assignment — each with its own name
 * and SPIFFE ID, so no two gates trust the same subject. Per scale: the plan (needed, planned,
 * shared), requests sent, wall time, CPU time, requests per second, with the load average.
 *
 *   npx tsx bench/conformance-scale/azure.ts [100 1000]
 *   PLAN_ONLY=1 npx tsx bench/conformance-scale/azure.ts 1000   # the plan, nothing sent
 *
 * Each scale is run once per round after one unmeasured warm-up run (module loading, the JIT).
 * Agent identities (two legs each) are not in it: their blueprints make the generator another one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { App } from 'cdktf';
import { AZURE_EXAMPLE_STACK, buildAzureExample } from '../../examples/azure/main';
import { runAzureConformance } from '../../conformance/azure/run-azure-conformance';
import { RequestPlan, formatPlanLine } from '../../conformance/engine/request-plan';
import { TerraformSource } from '../../lib/model/terraform/configuration';
import { loadTerraformSources } from '../../conformance/discovery/terraform-sources';

const IDENTITY = 'Deployer_Identity_71F47558';
const GATE_RESOURCES: ReadonlyArray<readonly [string, RegExp]> = [
  ['azurerm_user_assigned_identity', /^Deployer_Identity_/],
  ['azurerm_federated_identity_credential', /^Deployer_FederatedCredential/],
  ['azurerm_role_assignment', /^Deployer_Role/],
];

/** examples/azure synthesized, as Terraform JSON. */
function example(): Record<string, any> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-bench-azure-'));
  buildAzureExample(new App({ outdir, stackTraces: false })).app.synth();
  return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', AZURE_EXAMPLE_STACK, 'cdk.tf.json'), 'utf8')) as Record<string, any>;
}

/**
 * The example's managed identity `n` times, in one configuration: every resource of the gate
 * renamed with a `_g<i>` suffix (references included), its name and SPIFFE ID made its own.
 */
function gates(template: Record<string, any>, n: number): TerraformSource[] {
  const gate: Array<[string, string, unknown]> = GATE_RESOURCES.flatMap(([type, name]) =>
    Object.entries(template.resource[type] as Record<string, unknown>).filter(([k]) => name.test(k)).map(([k, v]): [string, string, unknown] => [type, k, v]),
  );
  if (!gate.some(([, k]) => k === IDENTITY)) throw new Error(`bench/conformance-scale/azure: examples/azure no longer holds ${IDENTITY}: update GATE_RESOURCES`);
  const resource: Record<string, Record<string, unknown>> = { azurerm_resource_group: template.resource.azurerm_resource_group };
  for (let i = 0; i < n; i++) {
    for (const [type, name, body] of gate) {
      let text = JSON.stringify(body);
      for (const [, other] of gate) text = text.split(`.${other}.`).join(`.${other}_g${i}.`);
      text = text.split('spiffe://prod.example/agent/deployer').join(`spiffe://prod.example/agent/deployer-${i}`).split('"deployer-agent"').join(`"deployer-agent-${i}"`);
      (resource[type] ??= {})[`${name}_g${i}`] = JSON.parse(text);
    }
  }
  const configuration = { terraform: template.terraform, provider: { azurerm: template.provider.azurerm }, resource };
  delete (configuration.terraform.required_providers as Record<string, unknown>).msgraph;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `attestgate-bench-azure-${n}-`)), 'cdk.tf.json');
  fs.writeFileSync(file, JSON.stringify(configuration));
  return loadTerraformSources(file);
}

async function measure(sources: TerraformSource[], planOnly: boolean) {
  const load = os.loadavg()[0];
  const cpu = process.cpuUsage();
  const start = performance.now();
  const abort = new AbortController();
  let plan: RequestPlan | undefined;
  const run = await runAzureConformance({
    sources,
    target: 'local',
    ratePerSecond: Infinity,
    emulator: { tokenRequestsPerMinute: Infinity },
    signal: abort.signal,
    onPlan: (_, p) => {
      plan = p;
      if (planOnly) abort.abort();
    },
  });
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  if (!planOnly) {
    const notPass = run.results.filter((r) => r.status !== 'PASS');
    if (notPass.length > 0) throw new Error(`bench run not clean: ${notPass.slice(0, 5).map((r) => `${r.checkId} ${r.status} ${r.reason}`).join('; ')}`);
  }
  return { run, plan: plan!, seconds, cpuSeconds: (used.user + used.system) / 1e6, load: `${load.toFixed(1)}–${os.loadavg()[0].toFixed(1)}` };
}

async function main(): Promise<void> {
  const scales = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const rounds = Number(process.env.ROUNDS ?? 1);
  const planOnly = process.env.PLAN_ONLY === '1';
  const template = example();
  console.log(`bench/conformance-scale/azure — node ${process.version}, ${os.cpus().length} CPUs, ${rounds} round(s)${planOnly ? ', plan only' : ''}\n`);
  await measure(gates(template, 5), planOnly);
  console.log('| gates | needed | planned | shared | sent | wall s | CPU s | sent/s | load avg |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const n of scales.length > 0 ? scales : [100, 1000]) {
    const sources = gates(template, n);
    for (let round = 0; round < rounds; round++) {
      const m = await measure(sources, planOnly);
      const cells = [n, m.plan.needed, m.plan.planned, m.plan.shared, m.run.requests, m.seconds.toFixed(1), m.cpuSeconds.toFixed(1), (m.run.requests / m.seconds).toFixed(0), m.load];
      console.log(`| ${cells.join(' | ')} |`);
      console.error(`attestgate: ${formatPlanLine('azure', m.plan)}`);
    }
  }
}

void main();
