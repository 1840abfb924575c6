/**
 * `npm start`: the main job, end to end, on the local emulator.
 *
 * 1. Creates throwaway test material in a temporary directory — never in the repository: a CA
 *    with the AWS example's issuing-CA subject, its key and a CRL revoking one serial; and an
 *    OIDC issuer key whose public JWKS the GCP example uploads (as SPIRE's would be).
 * 2. Synthesizes the three examples against it (cdk.out/ for AWS, cdktf.out/ for GCP and Azure).
 * 3. Prints the gate table, then runs every conformance check against the embedded emulators of
 *    the three clouds, prints the report and writes JSON, JUnit, SARIF and the HTML page
 *    (report.html, named again at the end) to attestgate-report/.
 * 4. Shows one identity, three clouds, through the SPIFFE Workload API: the deployer pod gets AWS,
 *    GCP and Azure credentials from the emulators with nothing but its SVIDs; the same pod running
 *    another image gets none (examples/spiffe/three-clouds.ts).
 *    Then the SPIFFE checks probe the deployer's registration on the emulated agent — unregistered,
 *    runtime-only and code-only workloads refused, SVID lifetimes within the entry's TTLs — and the
 *    three gates with an SVID past its expiry (examples/spiffe/spiffe-checks.ts).
 * 5. Shows action-time step-up (RFC 9470) on loopback: an agent challenged on a destructive
 *    operation re-attests and succeeds, an intruder with a stolen token cannot and the failure
 *    signal alarms for its identity, and the step-up checks probe the tool server
 *    (examples/step-up/main.ts).
 * 6. Exits non-zero when a gate or the step-up endpoint let something through, or a demonstration
 *    did not hold (1), or a check was inconclusive (2).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { App as TerraformApp } from 'cdktf';
import { buildExampleApp, EXAMPLE_ISSUING_CA } from '../examples/aws/app';
import { buildAzureExample } from '../examples/azure/main';
import { GCP_EXAMPLE_STACK, buildGcpExample } from '../examples/gcp/main';
import { ISSUER, renderThreeClouds, threeCloudsHeld, threeCloudsThroughWorkloadApi } from '../examples/spiffe/three-clouds';
import { runSpiffeChecksExample } from '../examples/spiffe/spiffe-checks';
import { loadPkiDirectory } from '../conformance/pki/pki-directory';
import { loadAppSources } from '../conformance/discovery/app-sources';
import { keepOtherAppsStacks } from '../examples/gcp/shared-outdir';
import { runStepUpExample } from '../examples/step-up/main';
import { main } from '../conformance/cli/main';
import { writeTestMaterial } from '../conformance/pki/test-material';
import { terminalOf } from '../conformance/report/terminal';
import { renderStartVerdict } from './start-verdict';

async function start(): Promise<number> {
  const started = Date.now();
  const { columns } = terminalOf(process.stdout);
  const root = path.join(__dirname, '..');
  const materialDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-pki-'));
  try {
    // The GCP example's provider trusts the issuer's JWKS inline; signing the positive control
    // takes its private key, which the suite finds in --pki by public key. The Azure example's
    // issuers are played by the emulator, which publishes this key for them too.
    const { pkiDir, caBundleFile, crlFile, jwksFile, ca, issuerKey } = await writeTestMaterial(materialDir, EXAMPLE_ISSUING_CA);
    process.stdout.write(`Throwaway test PKI and OIDC issuer key in ${materialDir} (deleted at exit).\n`);

    const outdir = path.join(root, 'cdk.out');
    fs.rmSync(outdir, { recursive: true, force: true });
    buildExampleApp(
      new App({ outdir, context: { 'attestgate:caBundle': caBundleFile, 'attestgate:crl': crlFile } }),
    ).app.synth();
    const tfOutdir = path.join(root, 'cdktf.out');
    fs.rmSync(tfOutdir, { recursive: true, force: true });
    buildGcpExample(new TerraformApp({ outdir: tfOutdir, stackTraces: false }), { jwksFile }).app.synth();
    buildAzureExample(keepOtherAppsStacks(new TerraformApp({ outdir: tfOutdir, stackTraces: false }))).app.synth();
    process.stdout.write('Synthesized examples/aws into cdk.out/ and examples/gcp, examples/azure into cdktf.out/.\n\nWhat each gate accepts:\n');

    const gatesCode = await main(['gates', '--app', outdir, '--app', tfOutdir]);
    if (gatesCode !== 0) return gatesCode;
    process.stdout.write('\nProbing every gate on the local emulators (AWS, GCP, Azure):\n');
    const reportDir = path.join(root, 'attestgate-report');
    const code = await main(['conformance', '--app', outdir, '--app', tfOutdir, '--pki', pkiDir, '--format', 'table,json,junit,sarif,html', '--out', reportDir]);
    const { configurations, templates } = loadAppSources([outdir, tfOutdir]);
    const threeClouds = await threeCloudsThroughWorkloadApi({
      templates,
      gcp: configurations.filter((c) => c.stackName === GCP_EXAMPLE_STACK),
      azure: configurations.filter((c) => c.stackName !== GCP_EXAMPLE_STACK),
      ca,
      issuerKey,
    });
    process.stdout.write(`\n${renderThreeClouds(threeClouds, columns)}\n`);
    process.stdout.write('\n');
    const spiffe = await runSpiffeChecksExample({ apps: { templates, configurations }, pki: loadPkiDirectory(pkiDir), ca, issuerKey, issuer: ISSUER }, process.stdout);
    const verdicts: Record<number, string> = {
      0: 'every gate refused unattested issuance',
      1: 'a gate let unattested issuance through',
      2: 'something is unproven: inconclusive checks, or a gate nothing was proven about',
    };
    // The verdict, one clause per promise: printed one under the other, each wrapped to the terminal.
    const verdict: string[] = [verdicts[code] ?? 'the conformance command failed'];
    const report = JSON.parse(fs.readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as { gates: Array<{ paths?: unknown[] }> };
    const paths = report.gates.reduce((sum, g) => sum + (g.paths?.length ?? 0), 0);
    if (code === 0) verdict[0] = `every gate refused unattested issuance, and all ${paths} of their issuance paths are attested`;
    // The SPIFFE side is a promise too: the registered pod gets all three clouds, the other image nothing.
    const held = threeCloudsHeld(threeClouds);
    const finalCode = code === 0 && !held ? 1 : code;
    verdict.push(held ? 'through the Workload API the deployer pod got all three clouds, the other image none' : 'the Workload API demonstration did not hold (see above)');

    const spiffeVerdicts: Record<number, string> = { 0: 'the SPIFFE registration passed every check', 1: 'the SPIFFE registration let something through', 2: 'something about the SPIFFE registration is unproven' };
    verdict.push(spiffeVerdicts[spiffe.exitCode]);
    process.stdout.write('\nAction-time step-up (RFC 9470), on loopback:\n');
    const stepUp = await runStepUpExample(process.stdout);
    const stepUpVerdicts: Record<number, string> = { 0: 'the step-up endpoint passed every check', 1: 'the step-up endpoint let something through', 2: 'something about the step-up endpoint is unproven' };
    verdict.push(stepUpVerdicts[stepUp.exitCode]);
    // A FAIL anywhere is 1; otherwise anything unproven is 2; any other code (64, 70) stands.
    const areaCodes = [spiffe.exitCode, stepUp.exitCode];
    const exit = ![0, 1, 2].includes(finalCode) ? finalCode : finalCode === 1 || areaCodes.includes(1) ? 1 : finalCode === 2 || areaCodes.includes(2) ? 2 : 0;
    const htmlReport = path.join(reportDir, 'report.html');
    // Written by this run only when conformance ran to a verdict (0, 1, 2); not a stale page of an earlier one.
    const shownReport = [0, 1, 2].includes(code) && fs.existsSync(htmlReport) ? path.relative(process.cwd(), htmlReport) || htmlReport : undefined;
    process.stdout.write(`\n${renderStartVerdict(verdict, exit, (Date.now() - started) / 1000, columns, shownReport)}\n`);
    return exit;
  } finally {
    fs.rmSync(materialDir, { recursive: true, force: true });
  }
}

start().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exitCode = 70;
  },
);
