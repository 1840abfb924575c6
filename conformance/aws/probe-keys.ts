import * as crypto from 'node:crypto';
import { DistinguishedName } from '../../lib/core/distinguished-name';
import { CertificateIssuer, encodeName, keyIdentifierOf, writeCertificate } from '../pki/certificate-writer';
import { SigningCa } from '../pki/signing-ca';
import { spkiOf } from '../pki/spki';
import { toPem } from '../../lib/core/pki/pem';

/**
 * The keys a run's probe certificates are minted with: one P-256 key pair per *mutation* (the
 * credential's last ID part: `control`, `wrong-cn`, `revoked-<serial>`…), generated once per run
 * on libuv's pool and reused by that mutation's certificate on every gate; and one rogue CA per
 * real signing CA.
 *
 * A fresh key per certificate cost a key generation (~80 µs of CPU) and, on the emulator, a key
 * import per certificate (~0.1 ms): at 100 gates, 1,300 of each. What the checks need of keys is
 * kept:
 * - Within a gate every certificate has its own key, as before: no mutation shares a key with
 *   its gate's control or with another mutation.
 * - The control's key is never a mutation's, on any gate: a gate that would honour a key it has
 *   seen succeed cannot make a mutation pass or fail by it.
 * - `mismatched-key` signs with its own key, never the control's whose certificate it presents
 *   (AGC-AWS-012's meaning).
 * - A revoked certificate is keyed by its serial and carries it; expiry, CN, SAN, usage and
 *   hash mutations change the certificate, which is minted per gate as before.
 * What is shared is a mutation's key between gates. CreateSession's documented validation
 * (reference/aws-rolesanywhere.md §3.3) judges a request by its own signature, the certificate
 * and its chain to an anchor, the role's trust policy, CRLs and the profile; nothing documented
 * keeps state about keys between requests, so a gate's answer to a mutation does not depend on
 * another gate having been sent the same key. Keys are new every run.
 */
export class ProbeKeys {
  private readonly leafKeys = new Map<string, Promise<ProbeKey>>();
  private readonly rogueCas = new Map<SigningCa, Promise<RogueCa>>();

  /** The key pair of a mutation (`MUTATION.*`, `revokedMutation(serial)`…): the same one for every gate of the run. */
  public leafKey(mutation: string): Promise<ProbeKey> {
    let key = this.leafKeys.get(mutation);
    if (!key) this.leafKeys.set(mutation, (key = generateProbeKey()));
    return key;
  }

  /**
   * A self-signed CA named like `real`, with its own key: the rogue CA of AGC-AWS-002 (its subject
   * DN identical to the real one), one per run and real CA, as the attacker's CA of AGC-AWS-015 is.
   */
  public rogueCaNamedLike(real: SigningCa): Promise<RogueCa> {
    let rogue = this.rogueCas.get(real);
    if (!rogue) this.rogueCas.set(real, (rogue = newRogueCa(real)));
    return rogue;
  }
}

/** A new CA with `real`'s subject DN and a key of its own, minted on libuv's pool (each call a distinct CA). */
export function newRogueCa(real: SigningCa): Promise<RogueCa> {
  return generateProbeKey().then((keys) => rogueCaOf(real, keys));
}

/** A P-256 key pair with its SubjectPublicKeyInfo, written once. */
export interface ProbeKey {
  readonly privateKey: crypto.KeyObject;
  readonly publicKey: crypto.KeyObject;
  readonly spki: Buffer;
}

/** A CA an attacker controls: its certificate (PEM) and what signs with it. */
export interface RogueCa {
  readonly pem: string;
  readonly issuer: CertificateIssuer;
}

/** A fresh P-256 key pair, generated on libuv's thread pool (off the prober's event loop). */
export function generateProbeKey(): Promise<ProbeKey> {
  return new Promise((resolve, reject) =>
    crypto.generateKeyPair('ec', { namedCurve: 'P-256' }, (error, publicKey, privateKey) => (error ? reject(error) : resolve({ publicKey, privateKey, spki: spkiOf(publicKey) }))),
  );
}

const DAY = 86_400_000;

/** A self-signed CA with `real`'s subject DN and the given key. */
export function rogueCaOf(real: SigningCa, keys: ProbeKey): RogueCa {
  const now = Date.now();
  const subject = real.certificate.subject.attributes as DistinguishedName;
  const der = writeCertificate({
    selfSigningKey: keys.privateKey,
    publicKey: keys.publicKey,
    subject,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    ca: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  return { pem: toPem(der, 'CERTIFICATE'), issuer: { name: encodeName(subject), privateKey: keys.privateKey, keyIdentifier: keyIdentifierOf(keys.spki) } };
}
