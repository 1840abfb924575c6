import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { NodeSha256 } from '../../credentials/node-sha256';
import { HttpTransportError, sendRequest } from '../../http/send-request';
import { pemBlocks } from '../../core/pki/pem';
import { CrlImportDependencyError, DependencyFailureKind } from './import-crl';

/**
 * The AWS calls of the CRL import function, signed with @smithy/signature-v4 (the SDK's own
 * signer) and sent over attestgate's one HTTP client (deadlines, HTTPS_PROXY).
 *
 * Why not the AWS SDK clients: the Lambda runtime's bundled SDK has no usable Roles Anywhere
 * client, the published @aws-sdk/client-rolesanywhere stopped at 3.332, and bundling three SDK
 * clients for four REST calls would make the function's code hard to review. The wire formats
 * are the documented ones: Roles Anywhere REST-JSON (GET/PATCH /crl/{id}, GET
 * /trustanchor/{id}), S3 GetObject, ACM PCA JSON 1.1.
 */

export interface HttpResponse {
  readonly status: number;
  /** Lowercase names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface HttpRequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The response body is cut off past this many bytes, with a `too-large` error. */
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_RESPONSE_BYTES = 1_000_000;

/** One HTTP(S) request. Transport failures throw CrlImportDependencyError `unreachable` (or `too-large`). */
export async function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const target = new URL(url);
  try {
    return await sendRequest(target, {
      method: options.method ?? 'GET',
      headers: options.headers,
      body: options.body ?? '',
      deadlineMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxResponseBytes: options.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    });
  } catch (error) {
    if (error instanceof HttpTransportError && error.kind === 'too-large') throw new CrlImportDependencyError('too-large', `the response from ${target.host} exceeded ${options.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES} bytes`);
    if (error instanceof HttpTransportError && error.kind === 'timeout') throw new CrlImportDependencyError('unreachable', `${target.host} did not answer within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`);
    const cause = error instanceof HttpTransportError && error.cause instanceof Error ? error.cause : (error as Error);
    throw new CrlImportDependencyError('unreachable', `${target.host}: ${cause.message}`);
  }
}

/** The error code of an AWS error response: `x-amzn-errortype`, a JSON `__type`/`code`, or an XML `<Code>`. */
export function awsErrorCode(response: HttpResponse): string | undefined {
  const header = response.headers['x-amzn-errortype'];
  if (header) return header.split(':')[0];
  const text = response.body.toString('utf8');
  try {
    const json = JSON.parse(text) as { __type?: string; code?: string };
    const type = json.__type ?? json.code;
    if (type) return type.split('#').pop();
  } catch {
    return /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
  }
  return undefined;
}

const THROTTLING_CODES = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'SlowDown', 'RequestLimitExceeded']);

/** What a non-success response means for the import. */
export function failureKindOf(response: HttpResponse): DependencyFailureKind {
  const code = awsErrorCode(response);
  if (response.status === 429 || (code !== undefined && THROTTLING_CODES.has(code))) return 'throttled';
  if (response.status >= 500) return 'unreachable';
  if (response.status === 401 || response.status === 403) return 'denied';
  if (response.status === 404) return 'not-found';
  return 'error';
}

function failure(what: string, response: HttpResponse): CrlImportDependencyError {
  const code = awsErrorCode(response);
  const text = response.body.toString('utf8').slice(0, 300);
  return new CrlImportDependencyError(failureKindOf(response), `${what} answered ${response.status}${code ? ` ${code}` : ''}: ${text}`);
}

export interface RetryOptions {
  /** Attempts for throttling and transient failures. @default 3 */
  readonly maxAttempts?: number;
  /** The first backoff; each retry doubles it, with full jitter. @default 500 ms */
  readonly baseDelayMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Retries throttling and transient failures with exponential backoff and full jitter: the
 * Roles Anywhere CRL APIs share 1 TPS per account and Region.
 */
export async function withRetries<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 3;
  const base = options.baseDelayMs ?? 500;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const transient = e instanceof CrlImportDependencyError && (e.kind === 'throttled' || e.kind === 'unreachable');
      if (!transient || attempt >= maxAttempts) throw e;
      await sleep(Math.floor(Math.random() * base * 2 ** (attempt - 1)));
    }
  }
}

