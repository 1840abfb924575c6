import * as crypto from 'node:crypto';
import { Certificate } from '../../lib/core/pki/certificate';
import { sameName } from '../../lib/core/pki/name';
import { toPem } from '../../lib/core/pki/pem';
import { verifySignedDer } from '../../lib/core/pki/signature';
import { PkiMaterial } from './pki-directory';
import { IssuedCertificate, KeyAlgorithm } from './throwaway-pki';
import { x509 } from './x509';

/** A CA whose key we hold and whose certificates a trust anchor accepts. */
export interface SigningCa {
  readonly certificate: Certificate;
  readonly privateKey: crypto.KeyObject;
  /** Certificates between the signing CA and the anchor, signing CA first; empty when it is an anchor CA. */
  readonly intermediates: readonly Certificate[];
  /** The trust-anchor CA the path ends at. */
  readonly anchor: Certificate;
}

const MAX_INTERMEDIATES = 5;

/**
 * Finds, among `--pki` certificates with keys, a CA the anchor trusts: an anchor CA itself (same
 * public key) or a CA that chains to one through certificates we have, each link checked by
 * signature. Prefers one whose subject has the wanted issuer attributes (the gate may pin them).
 */
export function findSigningCa(anchorCas: readonly Certificate[], pki: PkiMaterial, wantedIssuer: Record<string, string> = {}): SigningCa | undefined {
  const pool = [...pki.entries.map((e) => e.certificate), ...anchorCas];
  const candidates: SigningCa[] = [];
  for (const entry of pki.entries) {
    if (!entry.privateKey || !entry.certificate.basicConstraints?.ca) continue;
    const path: Certificate[] = [];
    let current: Certificate | undefined = entry.certificate;
    let anchor: Certificate | undefined;
    for (let depth = 0; current && depth <= MAX_INTERMEDIATES + 1; depth++) {
      const cert: Certificate = current;
      anchor = anchorCas.find((a) => a.publicKeySpki.equals(cert.publicKeySpki));
      if (anchor) break;
      path.push(cert);
      current = pool.find((p) => p !== cert && sameName(p.subject, cert.issuer) && verifySignedDer(cert.der, p.publicKeySpki));
    }
    if (anchor && path.length <= MAX_INTERMEDIATES) candidates.push({ certificate: entry.certificate, privateKey: entry.privateKey, intermediates: path, anchor });
  }
  const matches = (ca: SigningCa) => Object.entries(wantedIssuer).every(([k, v]) => ca.certificate.subject.attributes[k] === v);
  return candidates.find(matches) ?? candidates[0];
}

/** The key algorithm of a private key, as the test PKI factory names it. */
export function keyAlgorithmOf(key: crypto.KeyObject): KeyAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RSA-2048';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === 'ec' && (curve === 'prime256v1' || curve === 'P-256')) return 'EC-P256';
  if (key.asymmetricKeyType === 'ec' && (curve === 'secp384r1' || curve === 'P-384')) return 'EC-P384';
  throw new Error(`unsupported CA key type ${key.asymmetricKeyType}${curve ? ` (${curve})` : ''}: use RSA, EC P-256 or EC P-384`);
}

/** Adapts a CA read from disk to the test PKI factory, which signs with WebCrypto keys. */
export async function asIssuer(ca: { certificate: Certificate; privateKey: crypto.KeyObject }): Promise<IssuedCertificate> {
  const keyAlgorithm = keyAlgorithmOf(ca.privateKey);
  const algorithm = keyAlgorithm === 'RSA-2048' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: keyAlgorithm === 'EC-P256' ? 'P-256' : 'P-384' };
  const subtle = crypto.webcrypto.subtle;
  const pkcs8 = ca.privateKey.export({ type: 'pkcs8', format: 'der' });
  const privateKey = (await subtle.importKey('pkcs8', pkcs8, algorithm, true, ['sign'])) as unknown as CryptoKey;
  const publicKey = (await subtle.importKey('spki', ca.certificate.publicKeySpki, algorithm, true, ['verify'])) as unknown as CryptoKey;
  return {
    certificate: new x509.X509Certificate(new Uint8Array(ca.certificate.der)),
    keys: { privateKey, publicKey },
    keyAlgorithm,
    der: ca.certificate.der,
    pem: toPem(ca.certificate.der, 'CERTIFICATE'),
  };
}
