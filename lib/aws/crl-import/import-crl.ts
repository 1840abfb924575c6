import { Certificate, parseCertificate } from '../../core/pki/certificate';
import { Crl, parseCrl } from '../../core/pki/crl';
import { sameName } from '../../core/pki/name';
import { pemBlocks, pemLabels, toPem } from '../../core/pki/pem';
import { isWeakHash, sha256Hex, verifySignedDer } from '../../core/pki/signature';

/**
 * The decision of one CRL import run, free of I/O: every effect (fetching the published CRL,
 * reading the trust anchor and the CRL Roles Anywhere holds, UpdateCrl, the clock, metrics) is an
 * injected dependency, so each outcome is tested with real CRLs and a fake Roles Anywhere.
 *
 * A CRL is imported only when all of these hold; otherwise the CRL Roles Anywhere holds stays:
 * - it parses (PEM `X509 CRL` or DER) and fits UpdateCrl's 300 000-byte limit as PEM;
 * - it is signed — signature verified, never matched by name — by a CA certificate the trust
 *   anchor holds now, with SHA-256 or stronger, and its issuer is that CA's subject;
 * - it does not go backwards: against the CRL held now (when that one is genuine — signed by a CA
 *   of the anchor — and from the same issuer) its thisUpdate is not older and its CRL number
 *   grows. A replayed older CRL would un-revoke every certificate revoked since.
 * A CRL past its nextUpdate is still imported when it is newer than the one held (it revokes at
 * least as much); the SecondsToNextUpdate metric goes negative and its alarm fires.
 */

/** UpdateCrl's limit on crlData (a blob, so bytes): the PEM text sent. Equal to TrustAnchorCrl's. */
export const MAX_CRL_DATA_BYTES = 300_000;

/** How far in the future a thisUpdate may lie (CA clock skew) before the CRL is refused. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 300;

/** How a dependency failed; the import is retried at the next run. */
export type DependencyFailureKind = 'unreachable' | 'throttled' | 'denied' | 'not-found' | 'invalid-response' | 'too-large' | 'error';

/** What a dependency throws when it cannot do its job. */
export class CrlImportDependencyError extends Error {
  constructor(
    public readonly kind: DependencyFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'CrlImportDependencyError';
  }
}

/** Why a fetched CRL was refused. Each is a value of the `Reason` dimension of `ImportRejected`. */
export type RejectionReason =
  | 'unparseable'
  | 'oversize'
  | 'unsupported-signature'
  | 'weak-signature'
  | 'bad-signature'
  | 'issuer-mismatch'
  | 'issuer-changed'
  | 'this-update-in-future'
  | 'older-this-update'
  | 'crl-number-not-increasing'
  | 'crl-number-missing'
  | 'not-newer';

/** The step that failed: `<step>-<kind>` is the `Reason` dimension of `ImportFailed`. */
export type FailedStep = 'source' | 'trust-anchor' | 'current-crl' | 'update';

/** The metrics a run emits (namespace attestgate/CrlImport). */
export type CrlImportMetricName = 'ImportSucceeded' | 'CrlUpdated' | 'ImportRejected' | 'ImportFailed' | 'CrlAgeSeconds' | 'SecondsToNextUpdate';

export interface CrlImportMetric {
  readonly name: CrlImportMetricName;
  readonly value: number;
  readonly unit: 'Count' | 'Seconds';
  /** For ImportRejected and ImportFailed: why. */
  readonly reason?: string;
}

export interface CrlImportDependencies {
  /** The CRL as published, PEM or DER. Throws CrlImportDependencyError (`too-large` when over the cap). */
  fetchCrl(): Promise<Uint8Array>;
  /** The DER of each CA certificate the trust anchor holds now (GetTrustAnchor, or the ACM PCA's certificate). */
  trustAnchorCaCertificates(): Promise<Uint8Array[]>;
  /** The CRL data Roles Anywhere holds for the CRL being updated (GetCrl), or undefined when it holds none. */
  currentCrl(): Promise<Uint8Array | undefined>;
  /** UpdateCrl on the one fixed CRL, with PEM text. */
  updateCrl(pem: string): Promise<void>;
  now(): Date;
  emitMetric(metric: CrlImportMetric): void;
}

