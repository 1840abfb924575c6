import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAppSources } from '../../conformance/discovery/app-sources';
import { GCP_EXAMPLE_PROJECT } from '../../examples/gcp/main';
import { startGcpEmulator } from '../../conformance/emulator/gcp-emulator';
import { loadPkiDirectory } from '../../conformance/pki/pki-directory';
import { runConformance } from '../../conformance/run-conformance';
import { exampleTemplate, writeTestPki } from '../fixtures/conformance';
import { writeIssuerKey } from '../fixtures/gcp-conformance';
import { writeTerraformExamples } from '../fixtures/terraform-examples';

describe('runConformance', () => {
  let templateFile: string;
  let cdktfOut: string;
  let pkiDir: string;
  beforeAll(async () => {
    const pki = await writeTestPki();
    templateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-run-')), 'Example.template.json');
    fs.writeFileSync(templateFile, JSON.stringify(exampleTemplate(pki)));
    // One --pki directory: the AWS CA and its key, and the OIDC issuer key the GCP example's JWKS publishes.
    const issuer = writeIssuerKey();
    cdktfOut = writeTerraformExamples(issuer.jwksFile);
    fs.copyFileSync(path.join(issuer.pkiDir, 'issuer.key'), path.join(pki.dir, 'oidc-issuer.key'));
    pkiDir = pki.dir;
  });

  test('local: every cloud with gates on its own emulator, side by side; results and advisories of all three', async () => {
    const run = await runConformance({
      sources: loadAppSources([templateFile, cdktfOut]),
      target: 'local',
      pki: loadPkiDirectory(pkiDir),
      ratePerSecond: Infinity,
      aws: { emulator: { createSessionRatePerSecond: Infinity } },
    });
    expect(run.target).toBe('local');
    expect(new Set(run.gates.map((g) => g.cloud))).toEqual(new Set(['aws', 'gcp', 'azure']));
    expect(run.unprobed).toEqual([]);
    const byCloud = (cloud: string) => run.results.filter((r) => r.cloud === cloud);
    expect(byCloud('aws')).toHaveLength(38);
    expect(byCloud('gcp')).toHaveLength(13);
    // The managed identity's 12, and 15 for each of the two agent identities (AGC-AZ-013…015 are
    // for agents only).
    expect(byCloud('azure')).toHaveLength(42);
    // The two SKIPPED: the GCP example's condition pins its one bound subject, so no admitted
    // subject is left unbound to probe AGC-GCP-010 with; the reviewer agent is read-only, and
    // AGC-AZ-013 (siblings under one blueprint) judges high-privilege agents only.
    expect(run.results.filter((r) => r.status !== 'PASS').map((r) => `${r.checkId}:${r.status}`).sort()).toEqual(['AGC-AZ-013:SKIPPED', 'AGC-GCP-010:SKIPPED']);
    // Every example wires its cloud's detection signals for its high-privilege gate.
    for (const prefix of ['ADV-AWS-', 'ADV-GCP-', 'ADV-AZ-']) expect(run.advisories.filter((a) => a.id.startsWith(prefix)).length).toBeGreaterThan(0);
    const gcpGate = run.gates.find((g) => g.cloud === 'gcp')!.id;
    const azureGate = run.gates.find((g) => g.cloud === 'azure')!.id;
    expect(run.advisories.filter((a) => a.gate === gcpGate || a.gate === azureGate).filter((a) => !a.present).map((a) => `${a.id}: ${a.detail}`)).toEqual([]);
    // Every probing check sent at least one request; the issuance-path checks judge the configuration.
    const probing = run.results.filter((r) => !/^AGC-(AWS-019|GCP-012|AZ-012)$/.test(r.checkId));
    expect(run.requests).toBeGreaterThan(probing.length);
    expect(run.requests).toBeGreaterThanOrEqual(run.results.reduce((sum, r) => sum + r.attempts, 0));
  });

  test('a live target probes its cloud only and names the gates of the others as unprobed', async () => {
    // The GCP emulator stands in for sts.googleapis.com and iamcredentials.googleapis.com.
    const sources = loadAppSources([templateFile, cdktfOut]);
    const emulator = await startGcpEmulator({ sources: sources.configurations });
    try {
      const run = await runConformance({
        sources,
        target: 'gcp',
        pki: loadPkiDirectory(pkiDir),
        ratePerSecond: Infinity,
        tags: ['AGC-GCP-001', 'AGC-GCP-005'],
        gcp: { projectNumber: emulator.world.projectNumberOf(GCP_EXAMPLE_PROJECT), endpoints: { sts: emulator.endpoint, iamCredentials: emulator.endpoint } },
      });
      expect(run.gates.map((g) => g.cloud)).toEqual(['gcp']);
      expect(new Set(run.unprobed.map((g) => g.cloud))).toEqual(new Set(['aws', 'azure']));
      expect(run.results.map((r) => `${r.checkId}:${r.status}`)).toEqual(['AGC-GCP-001:PASS', 'AGC-GCP-005:PASS']);
      expect(emulator.server.log.length).toBeGreaterThan(0);

      // A wrong project number names no provider: nothing about the gate is proven either way.
      const wrongProject = await runConformance({
        sources,
        target: 'gcp',
        pki: loadPkiDirectory(pkiDir),
        ratePerSecond: Infinity,
        tags: ['AGC-GCP-001'],
        gcp: { projectNumber: '999999999999', endpoints: { sts: emulator.endpoint, iamCredentials: emulator.endpoint } },
      });
      expect(wrongProject.results.map((r) => r.status)).toEqual(['INCONCLUSIVE']);
      expect(wrongProject.results[0].reason).toContain('STS knows no enabled provider projects/999999999999/');
    } finally {
      await emulator.close();
    }
  });

  test("one cloud's runner failing fails the run and stops the others' probes", async () => {
    const taken = net.createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as net.AddressInfo).port)));
    const seen: string[] = [];
    try {
      // The AWS emulator cannot listen on a taken port; GCP and Azure start and begin probing.
      await expect(
        runConformance({
          sources: loadAppSources([templateFile, cdktfOut]),
          target: 'local',
          pki: loadPkiDirectory(pkiDir),
          ratePerSecond: 2,
          onResult: (r) => seen.push(r.checkId),
          aws: { emulator: { port } },
        }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
      // Left running, GCP and Azure would have reported all 22 of their checks before the run ended.
      expect(seen.length).toBeLessThan(22);
    } finally {
      taken.close();
    }
  });
});
