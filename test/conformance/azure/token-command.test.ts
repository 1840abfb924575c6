import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { firstJws, needsShell, runTokenCommand } from '../../../conformance/azure/token-command';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { signJwt } from '../../../conformance/oidc/jwt';

const token = signJwt(generateIssuerKey('RS256'), { iss: 'https://i', sub: 's', aud: 'a' });

/** An executable script printing what SPIRE's `api fetch jwt` prints. */
function spireLikeScript(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-tokencmd-')), 'fetch-jwt');
  fs.writeFileSync(file, `#!/bin/sh\necho "token(spiffe://prod.example/agent/deployer):"\necho "\t${token}"\necho "bundle(spiffe://prod.example):"\necho '\t{"keys":[]}'\n`, { mode: 0o755 });
  return file;
}

describe('--token-command', () => {
  test('runs a plain command line without a shell and takes the JWT out of SPIRE-style output', async () => {
    const script = spireLikeScript();
    expect(needsShell(`${script} -audience api://AzureADTokenExchange`)).toBe(false);
    expect(await runTokenCommand(`${script} -audience api://AzureADTokenExchange`)).toBe(token);
  });

  test('shell syntax runs with /bin/sh -c, as written', async () => {
    const command = `printf '%s\\n' 'noise' '${token}' | tail -n 1`;
    expect(needsShell(command)).toBe(true);
    expect(await runTokenCommand(command)).toBe(token);
  });

  test('failures name the status or the timeout, never the output', async () => {
    await expect(runTokenCommand(`sh -c "echo ${token}; exit 3"`)).rejects.toThrow('the token command exited with status 3');
    await expect(runTokenCommand('sleep 5', { timeoutMs: 50 })).rejects.toThrow('did not finish within 0.05 s');
    await expect(runTokenCommand('/nonexistent/fetch-jwt')).rejects.toThrow(/could not be run \(ENOENT\)/);
    await expect(runTokenCommand('echo hello.world.again')).rejects.toThrow('printed no JWT');
    await expect(runTokenCommand('  ')).rejects.toThrow('empty');
    await runTokenCommand(`sh -c "echo ${token}; exit 3"`).catch((e: Error) => expect(e.message).not.toContain(token.slice(0, 20)));
  });

  test('firstJws skips dotted words whose first part is no JWS header', () => {
    expect(firstJws(`version.1234567890.abcdefghijk then ${token}`)).toBe(token);
    expect(firstJws('nothing here')).toBeUndefined();
  });
});
