import * as crypto from 'node:crypto';
import { DistinguishedName } from '../../../lib/core/distinguished-name';
import { RegistrationEntry } from '../../../lib/spiffe/registration-entry';
import { IssuedCertificate, generateKeys, randomSerial, signingAlgorithm, toX509Name } from '../../pki/throwaway-pki';
import { x509 } from '../../pki/x509';

/** SPIRE backdates notBefore by this much for clock skew (credtemplate.NotBeforeCushion). */
export const NOT_BEFORE_CUSHION_MS = 10_000;

export interface IssuedX509Svid {
  readonly der: Buffer;
  /** PKCS#8 DER, as the Workload API sends it. */
  readonly privateKeyPkcs8: Buffer;
  readonly notAfter: Date;
}

/**
 * An X.509-SVID for an entry, built as SPIRE's credential template builds a workload SVID: a new
 * EC P-256 key (the agent's default workload key type); the configured subject with the entry's
 * first DNS name as CN; the SPIFFE ID as the only URI SAN, then the DNS names; CA:FALSE;
 * digitalSignature, keyEncipherment and keyAgreement; serverAuth and clientAuth; subject and
 * authority key IDs; notBefore 10 s back; notAfter the TTL later, capped at the CA's notAfter.
 */
export async function issueX509Svid(input: {
  readonly authority: IssuedCertificate;
  readonly entry: RegistrationEntry;
  readonly subject: DistinguishedName;
  readonly ttlSeconds: number;
  readonly now: Date;
}): Promise<IssuedX509Svid> {
  const { authority, entry } = input;
  const keys = await generateKeys('EC-P256');
  const subject: DistinguishedName = entry.dnsNames.length > 0 ? { ...input.subject, CN: entry.dnsNames[0] } : input.subject;
  const notAfter = new Date(Math.min(input.now.getTime() + input.ttlSeconds * 1000, authority.certificate.notAfter.getTime()));
  // SPIRE cannot sign with an expired CA either; an SVID that is born expired would also be "rotated" forever.
  if (notAfter.getTime() <= input.now.getTime()) throw new Error(`the signing CA expired at ${authority.certificate.notAfter.toISOString()}`);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: toX509Name(subject),
    issuer: authority.certificate.subjectName,
    notBefore: new Date(input.now.getTime() - NOT_BEFORE_CUSHION_MS),
    notAfter,
    publicKey: keys.publicKey,
    signingKey: authority.keys.privateKey,
    signingAlgorithm: signingAlgorithm(authority.keyAlgorithm),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(authority.keys.publicKey),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: entry.spiffeId }, ...entry.dnsNames.map((value) => ({ type: 'dns' as const, value }))]),
    ],
  });
  const pkcs8 = Buffer.from(await (crypto.webcrypto as unknown as Crypto).subtle.exportKey('pkcs8', keys.privateKey));
  return { der: Buffer.from(certificate.rawData), privateKeyPkcs8: pkcs8, notAfter };
}
