import { deploymentLookup } from '../../../conformance/aws/local-target';
import { AwsEmulatorDeployment } from '../../../conformance/emulator/aws/deployment';
import { runAwsConformance } from '../../../conformance/aws/run-aws-conformance';
import { CheckResult } from '../../../conformance/engine/report';
import { loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { PkiOnDisk, exampleTemplate, sourceOf, writeTestPki } from '../../fixtures/conformance';

let pki: PkiOnDisk;
let template: Record<string, any>;
beforeAll(async () => {
  pki = await writeTestPki();
  template = exampleTemplate(pki);
});

const roleId = (t: Record<string, any>, name: string) => Object.keys(t.Resources).find((k) => k.startsWith(name) && t.Resources[k].Type === 'AWS::IAM::Role')!;

/** Two stacks that hold every kind of verdict: gates that hold, gates that are open, a gate that is not deployed. */
function mixedSources() {
  const weak = JSON.parse(JSON.stringify(template));
  const statements = weak.Resources[roleId(weak, 'Deployer')].Properties.AssumeRolePolicyDocument.Statement;
  delete statements[0].Condition.ArnEquals;
  statements.push({ Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'sts:AssumeRole' });
  const guarded = JSON.parse(JSON.stringify(template));
  guarded.Parameters = { ...guarded.Parameters, DeployRoles: { Type: 'String', AllowedValues: ['yes', 'no'] } };
  guarded.Conditions = { ...guarded.Conditions, RolesDeployed: { 'Fn::Equals': [{ Ref: 'DeployRoles' }, 'yes'] } };
  guarded.Resources[roleId(guarded, 'Deployer')].Condition = 'RolesDeployed';
  return [...sourceOf(weak, 'Weak.template.json'), ...sourceOf(guarded, 'Guarded.template.json')];
}

/**
 * What a verdict says, without what differs between any two runs: the trust anchor and serials
 * minted per run, durations, and which gate's check sent the run's one attacker anchor (whichever
 * got there first: its AGC-AWS-015 counts the extra request; the run's total does not change).
 */
const verdicts = (results: readonly CheckResult[]) =>
  results.map((r) => `${r.gate} ${r.checkId} ${r.status}: ${r.reason.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>').replace(/\b[0-9a-f]{16,}\b/g, '<serial>')}`);

describe('the local target: the emulator in a worker thread', () => {
  test('gives every check the verdict, reason and request count the in-process emulator gives: PASS, FAIL, INCONCLUSIVE for an undeployed role', async () => {
    const sources = mixedSources();
    const run = (localEmulator: 'worker' | 'in-process') =>
      runAwsConformance({ sources, pki: loadPkiDirectory(pki.dir), target: 'local', ratePerSecond: Infinity, emulator: { createSessionRatePerSecond: Infinity }, localEmulator });
    const inProcess = await run('in-process');
    const inWorker = await run('worker');
    expect(verdicts(inWorker.results)).toEqual(verdicts(inProcess.results));
    expect(inWorker.requests).toBe(inProcess.requests);
    // The mix is what it is meant to be: open, held and undeployed gates alike.
    const statusOf = (gate: string, checkId: string) => inWorker.results.find((r) => r.gate.startsWith(gate) && r.gate.includes('Deployer') && r.checkId === checkId)?.status;
    expect([statusOf('Weak/', 'AGC-AWS-001'), statusOf('Weak/', 'AGC-AWS-015'), statusOf('Weak/', 'AGC-AWS-016')]).toEqual(['PASS', 'FAIL', 'FAIL']);
    expect(statusOf('Guarded/', 'AGC-AWS-001')).toBe('INCONCLUSIVE');
    expect(inWorker.results.filter((r) => r.gate.startsWith('Guarded/') && r.gate.includes('Deployer')).map((r) => r.status)).not.toContain('PASS');
    expect(inWorker.results.filter((r) => r.gate.includes('Reader')).every((r) => r.status === 'PASS' || r.status === 'SKIPPED')).toBe(true);
  });

  test('a run that sets the emulator clock is refused in a worker (a clock is a function: it cannot cross threads)', async () => {
    await expect(
      runAwsConformance({ sources: sourceOf(template), pki: loadPkiDirectory(pki.dir), target: 'local', emulator: { now: () => new Date() }, localEmulator: 'worker' }),
    ).rejects.toThrow(/emulator clock \(emulator\.now\) cannot cross threads/);
  });
});

describe('deploymentLookup', () => {
  const deployment: AwsEmulatorDeployment = {
    endpoint: 'http://127.0.0.1:1',
    account: '111122223333',
    region: 'us-east-1',
    personas: [],
    stacks: [
      {
        stackName: 'A',
        file: 'a.json',
        resources: [
          { logicalId: 'Role', type: 'AWS::IAM::Role', physicalId: 'r', attributes: { Arn: 'arn:aws:iam::111122223333:role/r' } },
          { logicalId: 'Profile', type: 'AWS::RolesAnywhere::Profile', physicalId: 'p', attributes: { ProfileArn: 'arn:p' } },
          { logicalId: 'Anchor', type: 'AWS::RolesAnywhere::TrustAnchor', physicalId: 't', attributes: { TrustAnchorArn: 'arn:t' } },
        ],
        problems: [{ logicalId: 'Other', problem: 'its Condition does not hold' }],
      },
      // A second stack of the same name is never read: the first one wins, as a search of the list finds it.
      { stackName: 'A', file: 'a2.json', resources: [{ logicalId: 'Role', type: 'AWS::IAM::Role', physicalId: 'x', attributes: { Arn: 'arn:x' } }], problems: [{ logicalId: 'Role', problem: 'x' }] },
    ],
  };
  test('ARNs by stack, logical ID and kind, from what the emulator announced; nothing for what it did not deploy', () => {
    const { lookup, problems } = deploymentLookup(deployment);
    expect([lookup('A', 'Role', 'role'), lookup('A', 'Profile', 'profile'), lookup('A', 'Anchor', 'trust-anchor')]).toEqual(['arn:aws:iam::111122223333:role/r', 'arn:p', 'arn:t']);
    expect([lookup('A', 'Other', 'role'), lookup('B', 'Role', 'role'), lookup('A', 'Role', 'profile')]).toEqual([undefined, undefined, undefined]);
    expect(problems('A', ['Other', 'Role'])).toEqual(['Other: its Condition does not hold']);
    expect(problems('B', ['Role'])).toEqual([]);
  });
});
