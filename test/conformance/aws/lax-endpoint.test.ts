import * as crypto from 'node:crypto';
import { runAwsConformance } from '../../../conformance/aws/run-aws-conformance';
import { RunningAwsEmulator, startAwsEmulator } from '../../../conformance/emulator/aws-emulator';
import { loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { exampleTemplate, sourceOf, statusesOf, writeTestPki } from '../../fixtures/conformance';
import { FaultProxy, startFaultProxy } from '../../fixtures/fault-proxy';

/**
 * Every certificate check is seen to FAIL, not only to PASS: in front of the emulator, a Roles
 * Anywhere endpoint that issues 12-hour credentials to any CreateSession — whatever the
 * certificate, signature, date or session name — while STS and CloudFormation answer as usual.
 * A check that PASSed here would be proving nothing.
 */

let emulator: RunningAwsEmulator;
let proxy: FaultProxy;
afterAll(async () => {
  await proxy?.close();
  await emulator?.close();
});

/** What CreateSession answers when it issues credentials, for 12 hours. */
function laxSession(): string {
  const now = Date.now();
  return JSON.stringify({
    credentialSet: [
      {
        assumedRoleUser: { arn: 'arn:aws:sts::111122223333:assumed-role/anything/lax', assumedRoleId: 'AROALAX:lax' },
        credentials: { accessKeyId: `ASIA${crypto.randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: 'lax', sessionToken: 'lax', expiration: new Date(now + 43_200_000).toISOString() },
        packedPolicySize: 10,
        roleArn: 'arn:aws:iam::111122223333:role/anything',
        sourceIdentity: 'CN=lax',
      },
    ],
    subjectArn: 'arn:aws:rolesanywhere:us-east-1:111122223333:subject/lax',
  });
}

test('a Roles Anywhere endpoint that issues credentials to any certificate: every certificate mutation, the stale and tampered requests, the chosen session name and the 12-hour session FAIL', async () => {
  const pki = await writeTestPki();
  const sources = sourceOf(exampleTemplate(pki));
  emulator = await startAwsEmulator({ sources, createSessionRatePerSecond: Infinity });
  proxy = await startFaultProxy({
    upstream: emulator.endpoint,
    rules: [{ match: (r) => r.url.startsWith('/sessions'), mode: { kind: 'status', status: 201, body: laxSession(), headers: { 'content-type': 'application/json', 'x-amzn-requestid': crypto.randomUUID() } } }],
  });
  const persona = [...emulator.world.personas.values()][0];
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: persona.accessKeyId, AWS_SECRET_ACCESS_KEY: persona.secretAccessKey, AWS_REGION: 'us-east-1' });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  try {
    const run = await runAwsConformance({
      sources,
      pki: loadPkiDirectory(pki.dir),
      target: 'aws',
      endpoints: { rolesAnywhere: proxy.url, sts: proxy.url, cloudFormation: proxy.url },
      ratePerSecond: Infinity,
      tags: ['requires:ca-key'],
    });
    const statuses = statusesOf(run.results, 'Deployer');
    const failing = ['002', '003', '004', '005', '006', '007', '008', '009', '010', '011', '012', '013', '014', '017', '018'].map((n) => `AGC-AWS-${n}`);
    expect(statuses['AGC-AWS-001']).toBe('PASS');
    expect(Object.fromEntries(failing.map((id) => [id, statuses[id]]))).toEqual(Object.fromEntries(failing.map((id) => [id, 'FAIL'])));
  } finally {
    process.env = saved;
  }
}, 60_000);
