import { x509 } from '../../pki/x509';
import { createCa, generateKeys, privateKeyPem, randomSerial } from '../../pki/throwaway-pki';

/**
 * The emulator's TLS material, made fresh at every start: a test CA and a server certificate for
 * 127.0.0.1. MSAL refuses an authority that is not https, so the Entra emulator needs TLS; clients
 * trust the CA in-process (`ca`) or, for a child process, through `NODE_EXTRA_CA_CERTS` set before
 * Node starts. The SAN is the IP address: `https://localhost` did not work with @azure/identity
 * here (reference/tooling.md §8), 127.0.0.1 did.
 */
export interface ServerTls {
  /** The test CA certificate, PEM: what clients must trust. */
  readonly caPem: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

const HOUR = 3_600_000;

export async function createServerTls(now: Date = new Date()): Promise<ServerTls> {
  const ca = await createCa({
    subject: { CN: 'attestgate emulator test CA', O: 'attestgate' },
    notBefore: new Date(now.getTime() - HOUR),
    notAfter: new Date(now.getTime() + 7 * 24 * HOUR),
    pathLength: 0,
  });
  const keys = await generateKeys('EC-P256');
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: 'CN=127.0.0.1',
    issuer: ca.certificate.subjectName,
    notBefore: new Date(now.getTime() - HOUR),
    notAfter: new Date(now.getTime() + 7 * 24 * HOUR),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  return { caPem: ca.pem, certificatePem: certificate.toString('pem'), privateKeyPem: await privateKeyPem(keys) };
}
