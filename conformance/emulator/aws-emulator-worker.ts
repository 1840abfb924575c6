import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AwsEmulatorOptions } from './aws-emulator';
import { AwsEmulatorDeployment } from './aws/deployment';

/**
 * What the emulator's thread is started with: the options of `startAwsEmulator` as plain data.
 * Templates go as their JSON (the thread parses them again); private CA certificates as DER.
 * A clock (`now`) cannot cross threads: a run that sets one keeps the emulator in process.
 */
export interface AwsEmulatorWorkerData {
  readonly templates: ReadonlyArray<{ readonly stackName: string; readonly file: string; readonly name: string; readonly template: unknown }>;
  readonly options: Omit<AwsEmulatorOptions, 'sources' | 'privateCaCertificates' | 'now'>;
  readonly privateCaCertificates: ReadonlyArray<readonly [arn: string, der: Uint8Array]>;
}

/** Messages from the emulator's thread. */
export type AwsEmulatorWorkerMessage =
  | { readonly kind: 'ready'; readonly deployment: AwsEmulatorDeployment }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'closed' };

/** The AWS emulator serving from its own thread; the caller knows only what it announced at startup. */
export interface AwsEmulatorInWorker {
  readonly deployment: AwsEmulatorDeployment;
  /** Stops the server and the thread; rejects when the thread died while serving (an emulator bug, not a verdict). */
  close(): Promise<void>;
}

/**
 * Starts the AWS emulator in a `worker_threads` worker, so it answers on the other core while the
 * prober mints, signs and judges on this one: same HTTP endpoints, same deployment, nothing shared
 * but the loopback socket and the startup message.
 */
export function startAwsEmulatorWorker(options: Omit<AwsEmulatorOptions, 'now'>): Promise<AwsEmulatorInWorker> {
  const data: AwsEmulatorWorkerData = {
    templates: options.sources.map((s) => ({ stackName: s.stackName, file: s.file, name: s.model.name, template: s.model.template })),
    options: {
      ...(options.env ? { env: options.env } : {}),
      ...(options.behaviour ? { behaviour: options.behaviour } : {}),
      ...(options.createSessionRatePerSecond !== undefined ? { createSessionRatePerSecond: options.createSessionRatePerSecond } : {}),
      ...(options.stsRatePerSecond !== undefined ? { stsRatePerSecond: options.stsRatePerSecond } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.parameters ? { parameters: options.parameters } : {}),
    },
    privateCaCertificates: [...(options.privateCaCertificates ?? new Map()).entries()].map(([arn, certificate]) => [arn, certificate.der] as const),
  };
  const worker = spawnThread(data);
  return new Promise((resolve, reject) => {
    let started = false;
    let closeAsked = false;
    let exited = false;
    /** Why the thread stopped when nobody asked it to: an emulator bug, never a verdict. */
    let death: string | undefined;
    let onExit: (() => void) | undefined;
    worker.on('error', (e) => {
      death ??= e.stack ?? e.message;
    });
    worker.on('message', (message: AwsEmulatorWorkerMessage) => {
      if (message.kind === 'failed') death ??= message.message;
      if (message.kind !== 'ready') return;
      started = true;
      resolve({
        deployment: message.deployment,
        close: () =>
          new Promise<void>((resolveClose, rejectClose) => {
            const settle = () => (death === undefined ? resolveClose() : rejectClose(new Error(`the AWS emulator's worker thread died while serving: ${death}`)));
            if (exited) return settle();
            onExit = settle;
            closeAsked = true;
            worker.postMessage('close');
          }),
      });
    });
    worker.on('exit', (code) => {
      exited = true;
      if (!closeAsked) death ??= `its thread exited with code ${code}`;
      if (!started) reject(new Error(`the AWS emulator did not start in its worker thread: ${death}`));
      onExit?.();
    });
  });
}

/**
 * The thread, from compiled JS (dist/, what the CLI runs) or, in development (tsx, jest), from the
 * TypeScript source through tsx's CommonJS hook: a worker starts without its parent's loaders.
 */
function spawnThread(workerData: AwsEmulatorWorkerData): Worker {
  const extension = path.extname(__filename);
  const entry = path.join(__dirname, `aws-emulator-thread${extension}`);
  if (extension !== '.ts') return new Worker(entry, { workerData });
  const tsx = require.resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`, { eval: true, workerData });
}
