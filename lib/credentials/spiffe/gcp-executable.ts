import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AttestGateError } from '../../core/errors';
import { parseWorkloadApiAddress } from '../../spiffe/workload-api/address';
import { WorkloadApiClient } from '../../spiffe/workload-api/client';
import { WorkloadApiError } from '../../spiffe/workload-api/errors';
import { JWT_TOKEN_TYPE, defaultGcpJwtAudience } from './gcp';

/** The OIDC token types an executable may answer with (google-auth-library's executable-response). */
const OIDC_TOKEN_TYPES = new Set([JWT_TOKEN_TYPE, 'urn:ietf:params:oauth:token-type:id_token']);

export const GCP_EXECUTABLE_USAGE = `Usage: attestgate-gcp-executable [--jwt-audience AUD] [--spiffe-id ID] [--socket ADDRESS] [--timeout-ms N]

Prints a JWT-SVID from the SPIFFE Workload API as the executable-response JSON of Google's
executable-sourced credentials. Run by google-auth-library (GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1)
from a credential configuration's credential_source.executable.command.

  --jwt-audience AUD   the JWT-SVID's aud (default: https: + GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE)
  --spiffe-id ID       the SVID to use when the workload has several (default: the first)
  --socket ADDRESS     the Workload API (default: SPIFFE_ENDPOINT_SOCKET)
  --timeout-ms N       how long to wait for the agent (default 10000)
`;

/**
 * The executable of Google's executable-sourced credentials, over the SPIFFE Workload API. It
 * writes one JSON document to `out` — `{version: 1, success: true, token_type, id_token,
 * expiration_time}`, also to GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE when the library names one (mode
 * 0600) — and resolves to 0; on failure `{version: 1, success: false, code, message}` and 1.
 * Nothing else may be printed: the library reads stdout and stderr together as the answer.
 */
export async function runGcpExecutable(argv: readonly string[], env: NodeJS.ProcessEnv, out: (text: string) => void): Promise<number> {
  const answer = (response: Record<string, unknown>, code: number) => {
    out(JSON.stringify(response));
    return code;
  };
  const failure = (code: string, message: string) => answer({ version: 1, success: false, code, message: message.replace(/\s+/g, ' ') }, 1);
  let values: { 'jwt-audience'?: string; 'spiffe-id'?: string; socket?: string; 'timeout-ms'?: string; help?: boolean };
  try {
    values = parseArgs({ args: [...argv], options: { 'jwt-audience': { type: 'string' }, 'spiffe-id': { type: 'string' }, socket: { type: 'string' }, 'timeout-ms': { type: 'string' }, help: { type: 'boolean' } }, strict: true }).values;
  } catch (error) {
    return failure('InvalidArgument', `${(error as Error).message}. ${GCP_EXECUTABLE_USAGE.split('\n')[0]}`);
  }
  if (values.help) {
    out(GCP_EXECUTABLE_USAGE);
    return 0;
  }
  const tokenType = env.GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE || JWT_TOKEN_TYPE;
  if (!OIDC_TOKEN_TYPES.has(tokenType)) return failure('InvalidArgument', `the credential configuration asks for subject_token_type ${tokenType}; a JWT-SVID is ${JWT_TOKEN_TYPE}`);
  const providerAudience = env.GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE;
  const audience = values['jwt-audience'] ?? (providerAudience ? defaultGcpJwtAudience(providerAudience) : undefined);
  if (!audience) return failure('InvalidArgument', 'no --jwt-audience and no GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE to derive it from');
  const timeoutMs = values['timeout-ms'] === undefined ? undefined : Number(values['timeout-ms']);
  let client: WorkloadApiClient | undefined;
  try {
    // The socket from the environment the library passed, named as such in errors.
    const endpoint = parseWorkloadApiAddress(values.socket, 'attestgate-gcp-executable', env);
    client = new WorkloadApiClient({ address: endpoint.address, timeoutMs });
    const svid = await client.fetchJwtSvid({ audience, spiffeId: values['spiffe-id'] });
    const response = { version: 1, success: true, token_type: tokenType, id_token: svid.token, expiration_time: Math.floor(svid.expiresAt.getTime() / 1000) };
    const outputFile = env.GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE;
    if (outputFile) writePrivately(outputFile, JSON.stringify(response));
    return answer(response, 0);
  } catch (error) {
    if (error instanceof WorkloadApiError) return failure(error.code, error.message);
    if (error instanceof AttestGateError) return failure('InvalidArgument', error.message);
    return failure('Internal', (error as Error).message ?? String(error));
  } finally {
    client?.close();
  }
}

/**
 * Writes the cached answer so that only this user can read it — it holds a token the library
 * reuses until expiration_time — through a new file renamed into place: a symlink planted at the
 * path (often in a shared /tmp) is replaced, never written through.
 */
function writePrivately(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}`);
  fs.writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
  try {
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}
