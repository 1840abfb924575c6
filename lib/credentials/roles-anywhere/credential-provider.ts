import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { AttestGateError } from '../../core/errors';
import { pemBlocks } from '../../core/pki/pem';
import { MAX_INTERMEDIATES, certificateDer, privateKeyObject, readCertificate } from './sign-request';
import { RolesAnywhereSessionOptions, SigningMaterial, rolesAnywhereProvider, rolesAnywhereSettings } from './session-provider';

export { BODY_EXCERPT_CHARS, CreateSessionError, parseCreateSessionResponse } from './create-session-response';
export type { CreateSessionHttpAnswer } from './create-session-response';
export { MAX_DURATION_SECONDS, MIN_DURATION_SECONDS, REFRESH_BEFORE_EXPIRY_MS, STALE_REFRESH_INTERVAL_MS } from './session-provider';
export type { RolesAnywhereSessionOptions, RolesAnywhereWarning } from './session-provider';

export interface FromRolesAnywhereOptions extends RolesAnywhereSessionOptions {
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
}

const WHERE = 'fromRolesAnywhere';

/**
 * An AWS SDK v3 credential provider that exchanges an X.509 certificate and its private key for
 * temporary credentials through IAM Roles Anywhere CreateSession, as the credential helper does.
 *
 * Options are checked now (ARNs, regions, endpoint, that the key belongs to the certificate);
 * credentials are cached until five minutes before they expire, and concurrent callers share one
 * request. Pass `{ forceRefresh: true }` to fetch anew (a forced refresh that fails throws, even
 * with valid credentials cached).
 *
 * Under faults: throttling, 5xx and network errors are retried as AWS SDK clients retry them
 * (maxAttempts, backoff with jitter, Retry-After); each attempt has a deadline for the whole
 * exchange (timeoutMs) and each refresh one for all attempts (totalTimeoutMs). A refresh that
 * fails while the cached credentials are still valid serves them and warns (onWarning). A 2xx
 * with credentials that have already expired is refused.
 *
 * @throws AttestGateError for bad options
 * @returns a provider that rejects with CreateSessionError when CreateSession fails (see its
 *   `code`), or with AttestGateError when a certificate or key file became unreadable
 */
export function fromRolesAnywhere(options: FromRolesAnywhereOptions): AwsCredentialIdentityProvider {
  const settings = rolesAnywhereSettings(options, WHERE);
  // Read and match the material now so a wrong path or key fails at startup, not at first use.
  loadMaterial(options);
  return rolesAnywhereProvider(settings, { load: () => loadMaterial(options) });
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
