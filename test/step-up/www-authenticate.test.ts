import { ChallengeParseError, formatBearerChallenge, parseWwwAuthenticate, quote, readBearerChallenge } from '../../lib/step-up/www-authenticate';

const parseError = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ChallengeParseError);
    return (e as ChallengeParseError).reason;
  }
  throw new Error('expected a ChallengeParseError');
};

describe('parseWwwAuthenticate', () => {
  test('RFC 9470 Figure 2: the challenge indicating acr_values', () => {
    const header = 'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR"';
    expect(parseWwwAuthenticate(header)).toEqual([
      { scheme: 'bearer', params: { error: 'insufficient_user_authentication', error_description: 'A different authentication level is required', acr_values: 'myACR' } },
    ]);
  });

  test('RFC 9470 Figure 3: the challenge indicating max_age, as a quoted-string', () => {
    const c = readBearerChallenge('Bearer error="insufficient_user_authentication",\n error_description="More recent authentication is required",\n max_age="5"'.replace(/\n/g, ''));
    expect(c).toMatchObject({ error: 'insufficient_user_authentication', errorDescription: 'More recent authentication is required', maxAge: 5, acrValues: [] });
  });

  test('RFC 6750 §3 examples: a bare realm, and an expired token', () => {
    expect(parseWwwAuthenticate('Bearer realm="example"')).toEqual([{ scheme: 'bearer', params: { realm: 'example' } }]);
    expect(readBearerChallenge('Bearer realm="example", error="invalid_token", error_description="The access token expired"')).toMatchObject({
      realm: 'example',
      error: 'invalid_token',
      errorDescription: 'The access token expired',
    });
  });

  test('RFC 9110 §11.6.1: two challenges in one field, an escaped quote, a token value', () => {
    expect(parseWwwAuthenticate('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"')).toEqual([
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'basic', params: { realm: 'simple' } },
    ]);
  });

  test('a token68 challenge, a bare scheme, empty list elements', () => {
    expect(parseWwwAuthenticate(', Basic dXNlcjpwYXNz==, , Negotiate,Bearer realm=api ,')).toEqual([
      { scheme: 'basic', params: {}, token68: 'dXNlcjpwYXNz==' },
      { scheme: 'negotiate', params: {} },
      { scheme: 'bearer', params: { realm: 'api' } },
    ]);
  });

  test('commas, equals signs and scheme names inside a quoted string are data', () => {
    const header = 'Bearer error_description="a, b=\\"c\\", Basic realm=x", error="invalid_token", DPoP algs="ES256 PS256"';
    expect(parseWwwAuthenticate(header)).toEqual([
      { scheme: 'bearer', params: { error_description: 'a, b="c", Basic realm=x', error: 'invalid_token' } },
      { scheme: 'dpop', params: { algs: 'ES256 PS256' } },
    ]);
  });

  test('a parameter twice in one challenge makes the header unusable, whatever the case of its name', () => {
    expect(parseError(() => parseWwwAuthenticate('Bearer error="invalid_token", error="insufficient_user_authentication"'))).toMatch(/"error" appears twice/);
    expect(parseError(() => parseWwwAuthenticate('Bearer acr_values="a", ACR_VALUES="b"'))).toMatch(/"acr_values" appears twice/);
    // The same name in two challenges is not a duplicate.
    expect(parseWwwAuthenticate('Bearer realm="a", Bearer realm="b"')).toHaveLength(2);
  });

  test('hostile and malformed headers are refused, not half-read', () => {
    expect(parseError(() => parseWwwAuthenticate(`Bearer error_description="${'x'.repeat(9000)}"`))).toMatch(/over the limit of 8192/);
    expect(parseError(() => parseWwwAuthenticate('Bearer realm="unterminated'))).toMatch(/unterminated quoted string/);
    expect(parseError(() => parseWwwAuthenticate('Bearer realm="a\r\nSet-Cookie: x"'))).toMatch(/control character/);
    expect(parseError(() => parseWwwAuthenticate('Bearer realm="a\u0000"'))).toMatch(/control character/);
    expect(parseError(() => parseWwwAuthenticate('Bearer realm="a\\'))).toMatch(/backslash/);
    expect(parseError(() => parseWwwAuthenticate('Bearer a="b", realm='))).toMatch(/has no value/);
    // Alone, `realm=` is a token68 (RFC 9110 §11.2), not an empty parameter.
    expect(parseWwwAuthenticate('Bearer realm=')).toEqual([{ scheme: 'bearer', params: {}, token68: 'realm=' }]);
    expect(parseError(() => parseWwwAuthenticate('Bearer realm="a" error="b"'))).toMatch(/comma was expected/);
    expect(parseError(() => parseWwwAuthenticate('Bearer="x"'))).toMatch(/not followed by a space/);
    expect(parseError(() => parseWwwAuthenticate('"Bearer"'))).toMatch(/auth-scheme was expected/);
    expect(parseError(() => parseWwwAuthenticate('Bearer realm="a", ="b"'))).toMatch(/auth-scheme was expected/);
  });
});

