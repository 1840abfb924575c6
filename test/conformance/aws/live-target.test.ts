import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAwsConformance } from '../../../conformance/aws/run-aws-conformance';
import { RunningAwsEmulator, startAwsEmulator } from '../../../conformance/emulator/aws-emulator';
import { loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { loadTemplateSources } from '../../../conformance/discovery/sources';
import { PkiOnDisk, exampleTemplate, sourceOf, statusesOf, writeTestPki } from '../../fixtures/conformance';
import { FaultMode, startFaultProxy } from '../../fixtures/fault-proxy';

/**
 * The live-AWS code path — default credential chain, STS GetCallerIdentity for the account,
 * CloudFormation DescribeStackResources for the physical IDs, endpoints overridden — exercised
 * against the emulator standing in for AWS, since no account exists here.
 */
/** The default credential chain reads these, as it would on a CI runner: the emulator's unattested persona. */
function useEmulatorPersona(emulator: RunningAwsEmulator): void {
  const persona = [...emulator.world.personas.values()][0];
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: persona.accessKeyId, AWS_SECRET_ACCESS_KEY: persona.secretAccessKey, AWS_REGION: 'us-east-1' });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
}

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
      useEmulatorPersona(emulator);
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

  test.each<[string, FaultMode, RegExp]>([
    ['503 on GetCallerIdentity', { kind: 'status', status: 503, body: '<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error></ErrorResponse>' }, /the account could not be identified: sts:GetCallerIdentity failed \(503\)/],
    ['a hung GetCallerIdentity', { kind: 'hang' }, /the account could not be identified: sts:GetCallerIdentity got no answer within 0.6 s/],
    ['a reset GetCallerIdentity', { kind: 'reset' }, /the account could not be identified: sts:GetCallerIdentity failed/],
  ])('%s: a report with every gate INCONCLUSIVE naming the failed call, no stack trace, no hang', async (_label, mode, reason) => {
    const sources = sourceOf(exampleTemplate(pki), 'AttestgateAwsExample.template.json');
    const emulator = await startAwsEmulator({ sources, createSessionRatePerSecond: Infinity });
    const proxy = await startFaultProxy({ upstream: emulator.endpoint, rules: [{ match: (r) => r.body.includes('Action=GetCallerIdentity'), mode }] });
    try {
      useEmulatorPersona(emulator);
      const run = await runAwsConformance({
        sources,
        pki: loadPkiDirectory(pki.dir),
        target: 'aws',
        endpoints: { rolesAnywhere: proxy.url, sts: proxy.url, cloudFormation: proxy.url },
        ratePerSecond: Infinity,
        requestDeadlineMs: 300,
        retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      });
      expect(run.gates).toHaveLength(2);
      expect(new Set(run.results.map((r) => r.status))).toEqual(new Set(['INCONCLUSIVE']));
      expect(run.results.find((r) => r.checkId === 'AGC-AWS-001')!.reason).toMatch(reason);
    } finally {
      await proxy.close();
      await emulator.close();
    }
  });

  test('a profile of another stack than its role is looked up in its own stack: the gate is probed as on the local target', async () => {
    const { Resources } = exampleTemplate(pki) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    // The example's role (and everything else) stays in Agents, which exports the role's ARN; its profile moves to Access, importing it.
    const [roleId] = Object.entries(Resources).find(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('Deployer'))!;
    const profiles = Object.entries(Resources).filter(([, r]) => r.Type === 'AWS::RolesAnywhere::Profile');
    expect(profiles.length).toBeGreaterThan(0);
    const access: Record<string, unknown> = {};
    for (const [id, profile] of profiles) {
      const arns = profile.Properties.RoleArns as unknown[];
      const listsDeployer = arns.some((a) => JSON.stringify(a) === JSON.stringify({ 'Fn::GetAtt': [roleId, 'Arn'] }));
      if (!listsDeployer) continue;
      access[id] = { ...profile, Properties: { ...profile.Properties, RoleArns: [{ 'Fn::ImportValue': 'agents-DeployerArn' }] } };
      delete Resources[id];
    }
    expect(Object.keys(access)).toHaveLength(1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-live-apart-'));
    fs.writeFileSync(path.join(dir, 'Agents.template.json'), JSON.stringify({ Resources, Outputs: { DeployerArn: { Value: { 'Fn::GetAtt': [roleId, 'Arn'] }, Export: { Name: 'agents-DeployerArn' } } } }));
    fs.writeFileSync(path.join(dir, 'Access.template.json'), JSON.stringify({ Resources: access }));
    const sources = [...loadTemplateSources(path.join(dir, 'Agents.template.json')), ...loadTemplateSources(path.join(dir, 'Access.template.json'))];
    const emulator = await startAwsEmulator({ sources, createSessionRatePerSecond: Infinity });
    try {
      useEmulatorPersona(emulator);
      const run = await runAwsConformance({ sources, pki: loadPkiDirectory(pki.dir), target: 'aws', endpoints: { rolesAnywhere: emulator.endpoint, sts: emulator.endpoint, cloudFormation: emulator.endpoint }, ratePerSecond: Infinity });
      const deployer = run.results.filter((r) => r.gate === `Agents/${roleId}`);
      expect(deployer.find((r) => r.checkId === 'AGC-AWS-001')).toMatchObject({ status: 'PASS' });
      expect(deployer.filter((r) => r.status !== 'PASS' && r.checkId !== 'AGC-AWS-015').map((r) => `${r.checkId}: ${r.reason}`)).toEqual([]);
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
