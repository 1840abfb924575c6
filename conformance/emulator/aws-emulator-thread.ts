import { parentPort, workerData } from 'node:worker_threads';
import { parseCertificate } from '../../lib/core/pki/certificate';
import { TemplateModel } from '../../lib/model/aws/template';
import { startAwsEmulator } from './aws-emulator';
import type { AwsEmulatorWorkerData, AwsEmulatorWorkerMessage } from './aws-emulator-worker';
import { describeDeployment } from './aws/deployment';

/**
 * The AWS emulator's worker thread (started by aws-emulator-worker.ts): deploys the templates,
 * serves on 127.0.0.1, announces the deployment once, and stops when told to.
 */
async function serve(port: NonNullable<typeof parentPort>, data: AwsEmulatorWorkerData): Promise<void> {
  const send = (message: AwsEmulatorWorkerMessage) => port.postMessage(message);
  let emulator: Awaited<ReturnType<typeof startAwsEmulator>>;
  try {
    emulator = await startAwsEmulator({
      ...data.options,
      // Parsed again here: a TemplateModel holds functions, which do not cross threads. The parent
      // parsed the same JSON without error, so this cannot fail differently.
      sources: data.templates.map((t) => ({ stackName: t.stackName, file: t.file, model: TemplateModel.parse(t.template, t.name) })),
      privateCaCertificates: new Map(data.privateCaCertificates.map(([arn, der]) => [arn, parseCertificate(der)])),
    });
  } catch (e) {
    send({ kind: 'failed', message: (e as Error).message });
    port.close();
    return;
  }
  port.on('message', (message) => {
    if (message !== 'close') return;
    void emulator.close().then(() => {
      send({ kind: 'closed' });
      port.close();
    });
  });
  send({ kind: 'ready', deployment: describeDeployment(emulator) });
}

if (parentPort) void serve(parentPort, workerData as AwsEmulatorWorkerData);
