import { extract, parseExtractTemplate } from '../../../../lib/model/gcp/cel/extract';

const ASSUMED = 'arn:aws:sts::123456789012:assumed-role/deployer/session-1';

describe('extract (GCP attribute-mapping semantics)', () => {
  test("the documented default AWS mapping: role name and account prefix", () => {
    expect(extract(ASSUMED, 'assumed-role/{role_name}/')).toBe('deployer');
    expect(extract(ASSUMED, '{account_arn}assumed-role/')).toBe('arn:aws:sts::123456789012:');
    // The documented attribute.aws_role expression, assembled from its two extracts.
    expect(`${extract(ASSUMED, '{account_arn}assumed-role/')}assumed-role/${extract(ASSUMED, 'assumed-role/{role_name}/')}`).toBe('arn:aws:sts::123456789012:assumed-role/deployer');
  });

  test('an empty suffix takes the rest of the input', () => {
    expect(extract('spiffe://prod.example/agent/deployer', 'spiffe://prod.example/{path}')).toBe('agent/deployer');
  });

  test('the prefix is found anywhere (first occurrence), so extract does not anchor', () => {
    expect(extract('spiffe://evil.example/spiffe://prod.example/agent', 'spiffe://prod.example/{path}')).toBe('agent');
    expect(extract('a/b/c/d', 'b/{x}/')).toBe('c');
  });

  test('no match yields the empty string (fails closed)', () => {
    expect(extract('arn:aws:iam::123456789012:user/bob', 'assumed-role/{role_name}/')).toBe('');
    expect(extract('assumed-role/deployer', 'assumed-role/{role_name}/')).toBe('');
  });

  test('templates need exactly one placeholder', () => {
    expect(() => parseExtractTemplate('no placeholder')).toThrow('must hold exactly one {name} placeholder, found 0');
    expect(() => parseExtractTemplate('{a}/{b}')).toThrow('found 2');
    expect(() => parseExtractTemplate('x{}y{a}')).toThrow('stray "{" or "}"');
    expect(parseExtractTemplate('assumed-role/{role_name}/')).toEqual({ prefix: 'assumed-role/', variable: 'role_name', suffix: '/' });
  });
});
