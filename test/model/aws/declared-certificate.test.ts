import { certificateTagDrift, declaredCertificateTags } from '../../../lib/model/aws/declared-certificate';
import { ConditionEntry } from '../../../lib/model/aws/iam-policy';

const declared = declaredCertificateTags({ subject: { CN: 'deployer', O: 'Example' }, sanUri: 'spiffe://prod.example/agent/deployer' });
const pinned: ConditionEntry[] = Object.entries(declared).map(([key, value]) => ({ operator: 'StringEquals', key, values: [value] }));
const replace = (key: string, ...entries: ConditionEntry[]) => [...pinned.filter((c) => c.key !== key), ...entries];
const CN = 'aws:PrincipalTag/x509Subject/CN';

describe('the certificate tags a declared identity carries', () => {
  test('every subject RDN, the SAN URI and every issuer RDN, keyed by the condition key that checks it', () => {
    expect(declared).toEqual({ 'aws:PrincipalTag/x509Subject/CN': 'deployer', 'aws:PrincipalTag/x509Subject/O': 'Example', 'aws:PrincipalTag/x509SAN/URI': 'spiffe://prod.example/agent/deployer' });
    expect(declaredCertificateTags({ subject: { CN: 'a' }, sanUri: 'spiffe://t/a', issuingCa: { CN: 'Issuing CA' } })).toMatchObject({ 'aws:PrincipalTag/x509Issuer/CN': 'Issuing CA' });
  });
});

describe('certificate tag drift: where a statement no longer pins the declared certificate', () => {
  test('none when every declared tag is pinned to exactly its value (key names case-insensitively, as IAM reads them)', () => {
    expect(certificateTagDrift(declared, pinned, 's0')).toEqual([]);
    expect(certificateTagDrift(declared, pinned.map((c) => ({ ...c, key: c.key.toLowerCase() })), 's0')).toEqual([]);
  });

  test.each([
    ['a declared tag not checked', replace(CN), /s0: x509Subject\/CN is declared "deployer" but the trust policy does not check it/],
    ['the declared value refused (edited to another agent)', replace(CN, { operator: 'StringEquals', key: CN, values: ['builder'] }), /is declared "deployer" but the trust policy refuses it \(StringEquals \["builder"\]\)/],
    ['a pattern admitting more', replace(CN, { operator: 'StringLike', key: CN, values: ['deploy*'] }), /x509Subject\/CN admits values besides the declared "deployer", e\.g\. "deployx"/],
    ['a second value', replace(CN, { operator: 'StringEquals', key: CN, values: ['deployer', 'builder'] }), /admits values besides the declared "deployer", e\.g\. "builder"/],
    ['case folded', replace(CN, { operator: 'StringEqualsIgnoreCase', key: CN, values: ['deployer'] }), /admits values besides the declared "deployer", e\.g\. "DEPLOYER"/],
    ['…IfExists: a certificate without the tag passes', replace(CN, { operator: 'StringEqualsIfExists', key: CN, values: ['deployer'] }), /a certificate without it is admitted too/],
    ['a value not known at synth', replace(CN, { operator: 'StringEquals', key: CN, values: [{ Ref: 'AgentName' } as never] }), /compared with a value not known at synth/],
  ])('reported: %s', (_what, conditions, message) => {
    const drift = certificateTagDrift(declared, conditions, 's0');
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatch(message);
  });

  test('a condition that narrows further (ANDed) is not drift: StringLike and an exact pin together admit only the declared value', () => {
    expect(certificateTagDrift(declared, [...pinned, { operator: 'StringLike', key: CN, values: ['deploy*'] }], 's0')).toEqual([]);
  });
});
