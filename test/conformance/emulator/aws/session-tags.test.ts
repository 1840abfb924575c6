import { DEFAULT_ATTRIBUTE_MAPPINGS, sessionName, sessionTags, sourceIdentity } from '../../../../conformance/emulator/aws/session-tags';
import { generateKeys } from '../../../../conformance/pki/throwaway-pki';
import { x509 } from '../../../../conformance/pki/x509';
import { Certificate, parseCertificate } from '../../../../lib/core/pki/certificate';

// One key pair signs and is certified by every test certificate: session tags never look at signatures.
let keys: CryptoKeyPair;
beforeAll(async () => {
  keys = await generateKeys('EC-P256');
});

const ISSUER = 'C=US, ST=Washington, L=Seattle, O=Example Corp, OU=PKI, CN=Example Agents CA';

/** A certificate with exactly the names given, read back as the emulator reads it. */
async function certificate(options: { subject: string; issuer?: string; san?: x509.JsonGeneralName[]; serialNumber?: string }): Promise<Certificate> {
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: options.serialNumber ?? '01a2b3c4',
    subject: options.subject,
    issuer: options.issuer ?? ISSUER,
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2027-01-01T00:00:00Z'),
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    extensions: options.san ? [new x509.SubjectAlternativeNameExtension(options.san)] : [],
  });
  return parseCertificate(Buffer.from(cert.rawData));
}

const mapping = (entries: Array<[string, string[]]>) => new Map(entries);
const NO_FAILURES = { Issuer: [], Subject: [], SAN: [] };

describe('sessionTags: the default mapping', () => {
  test('maps every supported RDN of subject and issuer, the first DNS and URI SAN and the directory-name SAN', async () => {
    // GIVEN the certificate of the User Guide's example, with an issuer of every common RDN
    const cert = await certificate({
      subject: 'CN=Alice, O=Example Corp',
      san: [
        { type: 'dns', value: 'example.com' },
        { type: 'url', value: 'spiffe://example.com/workload/alice' },
        { type: 'dn', value: 'CN=Alice, O=Example Corp' },
      ],
    });

    // WHEN it is mapped under a new profile's mapping
    const mapped = sessionTags(cert, DEFAULT_ATTRIBUTE_MAPPINGS);

    // THEN every attribute becomes a tag and none fails
    expect(mapped.tags).toEqual({
      'x509Subject/CN': 'Alice',
      'x509Subject/O': 'Example Corp',
      'x509Issuer/C': 'US',
      'x509Issuer/ST': 'Washington',
      'x509Issuer/L': 'Seattle',
      'x509Issuer/O': 'Example Corp',
      'x509Issuer/OU': 'PKI',
      'x509Issuer/CN': 'Example Agents CA',
      'x509SAN/DNS': 'example.com',
      'x509SAN/URI': 'spiffe://example.com/workload/alice',
      'x509SAN/Name/CN': 'Alice',
      'x509SAN/Name/O': 'Example Corp',
    });
    expect(mapped.unmappable).toEqual(NO_FAILURES);
  });

  test('an empty mapping map keeps the defaults, field by field', async () => {
    const cert = await certificate({ subject: 'CN=Alice', san: [{ type: 'url', value: 'spiffe://example.com/a' }] });
    expect(sessionTags(cert, new Map()).tags).toEqual(sessionTags(cert, DEFAULT_ATTRIBUTE_MAPPINGS).tags);
  });

  test('joins a multi-valued RDN with "/" in certificate order', async () => {
    const cert = await certificate({ subject: 'CN=Alice, OU=Security, OU=Engineering, OU=Research' });
    expect(sessionTags(cert, DEFAULT_ATTRIBUTE_MAPPINGS).tags['x509Subject/OU']).toBe('Security/Engineering/Research');
  });

  test('maps only the first URI, the first DNS name and the first directory name', async () => {
    const cert = await certificate({
      subject: 'CN=Alice',
      san: [
        { type: 'url', value: 'spiffe://example.com/first' },
        { type: 'dns', value: 'first.example.com' },
        { type: 'url', value: 'spiffe://example.com/second' },
        { type: 'dns', value: 'second.example.com' },
        { type: 'dn', value: 'CN=First' },
        { type: 'dn', value: 'CN=Second, O=Second Org' },
      ],
    });
    const sanTags = Object.entries(sessionTags(cert, DEFAULT_ATTRIBUTE_MAPPINGS).tags).filter(([key]) => key.startsWith('x509SAN/'));
    expect(Object.fromEntries(sanTags)).toEqual({ 'x509SAN/URI': 'spiffe://example.com/first', 'x509SAN/DNS': 'first.example.com', 'x509SAN/Name/CN': 'First' });
  });

  test('never maps email or IP SANs, nor RDNs Roles Anywhere does not support', async () => {
    const cert = await certificate({
      subject: 'CN=Alice, E=alice@example.com, T=Engineer',
      san: [
        { type: 'email', value: 'alice@example.com' },
        { type: 'ip', value: '192.0.2.10' },
      ],
    });
    const keys = Object.keys(sessionTags(cert, DEFAULT_ATTRIBUTE_MAPPINGS).tags);
    expect(keys.filter((k) => !k.startsWith('x509Issuer/'))).toEqual(['x509Subject/CN']);
  });
});

