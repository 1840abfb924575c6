import { AttestGateError } from '../../lib/core/errors';
import { SpiffeId } from '../../lib/core/spiffe-id';

describe('SpiffeId', () => {
  test.each([
    ['spiffe://prod.example/agent/deployer', 'prod.example', '/agent/deployer'],
    ['spiffe://prod.example', 'prod.example', ''],
    ['spiffe://a-b_c.0/Path.With-Mixed_Case', 'a-b_c.0', '/Path.With-Mixed_Case'],
  ])('accepts %s', (value, trustDomain, path) => {
    const id = SpiffeId.parse(value);
    expect(id.trustDomain).toBe(trustDomain);
    expect(id.path).toBe(path);
    expect(id.toString()).toBe(value);
  });

  test.each([
    ['', /is empty/],
    ['https://prod.example/agent', /does not start with the scheme "spiffe:\/\/"/],
    ['SPIFFE://prod.example/agent', /does not start with the scheme/],
    ['spiffe:///agent', /has no trust domain/],
    ['spiffe://Prod.example/agent', /trust domain "Prod.example" with characters outside/],
    ['spiffe://prod.example:8080/agent', /trust domain "prod.example:8080"/],
    ['spiffe://user@prod.example/agent', /trust domain "user@prod.example"/],
    ['spiffe://prod.example/agent/', /trailing slash/],
    ['spiffe://prod.example//agent', /empty path segment/],
    ['spiffe://prod.example/agent/../root', /dot segment "\.\."/],
    ['spiffe://prod.example/./agent', /dot segment "\."/],
    ['spiffe://prod.example/agent?x=1', /path segment "agent\?x=1"/],
    ['spiffe://prod.example/agent#frag', /path segment "agent#frag"/],
    ['spiffe://prod.example/a%20b', /percent-encoding is not allowed/],
    [`spiffe://${'a'.repeat(256)}/x`, /trust domain longer than 255/],
    [`spiffe://prod.example/${'a'.repeat(2040)}`, /longer than 2048 bytes/],
  ])('rejects %j', (value, message) => {
    expect(() => SpiffeId.parse(value, "AgentIdentity 'x'")).toThrow(message);
  });

  test('the error names where, the field, the value and the fix', () => {
    let error: unknown;
    try {
      SpiffeId.parse('spiffe://prod.example/agent/', "AgentIdentity 'deployer'");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AttestGateError);
    const e = error as AttestGateError;
    expect(e.field).toBe('spiffeId');
    expect(e.value).toBe('spiffe://prod.example/agent/');
    expect(e.message).toBe(`AgentIdentity 'deployer': spiffeId "spiffe://prod.example/agent/" has a trailing slash. Fix: remove the trailing "/"`);
  });
});
