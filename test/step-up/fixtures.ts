import * as crypto from 'node:crypto';
import { IssuerKey, generateIssuerKey } from '../../conformance/oidc/issuer-key';
import { TokenClaims, signJwt } from '../../conformance/oidc/jwt';
import { TrustedIssuer } from '../../lib/step-up/policy';

export const AUDIENCE = 'https://tools.example.test';
export const AGENT = 'spiffe://example.test/agent/deployer';

/** A fixed clock for the guard: tokens are minted relative to it, so no test waits or races the clock. */
export const NOW_MS = Date.UTC(2026, 11, 4, 12, 0, 0);
export const NOW = NOW_MS / 1000;

/** An OIDC issuer played by the test: its key, its trusted-issuer entry, and a minter. */
export interface TestIssuer {
  readonly iss: string;
  readonly key: IssuerKey;
  readonly trusted: TrustedIssuer;
  mint(claims?: Partial<TokenClaims>, header?: Parameters<typeof signJwt>[2]): string;
}

const keys = new Map<string, IssuerKey>();
/** One ES256 key per name for the whole test file: generation is the slow part. */
function keyNamed(name: string): IssuerKey {
  let key = keys.get(name);
  if (!key) keys.set(name, (key = generateIssuerKey('ES256')));
  return key;
}

export function testIssuer(iss = 'https://issuer.example.test', options: Partial<TrustedIssuer> & { keyName?: string } = {}): TestIssuer {
  const { keyName, ...trustedOptions } = options;
  const key = keyNamed(keyName ?? iss);
  return {
    iss,
    key,
    trusted: { issuer: iss, jwks: { keys: [key.publicJwk as unknown as Record<string, unknown>] }, ...trustedOptions },
    mint: (claims = {}, header) => signJwt(key, { iss, sub: AGENT, aud: AUDIENCE, iat: NOW - 5, exp: NOW + 300, ...claims } as TokenClaims, header),
  };
}

export const randomJti = () => crypto.randomUUID();