/** The DNS suffix of a Region's endpoints. */
function dnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

export interface AwsClientOptions extends RetryOptions {
  readonly region: string;
  readonly credentials: AwsCredentialIdentity;
  /**
   * Endpoint overrides, as the AWS SDKs read them from `AWS_ENDPOINT_URL_<SERVICE>`.
   * @default - the public endpoints of the Region
   */
  readonly endpoints?: { readonly rolesAnywhere?: string; readonly s3?: string; readonly acmPca?: string };
  readonly timeoutMs?: number;
}

/** Signs and sends one request to an AWS service. */
async function signedRequest(
  options: AwsClientOptions,
  service: string,
  region: string,
  url: URL,
  request: { method: string; headers?: Record<string, string>; body?: string; maxBytes?: number; uriEscapePath?: boolean },
): Promise<HttpResponse> {
  const signer = new SignatureV4({ credentials: options.credentials, region, service, sha256: NodeSha256, uriEscapePath: request.uriEscapePath ?? true });
  const body = request.body ?? '';
  const signed = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host, ...request.headers },
    body,
  });
  return httpRequest(url.toString(), { method: request.method, headers: signed.headers as Record<string, string>, body, maxBytes: request.maxBytes, timeoutMs: options.timeoutMs });
}

/** The trust anchor's source, as GetTrustAnchor returns it. */
export interface TrustAnchorSourceDescription {
  readonly sourceType: string;
  readonly x509CertificateData?: string;
  readonly acmPcaArn?: string;
}

/** Roles Anywhere GetCrl, UpdateCrl and GetTrustAnchor. */
export class RolesAnywhereClient {
  private readonly endpoint: string;

  constructor(private readonly options: AwsClientOptions) {
    this.endpoint = options.endpoints?.rolesAnywhere ?? `https://rolesanywhere.${options.region}.${dnsSuffix(options.region)}`;
  }

  /** The CRL data Roles Anywhere holds (the blob as imported: PEM text or DER), or undefined when empty. */
  public async getCrl(crlId: string): Promise<Uint8Array | undefined> {
    const body = await this.json('GET', `/crl/${encodeURIComponent(crlId)}`, 'GetCrl');
    const data = (body as { crl?: { crlData?: unknown } }).crl?.crlData;
    if (data === undefined || data === null || data === '') return undefined;
    if (typeof data !== 'string') throw new CrlImportDependencyError('invalid-response', 'GetCrl returned crlData that is not a base64 string');
    return Buffer.from(data, 'base64');
  }

  /** UpdateCrl with PEM text; the blob is base64 in the JSON body. */
  public async updateCrl(crlId: string, pem: string): Promise<void> {
    await this.json('PATCH', `/crl/${encodeURIComponent(crlId)}`, 'UpdateCrl', JSON.stringify({ crlData: Buffer.from(pem, 'utf8').toString('base64') }));
  }

  public async getTrustAnchorSource(trustAnchorId: string): Promise<TrustAnchorSourceDescription> {
    const body = (await this.json('GET', `/trustanchor/${encodeURIComponent(trustAnchorId)}`, 'GetTrustAnchor')) as {
      trustAnchor?: { source?: { sourceType?: string; sourceData?: { x509CertificateData?: string; acmPcaArn?: string } } };
    };
    const source = body.trustAnchor?.source;
    if (!source?.sourceType) throw new CrlImportDependencyError('invalid-response', 'GetTrustAnchor returned no source');
    return { sourceType: source.sourceType, x509CertificateData: source.sourceData?.x509CertificateData, acmPcaArn: source.sourceData?.acmPcaArn };
  }

  private async json(method: string, path: string, operation: string, body?: string): Promise<unknown> {
    const url = new URL(path, this.endpoint);
    const response = await withRetries(async () => {
      const answer = await signedRequest(this.options, 'rolesanywhere', this.options.region, url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body,
      });
      if (answer.status < 200 || answer.status > 299) throw failure(operation, answer);
      return answer;
    }, this.options);
    try {
      return JSON.parse(response.body.toString('utf8'));
    } catch {
      throw new CrlImportDependencyError('invalid-response', `${operation} returned a body that is not JSON`);
    }
  }
}

