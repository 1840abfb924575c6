import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { pemBlocks } from '../../../lib/core/pki/pem';
import { IssuedCertificate } from '../../../conformance/pki/throwaway-pki';

pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: crypto.webcrypto as unknown as Crypto }));

/** `openssl`'s date format for -crl_lastupdate / -crl_nextupdate. */
const opensslDate = (d: Date) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/**
 * A CA run with the openssl command line, as a small PKI team would: `openssl ca -gencrl` with a
 * crlnumber file, `openssl ca -revoke`. Every CRL it writes is PEM; `der()` converts with
 * `openssl crl -outform DER`.
 */
export class OpensslCa {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-crl-openssl-'));
  public readonly certificatePem: string;

  constructor(commonName = 'Openssl Agents CA') {
    fs.writeFileSync(
      path.join(this.dir, 'ca.cnf'),
      [
        '[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', 'O = attestgate tests', `CN = ${commonName}`,
        '[v3_ca]', 'basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash',
        '[ca]', 'default_ca = agents', '[agents]', 'database = index.txt', 'crlnumber = crlnumber', 'default_md = sha256', 'default_crl_days = 7',
        'new_certs_dir = .', 'serial = serial', 'policy = any', '[any]', 'commonName = supplied',
        '[leaf]', 'basicConstraints = CA:FALSE', 'keyUsage = digitalSignature',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(this.dir, 'index.txt'), '');
    fs.writeFileSync(path.join(this.dir, 'crlnumber'), '1000\n');
    fs.writeFileSync(path.join(this.dir, 'serial'), '0A1B2C\n');
    this.run('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
    this.run('req', '-new', '-x509', '-key', 'ca.key', '-days', '30', '-sha256', '-config', 'ca.cnf', '-extensions', 'v3_ca', '-out', 'ca.crt');
    this.certificatePem = fs.readFileSync(path.join(this.dir, 'ca.crt'), 'utf8');
  }

  public get certificateDer(): Buffer {
    return pemBlocks(this.certificatePem, 'CERTIFICATE')[0];
  }

  /** Issues a leaf and revokes it; returns its serial (hex, as openssl prints it). */
  public issueAndRevoke(name: string): string {
    this.run('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
    this.run('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
    this.run('ca', '-batch', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.crt', '-extensions', 'leaf', '-days', '5', '-in', `${name}.csr`, '-out', `${name}.pem`);
    this.run('ca', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.crt', '-revoke', `${name}.pem`, '-crl_reason', 'keyCompromise');
    return this.run('x509', '-in', `${name}.pem`, '-noout', '-serial').toString().trim().replace(/^serial=/, '').toLowerCase();
  }

  /** `openssl ca -gencrl`: the next CRL number, with the given dates. PEM. */
  public generateCrl(thisUpdate: Date, nextUpdate: Date): string {
    const out = `crl-${crypto.randomBytes(4).toString('hex')}.pem`;
    this.run('ca', '-gencrl', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.crt', '-crl_lastupdate', opensslDate(thisUpdate), '-crl_nextupdate', opensslDate(nextUpdate), '-out', out);
    return fs.readFileSync(path.join(this.dir, out), 'utf8');
  }

  /** The DER form of a PEM CRL, converted by openssl. */
  public der(crlPem: string): Buffer {
    const file = `conv-${crypto.randomBytes(4).toString('hex')}`;
    fs.writeFileSync(path.join(this.dir, `${file}.pem`), crlPem);
    this.run('crl', '-in', `${file}.pem`, '-outform', 'DER', '-out', `${file}.der`);
    return fs.readFileSync(path.join(this.dir, `${file}.der`));
  }

  public remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private run(...args: string[]): Buffer {
    return execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
  }
}

export interface PkijsCrlOptions {
  /** The CA whose name is the issuer and whose key signs, unless signedBy says otherwise. */
  readonly issuer: IssuedCertificate;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** Omitted: the CRL has no cRLNumber extension. */
  readonly crlNumber?: number;
  readonly revokedSerials?: readonly string[];
  /** Sign with this CA's key instead (a CRL naming one issuer, signed by another). */
  readonly signedBy?: IssuedCertificate;
}

/** A CRL built field by field with pkijs, for shapes the other factories do not make (no CRL number). DER. */
export async function pkijsCrl(options: PkijsCrlOptions): Promise<Buffer> {
  const issuerCertificate = pkijs.Certificate.fromBER(new Uint8Array(options.issuer.der));
  const crl = new pkijs.CertificateRevocationList({
    version: 1,
    issuer: issuerCertificate.subject,
    thisUpdate: new pkijs.Time({ type: 0, value: options.thisUpdate }),
    // pkijs fills an absent nextUpdate with a default time when the key is present at all.
    ...(options.nextUpdate ? { nextUpdate: new pkijs.Time({ type: 0, value: options.nextUpdate }) } : {}),
  });
  if (options.revokedSerials?.length) {
    crl.revokedCertificates = options.revokedSerials.map(
      (serial) =>
        new pkijs.RevokedCertificate({
          userCertificate: new asn1js.Integer({ valueHex: Buffer.from(serial.length % 2 ? `0${serial}` : serial, 'hex') }),
          revocationDate: new pkijs.Time({ type: 0, value: options.thisUpdate }),
        }),
    );
  }
  if (options.crlNumber !== undefined) {
    crl.crlExtensions = new pkijs.Extensions({
      extensions: [new pkijs.Extension({ extnID: '2.5.29.20', critical: false, extnValue: new asn1js.Integer({ value: options.crlNumber }).toBER(false) })],
    });
  }
  await crl.sign((options.signedBy ?? options.issuer).keys.privateKey, 'SHA-256');
  return Buffer.from(crl.toSchema(true).toBER(false));
}

/**
 * Roles Anywhere as the import function sees it: the CRL it holds, the CA certificates of the
 * trust anchor, and every UpdateCrl it accepted. A failure can be injected per operation.
 */
export class FakeRolesAnywhere {
  public readonly updates: string[] = [];
  public readonly failures: Partial<Record<'getCrl' | 'updateCrl' | 'getTrustAnchor', Error>> = {};

  constructor(
    public held: Uint8Array | undefined,
    public caCertificates: Uint8Array[],
  ) {}

  public async getCrl(): Promise<Uint8Array | undefined> {
    if (this.failures.getCrl) throw this.failures.getCrl;
    return this.held;
  }

  public async getTrustAnchorCertificates(): Promise<Uint8Array[]> {
    if (this.failures.getTrustAnchor) throw this.failures.getTrustAnchor;
    return this.caCertificates;
  }

  public async updateCrl(pem: string): Promise<void> {
    if (this.failures.updateCrl) throw this.failures.updateCrl;
    this.updates.push(pem);
    // Roles Anywhere keeps the blob as sent: PEM text bytes, as CloudFormation imports it.
    this.held = Buffer.from(pem, 'utf8');
  }
}
