import { CelSyntaxError, celString, evaluateCel, parseCel } from '../../../../lib/model/gcp/cel/environment';

const deployer = { sub: 'spiffe://prod.example/agent/deployer', aud: ['gcp'], iss: 'https://oidc.prod.example' };

describe('the WIF CEL environment', () => {
  test('the parser loaded on its own and the package entry’s parser build the same trees', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const entry = require('@bufbuild/cel') as typeof import('@bufbuild/cel');
    const plain = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    for (const expression of [
      "assertion.sub == 'spiffe://prod.example/agent/deployer' && (assertion.aud in ['gcp'] || assertion.aud.exists(a, a in ['gcp']))",
      "assertion.arn.extract('assumed-role/{role_name}/') + 'x'",
      "!(assertion.sub != 'x') ? {'a': 1}[assertion.k] : google.subject.matches('^a$')",
    ]) {
      expect(plain(parseCel(expression))).toEqual(plain(entry.parse(expression)));
    }
  });

  test('extract() is available as a string method', () => {
    expect(evaluateCel("assertion.arn.extract('assumed-role/{role_name}/')", { assertion: { arn: 'arn:aws:sts::1:assumed-role/r/s' } })).toEqual({ value: 'r' });
  });

  test('a bad extract template is a CEL error, not a crash', () => {
    expect(evaluateCel("assertion.sub.extract('none')", { assertion: deployer })).toEqual({ error: expect.stringContaining('exactly one {name} placeholder') });
  });

  test('google and attribute bindings work (google is not shadowed by protobuf types)', () => {
    expect(evaluateCel("google.subject == 'x' && attribute.team == 'a'", { assertion: {}, google: { subject: 'x' }, attribute: { team: 'a' } })).toEqual({ value: true });
  });

  test('a missing claim is an error value, which GCP treats as a rejection', () => {
    expect(evaluateCel("assertion.nope == 'x'", { assertion: deployer })).toEqual({ error: expect.stringContaining('nope') });
  });

  test('matches() uses RE2: lookahead is rejected as GCP rejects it', () => {
    expect(evaluateCel("assertion.sub.matches('^(?=spiffe).*$')", { assertion: deployer })).toEqual({ error: expect.any(String) });
  });

  test('parse errors carry the parser position', () => {
    expect(() => parseCel('assertion.sub ==')).toThrow(CelSyntaxError);
    expect(() => parseCel('assertion.sub ==')).toThrow(/<input>:1:\d+: .* in "assertion.sub =="/);
  });

  test('celString escapes quotes, backslashes and control characters and round-trips', () => {
    const raw = "it's a \\ path\n";
    expect(celString(raw)).toBe("'it\\'s a \\\\ path\\u000a'");
    expect(evaluateCel(celString(raw), { assertion: {} })).toEqual({ value: raw });
  });
});
