import { sendRequest } from '../../lib/http/send-request';
import { Jwks } from '../../lib/core/jwks';

/**
 * An issuer's published keys, fetched the way Entra fetches them: `<issuer>/.well-known/openid-configuration`,
 * then its `jwks_uri`. The live target uses them to pair the user's private keys with the issuer
 * (by public key) and to learn the `kid` Entra will look up.
 */
export async function fetchIssuerJwks(issuer: string, options: { timeoutMs?: number; caPem?: string } = {}): Promise<Jwks | { readonly error: string }> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const discoveryUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const discovery = await getJson(discoveryUrl, timeoutMs, options.caPem);
  if ('error' in discovery) return { error: `${discoveryUrl}: ${discovery.error}` };
  const jwksUri = (discovery.value as { jwks_uri?: unknown }).jwks_uri;
  if (typeof jwksUri !== 'string') return { error: `${discoveryUrl} has no jwks_uri` };
  const jwks = await getJson(jwksUri, timeoutMs, options.caPem);
  if ('error' in jwks) return { error: `${jwksUri}: ${jwks.error}` };
  const keys = (jwks.value as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) return { error: `${jwksUri} is not a JWKS (no keys array)` };
  return { keys: keys.filter((k): k is Record<string, unknown> => k !== null && typeof k === 'object') };
}

async function getJson(url: string, timeoutMs: number, extraCa: string | undefined): Promise<{ value: unknown } | { error: string }> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { error: 'not a URL' };
  }
  // Entra fetches issuer metadata over https only.
  if (target.protocol !== 'https:') return { error: 'not https' };
  let answer;
  try {
    answer = await sendRequest(target, { deadlineMs: timeoutMs, headers: { accept: 'application/json' }, ...(extraCa ? { extraCa } : {}) });
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (answer.status !== 200) return { error: `HTTP ${answer.status}` };
  try {
    return { value: JSON.parse(answer.body.toString('utf8')) };
  } catch {
    return { error: 'not JSON' };
  }
}
