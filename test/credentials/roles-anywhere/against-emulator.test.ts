import * as crypto from 'node:crypto';
import { CreateSessionError, fromRolesAnywhere } from '../../../lib/credentials/roles-anywhere/credential-provider';
import { startAwsEmulator } from '../../../conformance/emulator/aws-emulator';
import { issueLeaf } from '../../../conformance/pki/throwaway-pki';
import { exampleTemplate, sourceOf, writeTestPki } from '../../fixtures/conformance';

/** An agent on Node using fromRolesAnywhere against the emulator serving the example's gates. */
describe('fromRolesAnywhere against the local emulator', () => {
  test('the deployer gets credentials with its certificate, and an impostor does not', async () => {
    const pki = await writeTestPki();
    const emulator = await startAwsEmulator({ sources: sourceOf(exampleTemplate(pki)) });
    try {
      const role = [...emulator.world.roles.values()].find((r) => r.origin.includes('Deployer'))!;
      const profile = [...emulator.world.profiles.values()].find((p) => p.roleArns.includes(role.arn))!;
      const anchor = [...emulator.world.trustAnchors.values()][0];
      const provider = (cn: string, uri: string) =>
        issueLeaf({ issuer: pki.ca, subject: { CN: cn, O: 'attestgate examples' }, sanUris: [uri] }).then((leaf) =>
          fromRolesAnywhere({
            certificate: leaf.pem,
            privateKey: crypto.KeyObject.from(leaf.keys.privateKey as unknown as crypto.webcrypto.CryptoKey),
            trustAnchorArn: anchor.arn,
            profileArn: profile.arn,
            roleArn: role.arn,
            endpoint: emulator.endpoint,
          }),
        );
      const credentials = await (await provider('deployer', 'spiffe://prod.example/agent/deployer'))();
      expect(credentials.accessKeyId).toMatch(/^ASIA/);
      expect(credentials.expiration!.getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
      const impostor = await provider('reader', 'spiffe://prod.example/agent/reader');
      await expect(impostor()).rejects.toMatchObject({ constructor: CreateSessionError, status: 403, code: 'AccessDeniedException' });
    } finally {
      await emulator.close();
    }
  });
});
