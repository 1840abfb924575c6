import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { AttestGateError } from '../../core/errors';
import { pemBlocks } from '../../core/pki/pem';
import {
  MAX_INTERMEDIATES,
  ParamsIn,
  SignedCreateSessionRequest,
  certificateDer,
  endpointOrigin,
  privateKeyObject,
  readCertificate,
  signCreateSessionRequest,
} from './sign-request';

/** Credentials are fetched again this long before they expire, as the credential helper's `serve` does. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
/** CreateSession's bounds on durationSeconds. */
export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 43_200;

const DEFAULT_TIMEOUT_MS = 10_000;
/** A CreateSession answer is a few KB; anything far larger is not one. */
const MAX_RESPONSE_BYTES = 1 << 20;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface FromRolesAnywhereOptions {
  /** The leaf certificate: PEM (string or bytes) or DER. Give this or certificateFile. */
  readonly certificate?: string | Uint8Array;
  /**
   * A PEM or DER file with the leaf certificate, read again on every refresh so a rotated
   * certificate is picked up. PEM holding several certificates (as SPIRE and cert-manager write
   * them) is read as the leaf followed by its intermediates.
   */
  readonly certificateFile?: string;
  /** The private key: PEM (PKCS#8, SEC1 or PKCS#1; string or bytes) or a KeyObject. Give this or privateKeyFile. */
  readonly privateKey?: string | Uint8Array | crypto.KeyObject;
  /** A PEM private key file, read again on every refresh. */
  readonly privateKeyFile?: string;
  /** Intermediate CA certificates, leaf side first: a PEM bundle, or DER certificates. At most 5. */
  readonly intermediates?: string | Uint8Array | readonly Uint8Array[];
  /** A PEM file of intermediates, read again on every refresh. */
  readonly intermediatesFile?: string;
  readonly trustAnchorArn: string;
  /** Must be in the trust anchor's region and partition. */
  readonly profileArn: string;
  readonly roleArn: string;
  /**
   * The signing region; must equal the trust anchor's.
   *
   * @default - the region of trustAnchorArn
   */
  readonly region?: string;
  /**
   * The CreateSession endpoint. `http://` is allowed only for 127.0.0.1, localhost and [::1]
   * (local emulators).
   *
   * @default - https://rolesanywhere.<region>.amazonaws.com (.amazonaws.com.cn in aws-cn)
   */
  readonly endpoint?: string;
  /** 900–43200. @default - the profile's duration */
  readonly durationSeconds?: number;
  /** Needs a profile with acceptRoleSessionName. @default - the certificate serial */
  readonly roleSessionName?: string;
  readonly instanceProperties?: Readonly<Record<string, string>>;
  /** @default 'query' (as the credential helper sends them) */
  readonly paramsIn?: ParamsIn;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

/** A failed CreateSession call: `message` is the service's own message. */
export class CreateSessionError extends Error {
  /** The HTTP status; undefined when no answer arrived. */
  public readonly status: number | undefined;
  /** The error code, e.g. `AccessDeniedException`, `ValidationException`, `NetworkError`, `InvalidResponse`. */
  public readonly code: string;
  /** `x-amzn-RequestId`, when the service sent one. */
  public readonly requestId: string | undefined;

  constructor(details: { status: number | undefined; code: string; message: string; requestId?: string; cause?: unknown }) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'CreateSessionError';
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
  }
}

const WHERE = 'fromRolesAnywhere';

interface Arn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** Trust anchor and profile IDs are UUIDs (API reference: `[a-f0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}`). */
const RESOURCE_ID = '([a-f0-9]{8}-(?:[a-z0-9]{4}-){3}[a-z0-9]{12})';
const REGION = '([a-z0-9]+(?:-[a-z0-9]+)+)';

const ARN_PATTERNS = {
  trustAnchorArn: { pattern: new RegExp(String.raw`^arn:(aws[a-z-]*):rolesanywhere:${REGION}:(\d{12}):trust-anchor\/${RESOURCE_ID}$`), example: 'arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/<uuid>' },
  profileArn: { pattern: new RegExp(String.raw`^arn:(aws[a-z-]*):rolesanywhere:${REGION}:(\d{12}):profile\/${RESOURCE_ID}$`), example: 'arn:aws:rolesanywhere:us-east-1:123456789012:profile/<uuid>' },
  roleArn: { pattern: /^arn:(aws[a-z-]*):iam::(\d{12}):role\/((?:[\x21-\x7e]+\/)*)([\w+=,.@-]{1,64})$/, example: 'arn:aws:iam::123456789012:role/deployer' },
} as const;

