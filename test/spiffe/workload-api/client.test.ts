import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { signJwt } from '../../../conformance/oidc/jwt';
import { createCa, issueLeaf, privateKeyPem } from '../../../conformance/pki/throwaway-pki';
import { AttestGateError } from '../../../lib/core/errors';
import { WorkloadApiClient, WorkloadApiError } from '../../../lib/spiffe/workload-api';
import { workloadApiModules } from '../../../lib/spiffe/workload-api/proto';

/**
 * The client against a scripted server (a real gRPC server on a Unix socket whose handlers each
 * test writes): deadlines, cancellation, the header it sends, answers it must refuse, a watch
 * that recovers. The emulator's tests cover the client against SPIRE's behaviour.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-wapi-client-'));
const servers: grpc.Server[] = [];
const clients: WorkloadApiClient[] = [];
let counter = 0;

afterAll(() => {
  clients.forEach((c) => c.close());
  servers.forEach((s) => s.forceShutdown());
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A server with these handlers (the others answer Unimplemented), and a client of it. */
async function scripted(handlers: grpc.UntypedServiceImplementation, options: { timeoutMs?: number; socketPath?: string } = {}) {
  const socketPath = options.socketPath ?? path.join(dir, `s${counter++}.sock`);
  const { grpc: grpcJs, service } = workloadApiModules();
  const server = new grpcJs.Server();
  server.addService(service, handlers);
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix://${socketPath}`, grpcJs.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  servers.push(server);
  const client = new WorkloadApiClient({ address: `unix://${socketPath}`, timeoutMs: options.timeoutMs });
  clients.push(client);
  return { client, server, socketPath };
}

const SPIFFE_ID = 'spiffe://prod.example/agent/deployer';
/** The client reads JWT-SVIDs without verifying them (it trusts its agent): any key signs. */
const KEY = generateIssuerKey('ES256');
const jwtAnswer = (claims: Record<string, unknown>) => ({ svids: [{ spiffe_id: SPIFFE_ID, svid: signJwt(KEY, { iss: 'x', sub: SPIFFE_ID, aud: ['gcp'], ...claims } as never), hint: '' }] });

