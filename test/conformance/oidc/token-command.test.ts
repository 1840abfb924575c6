import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TokenCommandError, needsShell, runTokenCommand, splitCommand } from '../../../conformance/oidc/token-command';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { signJwt } from '../../../conformance/oidc/jwt';

const TOKEN = signJwt(generateIssuerKey(), { iss: 'https://oidc.prod.example', sub: 'spiffe://prod.example/agent/deployer', aud: 'gcp' });

function script(body: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-cmd-')), 'fetch-token.sh');
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

describe('--token-command', () => {
  test('words: quotes group, a backslash escapes, nothing is expanded', () => {
    expect(splitCommand(`spire-agent api fetch jwt -audience "gcp prod" -socketPath '/run/spire/a b.sock' x\\ y`)).toEqual([
      'spire-agent', 'api', 'fetch', 'jwt', '-audience', 'gcp prod', '-socketPath', '/run/spire/a b.sock', 'x y',
    ]);
    expect(splitCommand(`echo "" 'it''s'`)).toEqual(['echo', '', 'its']);
    expect(() => splitCommand('echo "open')).toThrow(TokenCommandError);
  });

  test('a shell only for shell syntax outside quotes', () => {
    expect(needsShell('spire-agent api fetch jwt -audience gcp')).toBe(false);
    expect(needsShell(`cat 'a|b.txt'`)).toBe(false);
    expect(needsShell('spire-agent api fetch jwt | jq -r .token')).toBe(true);
    expect(needsShell('cat $HOME/token')).toBe(true);
  });

  test('the first JWT of plain (spire-agent text) or JSON output is the token', async () => {
    expect(await runTokenCommand(script(`printf 'token(spiffe://prod.example/agent/deployer):\\n\\t${TOKEN}\\n'`))).toBe(TOKEN);
    expect(await runTokenCommand(script(`echo '[{"svids":[{"spiffe_id":"spiffe://prod.example/x","issuer":"oidc.prod.example","svid":"${TOKEN}"}]}]'`))).toBe(TOKEN);
  });

  test('runs without a shell: arguments reach the program verbatim', async () => {
    const file = script(`printf '%s' "$1" > "$2"; echo ${TOKEN}`);
    const out = path.join(path.dirname(file), 'arg');
    await runTokenCommand(`${file} '$HOME; rm -rf /' ${out}`);
    expect(fs.readFileSync(out, 'utf8')).toBe('$HOME; rm -rf /');
  });

  test('with shell syntax, through /bin/sh', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-cmd-')), 'out.json');
    fs.writeFileSync(file, JSON.stringify({ token: TOKEN }));
    expect(await runTokenCommand(`cat ${file} | tr -d '\\n'`)).toBe(TOKEN);
  });

  test('failures say why, and never carry the token', async () => {
    await expect(runTokenCommand(script(`echo "bad audience for ${TOKEN}" >&2; exit 3`))).rejects.toThrow(/^--token-command exited with code 3: bad audience for <redacted>$/);
    await expect(runTokenCommand(script(`echo no token here`))).rejects.toThrow('--token-command printed no token');
    await expect(runTokenCommand('/nonexistent/spire-agent')).rejects.toThrow(/--token-command could not run \(ENOENT\)/);
    await expect(runTokenCommand(script('sleep 5'), { timeoutMs: 200 })).rejects.toThrow('--token-command was stopped after 200 ms');
    await expect(runTokenCommand('   ')).rejects.toThrow('--token-command is empty');
  });
});
