import * as crypto from 'node:crypto';
import { publicKeyOfSpki, spkiOf, spkiOfJwk } from '../../../conformance/pki/spki';

const keyPairs = {
  'EC P-256': () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  'EC P-384': () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  'EC P-521': () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  'RSA 2048': () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
};

describe('spki', () => {
  test.each(Object.entries(keyPairs))('%s: the SPKI written from the JWK is OpenSSL’s byte for byte, and reads back as the same key', (_, generate) => {
    const { publicKey, privateKey } = generate();
    const openssl = publicKey.export({ type: 'spki', format: 'der' });
    expect(spkiOf(publicKey).equals(openssl)).toBe(true);
    expect(spkiOf(privateKey).equals(openssl)).toBe(true);
    const imported = publicKeyOfSpki(openssl)!;
    expect(imported.equals(publicKey)).toBe(true);
    // and it verifies what the private key signs
    const signature = crypto.sign('sha256', Buffer.from('probe'), privateKey);
    expect(crypto.verify('sha256', Buffer.from('probe'), imported, signature)).toBe(true);
  });

  test('whatever the bytes, the answer is the DER import’s: the same key, or none', () => {
    const ec = keyPairs['EC P-256']().publicKey;
    const der = ec.export({ type: 'spki', format: 'der' });
    const jwk = ec.export({ format: 'jwk' });
    const y = Buffer.from(jwk.y!, 'base64url');
    const compressed = Buffer.concat([Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'), Buffer.from([y[y.length - 1] & 1 ? 0x03 : 0x02]), Buffer.from(jwk.x!, 'base64url')]);
    const offCurve = Buffer.from(der);
    offCurve[offCurve.length - 1] ^= 0x01;
    // An RSA modulus written as a negative INTEGER (its leading 00 dropped): not canonical.
    const rsa = spkiOfJwk(keyPairs['RSA 2048']().publicKey.export({ format: 'jwk' }))!;
    const at = rsa.indexOf(Buffer.from('0282010100', 'hex'));
    const negativeModulus = Buffer.concat([rsa.subarray(0, at), Buffer.from('02820100', 'hex'), rsa.subarray(at + 5)]);
    negativeModulus.writeUInt16BE(negativeModulus.length - 4, 2);

    const inputs = { compressed, offCurve, truncated: der.subarray(0, der.length - 1), negativeModulus, garbage: Buffer.from('not a key') };
    for (const [name, bytes] of Object.entries(inputs)) {
      let viaDer: crypto.KeyObject | undefined;
      try {
        viaDer = crypto.createPublicKey({ key: bytes, format: 'der', type: 'spki' });
      } catch {
        viaDer = undefined;
      }
      const ours = publicKeyOfSpki(bytes);
      expect({ name, read: ours !== undefined }).toEqual({ name, read: viaDer !== undefined });
      if (ours && viaDer) expect({ name, same: ours.equals(viaDer) }).toEqual({ name, same: true });
    }
    // Any one byte before the point changed (length, algorithm, curve, BIT STRING, point form):
    // the canonical-EC shortcut must not take it, and the answer stays the DER import's.
    const prefixLength = der.length - 64;
    for (let at = 0; at < prefixLength; at++) {
      const changed = Buffer.from(der);
      changed[at] ^= 0x01;
      let viaDer: crypto.KeyObject | undefined;
      try {
        viaDer = crypto.createPublicKey({ key: changed, format: 'der', type: 'spki' });
      } catch {
        viaDer = undefined;
      }
      const ours = publicKeyOfSpki(changed);
      expect({ at, read: ours !== undefined }).toEqual({ at, read: viaDer !== undefined });
      if (ours && viaDer) expect({ at, same: ours.equals(viaDer) }).toEqual({ at, same: true });
    }
    expect(publicKeyOfSpki(compressed)!.equals(ec)).toBe(true);
    expect(publicKeyOfSpki(offCurve)).toBeUndefined();
  });
});