describe('readBearerChallenge', () => {
  test('reads acr_values as a space-separated list in order, max_age as a token or a quoted string', () => {
    expect(readBearerChallenge('Bearer error="insufficient_user_authentication", acr_values="urn:a  urn:b", max_age=60')).toMatchObject({ acrValues: ['urn:a', 'urn:b'], maxAge: 60 });
    expect(readBearerChallenge('Bearer error="insufficient_user_authentication", max_age="0"')).toMatchObject({ maxAge: 0 });
  });

  test('takes the OAuth challenge among others; none when there is none', () => {
    expect(readBearerChallenge('Basic realm="x", Bearer realm="api", error="insufficient_scope", scope="a b"')).toMatchObject({ scheme: 'bearer', error: 'insufficient_scope', scope: ['a', 'b'] });
    expect(readBearerChallenge('DPoP error="insufficient_user_authentication", acr_values="x"')).toMatchObject({ scheme: 'dpop', acrValues: ['x'] });
    expect(readBearerChallenge('Basic realm="x"')).toBeUndefined();
  });

  test('max_age must be a non-negative integer of seconds', () => {
    for (const bad of ['-1', '1.5', '1e3', '0x10', '', 'sixty', '99999999999', '315360001']) {
      expect(parseError(() => readBearerChallenge(`Bearer error="insufficient_user_authentication", max_age="${bad}"`))).toMatch(/max_age must be a non-negative integer/);
    }
  });

  test('two OAuth challenges that both carry an error are ambiguous', () => {
    expect(parseError(() => readBearerChallenge('Bearer error="invalid_token", DPoP error="insufficient_user_authentication", acr_values="x"'))).toMatch(/ambiguous/);
  });

  test('oversized lists and values are refused', () => {
    const many = Array.from({ length: 33 }, (_, i) => `urn:x:${i}`).join(' ');
    expect(parseError(() => readBearerChallenge(`Bearer error="insufficient_user_authentication", acr_values="${many}"`))).toMatch(/33 values/);
    expect(parseError(() => readBearerChallenge(`Bearer error="insufficient_user_authentication", acr_values="${'a'.repeat(600)}"`))).toMatch(/600 characters/);
    expect(parseError(() => readBearerChallenge('Bearer error="insufficient_scope", scope="a \\"b"'))).toMatch(/cannot carry/);
  });
});

describe('formatBearerChallenge', () => {
  test('writes the RFC 9470 challenge, which reads back the same', () => {
    const header = formatBearerChallenge({
      realm: 'tools',
      error: 'insufficient_user_authentication',
      errorDescription: 'A more recent attestation is required',
      acrValues: ['urn:attestgate:acr:attested-fresh', 'urn:attestgate:acr:human-approved'],
      maxAge: 60,
      resourceMetadata: 'https://tools.example/.well-known/oauth-protected-resource',
    });
    expect(header).toBe(
      'Bearer realm="tools", error="insufficient_user_authentication", error_description="A more recent attestation is required", acr_values="urn:attestgate:acr:attested-fresh urn:attestgate:acr:human-approved", max_age=60, resource_metadata="https://tools.example/.well-known/oauth-protected-resource"',
    );
    expect(readBearerChallenge(header)).toEqual({
      scheme: 'bearer',
      realm: 'tools',
      error: 'insufficient_user_authentication',
      errorDescription: 'A more recent attestation is required',
      acrValues: ['urn:attestgate:acr:attested-fresh', 'urn:attestgate:acr:human-approved'],
      maxAge: 60,
      scope: [],
      resourceMetadata: 'https://tools.example/.well-known/oauth-protected-resource',
    });
  });

  test('no value can break out of its quotes or add a parameter', () => {
    const header = formatBearerChallenge({ realm: 'a"b\\c', error: 'invalid_token', errorDescription: 'x", error="none\r\n' });
    expect(parseWwwAuthenticate(header)).toEqual([{ scheme: 'bearer', params: { realm: 'a"b\\c', error: 'invalid_token', error_description: 'x?, error=?none??' } }]);
    expect(() => formatBearerChallenge({ acrValues: ['a b'] })).toThrow(/without spaces/);
    expect(() => formatBearerChallenge({ scope: ['a"'] })).toThrow(/without spaces, quotes/);
    expect(() => formatBearerChallenge({ maxAge: -1 })).toThrow(/non-negative integer/);
    expect(() => quote('a\nb')).toThrow(/control characters/);
  });
});
