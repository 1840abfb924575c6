import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunningWorkloadApiServer, startWorkloadApiServer } from '../../../conformance/emulator/spiffe/workload-api-server';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { decodeJwt } from '../../../conformance/oidc/jwt';
import { createCa } from '../../../conformance/pki/throwaway-pki';
import { runGcpExecutable } from '../../../lib/credentials/spiffe/gcp-executable';
import { WORKLOADS, deployerEntry } from '../../fixtures/workload-api';
import { ISSUER } from '../../fixtures/terraform';

/**
 * The executable google-auth-library runs for executable-sourced credentials, in-process: its
 * answers in the executable-response format and exit codes. (The built command runs under
 * google-auth-library in the end-to-end test.)
 */

const PROVIDER = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/agents/providers/spire';
let spire: RunningWorkloadApiServer;
beforeAll(async () => {
  spire = await startWorkloadApiServer({ trustDomain: 'prod.example', entries: [deployerEntry()], workloads: WORKLOADS, x509Authority: await createCa({ subject: { CN: 'SPIRE CA' } }), jwtAuthority: { key: generateIssuerKey('RS256'), issuer: ISSUER } });
});
afterAll(() => spire?.close());

/** What google-auth-library sets for the executable. */
const libraryEnv = (extra: Record<string, string> = {}) => ({ GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE: PROVIDER, GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE: 'urn:ietf:params:oauth:token-type:jwt', GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE: '0', ...extra });

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: any; printed: number }> {
  const printed: string[] = [];
  const code = await runGcpExecutable(argv, env, (text) => printed.push(text));
  return { code, output: JSON.parse(printed.join('')), printed: printed.length };
}

describe('attestgate-gcp-executable', () => {
  test('prints one executable-response with the JWT-SVID and its expiry, and caches it in the output file (mode 0600)', async () => {
    const outputFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-exec-')), 'cache.json');
    const { code, output, printed } = await run(['--jwt-audience', 'gcp', '--socket', spire.addresses.get('deployer')!], libraryEnv({ GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE: outputFile }));
    expect([code, printed]).toEqual([0, 1]);
    expect(output).toEqual({ version: 1, success: true, token_type: 'urn:ietf:params:oauth:token-type:jwt', id_token: expect.any(String), expiration_time: decodeJwt(output.id_token).claims.exp });
    expect(decodeJwt(output.id_token).claims).toMatchObject({ aud: ['gcp'], sub: 'spiffe://prod.example/agent/deployer' });
    expect(JSON.parse(fs.readFileSync(outputFile, 'utf8'))).toEqual(output);
    expect(fs.statSync(outputFile).mode & 0o777).toBe(0o600);
  });

  test('a symlink planted at the output file is replaced, not written through', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-exec-'));
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'untouched');
    const outputFile = path.join(dir, 'cache.json');
    fs.symlinkSync(victim, outputFile);
    const { code } = await run(['--jwt-audience', 'gcp', '--socket', spire.addresses.get('deployer')!], libraryEnv({ GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE: outputFile }));
    expect(code).toBe(0);
    expect(fs.readFileSync(victim, 'utf8')).toBe('untouched');
    expect(fs.lstatSync(outputFile).isFile()).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['cache.json', 'victim']);
  });

  test('without --jwt-audience the provider’s default audience; the socket from SPIFFE_ENDPOINT_SOCKET; id_token type kept', async () => {
    const { code, output } = await run([], libraryEnv({ SPIFFE_ENDPOINT_SOCKET: spire.addresses.get('deployer')!, GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE: 'urn:ietf:params:oauth:token-type:id_token' }));
    expect(code).toBe(0);
    expect(output.token_type).toBe('urn:ietf:params:oauth:token-type:id_token');
    expect(decodeJwt(output.id_token).claims.aud).toEqual([`https:${PROVIDER}`]);
  });

  test.each([
    ['an unregistered workload', ['--socket', 'tampered-image'], {}, 'PermissionDenied', /PermissionDenied: no identity issued/],
    ['an unknown option', ['--audience', 'gcp'], {}, 'InvalidArgument', /Unknown option '--audience'/],
    ['a SAML configuration', [], { GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE: 'urn:ietf:params:oauth:token-type:saml2' }, 'InvalidArgument', /saml2; a JWT-SVID is/],
    ['no audience at all', [], { GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE: '' }, 'InvalidArgument', /no --jwt-audience/],
    ['no socket', ['--socket', 'unix:///nonexistent/agent.sock'], {}, 'Unavailable', /There is no socket at \/nonexistent\/agent\.sock/],
  ])('%s: an error response and exit 1', async (_name, argv, env, errorCode, message) => {
    const args = argv.map((a) => (a === 'tampered-image' ? spire.addresses.get(a)! : a));
    const { code, output } = await run(args, libraryEnv(env as Record<string, string>));
    expect(code).toBe(1);
    expect(output).toEqual({ version: 1, success: false, code: errorCode, message: expect.stringMatching(message) });
  });
});
