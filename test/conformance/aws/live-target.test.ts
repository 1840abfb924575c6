import { runAwsConformance } from '../../../conformance/aws/run-aws-conformance';
import { startAwsEmulator } from '../../../conformance/emulator/aws-emulator';
import { loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { PkiOnDisk, exampleTemplate, sourceOf, statusesOf, writeTestPki } from '../../fixtures/conformance';

/**
 * The live-AWS code path — default credential chain, STS GetCallerIdentity for the account,
 * CloudFormation DescribeStackResources for the physical IDs, endpoints overridden — exercised
 * against the emulator standing in for AWS, since no account exists here.
 */
describe('--target aws against endpoint overrides', () => {
  let pki: PkiOnDisk;
  const saved = { ...process.env };
  beforeAll(async () => {
    pki = await writeTestPki();
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  test('resolves the stacks by name and probes every gate like the local target', async () => {
    const sources = sourceOf(exampleTemplate(pki), 'AttestgateAwsExample.template.json');
    const emulator = await startAwsEmulator({ sources, createSessionRatePerSecond: Infinity });
    try {
      const persona = [...emulator.world.personas.values()][0];
      // The default credential chain reads these, as it would on a CI runner.
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: persona.accessKeyId, AWS_SECRET_ACCESS_KEY: persona.secretAccessKey, AWS_REGION: 'us-east-1' });
      delete process.env.AWS_PROFILE;
      delete process.env.AWS_SESSION_TOKEN;
      const run = await runAwsConformance({
        sources,
        pki: loadPkiDirectory(pki.dir),
        target: 'aws',
        endpoints: { rolesAnywhere: emulator.endpoint, sts: emulator.endpoint, cloudFormation: emulator.endpoint },
        ratePerSecond: Infinity,
      });
      expect(run.target).toBe('aws (us-east-1)');
      const statuses = statusesOf(run.results, 'Deployer');
      expect(statuses['AGC-AWS-001']).toBe('PASS');
      // Creating a trust anchor changes a live account: skipped unless --allow-mutations.
      expect(statuses['AGC-AWS-015']).toBe('SKIPPED');
      expect(run.results.filter((r) => r.status !== 'PASS' && r.checkId !== 'AGC-AWS-015').map((r) => `${r.checkId}: ${r.reason}`)).toEqual([]);
      expect(emulator.server.log.some((l) => l.path === '/' && l.status === 200)).toBe(true);
    } finally {
      await emulator.close();
    }
  });

  test('needs a region', async () => {
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    await expect(runAwsConformance({ sources: sourceOf(exampleTemplate(pki)), target: 'aws' })).rejects.toThrow('--target aws needs a region');
  });
});
