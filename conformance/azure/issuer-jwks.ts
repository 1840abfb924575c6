import * as https from 'node:https';
import * as tls from 'node:tls';
import { Jwks } from '../emulator/azure/played-issuers';

/**
 * An issuer's published keys, fetched the way Entra fetches them: `<issuer>/.well-known/openid-configuration`,
 * then its `jwks_uri`. The live target uses them to pair the user's private keys with the issuer
 * (by public key) and to learn the `kid` Entra will look up.
 */
export async function fetchIssuerJwks(issuer: string, options: { timeoutMs?: number; caPem?: string } = {}): Promise<Jwks | { readonly error: string }> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const ca = options.caPem ? [...tls.rootCertificates, options.caPem] : undefined;
  const discoveryUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const discovery = await getJson(discoveryUrl, timeoutMs, ca);
  if ('error' in discovery) return { error: `${discoveryUrl}: ${discovery.error}` };
  const jwksUri = (discovery.value as { jwks_uri?: unknown }).jwks_uri;
  if (typeof jwksUri !== 'string') return { error: `${discoveryUrl} has no jwks_uri` };
  const jwks = await getJson(jwksUri, timeoutMs, ca);
  if ('error' in jwks) return { error: `${jwksUri}: ${jwks.error}` };
  const keys = (jwks.value as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) return { error: `${jwksUri} is not a JWKS (no keys array)` };
  return { keys: keys.filter((k): k is Record<string, unknown> => k !== null && typeof k === 'object') };
}

function getJson(url: string, timeoutMs: number, ca: string[] | undefined): Promise<{ value: unknown } | { error: string }> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ error: 'not a URL' });
      return;
    }
    // Entra fetches issuer metadata over https only.
    if (target.protocol !== 'https:') {
      resolve({ error: 'not https' });
      return;
    }
    const request = https.get(target, { timeout: timeoutMs, ...(ca ? { ca } : {}) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        if (response.statusCode !== 200) return resolve({ error: `HTTP ${response.statusCode}` });
        try {
          resolve({ value: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch {
          resolve({ error: 'not JSON' });
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    request.on('error', (e) => resolve({ error: e.message }));
  });
}
