import * as crypto from 'node:crypto';
import { RunningWorkloadApiServer, startWorkloadApiServer } from '../../../../conformance/emulator/spiffe/workload-api-server';
import { IssuerKey, generateIssuerKey } from '../../../../conformance/oidc/issuer-key';
import { decodeJwt } from '../../../../conformance/oidc/jwt';
import { IssuedCertificate, createCa } from '../../../../conformance/pki/throwaway-pki';
import { WORKLOAD_PROTO_PATH } from '../../../../lib/spiffe/workload-api/proto';
import { PythonAnswer, WORKLOADS, deployerEntry, runPythonClient } from '../../../fixtures/workload-api';

/**
 * The emulated Workload API driven by a client on another gRPC stack: Debian's python3-grpcio,
 * with stubs that grpc_tools.protoc generates at test time from the vendored workload.proto (no
 * SPIFFE client library is reachable from these machines' registries). `.ci/run` installs both
 * packages for /usr/bin/python3.
 */

let ca: IssuedCertificate;
let key: IssuerKey;
let server: RunningWorkloadApiServer;
let answer: PythonAnswer;

beforeAll(async () => {
  ca = await createCa({ subject: { CN: 'SPIRE interop CA', O: 'attestgate tests' } });
  key = generateIssuerKey('RS256');
  server = await startWorkloadApiServer({ trustDomain: 'prod.example', entries: [deployerEntry()], workloads: WORKLOADS, x509Authority: ca, jwtAuthority: { key, issuer: 'https://oidc.prod.example' } });
  answer = await runPythonClient({ proto: WORKLOAD_PROTO_PATH, registered: server.addresses.get('deployer')!, unregistered: server.addresses.get('tampered-image')!, audience: 'gcp' });
});
afterAll(() => server?.close());

const b64 = (value: string) => Buffer.from(value, 'base64');

describe('Python grpcio with stubs from the vendored workload.proto', () => {
  test('FetchX509SVID: an X.509-SVID for the SPIFFE ID, its PKCS#8 key, and the CA as bundle, all usable by another stack', () => {
    const [svid] = answer.results.FetchX509SVID.svids;
    expect(svid.spiffe_id).toBe('spiffe://prod.example/agent/deployer');
    const leaf = new crypto.X509Certificate(b64(svid.x509_svid));
    expect(leaf.subjectAltName).toBe('URI:spiffe://prod.example/agent/deployer, DNS:deployer');
    expect(leaf.verify(crypto.createPublicKey(ca.certificate.toString('pem')))).toBe(true);
    expect(leaf.checkPrivateKey(crypto.createPrivateKey({ key: b64(svid.x509_svid_key), format: 'der', type: 'pkcs8' }))).toBe(true);
    expect(b64(svid.bundle)).toEqual(ca.der);
    expect(answer.results.FetchX509SVID.federated_bundles).toEqual({});
  });

  test('FetchJWTSVID: a JWT-SVID for the audience, signed with the issuer key', () => {
    const [svid] = answer.results.FetchJWTSVID.svids;
    expect(svid.spiffe_id).toBe('spiffe://prod.example/agent/deployer');
    const [header, payload, signature] = svid.svid.split('.');
    expect(crypto.verify('sha256', Buffer.from(`${header}.${payload}`), crypto.createPublicKey(key.privateKey), Buffer.from(signature, 'base64url'))).toBe(true);
    expect(decodeJwt(svid.svid).claims).toMatchObject({ aud: ['gcp'], sub: 'spiffe://prod.example/agent/deployer', iss: 'https://oidc.prod.example' });
  });

  test('FetchJWTBundles and FetchX509Bundles: the trust domain’s JWKS and CA, keyed by trust domain ID', () => {
    expect(answer.results.FetchJWTBundles.bundles).toEqual({ 'spiffe://prod.example': { keys: [{ kty: 'RSA', kid: key.kid, n: key.publicJwk.n, e: key.publicJwk.e }] } });
    expect(Object.keys(answer.results.FetchX509Bundles.bundles)).toEqual(['spiffe://prod.example']);
    expect(b64(answer.results.FetchX509Bundles.bundles['spiffe://prod.example'])).toEqual(ca.der);
  });

  test('ValidateJWTSVID: the SPIFFE ID and the claims as a google.protobuf.Struct; another audience is InvalidArgument', () => {
    expect(answer.results.ValidateJWTSVID).toEqual({
      spiffe_id: 'spiffe://prod.example/agent/deployer',
      claims: expect.objectContaining({ aud: ['gcp'], sub: 'spiffe://prod.example/agent/deployer', iss: 'https://oidc.prod.example', exp: expect.any(Number) }),
    });
    expect(answer.results['ValidateJWTSVID other audience'].error).toEqual({ code: 'INVALID_ARGUMENT', details: 'jwtsvid: expected audience in ["someone-else"] (audience=["gcp"])' });
  });

  test('the statuses SPIRE answers with reach the other stack: missing header, missing audience, WIT-SVIDs, an unregistered workload', () => {
    const errors = Object.fromEntries(Object.entries(answer.results).filter(([, r]) => r.error).map(([name, r]) => [name, r.error]));
    expect(errors).toEqual({
      'ValidateJWTSVID other audience': expect.anything(),
      'FetchJWTSVID without the security header': { code: 'INVALID_ARGUMENT', details: 'security header missing from request' },
      'FetchX509SVID without the security header': { code: 'INVALID_ARGUMENT', details: 'security header missing from request' },
      'FetchJWTSVID without an audience': { code: 'INVALID_ARGUMENT', details: 'audience must be specified' },
      FetchWITSVID: { code: 'UNIMPLEMENTED', details: 'fetching WIT-SVIDs is not implemented' },
      'unregistered FetchX509SVID': { code: 'PERMISSION_DENIED', details: 'no identity issued' },
      'unregistered FetchJWTSVID': { code: 'PERMISSION_DENIED', details: 'no identity issued' },
      'unregistered FetchJWTBundles': { code: 'PERMISSION_DENIED', details: 'no identity issued' },
    });
    expect(answer.grpcio).toMatch(/^\d+\.\d+/);
  });
});