export interface CrlImportOptions {
  /** @default MAX_CRL_DATA_BYTES */
  readonly maxCrlBytes?: number;
  /** @default DEFAULT_CLOCK_SKEW_SECONDS */
  readonly clockSkewSeconds?: number;
}

/** What a log line says of a CRL. */
export interface CrlSummary {
  readonly issuer: string;
  readonly thisUpdate: string;
  readonly nextUpdate?: string;
  readonly crlNumber?: string;
  readonly revokedCount: number;
  readonly sha256: string;
}

/**
 * What the comparison with the held CRL rested on: `verified` (a genuine CRL of the same issuer),
 * `none` (Roles Anywhere held no data), `unreadable` (it held data that does not parse),
 * `untrusted` (a CRL no CA of the anchor signed), `other-issuer` (a CRL of a CA the anchor no
 * longer holds, so its numbering says nothing about the new CA's).
 */
export type Baseline = 'verified' | 'none' | 'unreadable' | 'untrusted' | 'other-issuer';

export type CrlImportOutcome =
  | { readonly status: 'imported'; readonly crl: CrlSummary; readonly replaced?: CrlSummary; readonly baseline: Baseline; readonly stale: boolean }
  | { readonly status: 'unchanged'; readonly crl: CrlSummary; readonly stale: boolean }
  | { readonly status: 'rejected'; readonly reason: RejectionReason; readonly detail: string; readonly held?: CrlSummary }
  | { readonly status: 'failed'; readonly reason: `${FailedStep}-${DependencyFailureKind | 'invalid'}`; readonly detail: string; readonly held?: CrlSummary };

interface ParsedCrl {
  readonly crl: Crl;
  readonly pem: string;
}

class Rejection extends Error {
  constructor(
    public readonly reason: RejectionReason,
    detail: string,
  ) {
    super(detail);
  }
}

class StepFailure extends Error {
  constructor(
    public readonly reason: `${FailedStep}-${DependencyFailureKind | 'invalid'}`,
    detail: string,
  ) {
    super(detail);
  }
}

/** Runs a dependency, turning whatever it throws into a StepFailure of that step. */
async function step<T>(name: FailedStep, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof Rejection || e instanceof StepFailure) throw e;
    const kind: DependencyFailureKind = e instanceof CrlImportDependencyError ? e.kind : 'error';
    throw new StepFailure(`${name}-${kind}`, (e as Error).message ?? String(e));
  }
}

export function summarize(crl: Crl): CrlSummary {
  return {
    issuer: crl.issuer.text,
    thisUpdate: crl.thisUpdate.toISOString(),
    nextUpdate: crl.nextUpdate?.toISOString(),
    crlNumber: crl.crlNumber?.toString(),
    revokedCount: crl.revokedSerials.length,
    sha256: sha256Hex(crl.der),
  };
}

const PEM_START = /^\s*-----BEGIN /;

/** Reads CRL bytes (PEM text or DER) into a parsed CRL and its PEM. Throws a Rejection. */
export function readCrlData(data: Uint8Array, maxBytes: number): ParsedCrl {
  if (data.length > maxBytes) throw new Rejection('oversize', `${data.length} bytes exceed the ${maxBytes} UpdateCrl accepts`);
  const asText = Buffer.from(data).toString('latin1');
  let der: Buffer;
  if (PEM_START.test(asText)) {
    const labels = pemLabels(asText);
    const blocks = pemBlocks(asText, 'X509 CRL');
    if (blocks.length !== 1 || labels.length !== 1) {
      throw new Rejection('unparseable', `the PEM holds ${labels.length === 0 ? 'no block' : labels.join(', ')}; exactly one X509 CRL is expected`);
    }
    der = blocks[0];
  } else {
    der = Buffer.from(data);
  }
  let crl: Crl;
  try {
    crl = parseCrl(der);
  } catch (e) {
    throw new Rejection('unparseable', `not a CRL: ${(e as Error).message}`);
  }
  const pem = toPem(crl.der, 'X509 CRL');
  if (pem.length > maxBytes) throw new Rejection('oversize', `${pem.length} bytes of PEM exceed the ${maxBytes} UpdateCrl accepts`);
  return { crl, pem };
}