describe('sessionTags: an explicit mapping', () => {
  test('narrows each listed field to its specifiers; unlisted fields keep the default', async () => {
    const cert = await certificate({
      subject: 'CN=Alice, O=Example Corp, OU=Engineering',
      san: [
        { type: 'dns', value: 'alice.example.com' },
        { type: 'url', value: 'spiffe://example.com/alice' },
        { type: 'dn', value: 'CN=Alice, O=Example Corp' },
      ],
    });
    const tags = sessionTags(cert, mapping([['x509Subject', ['CN', 'OU']], ['x509SAN', ['URI', 'Name/O']]])).tags;
    expect(Object.keys(tags).filter((k) => !k.startsWith('x509Issuer/'))).toEqual(['x509Subject/CN', 'x509Subject/OU', 'x509SAN/URI', 'x509SAN/Name/O']);
    expect(Object.keys(tags).filter((k) => k.startsWith('x509Issuer/'))).toHaveLength(6);
  });

  test('an empty rule list maps nothing of its field; "Name" and "Name/" mean every directory-name RDN', async () => {
    const cert = await certificate({ subject: 'CN=Alice', san: [{ type: 'dn', value: 'CN=Alice, O=Example Corp' }] });
    expect(sessionTags(cert, mapping([['x509Issuer', []]])).tags).toEqual({
      'x509Subject/CN': 'Alice',
      'x509SAN/Name/CN': 'Alice',
      'x509SAN/Name/O': 'Example Corp',
    });
    for (const rule of ['Name', 'Name/']) {
      const tags = sessionTags(cert, mapping([['x509Issuer', []], ['x509Subject', []], ['x509SAN', [rule]]])).tags;
      expect([rule, tags]).toEqual([rule, { 'x509SAN/Name/CN': 'Alice', 'x509SAN/Name/O': 'Example Corp' }]);
    }
  });
});

describe('sessionTags: attributes STS cannot carry', () => {
  test('are reported per bucket and left out of the tags', async () => {
    // GIVEN a parenthesized CN (issue #188), an issuer O with "&", and a wildcard DNS SAN
    const cert = await certificate({
      subject: 'CN=John Smith (EMP123), O=Example Corp',
      issuer: 'O=Smith & Sons, CN=Example Agents CA',
      san: [
        { type: 'dns', value: '*.example.com' },
        { type: 'url', value: 'spiffe://example.com/john' },
        { type: 'dn', value: 'CN=John!' },
      ],
    });

    // WHEN it is mapped
    const mapped = sessionTags(cert, DEFAULT_ATTRIBUTE_MAPPINGS);

    // THEN each bucket names its failing attributes, and the rest still map
    expect(mapped.unmappable).toEqual({ Issuer: ['O'], Subject: ['CN'], SAN: ['DNS', 'Name/CN'] });
    expect(mapped.tags).toEqual({
      'x509Subject/O': 'Example Corp',
      'x509Issuer/CN': 'Example Agents CA',
      'x509SAN/URI': 'spiffe://example.com/john',
    });
  });

  test('a value longer than 256 characters cannot be a tag', async () => {
    const cert = await certificate({ subject: 'CN=Alice', san: [{ type: 'url', value: `spiffe://example.com/${'a'.repeat(240)}` }] });
    expect(sessionTags(cert, DEFAULT_ATTRIBUTE_MAPPINGS).unmappable).toEqual({ Issuer: [], Subject: [], SAN: ['URI'] });
  });

  test('an attribute the mapping leaves out cannot fail', async () => {
    const cert = await certificate({ subject: 'CN=John Smith (EMP123), O=Example Corp' });
    const mapped = sessionTags(cert, mapping([['x509Subject', ['O']]]));
    expect(mapped.unmappable).toEqual(NO_FAILURES);
    expect(mapped.tags['x509Subject/O']).toBe('Example Corp');
  });
});

describe('sourceIdentity and sessionName', () => {
  test('a CN of up to 61 characters becomes CN=<cn>', async () => {
    expect(sourceIdentity(await certificate({ subject: 'CN=deployer' }))).toBe('CN=deployer');
    const cn61 = 'a'.repeat(61);
    expect(sourceIdentity(await certificate({ subject: `CN=${cn61}` }))).toBe(`CN=${cn61}`);
  });

  test('a CN of 62 to 64 characters is the source identity itself (STS allows 64)', async () => {
    for (const length of [62, 64]) {
      const cn = 'b'.repeat(length);
      expect(sourceIdentity(await certificate({ subject: `CN=${cn}` }))).toBe(cn);
    }
  });

  test('without a CN it is ID=<serial in hex>, padded to an even length', async () => {
    // Decimal 291 is 0x123: the User Guide's example.
    expect(sourceIdentity(await certificate({ subject: 'O=Example Corp', serialNumber: '0123' }))).toBe('ID=0123');
    expect(sourceIdentity(await certificate({ subject: 'O=Example Corp', serialNumber: '7a2b' }))).toBe('ID=7a2b');
  });

  test('the session name is the serial in hex, padded to an even length', async () => {
    expect(sessionName(await certificate({ subject: 'CN=a', serialNumber: '0123' }))).toBe('0123');
    expect(sessionName(await certificate({ subject: 'CN=a', serialNumber: '7a2b3c' }))).toBe('7a2b3c');
  });
});
