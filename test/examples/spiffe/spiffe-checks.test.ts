import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { loadTerraformSources } from '../../../conformance/discovery/terraform-sources';
import { loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { runSpiffeChecksExample } from '../../../examples/spiffe/spiffe-checks';
import { ISSUER } from '../../../examples/spiffe/three-clouds';
import { exampleTemplate, sourceOf, writeTestPki } from '../../fixtures/conformance';
import { writeIssuerKey } from '../../fixtures/gcp-conformance';
import { writeTerraformExamples } from '../../fixtures/terraform-examples';

/** What `npm start` runs after the Workload API demonstration, on the examples as it synthesizes them. */
test('the deployer registration passes every SPIFFE check on the emulated agent, the three clouds refusing an SVID past its expiry (AGC-SPIFFE-006)', async () => {
  const pki = await writeTestPki();
  const issuer = writeIssuerKey();
  // The --pki directory npm start writes: the trust anchor's CA and the OIDC issuer key.
  const pkiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-spiffe-example-'));
  try {
    for (const file of ['ca.crt', 'ca.key', 'ca.crl']) fs.copyFileSync(path.join(pki.dir, file), path.join(pkiDir, file));
    fs.copyFileSync(path.join(issuer.pkiDir, 'issuer.key'), path.join(pkiDir, 'issuer.key'));
    const out = new PassThrough();
    let printed = '';
    out.on('data', (c) => (printed += c));
    const run = await runSpiffeChecksExample(
      { apps: { templates: sourceOf(exampleTemplate(pki)), configurations: loadTerraformSources(writeTerraformExamples(issuer.jwksFile)) }, pki: loadPkiDirectory(pkiDir), ca: pki.ca, issuerKey: issuer.key, issuer: ISSUER },
      out,
    );
    expect(run.results.map((r) => `${r.checkId} ${r.status}`)).toEqual(['AGC-SPIFFE-001 PASS', 'AGC-SPIFFE-002 PASS', 'AGC-SPIFFE-003 PASS', 'AGC-SPIFFE-004 PASS', 'AGC-SPIFFE-005 PASS', 'AGC-SPIFFE-006 PASS']);
    expect(run.exitCode).toBe(0);
    // Every cloud's gate was asked, not only one.
    expect(run.results[5].reason).toMatch(/aws/i);
    expect(printed).toMatch(/^SPIFFE conformance of the deployer's registration \(7 probe workloads on the emulated agent\):/);
    expect(printed).toContain('AGC-SPIFFE-006');
  } finally {
    fs.rmSync(pkiDir, { recursive: true, force: true });
  }
}, 180_000);