function parseArn(field: keyof typeof ARN_PATTERNS, value: unknown): Arn {
  const { pattern, example } = ARN_PATTERNS[field];
  const match = typeof value === 'string' ? pattern.exec(value) : null;
  if (!match) {
    throw new AttestGateError({ where: WHERE, field, value, problem: 'is not a valid ARN of its kind', fix: `pass the full ARN, e.g. ${example}` });
  }
  return field === 'roleArn' ? { partition: match[1], region: '', account: match[2] } : { partition: match[1], region: match[2], account: match[3] };
}

/** What one CreateSession call is signed with. */
interface SigningMaterial {
  readonly certificate: Buffer;
  readonly privateKey: crypto.KeyObject;
  readonly intermediates: Buffer[];
}

/**
 * An AWS SDK v3 credential provider that exchanges an X.509 certificate and its private key for
 * temporary credentials through IAM Roles Anywhere CreateSession, as the credential helper does.
 *
 * Options are checked now (ARNs, regions, endpoint, that the key belongs to the certificate);
 * credentials are cached until five minutes before they expire, and concurrent callers share one
 * request. Pass `{ forceRefresh: true }` to fetch anew.
 *
 * @throws AttestGateError for bad options
 */
export function fromRolesAnywhere(options: FromRolesAnywhereOptions): AwsCredentialIdentityProvider {
  const anchor = parseArn('trustAnchorArn', options.trustAnchorArn);
  const profile = parseArn('profileArn', options.profileArn);
  const role = parseArn('roleArn', options.roleArn);
  if (profile.region !== anchor.region) {
    throw new AttestGateError({
      where: WHERE,
      field: 'profileArn',
      value: options.profileArn,
      problem: `is in region ${profile.region} but the trust anchor is in ${anchor.region}; CreateSession is signed for the trust anchor's region`,
      fix: "use a profile in the trust anchor's region",
    });
  }
  for (const [field, arn] of [['profileArn', profile], ['roleArn', role]] as const) {
    if (arn.partition !== anchor.partition) {
      throw new AttestGateError({ where: WHERE, field, value: options[field], problem: `is in partition ${arn.partition} but the trust anchor is in ${anchor.partition}`, fix: "use ARNs of the trust anchor's partition" });
    }
  }
  const region = anchor.region;
  if (options.region !== undefined && options.region !== region) {
    throw new AttestGateError({
      where: WHERE,
      field: 'region',
      value: options.region,
      problem: `differs from the trust anchor's region ${anchor.region}`,
      fix: 'leave region unset or set it to the region of trustAnchorArn',
    });
  }
  const endpoint = endpointOrigin(options.endpoint ?? `https://rolesanywhere.${region}.${anchor.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'}`, WHERE);
  const endpointUrl = new URL(endpoint);
  if (endpointUrl.protocol === 'http:' && !LOOPBACK_HOSTS.has(endpointUrl.hostname)) {
    throw new AttestGateError({
      where: WHERE,
      field: 'endpoint',
      value: options.endpoint,
      problem: 'uses plain http to a host other than 127.0.0.1, localhost or [::1]; the certificate and the credentials would cross the network unencrypted',
      fix: 'use https, or http only for a local emulator on the loopback interface',
    });
  }
  const duration = options.durationSeconds;
  if (duration !== undefined && (!Number.isInteger(duration) || duration < MIN_DURATION_SECONDS || duration > MAX_DURATION_SECONDS)) {
    throw new AttestGateError({ where: WHERE, field: 'durationSeconds', value: duration, problem: `is not a whole number from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}`, fix: 'pass a duration CreateSession accepts, or leave it unset to use the profile duration' });
  }
  if (options.roleSessionName !== undefined && !/^[\w+=,.@-]{2,64}$/.test(options.roleSessionName)) {
    throw new AttestGateError({ where: WHERE, field: 'roleSessionName', value: options.roleSessionName, problem: 'is not 2–64 characters of letters, digits and + = , . @ _ -', fix: 'pass a valid session name, or leave it unset to use the certificate serial' });
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new AttestGateError({ where: WHERE, field: 'timeoutMs', value: options.timeoutMs, problem: 'is not a positive whole number of milliseconds', fix: 'pass e.g. 10000' });
  }
  // Read and match the material now so a wrong path or key fails at startup, not at first use.
  loadMaterial(options);

  const refresh = async (): Promise<AwsCredentialIdentity> => {
    const material = loadMaterial(options);
    const request = signCreateSessionRequest({
      ...material,
      region,
      endpoint,
      trustAnchorArn: options.trustAnchorArn,
      profileArn: options.profileArn,
      roleArn: options.roleArn,
      durationSeconds: options.durationSeconds,
      roleSessionName: options.roleSessionName,
      instanceProperties: options.instanceProperties,
      paramsIn: options.paramsIn,
    });
    return parseCreateSessionResponse(await send(request, timeoutMs));
  };

  let cached: AwsCredentialIdentity | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;
  return async (identityProperties?: Record<string, unknown>) => {
    const fresh = cached?.expiration && cached.expiration.getTime() - REFRESH_BEFORE_EXPIRY_MS > Date.now();
    if (fresh && identityProperties?.forceRefresh !== true) return cached!;
    inFlight ??= refresh()
      .then((credentials) => (cached = credentials))
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}

function loadMaterial(options: FromRolesAnywhereOptions): SigningMaterial {
  const certificateInput = oneOf(options, 'certificate', 'certificateFile', true)!;
  const certificates = certificateList(certificateInput, 'certificate');
  const privateKeyInput = oneOf(options, 'privateKey', 'privateKeyFile', true)!;
  const privateKey = privateKeyObject(privateKeyInput, WHERE, options.privateKeyFile !== undefined ? 'privateKeyFile' : 'privateKey');
  const intermediatesInput = oneOf(options, 'intermediates', 'intermediatesFile', false);
  if (certificates.length > 1 && intermediatesInput !== undefined) {
    throw new AttestGateError({
      where: WHERE,
      field: 'intermediates',
      value: `${certificates.length - 1} intermediates in the certificate PEM and more in intermediates`,
      problem: 'gives the chain twice',
      fix: 'put the intermediates either after the leaf in the certificate PEM or in intermediates, not both',
    });
  }
  const [leaf, ...bundled] = certificates;
  const intermediates =
    intermediatesInput === undefined
      ? bundled
      : Array.isArray(intermediatesInput)
        ? intermediatesInput.map((der: Uint8Array) => Buffer.from(der))
        : certificateList(intermediatesInput as string | Uint8Array, 'intermediates');
  if (intermediates.length > MAX_INTERMEDIATES) {
    throw new AttestGateError({ where: WHERE, field: 'intermediates', value: `${intermediates.length} certificates`, problem: `is more than the ${MAX_INTERMEDIATES} Roles Anywhere accepts`, fix: 'send only the intermediates between the leaf and the trust anchor CA' });
  }
  intermediates.forEach((der, index) => readCertificate(der, WHERE, `intermediates[${index}]`));

  const certificatePublicKey = crypto.createPublicKey({ key: readCertificate(leaf, WHERE, 'certificate').publicKeySpki, format: 'der', type: 'spki' });
  if (!samePublicKey(crypto.createPublicKey(privateKey), certificatePublicKey)) {
    throw new AttestGateError({
      where: WHERE,
      field: options.privateKeyFile !== undefined ? 'privateKeyFile' : 'privateKey',
      value: options.privateKeyFile ?? `${privateKey.asymmetricKeyType} private key`,
      problem: `does not belong to the certificate (its public key is a different ${certificatePublicKey.asymmetricKeyType} key)`,
      fix: 'pass the private key the certificate was issued for',
    });
  }
  return { certificate: leaf, privateKey, intermediates };
}

/**
 * Whether two public keys are the same key, compared by their JWK members (RSA n and e, EC curve
 * and point), which do not depend on how the certificate encoded the key.
 *
 * Not KeyObject.equals: on Node 20 comparing keys of different types leaves an OpenSSL error
 * queued ("different key types"), and the next createPrivateKey call fails with it.
 */
function samePublicKey(a: crypto.KeyObject, b: crypto.KeyObject): boolean {
  if (a.asymmetricKeyType !== b.asymmetricKeyType) return false;
  const [ja, jb] = [a.export({ format: 'jwk' }), b.export({ format: 'jwk' })];
  return ja.kty === jb.kty && ja.crv === jb.crv && ja.x === jb.x && ja.y === jb.y && ja.n === jb.n && ja.e === jb.e;
}

/** The value of exactly one of an inline option and its file option; file contents are read now. */
function oneOf<K extends 'certificate' | 'privateKey' | 'intermediates', F extends `${K}File`>(
  options: FromRolesAnywhereOptions,
  inline: K,
  file: F,
  required: boolean,
): FromRolesAnywhereOptions[K] | Buffer | undefined {
  const inlineValue = options[inline];
  const path = (options as unknown as Record<string, unknown>)[file];
  if (inlineValue !== undefined && path !== undefined) {
    throw new AttestGateError({ where: WHERE, field: file, value: path, problem: `is given together with ${inline}`, fix: `give either ${inline} or ${file}` });
  }
  if (path !== undefined) {
    if (typeof path !== 'string' || path.length === 0) {
      throw new AttestGateError({ where: WHERE, field: file, value: path, problem: 'is not a file path', fix: `pass the path of the ${inline} file` });
    }
    try {
      return fs.readFileSync(path);
    } catch (error) {
      throw new AttestGateError({ where: WHERE, field: file, value: path, problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, fix: 'pass the path of a readable file' });
    }
  }
  if (inlineValue === undefined && required) {
    throw new AttestGateError({ where: WHERE, field: inline, value: undefined, problem: 'is missing', fix: `give ${inline} (PEM) or ${file} (a path)` });
  }
  return inlineValue;
}

/** Certificates from PEM (one or more blocks) or a single DER certificate. */
function certificateList(input: string | Uint8Array, field: string): Buffer[] {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  if (text.trimStart().startsWith('-----BEGIN ') || typeof input === 'string') {
    const blocks = pemBlocks(text, 'CERTIFICATE');
    if (blocks.length === 0) {
      throw new AttestGateError({ where: WHERE, field, value: text.slice(0, 40), problem: 'holds no PEM CERTIFICATE block', fix: 'pass PEM certificates (-----BEGIN CERTIFICATE-----)' });
    }
    return blocks;
  }
  return [certificateDer(input, WHERE, field)];
}

/** An HTTP answer to CreateSession, as read off the wire. */
export interface CreateSessionHttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function send(request: SignedCreateSessionRequest, timeoutMs: number): Promise<CreateSessionHttpAnswer> {
  const url = new URL(request.url);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: request.method,
        headers: { ...request.headers, 'Content-Length': String(Buffer.byteLength(request.body)) },
        timeout: timeoutMs,
        ...(url.protocol === 'https:' ? { minVersion: 'TLSv1.2' as const } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            res.destroy();
            reject(new CreateSessionError({ status: res.statusCode, code: 'InvalidResponse', message: `CreateSession answered with more than ${MAX_RESPONSE_BYTES} bytes` }));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => reject(new CreateSessionError({ status: res.statusCode, code: 'NetworkError', message: `CreateSession response failed: ${error.message}`, cause: error })));
      },
    );
    req.on('timeout', () => {
      req.destroy(new CreateSessionError({ status: undefined, code: 'TimeoutError', message: `CreateSession to ${url.origin} did not answer within ${timeoutMs} ms` }));
    });
    req.on('error', (error) => {
      reject(error instanceof CreateSessionError ? error : new CreateSessionError({ status: undefined, code: 'NetworkError', message: `CreateSession to ${url.origin} failed: ${error.message}`, cause: error }));
    });
    req.end(request.body);
  });
}

