import { AttestGateError } from '../../lib/core/errors';
import { ACR } from '../../lib/step-up/acr';
import { StepUpPolicy, operationForRequest, pathSegments, resolvePolicy } from '../../lib/step-up/policy';

const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] };
const base: StepUpPolicy = { audience: 'https://tools.test', issuers: [{ issuer: 'https://issuer.test', jwks }], operations: [] };

function refusal(policy: unknown): AttestGateError {
  try {
    resolvePolicy(policy as StepUpPolicy);
  } catch (e) {
    expect(e).toBeInstanceOf(AttestGateError);
    return e as AttestGateError;
  }
  throw new Error('expected an AttestGateError');
}

describe('resolvePolicy', () => {
  test('applies the defaults: audience as realm, 15 s tolerance, unmatched requests authenticated, asymmetric algorithms', () => {
    const p = resolvePolicy({ ...base, operations: [{ name: 'destroy', method: 'delete', route: '/stacks/:id', acr: [ACR.ATTESTED_FRESH], maxAge: 60 }] });
    expect(p).toMatchObject({ realm: 'https://tools.test', clockToleranceSeconds: 15, unmatched: 'authenticate' });
    expect(p.issuers[0]).toMatchObject({ algorithms: ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'], attestationTime: 'auth_time' });
    expect(p.operations[0]).toMatchObject({ method: 'DELETE', segments: ['stacks', ':id'], scopes: [] });
  });

  test('an empty list of issuers is a policy, and refuses every token (see guard tests)', () => {
    expect(resolvePolicy({ ...base, issuers: [] }).issuers).toEqual([]);
  });

  test.each([
    [{ ...base, audience: '' }, 'audience', /non-empty/],
    [{ ...base, issuers: [{ issuer: 'https://i.test' }] }, 'issuers[0]', /exactly one of jwksUri and jwks/],
    [{ ...base, issuers: [{ issuer: 'https://i.test', jwksUri: 'http://keys.example/jwks' }] }, 'issuers[0].jwksUri', /not https/],
    [{ ...base, issuers: [{ issuer: 'https://i.test', jwks, algorithms: ['HS256'] }] }, 'issuers[0].algorithms', /asymmetric/],
    [{ ...base, issuers: [{ issuer: 'https://i.test', jwks, algorithms: ['none'] }] }, 'issuers[0].algorithms', /asymmetric/],
    [{ ...base, issuers: [{ issuer: 'https://i.test', jwks, impliedAcr: 'gold' }] }, 'issuers[0].impliedAcr', /profile/],
    [{ ...base, issuers: [base.issuers[0], base.issuers[0]] }, 'issuers', /twice/],
    [{ ...base, clockToleranceSeconds: 300 }, 'clockToleranceSeconds', /0 to 60/],
    [{ ...base, operations: [{ name: 'x', method: 'DELETE', route: '/a', acr: [ACR.ATTESTED_FRESH] }] }, 'operations[0].maxAge', /attested-fresh/],
    [{ ...base, operations: [{ name: 'x', method: 'DELETE', route: 'a' }] }, 'operations[0].route', /start with/],
    [{ ...base, operations: [{ name: 'x', method: 'DELETE', route: '/*/a' }] }, 'operations[0].route', /last segment/],
    [{ ...base, operations: [{ name: 'x', tool: 't', method: 'POST', route: '/a' }] }, 'operations[0]', /either method and route, or tool/],
    [{ ...base, operations: [{ name: 'x', tool: 't' }, { name: 'x', tool: 'u' }] }, 'operations[1].name', /two operations/],
    [{ ...base, operations: [{ name: 'x', tool: 't', acr: ['two words'] }] }, 'operations[0].acr', /ACR value/],
    [{ ...base, operations: [{ name: 'x', tool: 't', maxAge: 1.5 }] }, 'operations[0].maxAge', /whole number/],
    [{ ...base, realm: 'a"b' }, 'realm', /quotes/],
    [{ ...base, issuers: [{ issuer: 'https://i.test', jwks, authenticationContexts: {} }] }, 'issuers[0].authenticationContexts', /non-empty map/],
    [{ ...base, issuers: [{ issuer: 'https://i.test', jwks, authenticationContexts: ['c1'] }] }, 'issuers[0].authenticationContexts', /non-empty map/],
    [{ ...base, issuers: [{ issuer: 'https://i.test', jwks, authenticationContexts: { c100: ACR.HUMAN_APPROVED } }] }, 'issuers[0].authenticationContexts.c100', /not an Entra authentication context ID/],
    [{ ...base, issuers: [{ issuer: 'https://i.test', jwks, authenticationContexts: { c0: ACR.HUMAN_APPROVED } }] }, 'issuers[0].authenticationContexts.c0', /not an Entra authentication context ID/],
    [{ ...base, issuers: [{ issuer: 'https://i.test', jwks, authenticationContexts: { C1: ACR.HUMAN_APPROVED } }] }, 'issuers[0].authenticationContexts.C1', /not an Entra authentication context ID/],
    [{ ...base, issuers: [{ issuer: 'https://i.test', jwks, authenticationContexts: { c1: 'two words' } }] }, 'issuers[0].authenticationContexts.c1', /not a usable ACR value/],
    [{ ...base, issuers: [{ issuer: 'https://i.test', jwks, impliedAcr: ACR.ATTESTED, authenticationContexts: { c1: ACR.HUMAN_APPROVED } }] }, 'issuers[0].authenticationContexts', /with impliedAcr/],
  ])('refuses bad input with where, field, value and fix (%#)', (policy, field, problem) => {
    const e = refusal(policy);
    expect(e.where).toBe('StepUpPolicy');
    expect(e.field).toBe(field);
    expect(e.message).toMatch(problem);
    expect(e.fix.length).toBeGreaterThan(10);
  });

  test('Entra authentication contexts c1 to c99 map to profile values or to other ACR values', () => {
    const contexts = { c1: ACR.HUMAN_APPROVED, c25: ACR.ATTESTED_HWK, c99: 'c99' };
    expect(resolvePolicy({ ...base, issuers: [{ issuer: 'https://i.test', jwks, authenticationContexts: contexts }] }).issuers[0].authenticationContexts).toEqual(contexts);
  });

  test('jwksUri may be http on loopback only (emulators)', () => {
    expect(resolvePolicy({ ...base, issuers: [{ issuer: 'https://i.test', jwksUri: 'http://127.0.0.1:8080/jwks' }] }).issuers).toHaveLength(1);
  });
});

describe('route matching', () => {
  const policy = resolvePolicy({
    ...base,
    operations: [
      { name: 'destroy', method: 'DELETE', route: '/stacks/:id' },
      { name: 'read', method: 'GET', route: '/stacks/:id' },
      { name: 'admin', method: '*', route: '/admin/*' },
    ],
  });
  const op = (method: string, path: string) => {
    const found = operationForRequest(policy, method, path);
    return typeof found === 'object' ? found.name : found;
  };

  test('spellings a server may route alike match alike', () => {
    for (const path of ['/stacks/1', '//stacks/1/', '/STACKS/1', '/x/../stacks/1', '/stacks/%31', '/%2e%2e/stacks/1', '/stacks/1?force=true', '/a%2F..%2Fstacks/1', 'http://tools.test/stacks/1', '/stacks/1#x']) {
      expect([path, op('DELETE', path)]).toEqual([path, 'destroy']);
    }
  });

  test('method, segment count and wildcard decide; HEAD is GET', () => {
    expect(op('delete', '/stacks/1')).toBe('destroy');
    expect(op('HEAD', '/stacks/1')).toBe('read');
    expect(op('POST', '/stacks/1')).toBeUndefined();
    expect(op('DELETE', '/stacks/1/extra')).toBeUndefined();
    expect(op('DELETE', '/stacks')).toBeUndefined();
    expect(op('PATCH', '/admin/users/7')).toBe('admin');
    expect(op('GET', '/admin')).toBe('admin');
  });

  test('a path that cannot be decoded is not guessed at', () => {
    expect(op('DELETE', '/stacks/%E0%A4%A')).toBe('bad-path');
    expect(pathSegments('/a/%ZZ')).toBeUndefined();
  });
});
