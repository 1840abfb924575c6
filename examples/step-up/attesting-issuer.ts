/**
 * The issuer of the example, played with the conformance suite's OIDC issuer key: it publishes
 * its JWKS on a loopback port (as a SPIRE OIDC discovery provider would), and attests agents
 * through a pluggable check before it mints a fresh token — the re-attestation a step-up asks for.
 */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { IssuerKey, generateIssuerKey } from '../../conformance/oidc/issuer-key';
import { signJwt } from '../../conformance/oidc/jwt';
import { ACR, TokenSource, TokenSourceError } from '../../lib/step-up';

export interface AttestingIssuer {
  /** Its `iss`: the loopback URL it serves its JWKS under. */
  readonly issuer: string;
  readonly jwksUri: string;
  readonly key: IssuerKey;
  /**
   * A token source for one agent identity: a routine `attested` token first; on a step-up, the
   * agent is attested again (`attest` throws when it cannot be) and gets a token attested now,
   * with a new jti and the first ACR value asked for that the issuer can vouch for.
   */
  sourceFor(subject: string, attest: () => Promise<void>): TokenSource;
  close(): Promise<void>;
}

const VOUCHES_FOR: readonly string[] = [ACR.ATTESTED_FRESH, ACR.ATTESTED];

export async function startAttestingIssuer(key: IssuerKey = generateIssuerKey('ES256')): Promise<AttestingIssuer> {
  const server = http.createServer((req, res) => {
    if (req.url === '/keys') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.publicJwk] }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mint = (subject: string, audience: string, claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(key, { iss: issuer, sub: subject, aud: audience, iat: now, exp: now + 300, ...claims });
  };
  return {
    issuer,
    jwksUri: `${issuer}/keys`,
    key,
    sourceFor(subject, attest) {
      return {
        async getToken(request) {
          if (request.reason === 'initial') return mint(subject, request.audience, { acr: ACR.ATTESTED, auth_time: Math.floor(Date.now() / 1000) - 3600 });
          const acr = request.acrValues?.length ? request.acrValues.find((v) => VOUCHES_FOR.includes(v)) : ACR.ATTESTED;
          if (acr === undefined) throw new TokenSourceError('cannot-meet', `the issuer cannot vouch for ${request.acrValues!.join(' or ')}`);
          try {
            await attest();
          } catch (e) {
            throw new TokenSourceError('issuer-refused', `re-attestation of ${subject} failed: ${(e as Error).message}`, { cause: e });
          }
          return mint(subject, request.audience, { acr, auth_time: Math.floor(Date.now() / 1000), jti: crypto.randomUUID(), ...(request.scopes?.length ? { scope: request.scopes.join(' ') } : {}) });
        },
      };
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
