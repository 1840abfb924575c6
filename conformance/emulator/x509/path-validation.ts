import { Certificate, KeyUsage } from '../../../lib/core/pki/certificate';
import { sameName } from '../../../lib/core/pki/name';
import { VERIFIED_SIGNATURES, VerifiedSignatures, acceptedSignatureAlgorithm } from './verified-signatures';

/** Why a certificate path does not validate. */
export type PathFailure = 'no-path' | 'validity' | 'not-a-ca' | 'other';

export type PathValidation = { readonly valid: true } | { readonly valid: false; readonly failure: PathFailure; readonly detail: string };

export interface PathInput {
  readonly leaf: Certificate;
  /** Certificates the client sent besides the leaf, in any order (X-Amz-X509-Chain). */
  readonly intermediates: readonly Certificate[];
  /** The CA certificates of the trust anchor. */
  readonly trustAnchors: readonly Certificate[];
  /** Validity of every certificate is judged at this time. */
  readonly at: Date;
  /** A key usage the leaf must assert (Roles Anywhere: digitalSignature); none when absent. */
  readonly leafKeyUsage?: KeyUsage;
  /** @default 5, Roles Anywhere's X-Amz-X509-Chain depth */
  readonly maxIntermediates?: number;
  /** @default the process's memo of keys and signature verdicts */
  readonly signatures?: VerifiedSignatures;
}

/**
 * Extensions this validator understands, so may be critical (RFC 5280 §4.2: a certificate with
 * a critical extension the validator does not process must be rejected). Name constraints,
 * policy constraints, certificate policies and inhibitAnyPolicy are not processed here, so a
 * path where one of them is critical is refused rather than accepted unchecked.
 * Extended key usage is read as information only: Roles Anywhere documents no EKU requirement.
 */
const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.5.29.19', // basicConstraints
  '2.5.29.15', // keyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.37', // extKeyUsage
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
]);

const DEFAULT_MAX_INTERMEDIATES = 5;

type Failure = Extract<PathValidation, { valid: false }>;
const fail = (failure: PathFailure, detail: string): Failure => ({ valid: false, failure, detail });

/**
 * RFC 5280 §6.1 path validation over node:crypto for the emulator, as Roles Anywhere needs it:
 * a path from `leaf` through any of `intermediates` to a CA certificate of the trust anchor,
 * where
 * - each certificate's issuer name is its issuer's subject name (RFC 5280 §7.1 comparison) and
 *   its signature verifies with its issuer's key, with RSA or ECDSA over SHA-256 or stronger;
 * - every certificate, the anchor's included, is valid at `at`;
 * - every issuer is a v3 CA: basicConstraints cA true, keyCertSign when keyUsage is present,
 *   and its pathLenConstraint (the anchor's too) not exceeded by the non-self-issued
 *   intermediates below it;
 * - no certificate carries a critical extension the validator does not process;
 * - the leaf asserts `leafKeyUsage` when one is asked for.
 *
 * The path must end at an anchor certificate itself (compared by DER bytes): a rogue CA with the
 * same subject DN, sent along as an intermediate, does not satisfy it. Paths are built by
 * backtracking, so a rogue intermediate named like a genuine one cannot hide the genuine path,
 * nor lend the rogue leaf one. Revocation is the caller's business (Roles Anywhere checks only
 * imported CRLs, after path validation).
 *
 * Synchronous: keys and signature verdicts are memoized (VerifiedSignatures); everything that
 * depends on `at` is evaluated on every call.
 */
export function validatePath(input: PathInput): PathValidation {
  if (input.trustAnchors.length === 0) return fail('no-path', 'the trust anchor has no CA certificate');
  const signatures = input.signatures ?? VERIFIED_SIGNATURES;
  const paths = buildPaths(input, signatures, input.maxIntermediates ?? DEFAULT_MAX_INTERMEDIATES);
  if (paths.found.length === 0) return paths.refusedAlgorithm ?? fail('no-path', `no certificate path from "${input.leaf.subject.text}" to a CA certificate of the trust anchor`);
  let first: Failure | undefined;
  for (const path of paths.found) {
    const verdict = checkPath(path, input);
    if (verdict.valid) return verdict;
    first ??= verdict;
  }
  return first!;
}

