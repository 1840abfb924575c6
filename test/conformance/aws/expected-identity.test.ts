import { expectedIdentityOf, valueOutside } from '../../../conformance/aws/expected-identity';
import { AwsGate, discoverAwsGates } from '../../../conformance/aws/discover-gates';
import { GATE_MANIFEST_METADATA_KEY, GATE_MANIFEST_SCHEMA } from '../../../lib/core/gate-manifest';
import { templateSource } from '../../fixtures/emulator';
import { deployerIdentity } from '../../fixtures/identities';
import { AGENTS_CA_SUBJECT } from '../../fixtures/pki';
import { attestedStatement, gateTemplate } from '../../fixtures/templates';

const PIN = { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] } } };

/** The one gate of a brownfield template whose trust statement has these conditions (plus the anchor pin). */
function gateWith(condition: Record<string, unknown>): AwsGate {
  const [gate] = discoverAwsGates([templateSource(gateTemplate({ statements: [attestedStatement({ Condition: { ...PIN, ...condition } })] }))]);
  return gate;
}

describe('expectedIdentityOf', () => {
  test('from a gate manifest: the declared identity, whatever the trust policy says', () => {
    // GIVEN a role carrying attestgate's manifest, and a trust policy that names someone else
    const template = gateTemplate({ statements: [attestedStatement({ Condition: { ...PIN, StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'not-the-manifest' } } })] });
    const manifest = { schema: GATE_MANIFEST_SCHEMA, kind: 'aws-iam-roles-anywhere', identity: deployerIdentity().describe(), role: 'Role', trustAnchors: ['Anchor'], profiles: ['Profile'], maxSessionSeconds: 3600 };
    (template.Resources.Role as { Metadata?: unknown }).Metadata = { [GATE_MANIFEST_METADATA_KEY]: manifest };
    const [gate] = discoverAwsGates([templateSource(template)]);

    // WHEN the expected identity is derived
    const expected = expectedIdentityOf(gate);

    // THEN it is the manifest's
    expect(expected).toMatchObject({
      source: 'manifest',
      subject: { CN: 'deployer', O: 'attestgate examples' },
      sanUris: ['spiffe://prod.example/agent/deployer'],
      sanDns: [],
      issuer: AGENTS_CA_SUBJECT,
    });
    // AND what the policy admits is still recorded, for mutations to avoid
    expect(expected.admitted.get('x509subject/cn')).toEqual([{ value: 'not-the-manifest', like: false }]);
  });

  test('from the trust policy: the first value of each positive condition, StringLike patterns satisfied', () => {
    const expected = expectedIdentityOf(
      gateWith({
        StringEquals: {
          'aws:PrincipalTag/x509Subject/CN': 'deployer',
          'aws:PrincipalTag/x509Issuer/O': 'Example Corp',
          'aws:PrincipalTag/x509SAN/DNS': ['deployer.example.com', 'backup.example.com'],
        },
        StringLike: { 'aws:PrincipalTag/x509SAN/URI': 'spiffe://prod.example/agent/*', 'aws:PrincipalTag/x509Subject/OU': 'team-??' },
        StringEqualsIgnoreCase: { 'aws:PrincipalTag/x509Issuer/CN': 'Example Agents CA' },
      }),
    );
    expect(expected).toMatchObject({
      source: 'trust-policy',
      subject: { CN: 'deployer', OU: 'team-xx' },
      issuer: { O: 'Example Corp', CN: 'Example Agents CA' },
      sanUris: ['spiffe://prod.example/agent/probe'],
      sanDns: ['deployer.example.com'],
    });
  });

  test('negative, IfExists and ForAllValues conditions say nothing about what a good certificate carries', () => {
    const expected = expectedIdentityOf(
      gateWith({
        StringNotEquals: { 'aws:PrincipalTag/x509Subject/O': 'Quarantine' },
        StringEqualsIfExists: { 'aws:PrincipalTag/x509Subject/L': 'Nowhere' },
        'ForAllValues:StringEquals': { 'aws:PrincipalTag/x509Subject/ST': 'WA' },
      }),
    );
    expect(expected).toMatchObject({ subject: { CN: 'attestgate-probe' }, issuer: {}, sanUris: [], sanDns: [] });
    expect([...expected.admitted.keys()]).toEqual([]);
  });

  test('a source identity of CN=<name> gives the subject CN when no CN tag is required', () => {
    expect(expectedIdentityOf(gateWith({ StringEquals: { 'sts:SourceIdentity': 'CN=builder' } })).subject).toEqual({ CN: 'builder' });
    const both = expectedIdentityOf(gateWith({ StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'deployer', 'sts:SourceIdentity': 'CN=builder' } }));
    expect(both.subject).toEqual({ CN: 'deployer' });
  });
});

describe('valueOutside', () => {
  const admitted = expectedIdentityOf(
    gateWith({
      StringEquals: { 'aws:PrincipalTag/x509Subject/CN': ['deployer', 'deployer-impostor'] },
      StringLike: { 'aws:PrincipalTag/x509SAN/URI': 'spiffe://prod.example/agent/*', 'aws:PrincipalTag/x509Subject/OU': 'a.b?' },
    }),
  );

  test('the first candidate no exact value admits; attribute names are case-insensitive', () => {
    expect(valueOutside(admitted, 'x509Subject/CN', ['deployer-impostor', 'impostor-deployer', 'impostor'])).toBe('impostor-deployer');
    expect(valueOutside(admitted, 'X509SUBJECT/cn', ['deployer', 'impostor'])).toBe('impostor');
  });

  test('the first candidate no StringLike pattern admits; "." and other regex characters are literal', () => {
    expect(valueOutside(admitted, 'x509SAN/URI', ['spiffe://prod.example/agent/impostor', 'spiffe://impostor.invalid/agent'])).toBe('spiffe://impostor.invalid/agent');
    expect(valueOutside(admitted, 'x509Subject/OU', ['a.bc', 'axbc', 'zzz'])).toBe('axbc');
  });

  test('the last candidate when every one is admitted; the first when nothing is constrained', () => {
    expect(valueOutside(admitted, 'x509Subject/CN', ['deployer', 'deployer-impostor'])).toBe('deployer-impostor');
    expect(valueOutside(admitted, 'x509Subject/O', ['first', 'second'])).toBe('first');
  });
});
