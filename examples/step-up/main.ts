/**
 * Action-time step-up, end to end, on loopback: `npx tsx examples/step-up/main.ts` (and part of
 * `npm start`).
 *
 * 1. A tool server whose destructive operation demands a fresh attestation (RFC 9470).
 * 2. The deployer agent lists stacks with its routine token, is challenged when it destroys one,
 *    re-attests through the issuer and succeeds on its one retry.
 * 3. An intruder holding the migrator agent's routine token — but not its workload — is
 *    challenged on every destroy and cannot re-attest: the step-up failure signal alarms for
 *    that identity, and not for the deployer.
 * 4. The step-up conformance checks probe the tool server (positive control first).
 */
import { runStepUpConformance } from '../../conformance/step-up/run-step-up-conformance';
import { renderTable } from '../../conformance/report/text-table';
import { hangingIndent, terminalOf } from '../../conformance/report/terminal';
import { ACR, DEFAULT_STEP_UP_FAILURE_THRESHOLD, StepUpError, stepUpFailures, stepUpFetch } from '../../lib/step-up';
import { startAttestingIssuer } from './attesting-issuer';
import { startToolServer } from './tool-server';

export const DEPLOYER = 'spiffe://example.test/agent/deployer';
export const MIGRATOR = 'spiffe://example.test/agent/migrator';
export const PROBE = 'spiffe://example.test/conformance/probe';

/** What the example did, for its caller (and its test). */
export interface StepUpExampleRun {
  /** 0, 1 or 2 as `attestgate conformance` exits, for the step-up checks. */
  readonly exitCode: number;
  readonly signal: ReturnType<typeof stepUpFailures>;
  readonly conformance: Awaited<ReturnType<typeof runStepUpConformance>>;
  readonly stacksLeft: readonly string[];
}

export async function runStepUpExample(out: NodeJS.WritableStream): Promise<StepUpExampleRun> {
  const issuer = await startAttestingIssuer();
  const server = await startToolServer({ issuer: issuer.issuer, jwksUri: issuer.jwksUri, stacks: ['staging', 'prod', 'canary'] });
  // Narration lines carry URLs, tokens' errors and response bodies: wrapped to the terminal, each
  // continuation indented under its line.
  const { columns } = terminalOf(out);
  const write = (line: string) => out.write(`${hangingIndent(line, columns).join('\n')}\n`);
  try {
    write(`Tool server ${server.url}: DELETE /stacks/:name needs ${ACR.ATTESTED_FRESH} (max_age 60 s); issuer ${issuer.issuer}.`);

    // The deployer: attested by its issuer whenever asked.
    const deployer = stepUpFetch({
      resource: server.url,
      source: issuer.sourceFor(DEPLOYER, async () => undefined),
      onStepUp: (e) => write(`  deployer: ${e.method} ${new URL(e.url).pathname} challenged (${e.challenge.error}, acr_values="${e.challenge.acrValues.join(' ')}", max_age=${e.challenge.maxAge}); re-attested: ${e.outcome}`),
    });
    const listed = await deployer(`${server.url}/stacks`);
    write(`  deployer: GET /stacks → ${listed.status} ${await listed.text()} (its routine token suffices)`);
    const destroyed = await deployer(`${server.url}/stacks/staging`, { method: 'DELETE' });
    write(`  deployer: DELETE /stacks/staging → ${destroyed.status} ${await destroyed.text()}`);

    // The intruder: the migrator's routine token, exfiltrated; no workload to attest.
    const intruder = stepUpFetch({
      resource: server.url,
      source: issuer.sourceFor(MIGRATOR, async () => {
        throw new Error('no SPIRE agent attests this process');
      }),
    });
    for (let attempt = 1; attempt <= 4; attempt++) {
      try {
        const answer = await intruder(`${server.url}/stacks/prod`, { method: 'DELETE' });
        write(`  intruder as migrator: DELETE /stacks/prod → ${answer.status} (unexpected)`);
      } catch (e) {
        if (!(e instanceof StepUpError)) throw e;
        write(`  intruder as migrator: DELETE /stacks/prod → ${e.details.status} ${e.code}: ${(e.cause as Error | undefined)?.message ?? e.message}`);
      }
    }

    const threshold = DEFAULT_STEP_UP_FAILURE_THRESHOLD;
    const signal = stepUpFailures(server.events, threshold);
    write(`Step-up failure signal (${threshold.failures} unanswered challenges in ${threshold.periodSeconds} s), from ${server.events.length} decision events:`);
    for (const s of signal) write(`  ${s.alarm ? 'ALARM' : 'ok   '} ${s.identity}: ${s.challenges} challenge(s), ${s.completed} step-up(s) completed, ${s.failures} unanswered`);

    const conformance = await runStepUpConformance({
      endpoints: [{ id: 'tools/destroy-stack', url: `${server.url}/stacks/canary`, method: 'DELETE', acrValues: [ACR.ATTESTED_FRESH], maxAge: 60, issuer: issuer.issuer, key: issuer.key, audience: server.url, subject: PROBE }],
      ratePerSecond: 20,
    });
    write('Step-up conformance of DELETE /stacks/canary:');
    out.write(`${renderTable(['Check', 'Status', 'Reason'], conformance.results.map((r) => [r.checkId, r.status, r.reason]), columns)}\n`);
    return { exitCode: conformance.exitCode, signal, conformance, stacksLeft: [...server.stacks] };
  } finally {
    await server.close();
    await issuer.close();
  }
}

if (require.main === module) {
  runStepUpExample(process.stdout).then(
    (run) => {
      process.exitCode = run.exitCode;
    },
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exitCode = 70;
    },
  );
}
