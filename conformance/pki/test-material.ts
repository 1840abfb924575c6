import * as fs from 'node:fs';
import * as path from 'node:path';
import { DistinguishedName } from '../../lib/core/distinguished-name';
import { IssuerKey, generateIssuerKey } from '../oidc/issuer-key';
import { IssuedCertificate, createCa, createCrl, privateKeyPem, randomSerial } from './throwaway-pki';

/** The throwaway material of a local run: what `--pki` reads, and what the apps are built from. */
export interface TestMaterial {
  /** For `--pki`: the CA's certificate, key and CRL, and the OIDC issuer's key. */
  readonly pkiDir: string;
  readonly caBundleFile: string;
  readonly crlFile: string;
  /** The issuer's public JWKS, for a provider that trusts an inline JWKS; outside `--pki`, which reads no JSON. */
  readonly jwksFile: string;
  readonly ca: IssuedCertificate;
  readonly issuerKey: IssuerKey;
}

/**
 * Writes a CA (its certificate, key and a CRL revoking one serial, which the revocation probe
 * presents) and an RS256 OIDC issuer key into `dir`, for `npm start` and the consumer tests.
 * Keys are written readable by the owner only. The caller deletes `dir`.
 */
export async function writeTestMaterial(dir: string, caSubject: DistinguishedName): Promise<TestMaterial> {
  const pkiDir = path.join(dir, 'pki');
  fs.mkdirSync(pkiDir, { recursive: true });
  const ca = await createCa({ subject: caSubject });
  const crl = await createCrl({ issuer: ca, revokedSerials: [randomSerial()] });
  const caBundleFile = path.join(pkiDir, 'agents-ca.crt');
  const crlFile = path.join(pkiDir, 'agents-ca.crl');
  fs.writeFileSync(caBundleFile, ca.pem);
  fs.writeFileSync(path.join(pkiDir, 'agents-ca.key'), await privateKeyPem(ca.keys), { mode: 0o600 });
  fs.writeFileSync(crlFile, crl.pem);
  // Entra accepts only RSA-signed assertions, so one RS256 key serves the GCP and Azure issuers.
  const issuerKey = generateIssuerKey('RS256');
  fs.writeFileSync(path.join(pkiDir, 'oidc-issuer.key'), issuerKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
  const jwksFile = path.join(dir, 'oidc-issuer.jwks.json');
  fs.writeFileSync(jwksFile, JSON.stringify({ keys: [issuerKey.publicJwk] }));
  return { pkiDir, caBundleFile, crlFile, jwksFile, ca, issuerKey };
}
