import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { sendHttp } from '../../../conformance/engine/send-http';
import { startAwsEmulator } from '../../../conformance/emulator/aws-emulator';
import { startAwsEmulatorWorker } from '../../../conformance/emulator/aws-emulator-worker';
import { describeDeployment } from '../../../conformance/emulator/aws/deployment';
import { accountRole, templateSource } from '../../fixtures/emulator';
import { makeTestPki } from '../../fixtures/pki';
import { gateTemplate } from '../../fixtures/templates';

/** A deployment without what each start draws afresh: the port, the persona's keys, the anchors' and profiles' IDs. */
const shape = (d: ReturnType<typeof describeDeployment>) => ({
  account: d.account,
  region: d.region,
  personas: d.personas.map((p) => p.arn),
  stacks: d.stacks.map((s) => ({ ...s, resources: s.resources.map((r) => ({ logicalId: r.logicalId, type: r.type, attributes: Object.keys(r.attributes) })) })),
});

describe('startAwsEmulatorWorker', () => {
  test('announces the deployment the in-process emulator describes, serves it on its own endpoint, and stops when closed', async () => {
    const pki = await makeTestPki();
    const sources = [
      templateSource(
        gateTemplate({
          anchor: { Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: pki.ca.pem } } },
          crl: { CrlData: pki.crlPem },
          // A resource the emulator cannot create: the announcement carries the problem.
          extra: { Shared: accountRole({ RoleName: 'shared' }), Odd: { Type: 'AWS::RolesAnywhere::Profile', Properties: { RoleArns: [{ Ref: 'Nowhere' }] } } },
        }),
      ),
    ];
    const inProcess = await startAwsEmulator({ sources });
    const expected = describeDeployment(inProcess);
    await inProcess.close();
    const worker = await startAwsEmulatorWorker({ sources, stsRatePerSecond: Infinity });
    try {
      expect(shape(worker.deployment)).toEqual(shape(expected));
      expect(worker.deployment.stacks[0].problems.length).toBeGreaterThan(0);
      // A real client, with nothing but what was announced, is answered by the thread.
      const [persona] = worker.deployment.personas;
      const sts = new STSClient({ region: worker.deployment.region, endpoint: worker.deployment.endpoint, credentials: { accessKeyId: persona.accessKeyId, secretAccessKey: persona.secretAccessKey } });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(persona.arn);
      sts.destroy();
    } finally {
      await worker.close();
    }
    const after = await sendHttp(`${worker.deployment.endpoint}/sessions`, 'POST', {}, '{}', 2000);
    expect(after.kind).toBe('network-error');
  });

  test('a thread that cannot serve (its port is taken) rejects the start, saying why', async () => {
    const holder = await startAwsEmulator({ sources: [] });
    try {
      const port = Number(new URL(holder.endpoint).port);
      await expect(startAwsEmulatorWorker({ sources: [], port })).rejects.toThrow(/the AWS emulator did not start in its worker thread: .*EADDRINUSE/);
    } finally {
      await holder.close();
    }
  });
});
