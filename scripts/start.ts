/**
 * `npm start`: the main job, end to end, on the local emulator.
 *
 * 1. Creates a throwaway test PKI (a CA with the example's issuing-CA subject, its key, and a CRL
 *    revoking one serial) in a temporary directory — never in the repository.
 * 2. Synthesizes the examples against it (cdk.out/, cdktf.out/).
 * 3. Prints the gate table, then runs every conformance check against the embedded emulator,
 *    prints the report and writes JSON, JUnit and SARIF to attestgate-report/.
 * 4. Exits non-zero when a gate let unattested issuance through (1) or a check was inconclusive (2).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { App as TerraformApp } from 'cdktf';
import { buildExampleApp, EXAMPLE_ISSUING_CA } from '../examples/aws/app';
import { buildAzureExample } from '../examples/azure/main';
import { buildGcpExample } from '../examples/gcp/main';
import { keepOtherAppsStacks } from '../examples/gcp/shared-outdir';
import { main } from '../conformance/cli/main';
import { createCa, createCrl, privateKeyPem, randomSerial } from '../conformance/pki/test-pki';

async function start(): Promise<number> {
  const started = Date.now();
  const root = path.join(__dirname, '..');
  const pkiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-pki-'));
  try {
    const ca = await createCa({ subject: EXAMPLE_ISSUING_CA });
    // A serial the CA "revoked": the revocation probe presents a certificate carrying it.
    const crl = await createCrl({ issuer: ca, revokedSerials: [randomSerial()] });
    fs.writeFileSync(path.join(pkiDir, 'agents-ca.crt'), ca.pem);
    fs.writeFileSync(path.join(pkiDir, 'agents-ca.key'), await privateKeyPem(ca.keys), { mode: 0o600 });
    fs.writeFileSync(path.join(pkiDir, 'agents-ca.crl'), crl.pem);
    process.stdout.write(`Throwaway test PKI in ${pkiDir} (deleted at exit).\n`);

    const outdir = path.join(root, 'cdk.out');
    fs.rmSync(outdir, { recursive: true, force: true });
    buildExampleApp(
      new App({ outdir, context: { 'attestgate:caBundle': path.join(pkiDir, 'agents-ca.crt'), 'attestgate:crl': path.join(pkiDir, 'agents-ca.crl') } }),
    ).app.synth();
    const tfOutdir = path.join(root, 'cdktf.out');
    fs.rmSync(tfOutdir, { recursive: true, force: true });
    buildGcpExample(new TerraformApp({ outdir: tfOutdir, stackTraces: false })).app.synth();
    buildAzureExample(keepOtherAppsStacks(new TerraformApp({ outdir: tfOutdir, stackTraces: false }))).app.synth();
    process.stdout.write('Synthesized examples/aws into cdk.out/ and examples/gcp, examples/azure into cdktf.out/.\n\nWhat each gate accepts:\n');

    await main(['gates', '--app', outdir, '--app', tfOutdir]);
    process.stdout.write('\nProbing every gate on the local emulator:\n');
    const reportDir = path.join(root, 'attestgate-report');
    const code = await main(['conformance', '--app', outdir, '--pki', pkiDir, '--format', 'table,json,junit,sarif', '--out', reportDir]);
    const verdict = code === 0 ? 'every gate refused unattested issuance' : code === 1 ? 'a gate let unattested issuance through' : 'some checks were inconclusive';
    process.stdout.write(`\nnpm start: ${verdict} (exit ${code}) in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
    return code;
  } finally {
    fs.rmSync(pkiDir, { recursive: true, force: true });
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
