import * as crypto from 'node:crypto';
import { PlayedIssuer } from '../../../conformance/emulator/gcp/played-issuers';
import { HttpOutcome } from '../../../conformance/gcp/gcp-outcome';
import { GcpProbeTarget } from '../../../conformance/gcp/gcp-probe-target';
import { fetchIssuerJwks, keysForGate } from '../../../conformance/gcp/issuer-keys';
import { generateIssuerKey, issuerKeyOf } from '../../../conformance/oidc/issuer-key';

const ISSUER = 'https://oidc.prod.example';
const json = (value: unknown, status = 200): HttpOutcome => ({ kind: 'response', status, headers: {}, body: JSON.stringify(value) });

/** A target that answers GETs from a table, and records them. */
function documents(table: Record<string, HttpOutcome>): GcpProbeTarget & { gets: string[] } {
  const gets: string[] = [];
  return {
    name: 'fake',
    gets,
    exchange: () => Promise.reject(new Error('not used')),
    generateAccessToken: () => Promise.reject(new Error('not used')),
    getJson: async (url) => {
      gets.push(url);
      return table[url] ?? json({ error: 'not found' }, 404);
    },
  };
}

describe('issuer keys for a gate', () => {
  const key = generateIssuerKey();
  const published = { ...key.publicJwk, kid: 'spire-2026-10' };

  test('an inline JWKS is paired with --pki keys by public key, taking the JWKS’s kid', async () => {
    const found = await keysForGate(ISSUER, { keys: [published] }, { privateKeys: [{ key: crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }, { key: key.privateKey }], issuerKeys: [] });
    expect(found.keys.map((k) => k.kid)).toEqual(['spire-2026-10']);
    const none = await keysForGate(ISSUER, { keys: [published] }, { privateKeys: [], issuerKeys: [generateIssuerKey()] });
    expect(none).toEqual({ keys: [], noKeyReason: expect.stringContaining("no private key at hand (--pki, issuer keys) matches the provider's inline JWKS (kid spire-2026-10)") });
  });

  test('locally, a played issuer’s own keys', async () => {
    const played: PlayedIssuer = { issuer: ISSUER, keys: [key], jwks: { keys: [key.publicJwk] } };
    expect((await keysForGate(ISSUER, undefined, { privateKeys: [], issuerKeys: [], played: new Map([[ISSUER, played]]) })).keys).toEqual([key]);
  });

  test('live: the issuer’s published JWKS pairs the keys at hand and gives their kid', async () => {
    const target = documents({
      [`${ISSUER}/.well-known/openid-configuration`]: json({ issuer: ISSUER, jwks_uri: `${ISSUER}/keys` }),
      [`${ISSUER}/keys`]: json({ keys: [published] }),
    });
    const found = await keysForGate(ISSUER, undefined, { privateKeys: [], issuerKeys: [issuerKeyOf(key.privateKey)], target });
    expect(found.keys.map((k) => k.kid)).toEqual(['spire-2026-10']);
    expect(target.gets).toEqual([`${ISSUER}/.well-known/openid-configuration`, `${ISSUER}/keys`]);
    expect(await fetchIssuerJwks(target, `${ISSUER}/`)).toEqual({ keys: [published] });
  });

  test('live: an unreadable JWKS falls back to the issuer keys as given; without any key nothing is fetched', async () => {
    const target = documents({});
    const given = issuerKeyOf(key.privateKey);
    expect((await keysForGate(ISSUER, undefined, { privateKeys: [], issuerKeys: [given], target })).keys).toEqual([given]);
    expect(await keysForGate(ISSUER, undefined, { privateKeys: [{ key: key.privateKey }], issuerKeys: [], target })).toEqual({ keys: [], noKeyReason: `the JWKS of ${ISSUER} could not be read, and no issuer key was given` });
    const quiet = documents({});
    expect((await keysForGate(ISSUER, undefined, { privateKeys: [], issuerKeys: [], target: quiet })).noKeyReason).toBe(`no issuer key for ${ISSUER} was given (--pki or issuer keys)`);
    expect(quiet.gets).toEqual([]);
  });

  test('live: a published JWKS none of the keys at hand match', async () => {
    const target = documents({ [`${ISSUER}/.well-known/openid-configuration`]: json({ jwks_uri: `${ISSUER}/keys` }), [`${ISSUER}/keys`]: json({ keys: [published] }) });
    expect((await keysForGate(ISSUER, undefined, { privateKeys: [{ key: generateIssuerKey().privateKey }], issuerKeys: [], target })).noKeyReason).toBe(
      `no private key at hand matches the JWKS ${ISSUER} publishes (kid spire-2026-10)`,
    );
  });

  test('no issuer (not an OIDC provider)', async () => {
    expect((await keysForGate(undefined, undefined, { privateKeys: [], issuerKeys: [] })).noKeyReason).toBe('the provider is not an OIDC provider with an issuer');
  });
});
