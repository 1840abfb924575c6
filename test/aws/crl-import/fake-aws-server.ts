import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { verifyHmacRequest } from '../../../conformance/emulator/aws/sigv4-hmac';
import { AwsWorld } from '../../../conformance/emulator/aws/world';

export const REGION = 'eu-west-1';
export const CREDENTIALS = { accessKeyId: 'AKIAATTESTGATETEST01', secretAccessKey: 'c3VwZXItc2VjcmV0LWZvci10ZXN0cy1vbmx5LTEyMzQ1', sessionToken: 'session-token-of-the-lambda' };

/** A request the fake received, with the service its SigV4 signature was verified for. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly signedFor: string;
}

export interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

/**
 * The AWS endpoints the CRL import function calls, on 127.0.0.1: Roles Anywhere GetCrl, UpdateCrl
 * and GetTrustAnchor, ACM PCA GetCertificateAuthorityCertificate and S3 GetObject (path style).
 * Every request's SigV4 signature is verified with the emulator's own verifier (a canonical
 * request written independently of @smithy/signature-v4); a bad one gets 403.
 */
export class FakeAwsServer {
  public readonly received: ReceivedRequest[] = [];
  /** Responses to send before the default one, per `METHOD path`. */
  public readonly script = new Map<string, ScriptedResponse[]>();
  public heldCrl: Buffer | undefined;
  public trustAnchorSource: { sourceType: string; sourceData: Record<string, string> } = { sourceType: 'CERTIFICATE_BUNDLE', sourceData: {} };
  public pcaCertificatePem = '';
  public readonly objects = new Map<string, Buffer>();
  private readonly world = new AwsWorld({ account: '111122223333', region: REGION, partition: 'aws' });
  private readonly server: http.Server;

  constructor() {
    this.world.personas.set('lambda', { arn: 'arn:aws:sts::111122223333:assumed-role/crl-import/fn', ...CREDENTIALS });
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = this.handle(req, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
      });
    });
  }

  public listen(): Promise<string> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`)));
  }

  public close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, body: string): ScriptedResponse {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    const verification = verifyHmacRequest(this.world, { method: req.method ?? 'GET', path: url.pathname, query: [...url.searchParams], headers, body }, new Date(), 300);
    if ('error' in verification) return json(403, { __type: verification.error.code, message: verification.message }, verification.error.code);
    this.received.push({ method: req.method ?? 'GET', path: url.pathname, headers, body, signedFor: verification.service });
    const key = `${req.method} ${url.pathname}`;
    const scripted = this.script.get(key)?.shift();
    if (scripted) return scripted;
    return this.answer(req.method ?? 'GET', url.pathname, headers, body);
  }

  private answer(method: string, path: string, headers: Record<string, string>, body: string): ScriptedResponse {
    const crl = /^\/crl\/([0-9a-f-]+)$/.exec(path);
    if (crl && method === 'GET') return json(200, { crl: { crlId: crl[1], crlData: this.heldCrl?.toString('base64') ?? '', enabled: true } });
    if (crl && method === 'PATCH') {
      this.heldCrl = Buffer.from((JSON.parse(body) as { crlData: string }).crlData, 'base64');
      return json(200, { crl: { crlId: crl[1], enabled: true } });
    }
    const anchor = /^\/trustanchor\/([0-9a-f-]+)$/.exec(path);
    if (anchor && method === 'GET') return json(200, { trustAnchor: { trustAnchorId: anchor[1], source: this.trustAnchorSource } });
    if (method === 'POST' && path === '/' && headers['x-amz-target'] === 'ACMPrivateCA.GetCertificateAuthorityCertificate') {
      return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ Certificate: this.pcaCertificatePem }) };
    }
    const object = this.objects.get(decodeURIComponent(path));
    if (method === 'GET' && object) return { status: 200, headers: { 'content-type': 'application/pkix-crl' }, body: object };
    if (method === 'GET' && /^\/[^/]+\/.+/.test(path)) return { status: 404, body: '<Error><Code>NoSuchKey</Code></Error>' };
    return json(404, { __type: 'ResourceNotFoundException', message: `${method} ${path}` }, 'ResourceNotFoundException');
  }
}

export function json(status: number, body: unknown, errorType?: string): ScriptedResponse {
  return { status, headers: { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) }, body: JSON.stringify(body) };
}