/** ACM Private CA GetCertificateAuthorityCertificate: the CA's own certificate, in the CA's Region. */
export async function getCertificateAuthorityCertificate(options: AwsClientOptions, certificateAuthorityArn: string): Promise<Buffer> {
  const region = certificateAuthorityArn.split(':')[3];
  if (!region) throw new CrlImportDependencyError('invalid-response', `${certificateAuthorityArn} is not an ACM PCA ARN`);
  const url = new URL('/', options.endpoints?.acmPca ?? `https://acm-pca.${region}.${dnsSuffix(region)}`);
  const response = await withRetries(async () => {
    const answer = await signedRequest(options, 'acm-pca', region, url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'ACMPrivateCA.GetCertificateAuthorityCertificate' },
      body: JSON.stringify({ CertificateAuthorityArn: certificateAuthorityArn }),
    });
    if (answer.status !== 200) throw failure('GetCertificateAuthorityCertificate', answer);
    return answer;
  }, options);
  let certificate: string | undefined;
  try {
    certificate = (JSON.parse(response.body.toString('utf8')) as { Certificate?: string }).Certificate;
  } catch {
    certificate = undefined;
  }
  const der = certificate ? pemBlocks(certificate, 'CERTIFICATE')[0] : undefined;
  if (!der) throw new CrlImportDependencyError('invalid-response', 'GetCertificateAuthorityCertificate returned no PEM certificate');
  return der;
}

/** S3 GetObject, the response cut off past maxBytes. */
export async function getS3Object(options: AwsClientOptions, location: { bucket: string; key: string; region: string }, maxBytes: number): Promise<Buffer> {
  const encodedKey = location.key.split('/').map(encodeURIComponent).join('/');
  // Virtual-hosted style, except for names with dots (their certificate would not match) and custom endpoints.
  const url = options.endpoints?.s3
    ? new URL(`/${location.bucket}/${encodedKey}`, options.endpoints.s3)
    : location.bucket.includes('.')
      ? new URL(`https://s3.${location.region}.${dnsSuffix(location.region)}/${location.bucket}/${encodedKey}`)
      : new URL(`https://${location.bucket}.s3.${location.region}.${dnsSuffix(location.region)}/${encodedKey}`);
  const response = await withRetries(async () => {
    // S3 signs the path as sent: no second round of escaping.
    const answer = await signedRequest(options, 's3', location.region, url, { method: 'GET', maxBytes, uriEscapePath: false });
    if (answer.status !== 200) throw failure(`s3://${location.bucket}/${location.key}`, answer);
    return answer;
  }, options);
  return response.body;
}

export interface HttpsFetchOptions extends RetryOptions {
  readonly maxBytes: number;
  readonly timeoutMs?: number;
  /** @default 3 */
  readonly maxRedirects?: number;
}

/** Where a redirect leads; never from HTTPS down to HTTP. */
export function redirectTarget(current: URL, location: string): URL {
  const next = new URL(location, current);
  if (current.protocol === 'https:' && next.protocol !== 'https:') {
    throw new CrlImportDependencyError('invalid-response', `${current} redirects to ${next}, downgrading from HTTPS`);
  }
  return next;
}

/**
 * GETs a CRL from a distribution point, following a few redirects. A CRL is signed, so the
 * channel adds confidentiality of the fetch, not integrity; the import checks the signature and
 * the freshness either way.
 */
export async function fetchDistributionPoint(url: string, options: HttpsFetchOptions): Promise<Buffer> {
  const maxRedirects = options.maxRedirects ?? 3;
  return withRetries(async () => {
    let current = new URL(url);
    for (let redirects = 0; ; redirects++) {
      const response = await httpRequest(current.toString(), { maxBytes: options.maxBytes, timeoutMs: options.timeoutMs, headers: { accept: 'application/pkix-crl, application/x-pem-file, */*' } });
      if ([301, 302, 303, 307, 308].includes(response.status) && response.headers.location) {
        if (redirects >= maxRedirects) throw new CrlImportDependencyError('invalid-response', `${url}: more than ${maxRedirects} redirects`);
        current = redirectTarget(current, response.headers.location);
        continue;
      }
      if (response.status !== 200) throw failure(current.toString(), response);
      return response.body;
    }
  }, options);
}
