import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthAwsGateTemplates } from '../../../bench/aws-gate-templates';
import { discoverAwsGates } from '../../../conformance/aws/discover-gates';
import { resolveAwsGates } from '../../../conformance/aws/resolve-gates';
import { PkiMaterial, loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { IssuedCertificate, createCa, createCrl, privateKeyPem } from '../../../conformance/pki/throwaway-pki';
import { TemplateModel } from '../../../lib/model/aws/template';
import * as crlModule from '../../../lib/core/pki/crl';

// Counted, not replaced: how many times a CRL's signature is checked.
jest.mock('../../../lib/core/pki/crl', () => {
  const actual = jest.requireActual<typeof import('../../../lib/core/pki/crl')>('../../../lib/core/pki/crl');
  return { ...actual, crlSigner: jest.fn(actual.crlSigner) };
});

const ISSUER = { CN: 'attestgate Resolve Test CA', O: 'attestgate tests' };
const REVOKED = '0badc0de01';
let ca: IssuedCertificate;
let pki: PkiMaterial;
beforeAll(async () => {
  ca = await createCa({ subject: ISSUER });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-resolve-pki-'));
  fs.writeFileSync(path.join(dir, 'ca.crt'), ca.pem);
  fs.writeFileSync(path.join(dir, 'ca.key'), await privateKeyPem(ca.keys));
  pki = loadPkiDirectory(dir);
});
beforeEach(() => jest.mocked(crlModule.crlSigner).mockClear());

/**
 * Three gates behind one anchor of `ca` whose CRL is `crlPem` — or, with `deployedCrlPem`, another
 * CRL put in its place after synth (the constructs refuse a CRL the anchor's CA did not sign) —
 * resolved as if deployed.
 */
function resolvedGates(crlPem: string, deployedCrlPem?: string) {
  const synthesized = synthAwsGateTemplates({ count: 3, caPem: ca.pem, crlPem, issuer: ISSUER });
  const withDeployedCrl = (template: Record<string, any>) => {
    for (const resource of Object.values<any>(template.Resources)) if (resource.Type === 'AWS::RolesAnywhere::CRL') resource.Properties.CrlData = deployedCrlPem;
    return template;
  };
  const sources = deployedCrlPem
    ? synthesized.map((s) => ({ ...s, model: TemplateModel.parse(withDeployedCrl(JSON.parse(JSON.stringify(s.model.template))), s.stackName) }))
    : synthesized;
  return resolveAwsGates(discoverAwsGates(sources), (_stack, logicalId, type) => (type === 'role' ? `arn:aws:iam::111122223333:role/${logicalId}` : `arn:aws:rolesanywhere:us-east-1:111122223333:${type}/${logicalId}`), pki);
}

describe('resolveAwsGates: the anchors’ CRLs', () => {
  test('a CRL the anchor’s CA signed revokes its serials on every gate, its signature checked once for all of them', async () => {
    const crl = await createCrl({ issuer: ca, revokedSerials: [REVOKED] });
    const gates = resolvedGates(crl.pem);
    expect(gates).toHaveLength(3);
    for (const gate of gates) {
      expect(gate.paths[0].revokedSerials).toEqual([crlModule.normalizeSerial(REVOKED)]);
      expect(gate.paths[0].foreignCrls).toEqual([]);
    }
    // One CRL, one CA (the anchor's, which is also the signing CA): one signature check.
    expect(crlModule.crlSigner).toHaveBeenCalledTimes(1);
  });

  test('a CRL another CA signed under the same name revokes nothing on any gate: a remembered verdict is the verdict of that CRL and that CA', async () => {
    const impostor = await createCa({ subject: ISSUER });
    const [real, foreign] = await Promise.all([createCrl({ issuer: ca, revokedSerials: [REVOKED] }), createCrl({ issuer: impostor, revokedSerials: [REVOKED] })]);
    for (const gate of resolvedGates(real.pem, foreign.pem)) {
      expect(gate.paths[0].revokedSerials).toEqual([]);
      expect(gate.paths[0].enabledCrls).toEqual([]);
      expect(gate.paths[0].foreignCrls).toHaveLength(1);
    }
  });
});