/**
 * Every chain of certificates from the leaf to an anchor certificate in which each link is a
 * name match whose signature verifies: leaf first, anchor last. Shorter paths and anchors come
 * first. A certificate appears at most once in a path.
 */
function buildPaths(input: PathInput, signatures: VerifiedSignatures, maxIntermediates: number): { found: Certificate[][]; refusedAlgorithm?: Failure } {
  const found: Certificate[][] = [];
  let refusedAlgorithm: Failure | undefined;
  const extend = (path: Certificate[]): void => {
    const child = path[path.length - 1];
    const issuedBy = (candidate: Certificate): boolean => {
      if (!sameName(candidate.subject, child.issuer)) return false;
      if (!acceptedSignatureAlgorithm(child.signatureAlgorithmOid)) {
        refusedAlgorithm ??= fail('other', `"${child.subject.text}" is signed with ${child.signatureAlgorithmOid}, an algorithm a Roles Anywhere path may not use`);
        return false;
      }
      return signatures.verifies(child.der, candidate.publicKeySpki);
    };
    for (const anchor of input.trustAnchors) if (issuedBy(anchor)) found.push([...path, anchor]);
    if (path.length - 1 >= maxIntermediates) return;
    for (const candidate of input.intermediates) {
      if (path.some((c) => c.der.equals(candidate.der)) || input.trustAnchors.some((a) => a.der.equals(candidate.der))) continue;
      if (issuedBy(candidate)) extend([...path, candidate]);
    }
  };
  extend([input.leaf]);
  return { found: found.sort((a, b) => a.length - b.length), refusedAlgorithm };
}

/** The checks of one built path (leaf first, anchor last) that signatures alone do not settle. */
function checkPath(path: readonly Certificate[], input: PathInput): PathValidation {
  const at = input.at.getTime();
  for (const cert of path) {
    if (cert.notBefore.getTime() > at) return fail('validity', `"${cert.subject.text}" is not valid before ${cert.notBefore.toISOString()}`);
    if (cert.notAfter.getTime() < at) return fail('validity', `"${cert.subject.text}" expired at ${cert.notAfter.toISOString()}`);
    const unknown = cert.extensions.find((e) => e.critical && !UNDERSTOOD_EXTENSIONS.has(e.oid));
    if (unknown) return fail('other', `"${cert.subject.text}" has a critical extension ${unknown.oid} the validator does not process`);
  }
  // Issuers from the anchor down: RFC 5280 §6.1.4 (k), (l), (m), (n).
  let remaining = Infinity;
  for (let i = path.length - 1; i >= 1; i--) {
    const ca = path[i];
    const isAnchor = i === path.length - 1;
    if (ca.version !== 3 || ca.basicConstraints?.ca !== true) return fail('not-a-ca', `"${ca.subject.text}" issues certificates but is not a CA (basicConstraints cA)`);
    if (ca.keyUsage && !ca.keyUsage.has('keyCertSign')) return fail('not-a-ca', `"${ca.subject.text}" issues certificates but its keyUsage lacks keyCertSign`);
    if (!isAnchor && !sameName(ca.subject, ca.issuer)) {
      if (remaining <= 0) return fail('not-a-ca', `"${ca.subject.text}" is deeper than a pathLenConstraint above it allows`);
      remaining--;
    }
    const pathLength = ca.basicConstraints.pathLength;
    if (pathLength !== undefined && pathLength < remaining) remaining = pathLength;
  }
  if (input.leafKeyUsage && !input.leaf.keyUsage?.has(input.leafKeyUsage)) return fail('other', `the leaf's keyUsage lacks ${input.leafKeyUsage}`);
  return { valid: true };
}
