import * as crypto from 'node:crypto';
import { NodeSha256 } from '../../lib/credentials/node-sha256';

describe('NodeSha256', () => {
  test('digests as SHA-256, or as HMAC-SHA-256 with a secret, and starts over after reset', async () => {
    const plain = new NodeSha256();
    plain.update(new TextEncoder().encode('abc'));
    expect(Buffer.from(await plain.digest()).toString('hex')).toBe(crypto.createHash('sha256').update('abc').digest('hex'));

    const keyed = new NodeSha256('secret');
    keyed.update(new TextEncoder().encode('ignored'));
    keyed.reset();
    keyed.update(new TextEncoder().encode('abc'));
    expect(Buffer.from(await keyed.digest()).toString('hex')).toBe(crypto.createHmac('sha256', 'secret').update('abc').digest('hex'));
  });
});
