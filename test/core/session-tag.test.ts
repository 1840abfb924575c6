import { assertSessionTagValue, isSessionTagValue } from '../../lib/core/session-tag';

describe('session tag values', () => {
  test.each(['deployer', 'spiffe://prod.example/agent/deployer', 'Zoë Müller', 'a_b.c:d/e=f+g-h@i', 'x'.repeat(256)])('accepts %j', (value) => {
    expect(isSessionTagValue(value)).toBe(true);
    expect(() => assertSessionTagValue(value, 'W', 'f')).not.toThrow();
  });

  test('rejects parentheses, naming the characters (credential-helper#188)', () => {
    expect(isSessionTagValue('John Smith (EMP123)')).toBe(false);
    expect(() => assertSessionTagValue('John Smith (EMP123)', "AgentIdentity 'x'", 'subject.CN')).toThrow(
      /subject\.CN "John Smith \(EMP123\)" contains "\(\)", which STS session tags cannot carry/,
    );
  });

  test('rejects a wildcard and a comma', () => {
    expect(isSessionTagValue('*.prod.example')).toBe(false);
    expect(isSessionTagValue('a,b')).toBe(false);
  });

  test('rejects values over 256 characters', () => {
    expect(isSessionTagValue('x'.repeat(257))).toBe(false);
    expect(() => assertSessionTagValue('x'.repeat(257), 'W', 'sanUri')).toThrow(/is 257 characters; .* at most 256/);
  });
});
