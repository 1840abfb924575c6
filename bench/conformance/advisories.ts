/**
 * What the advisories of an AWS run cost (`conformance/aws/signals.ts`: EventBridge rules, alarms,
 * CRL updaters and step-up alarms read from each gate's stack): the engine's `advisories` step
 * alone, no probes, in CPU ms over every gate. Each round reads the templates into fresh models
 * (what is remembered per stack starts empty, as in a run) and runs each checkout given on them
 * in turn, order swapped every round, failing unless every checkout says exactly the same:
 *
 *   npx tsx bench/conformance/advisories.ts <gates, e.g. 100,1000> <rounds> <checkout> [checkout…]
 *
 * Each checkout needs its node_modules (a symlink to this one's will do).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { BENCH_ISSUER, benchPki, synthAwsGateTemplates } from '../aws-gate-templates';
import { TemplateModel } from '../../lib/model/aws/template';
import { AWS_CONFORMANCE } from '../../conformance/aws/run-aws-conformance';

type Advisories = NonNullable<typeof AWS_CONFORMANCE.advisories>;

async function main(): Promise<void> {
  const counts = (process.argv[2] ?? '100,1000').split(',').map(Number);
  const rounds = Number(process.argv[3] ?? 3);
  const checkouts = process.argv.slice(4).map((c) => path.resolve(c));
  if (checkouts.length === 0) checkouts.push(path.join(__dirname, '..', '..'));
  const advisoriesOf = checkouts.map((root) => (require(path.join(root, 'conformance/aws/run-aws-conformance')) as { AWS_CONFORMANCE: typeof AWS_CONFORMANCE }).AWS_CONFORMANCE.advisories as Advisories);
  const { caPem, crlPem } = await benchPki();
  console.log(`| gates | checkout | CPU ms, median (rounds) | load average |`);
  console.log('|---|---|---|---|');
  for (const count of counts) {
    // Spread over stacks as bench/conformance-scale does (GATES_PER_STACK: 125).
    const sources = synthAwsGateTemplates({ count, caPem, crlPem, issuer: BENCH_ISSUER, stacks: Math.ceil(count / 125) });
    const gates = AWS_CONFORMANCE.discover(sources);
    const times = checkouts.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) {
      const order = checkouts.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      const said = new Map<number, string>();
      for (const i of order) {
        const fresh = sources.map((s) => ({ ...s, model: TemplateModel.parse(s.model.template, s.model.name, { app: s.model.app }) }));
        const start = process.cpuUsage();
        const advisories = advisoriesOf[i](gates, fresh);
        const used = process.cpuUsage(start);
        times[i].push((used.user + used.system) / 1000);
        said.set(i, JSON.stringify(advisories));
      }
      if (new Set(said.values()).size !== 1) throw new Error(`the checkouts' advisories differ at ${count} gates`);
    }
    checkouts.forEach((root, i) => {
      const sorted = [...times[i]].sort((a, b) => a - b);
      console.log(`| ${count} | ${root} | ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} (${times[i].map((t) => t.toFixed(0)).join(', ')}) | ${os.loadavg()[0].toFixed(1)} |`);
    });
  }
}

void main();
