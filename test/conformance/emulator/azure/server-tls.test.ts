import * as crypto from 'node:crypto';
import { createServerTls } from '../../../../conformance/emulator/azure/server-tls';

describe('the emulator test CA', () => {
  test('a server certificate for IP 127.0.0.1, for server auth, signed by the CA; the CA is a CA', async () => {
    const tls = await createServerTls();
    const ca = new crypto.X509Certificate(tls.caPem);
    const server = new crypto.X509Certificate(tls.certificatePem);
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(server.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    expect(crypto.createPublicKey(crypto.createPrivateKey(tls.privateKeyPem)).export({ format: 'jwk' })).toEqual(server.publicKey.export({ format: 'jwk' }));
  });

  test('a fresh CA at every start', async () => {
    const [a, b] = await Promise.all([createServerTls(), createServerTls()]);
    expect(a.caPem).not.toBe(b.caPem);
  });
});
