import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discoverAwsGates } from '../../conformance/aws/discover-gates';
import { probeLocally, sourceOf, statusesOf } from '../fixtures/conformance';

/**
 * Held-out-style input: a hand-written template (test/fixtures/brownfield) and a PKI made by the
 * openssl command line — a SEC1 EC key, a CA, a leaf revoked with `openssl ca -revoke`, and the
 * CRL from `openssl ca -gencrl`. Nothing here is produced by attestgate.
 */
function opensslPki(): { dir: string; caPem: string; crlPem: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-openssl-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  fs.writeFileSync(
    path.join(dir, 'ca.cnf'),
    [
      '[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', 'O = Legacy Corp', 'CN = Legacy Build CA',
      '[v3_ca]', 'basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash',
      '[ca]', 'default_ca = legacy', '[legacy]', 'database = index.txt', 'crlnumber = crlnumber', 'default_md = sha256', 'default_crl_days = 30',
      'new_certs_dir = .', 'serial = serial', 'policy = any', '[any]', 'commonName = supplied',
      '[leaf]', 'basicConstraints = CA:FALSE', 'keyUsage = digitalSignature', 'subjectAltName = URI:spiffe://legacy.example/ci/build-agent',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'index.txt'), '');
  fs.writeFileSync(path.join(dir, 'crlnumber'), '1000\n');
  fs.writeFileSync(path.join(dir, 'serial'), '0A1B2C\n');
  run('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'); // SEC1 "EC PRIVATE KEY"
  run('req', '-new', '-x509', '-key', 'ca.key', '-days', '30', '-sha256', '-config', 'ca.cnf', '-extensions', 'v3_ca', '-out', 'ca.crt');
  run('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'old-leaf.key');
  run('req', '-new', '-key', 'old-leaf.key', '-subj', '/CN=build-agent-old', '-out', 'old-leaf.csr');
  run('ca', '-batch', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.crt', '-extensions', 'leaf', '-days', '5', '-in', 'old-leaf.csr', '-out', 'old-leaf.pem');
  run('ca', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.crt', '-revoke', 'old-leaf.pem', '-crl_reason', 'keyCompromise');
  run('ca', '-gencrl', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.crt', '-out', 'ca.crl');
  // Only what --pki reads stays: the CA certificate, its key and the CRL.
  for (const f of fs.readdirSync(dir)) if (!['ca.crt', 'ca.key', 'ca.crl'].includes(f)) fs.rmSync(path.join(dir, f));
  return { dir, caPem: fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8'), crlPem: fs.readFileSync(path.join(dir, 'ca.crl'), 'utf8') };
}

describe('brownfield template with an openssl-made PKI', () => {
  const pki = opensslPki();
  const template = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/brownfield/legacy-agents.template.json'), 'utf8'));
  template.Resources.LegacyAnchor.Properties.Source.SourceData.X509CertificateData = pki.caPem;
  template.Resources.LegacyCrl.Properties.CrlData = pki.crlPem;
  const sources = sourceOf(template, 'legacy-agents.template.json');

  test('is discovered from its trust policy alone (no gate manifest), as high privilege', () => {
    const [gate] = discoverAwsGates(sources);
    expect(gate.manifest).toBeUndefined();
    expect(gate.privilege).toBe('high');
    expect(gate.anchorsPinned).toBe(true);
  });

  test('is probed correctly: control issued, every mutation denied, the openssl-revoked serial refused', async () => {
    const results = await probeLocally(sources, { dir: pki.dir } as never);
    const statuses = statusesOf(results);
    expect(statuses['AGC-AWS-001']).toBe('PASS');
    expect(results.find((r) => r.checkId === 'AGC-AWS-006')?.reason).toContain('revoked serial a1b2c');
    expect(results.filter((r) => r.status !== 'PASS').map((r) => `${r.checkId} ${r.status}: ${r.reason}`)).toEqual([]);
  });
});
