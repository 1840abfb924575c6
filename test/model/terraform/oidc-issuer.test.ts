import { issuerProblem, issuerWithoutTrailingSlash } from '../../../lib/model/terraform/oidc-issuer';

describe('issuerProblem', () => {
  test.each(['https://oidc.prod.example', 'https://oidc.prod.example/tenant/abc/', 'https://token.actions.githubusercontent.com', 'https://host:8443/spire'])('accepts %s', (issuer) => {
    expect(issuerProblem(issuer)).toBeUndefined();
  });

  test.each([
    ['', /is empty/],
    [42, /is empty/],
    [' https://oidc.prod.example', /whitespace/],
    ['https://*.prod.example', /wildcards are not supported/],
    ['oidc.prod.example', /is not an absolute URL/],
    ['http://oidc.prod.example', /uses http.*require an https issuer/],
    ['HTTPS://oidc.prod.example', /non-lowercase scheme/],
    ['https://user@oidc.prod.example', /user info/],
    ['https://OIDC.prod.example', /uppercase letters in its host/],
    ['https://oidc.prod.example:443', /default port :443/],
    ['https://oidc.prod.example?x=1', /query string/],
    ['https://oidc.prod.example#f', /fragment/],
    ['https://oidc.prod.example/a/../b', /dot segments|"\."/],
    ['https://oidc.prod.example//a', /empty segment/],
    ['https://oidc.prod.example/', /ends with a slash after the host.*AADSTS700211/],
  ])('rejects %j', (issuer, problem) => {
    expect(issuerProblem(issuer)?.problem).toMatch(problem);
  });

  test('a bare-origin trailing slash passes only when opted into', () => {
    expect(issuerProblem('https://oidc.prod.example/', { trailingSlashAllowed: true })).toBeUndefined();
    expect(issuerProblem('https://oidc.prod.example/')?.fix).toContain('"https://oidc.prod.example"');
  });

  test('the fix for an uppercase host gives the lowercase one', () => {
    expect(issuerProblem('https://OIDC.prod.example')?.fix).toBe('write the host in lowercase: oidc.prod.example');
  });

  test('enforces a maximum length', () => {
    expect(issuerProblem(`https://a.example/${'x'.repeat(600)}`, { maxLength: 600 })?.problem).toMatch(/more than the 600 allowed/);
  });

  test('issuerWithoutTrailingSlash', () => {
    expect(issuerWithoutTrailingSlash('https://a/')).toBe('https://a');
    expect(issuerWithoutTrailingSlash('https://a')).toBe('https://a');
  });
});
