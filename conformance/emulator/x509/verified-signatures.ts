import * as crypto from 'node:crypto';
import { splitSigned } from '../../../lib/core/pki/der';
import { isWeakHash, signatureAlgorithm } from '../../../lib/core/pki/signature';
import { publicKeyOfSpki } from '../../pki/spki';

/**
 * Whether a certificate (or CRL) on a Roles Anywhere path may be signed with this algorithm:
 * RSA PKCS#1 v1.5 and ECDSA, with SHA-256 or stronger (reference/aws-rolesanywhere.md §2.1, §3.3:
 * "SHA-256+ signature (MD5/SHA-1 rejected)", keys RSA, EC, ML-DSA) — the algorithms attestgate
 * knows (lib/core/pki/signature.ts) less the weak hashes and the pure signatures (Ed25519, which
 * Roles Anywhere does not list). RSA-PSS is not among them. ML-DSA is listed but node:crypto on
 * Node 20 cannot verify it: such a path is refused (docs/emulator.md, divergences).
 */
export function acceptedSignatureAlgorithm(oid: string): boolean {
  const algorithm = signatureAlgorithm(oid);
  return algorithm !== undefined && algorithm.hash !== null && !isWeakHash(algorithm.hash);
}

/** Entries kept per memo before it starts over: a run of 100 gates uses a few thousand. */
const MAX_ENTRIES = 20_000;

/**
 * Memos of the two steps of checking a signature that depend on nothing but bytes: importing a
 * public key (from SPKI DER ~0.3 ms for a P-256 key on Node 20, more than the verification
 * itself; conformance/pki/spki.ts halves it) and the verdict of verifying signed DER with a given key.
 *
 * Why the cache key is sound: both are pure functions of their inputs. A key object is
 * determined by its SPKI bytes. A verdict is determined by the SPKI bytes and the signed DER
 * bytes (to-be-signed part, algorithm and signature all inside it); the memo key is a SHA-256
 * over the SPKI followed by the signed DER, and the SPKI is self-delimiting DER, so no two
 * different pairs concatenate to the same input. Nothing that changes over time — validity at
 * the request time, revocation, an anchor's configuration — is in these memos: the path
 * validator and the emulator evaluate those on every request. A changed certificate is other
 * bytes, hence another key.
 */
export class VerifiedSignatures {
  private readonly keys = new Map<string, crypto.KeyObject | null>();
  private readonly verdicts = new Map<string, boolean>();

  /** The public key of SPKI bytes, or undefined when they are not a key node:crypto reads. */
  public publicKey(spki: Uint8Array): crypto.KeyObject | undefined {
    const id = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('base64');
    let key = this.keys.get(id);
    if (key === undefined) {
      key = publicKeyOfSpki(spki) ?? null;
      remember(this.keys, id, key);
    }
    return key ?? undefined;
  }

  /**
   * Whether `signedDer` (a certificate or CRL) carries a valid signature by the key `issuerSpki`,
   * as lib/core's verifySignedDer judges it (any algorithm node:crypto verifies): which
   * algorithms a path or a CRL may use is the caller's policy (acceptedSignatureAlgorithm).
   * False for an unknown algorithm, a key of the wrong type, or bytes that are not signed DER.
   */
  public verifies(signedDer: Uint8Array, issuerSpki: Uint8Array): boolean {
    const id = crypto.createHash('sha256').update(issuerSpki).update(signedDer).digest('base64');
    let verdict = this.verdicts.get(id);
    if (verdict === undefined) {
      verdict = this.verify(signedDer, issuerSpki);
      remember(this.verdicts, id, verdict);
    }
    return verdict;
  }

  private verify(signedDer: Uint8Array, issuerSpki: Uint8Array): boolean {
    let parts: ReturnType<typeof splitSigned>;
    try {
      parts = splitSigned(signedDer);
    } catch {
      return false;
    }
    const algorithm = signatureAlgorithm(parts.algorithmOid);
    const key = this.publicKey(issuerSpki);
    if (!algorithm || !key) return false;
    try {
      return crypto.verify(algorithm.hash, parts.tbs, { key, dsaEncoding: 'der' }, parts.signature);
    } catch {
      return false;
    }
  }
}

function remember<V>(memo: Map<string, V>, id: string, value: V): void {
  // Starting over keeps memory bounded under a stream of distinct certificates; it costs only
  // the recomputation of what was dropped.
  if (memo.size >= MAX_ENTRIES) memo.clear();
  memo.set(id, value);
}

/** The memos the emulator's servers share: one per process, as the results are facts about bytes. */
export const VERIFIED_SIGNATURES = new VerifiedSignatures();