describe('WorkloadApiClient', () => {
  test('every call carries workload.spiffe.io: true, once', async () => {
    let seen: unknown;
    const { client } = await scripted({
      FetchJWTSVID: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        seen = call.metadata.get('workload.spiffe.io');
        callback(null, jwtAnswer({}));
      },
    });
    await client.fetchJwtSvid({ audience: 'gcp' });
    expect(seen).toEqual(['true']);
  });

  test('a call the agent does not answer fails at timeoutMs with DeadlineExceeded; a stream without a first message too', async () => {
    const { client } = await scripted({ FetchJWTSVID: () => undefined, FetchX509SVID: () => undefined }, { timeoutMs: 200 });
    await expect(client.fetchJwtSvid({ audience: 'gcp' })).rejects.toMatchObject({ code: 'DeadlineExceeded', message: expect.stringContaining('No answer within 200 ms (timeoutMs)') });
    await expect(client.fetchX509Context()).rejects.toMatchObject({ code: 'DeadlineExceeded' });
  });

  test('an AbortSignal cancels a call: Canceled', async () => {
    const { client } = await scripted({ FetchJWTSVID: () => undefined, FetchJWTBundles: () => undefined });
    const controller = new AbortController();
    const pending = client.fetchJwtSvid({ audience: 'gcp', signal: controller.signal });
    const stream = client.fetchJwtBundles({ signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'WorkloadApiError', code: 'Canceled' });
    await expect(stream).rejects.toMatchObject({ code: 'Canceled' });
    await expect(client.fetchJwtSvid({ audience: 'gcp', signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'Canceled' });
  });

  test('answers a workload cannot use are refused as InvalidResponse, saying why', async () => {
    const ca = await createCa({ subject: { CN: 'CA' } });
    const leaf = await issueLeaf({ issuer: ca, subject: { CN: 'x' }, sanUris: [SPIFFE_ID] });
    const other = await issueLeaf({ issuer: ca, subject: { CN: 'y' }, sanUris: [SPIFFE_ID] });
    const pkcs8 = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const svid = { spiffe_id: SPIFFE_ID, x509_svid: leaf.der, x509_svid_key: pkcs8(await privateKeyPem(other.keys)), bundle: ca.der, hint: '' };
    const now = Math.floor(Date.now() / 1000);
    const answers = [
      jwtAnswer({ sub: 'spiffe://prod.example/agent/intruder' }),
      jwtAnswer({ aud: ['azure'] }),
      jwtAnswer({ iat: now - 600, exp: now - 300 }),
      { svids: [] },
    ];
    const { client } = await scripted({
      FetchJWTSVID: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, answers.shift()!),
      FetchX509SVID: (call: grpc.ServerWritableStream<unknown, unknown>) => call.write({ svids: [svid], crl: [], federated_bundles: {} }),
      FetchX509Bundles: (call: grpc.ServerWritableStream<unknown, unknown>) => call.end(),
    });
    await expect(client.fetchJwtSvid({ audience: 'gcp' })).rejects.toMatchObject({ code: 'InvalidResponse', details: expect.stringContaining('has sub "spiffe://prod.example/agent/intruder", not the SPIFFE ID') });
    await expect(client.fetchJwtSvid({ audience: 'gcp' })).rejects.toMatchObject({ details: 'the JWT-SVID\'s aud ["azure"] lacks ["gcp"]' });
    await expect(client.fetchJwtSvid({ audience: 'gcp' })).rejects.toMatchObject({ details: expect.stringMatching(/^the JWT-SVID expired at /) });
    await expect(client.fetchJwtSvid({ audience: 'gcp' })).rejects.toMatchObject({ details: 'the response holds no JWT-SVID' });
    await expect(client.fetchX509Svid()).rejects.toMatchObject({ code: 'InvalidResponse', details: `the X.509-SVID for "${SPIFFE_ID}": x509_svid_key does not belong to the leaf certificate` });
    await expect(client.fetchX509Bundles()).rejects.toMatchObject({ code: 'InvalidResponse', details: 'the stream ended without a message' });
  });

  test('no socket: Unavailable, with what it means and the fix', async () => {
    const client = new WorkloadApiClient({ address: `unix://${dir}/nothing-here.sock` });
    clients.push(client);
    const error: WorkloadApiError = await client.fetchJwtSvid({ audience: 'gcp' }).catch((e) => e);
    expect(error).toBeInstanceOf(WorkloadApiError);
    expect(error.code).toBe('Unavailable');
    expect(error.message).toContain(`There is no socket at ${dir}/nothing-here.sock: the SPIRE agent is not running, or its socket directory is not mounted into this container. Fix:`);
    expect(error.message).not.toContain('Resolution note');
    fs.writeFileSync(path.join(dir, 'a-file.sock'), '');
    const notSocket = new WorkloadApiClient({ address: `unix://${dir}/a-file.sock` });
    clients.push(notSocket);
    await expect(notSocket.fetchJwtSvid({ audience: 'gcp' })).rejects.toThrow(`${dir}/a-file.sock exists but is not a socket`);
  });

  test('bad arguments are refused before anything is sent', async () => {
    const client = new WorkloadApiClient({ address: `unix://${dir}/unused.sock` });
    clients.push(client);
    await expect(client.fetchJwtSvid({ audience: [] })).rejects.toThrow(AttestGateError);
    await expect(client.fetchJwtSvid({ audience: 'gcp', spiffeId: 'spiffe://Prod/x' })).rejects.toThrow(/spiffeId/);
    expect(() => new WorkloadApiClient({ address: `unix://${dir}/unused.sock`, timeoutMs: 0 })).toThrow(/timeoutMs 0 is not a positive whole number/);
    client.close();
    await expect(client.fetchJwtSvid({ audience: 'gcp' })).rejects.toThrow('has been closed');
  });

  test('a watch reports a failed stream and opens it again after a backoff (go-spiffe’s): an agent that restarts is picked up', async () => {
    const ca = await createCa({ subject: { CN: 'CA' } });
    const leaf = await issueLeaf({ issuer: ca, subject: { CN: 'x' }, sanUris: [SPIFFE_ID] });
    const pkcs8 = Buffer.from((await privateKeyPem(leaf.keys)).replace(/-----[^-]+-----|\s/g, ''), 'base64');
    let attempts = 0;
    const { client } = await scripted({
      FetchX509SVID: (call: grpc.ServerWritableStream<unknown, unknown>) => {
        // The first stream breaks as it does while the agent restarts; the next one is served.
        if (attempts++ === 0) call.emit('error', { code: 14, details: 'agent restarting' });
        else call.write({ svids: [{ spiffe_id: SPIFFE_ID, x509_svid: leaf.der, x509_svid_key: pkcs8, bundle: ca.der, hint: '' }], crl: [], federated_bundles: {} });
      },
    });
    const events: string[] = [];
    const watch = client.watchX509Context({ onUpdate: (u) => events.push(`update ${u.svids[0].spiffeId}`), onError: (e) => events.push(`error ${(e as WorkloadApiError).code}: ${(e as WorkloadApiError).details}`) });
    try {
      await until(() => events.length === 2);
      expect(events).toEqual(['error Unavailable: agent restarting', `update ${SPIFFE_ID}`]);
    } finally {
      watch.close();
    }
  });

  test('a watch ends for good on InvalidArgument (no retry can add a header)', async () => {
    const { client } = await scripted({ FetchX509SVID: (call: grpc.ServerWritableStream<unknown, unknown>) => call.emit('error', { code: 3, details: 'security header missing from request' }) });
    const errors: WorkloadApiError[] = [];
    client.watchX509Context({ onUpdate: () => undefined, onError: (e) => errors.push(e as WorkloadApiError) });
    await until(() => errors.length === 1);
    expect(errors[0].message).toContain('something between them removed it');
    // Nothing is scheduled: closing the client has no watch left to end.
    expect((client as unknown as { watches: Set<unknown> }).watches.size).toBe(0);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!condition()) throw new Error('the condition did not become true within 10 s');
}
