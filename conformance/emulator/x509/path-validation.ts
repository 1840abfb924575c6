import * as crypto from 'node:crypto';
import * as pkijs from 'pkijs';

// pkijs needs a WebCrypto engine; node's is complete.
pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: crypto.webcrypto as unknown as Crypto }));

/** Why a certificate path does not validate. */
export type PathFailure = 'no-path' | 'validity' | 'not-a-ca' | 'other';

export type PathValidation = { readonly valid: true } | { readonly valid: false; readonly failure: PathFailure; readonly detail: string };

/** pkijs result codes (CertificateChainValidationEngine) this module distinguishes. */
const VALIDITY = 8;
const NOT_A_CA = 14;
const NO_PATH = 97;
/**
 * pkijs reports a certificate whose issuer is nowhere to be found with a plain Error (code -1)
 * carrying this message; code 97 only when paths were built and none ends at an anchor.
 */
const NO_PATH_MESSAGE = 'No valid certificate paths found';

/**
 * Validates a certification path from `leaf` through `intermediates` to one of `trustAnchors`
 * (RFC 5280, with pkijs): signatures, validity of every certificate at `at`, CA flags and path
 * lengths, name constraints. Revocation is the caller's business (Roles Anywhere checks only
 * imported CRLs, after path validation).
 *
 * pkijs takes the LAST element of `certs` as the end entity, so the leaf goes last (tooling.md §6).
 * The anchor the path ends at is compared by DER bytes, never by name: a rogue CA with the same
 * subject DN must not satisfy it.
 */
export async function validatePath(input: { leaf: Uint8Array; intermediates: readonly Uint8Array[]; trustAnchors: readonly Uint8Array[]; at: Date }): Promise<PathValidation> {
  let leaf: pkijs.Certificate;
  let intermediates: pkijs.Certificate[];
  let anchors: pkijs.Certificate[];
  try {
    leaf = pkijs.Certificate.fromBER(new Uint8Array(input.leaf));
    intermediates = input.intermediates.map((d) => pkijs.Certificate.fromBER(new Uint8Array(d)));
    anchors = input.trustAnchors.map((d) => pkijs.Certificate.fromBER(new Uint8Array(d)));
  } catch (e) {
    return { valid: false, failure: 'other', detail: `a certificate does not parse: ${(e as Error).message}` };
  }
  if (anchors.length === 0) return { valid: false, failure: 'no-path', detail: 'the trust anchor has no CA certificate' };
  const engine = new pkijs.CertificateChainValidationEngine({ trustedCerts: anchors, certs: [...intermediates, leaf], checkDate: input.at });
  let result: pkijs.CertificateChainValidationEngineVerifyResult;
  try {
    result = await engine.verify({ passedWhenNotRevValues: true });
  } catch (e) {
    const error = e as { resultCode?: number; resultMessage?: string; message?: string };
    result = { result: false, resultCode: error.resultCode ?? -1, resultMessage: error.resultMessage ?? error.message ?? String(e) };
  }
  if (!result.result) {
    const failure: PathFailure = result.resultCode === VALIDITY ? 'validity' : result.resultCode === NOT_A_CA ? 'not-a-ca' : result.resultCode === NO_PATH || result.resultMessage === NO_PATH_MESSAGE ? 'no-path' : 'other';
    return { valid: false, failure, detail: `${result.resultMessage} (pkijs code ${result.resultCode})` };
  }
  const path = result.certificatePath ?? [];
  const top = path[path.length - 1];
  const topDer = top ? Buffer.from(top.toSchema().toBER(false)) : undefined;
  if (!topDer || !input.trustAnchors.some((a) => Buffer.from(a).equals(topDer))) {
    return { valid: false, failure: 'no-path', detail: 'the path does not end at a certificate of the trust anchor' };
  }
  return { valid: true };
}