/** Reads a CreateSession answer: credentials from a 2xx, a CreateSessionError from anything else. */
export function parseCreateSessionResponse(answer: CreateSessionHttpAnswer): AwsCredentialIdentity {
  const requestId = headerValue(answer.headers['x-amzn-requestid']);
  let json: unknown;
  try {
    json = answer.body.length > 0 ? JSON.parse(answer.body) : undefined;
  } catch {
    json = undefined;
  }
  if (answer.status < 200 || answer.status >= 300) {
    const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    const message = [body.message, body.Message].find((m): m is string => typeof m === 'string') ?? `HTTP ${answer.status} with no error message`;
    const code = errorCode(headerValue(answer.headers['x-amzn-errortype'])) ?? errorCode(typeof body.__type === 'string' ? body.__type : typeof body.code === 'string' ? body.code : undefined) ?? 'UnknownError';
    throw new CreateSessionError({ status: answer.status, code, message, requestId });
  }
  const invalid = (what: string): never => {
    throw new CreateSessionError({ status: answer.status, code: 'InvalidResponse', message: `CreateSession answered HTTP ${answer.status} but ${what}`, requestId });
  };
  const set = (json as { credentialSet?: unknown } | undefined)?.credentialSet;
  if (!Array.isArray(set) || set.length === 0) invalid('with no credentialSet');
  const credentials = (set as Array<{ credentials?: Record<string, unknown> }>)[0]?.credentials;
  if (typeof credentials !== 'object' || credentials === null) invalid('credentialSet[0] has no credentials');
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = credentials as Record<string, unknown>;
  for (const [name, value] of Object.entries({ accessKeyId, secretAccessKey, sessionToken, expiration })) {
    if (typeof value !== 'string' || value.length === 0) invalid(`credentials.${name} is missing`);
  }
  const expires = new Date(expiration as string);
  if (Number.isNaN(expires.getTime())) invalid(`credentials.expiration ${JSON.stringify(expiration)} is not a timestamp`);
  return { accessKeyId: accessKeyId as string, secretAccessKey: secretAccessKey as string, sessionToken: sessionToken as string, expiration: expires };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `AccessDeniedException:http://internal.amazon.com/...` or `com.amazonaws.rolesanywhere#AccessDeniedException` → `AccessDeniedException`. */
function errorCode(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const code = raw.split(':')[0].split('#').pop()!.trim();
  return code.length > 0 ? code : undefined;
}