/** Reads the held CRL without judging it: undefined when it does not parse. */
function readHeld(data: Uint8Array): Crl | undefined {
  try {
    return readCrlData(data, Number.MAX_SAFE_INTEGER).crl;
  } catch {
    return undefined;
  }
}

/** One import run. Never throws: every outcome is returned, and reported as metrics. */
export async function importCrl(deps: CrlImportDependencies, options: CrlImportOptions = {}): Promise<CrlImportOutcome> {
  const maxBytes = options.maxCrlBytes ?? MAX_CRL_DATA_BYTES;
  const skewMs = (options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1000;
  const now = deps.now();
  let held: Crl | undefined;
  let outcome: CrlImportOutcome;
  try {
    const heldData = await step('current-crl', () => deps.currentCrl());
    held = heldData === undefined || heldData.length === 0 ? undefined : readHeld(heldData);
    const heldState: Baseline = heldData === undefined || heldData.length === 0 ? 'none' : held === undefined ? 'unreadable' : 'verified';

    const fetched = await fetchSource(deps);
    const { crl, pem } = readCrlData(fetched, maxBytes);
    if (crl.signatureHash === undefined) throw new Rejection('unsupported-signature', `signature algorithm ${crl.signatureAlgorithmOid} cannot be verified`);
    if (isWeakHash(crl.signatureHash)) throw new Rejection('weak-signature', `signed with ${crl.signatureHash}; SHA-256 or stronger is required`);

    const cas = await caCertificates(deps);
    const signer = cas.find((ca) => verifySignedDer(crl.der, ca.publicKeySpki));
    if (signer === undefined) {
      throw new Rejection('bad-signature', `not signed by any CA of the trust anchor (${cas.map((c) => c.subject.text).join('; ')})`);
    }
    if (!sameName(crl.issuer, signer.subject)) {
      throw new Rejection('issuer-mismatch', `issuer "${crl.issuer.text}" is not its signer "${signer.subject.text}"`);
    }
    if (crl.thisUpdate.getTime() > now.getTime() + skewMs) {
      throw new Rejection('this-update-in-future', `thisUpdate ${crl.thisUpdate.toISOString()} is after ${now.toISOString()}`);
    }

    const stale = crl.nextUpdate !== undefined && crl.nextUpdate.getTime() <= now.getTime();
    if (held !== undefined && held.der.equals(crl.der)) {
      outcome = { status: 'unchanged', crl: summarize(crl), stale };
    } else {
      const baseline = held === undefined ? heldState : judgeHeld(held, crl, cas);
      await step('update', () => deps.updateCrl(pem));
      outcome = { status: 'imported', crl: summarize(crl), replaced: held && summarize(held), baseline, stale };
      held = crl;
    }
  } catch (e) {
    if (e instanceof Rejection) {
      outcome = { status: 'rejected', reason: e.reason, detail: e.message, held: held && summarize(held) };
    } else if (e instanceof StepFailure) {
      outcome = { status: 'failed', reason: e.reason, detail: e.message, held: held && summarize(held) };
    } else {
      throw e;
    }
  }
  report(deps, outcome, held, now);
  return outcome;
}

async function fetchSource(deps: CrlImportDependencies): Promise<Uint8Array> {
  try {
    return await step('source', () => deps.fetchCrl());
  } catch (e) {
    // A download cut off at the cap is the CRL's fault, not the source's.
    if (e instanceof StepFailure && e.reason === 'source-too-large') throw new Rejection('oversize', e.message);
    throw e;
  }
}

async function caCertificates(deps: CrlImportDependencies): Promise<Certificate[]> {
  const ders = await step('trust-anchor', () => deps.trustAnchorCaCertificates());
  if (ders.length === 0) throw new StepFailure('trust-anchor-invalid', 'the trust anchor holds no CA certificate');
  return ders.map((der, i) => {
    try {
      return parseCertificate(der);
    } catch (e) {
      throw new StepFailure('trust-anchor-invalid', `CA certificate #${i + 1} of the trust anchor does not parse: ${(e as Error).message}`);
    }
  });
}

/**
 * Compares the new CRL with the one held. Only a genuine held CRL of the same issuer is a
 * baseline: a forged one (imported by someone else) must not freeze revocation by claiming a
 * far-future thisUpdate, and another CA's numbering says nothing about this one's.
 */
function judgeHeld(held: Crl, crl: Crl, cas: readonly Certificate[]): Baseline {
  const heldSigner = cas.find((ca) => verifySignedDer(held.der, ca.publicKeySpki) && sameName(held.issuer, ca.subject));
  if (heldSigner === undefined) {
    return cas.some((ca) => sameName(held.issuer, ca.subject)) ? 'untrusted' : 'other-issuer';
  }
  if (!sameName(held.issuer, crl.issuer)) {
    throw new Rejection('issuer-changed', `issuer "${crl.issuer.text}" differs from the held CRL's "${held.issuer.text}", whose CA the trust anchor still holds`);
  }
  if (crl.thisUpdate.getTime() < held.thisUpdate.getTime()) {
    throw new Rejection('older-this-update', `thisUpdate ${crl.thisUpdate.toISOString()} is older than the held CRL's ${held.thisUpdate.toISOString()}`);
  }
  if (held.crlNumber !== undefined) {
    if (crl.crlNumber === undefined) throw new Rejection('crl-number-missing', `the held CRL has number ${held.crlNumber}; this one has none`);
    if (crl.crlNumber <= held.crlNumber) {
      throw new Rejection('crl-number-not-increasing', `CRL number ${crl.crlNumber} is not greater than the held CRL's ${held.crlNumber}`);
    }
  } else if (crl.thisUpdate.getTime() === held.thisUpdate.getTime()) {
    throw new Rejection('not-newer', `same thisUpdate ${crl.thisUpdate.toISOString()} as the held CRL, different content, and no CRL number to order them`);
  }
  return 'verified';
}

/** The metrics of a run; the age metrics describe the CRL Roles Anywhere holds after it. */
function report(deps: CrlImportDependencies, outcome: CrlImportOutcome, holding: Crl | undefined, now: Date): void {
  const succeeded = outcome.status === 'imported' || outcome.status === 'unchanged';
  deps.emitMetric({ name: 'ImportSucceeded', value: succeeded ? 1 : 0, unit: 'Count' });
  if (succeeded) deps.emitMetric({ name: 'CrlUpdated', value: outcome.status === 'imported' ? 1 : 0, unit: 'Count' });
  if (outcome.status === 'rejected') deps.emitMetric({ name: 'ImportRejected', value: 1, unit: 'Count', reason: outcome.reason });
  if (outcome.status === 'failed') deps.emitMetric({ name: 'ImportFailed', value: 1, unit: 'Count', reason: outcome.reason });
  if (holding !== undefined) {
    deps.emitMetric({ name: 'CrlAgeSeconds', value: Math.round((now.getTime() - holding.thisUpdate.getTime()) / 1000), unit: 'Seconds' });
    if (holding.nextUpdate !== undefined) {
      deps.emitMetric({ name: 'SecondsToNextUpdate', value: Math.round((holding.nextUpdate.getTime() - now.getTime()) / 1000), unit: 'Seconds' });
    }
  }
}
