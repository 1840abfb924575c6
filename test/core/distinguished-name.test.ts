import { formatDistinguishedName, validateDistinguishedName } from '../../lib/core/distinguished-name';

describe('validateDistinguishedName', () => {
  test('keeps supported attributes in a fixed order', () => {
    const dn = validateDistinguishedName({ O: 'Example', CN: 'deployer', OU: 'Security/Engineering' }, 'W', 'subject');
    expect(Object.keys(dn)).toEqual(['CN', 'O', 'OU']);
    expect(formatDistinguishedName(dn)).toBe('CN=deployer, O=Example, OU=Security/Engineering');
  });

  test('rejects an empty name', () => {
    expect(() => validateDistinguishedName({}, 'W', 'subject')).toThrow(/subject \{\} has no attributes; .* Fix: give at least CN/);
  });

  test('rejects an unsupported attribute, naming it', () => {
    expect(() => validateDistinguishedName({ CN: 'a', emailAddress: 'x@y' } as never, 'W', 'subject')).toThrow(
      /subject\.emailAddress "x@y" uses an attribute that is not one of CN, O, OU, C, ST, L/,
    );
  });

  test('rejects a value that cannot be a session tag', () => {
    expect(() => validateDistinguishedName({ CN: 'a (b)' }, 'W', 'issuingCa')).toThrow(/issuingCa\.CN "a \(b\)" contains/);
  });

  test('rejects an empty value', () => {
    expect(() => validateDistinguishedName({ CN: '' }, 'W', 'subject')).toThrow(/subject\.CN "" is empty/);
  });
});
