import { execFile } from 'node:child_process';

/**
 * `--token-command`: a command the user names that prints a valid token for the gate — e.g.
 * `spire-agent api fetch jwt -audience api://AzureADTokenExchange -socketPath /run/spire/agent.sock`.
 *
 * A plain command line (words separated by spaces) runs directly, without a shell; one that uses
 * shell syntax (quotes, pipes, redirections, `$`, `;`, `&`, globbing…) runs with `/bin/sh -c`, as
 * the user wrote it. The token is the first compact JWS in its output (SPIRE prints it after a
 * `token(<SPIFFE ID>):` label); it is never logged, and errors never quote the output.
 */

const SHELL_SYNTAX = /["'`$|&;<>()*?[\]{}~#!\\\n]/;
const JWS = /[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/g;

export class TokenCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenCommandError';
  }
}

/** Whether the command needs a shell to mean what the user wrote. */
export function needsShell(command: string): boolean {
  return SHELL_SYNTAX.test(command);
}

/** The first compact JWS in a text whose header decodes to a JSON object with `alg`. */
export function firstJws(text: string): string | undefined {
  for (const [candidate] of text.matchAll(JWS)) {
    try {
      const header = JSON.parse(Buffer.from(candidate.split('.')[0], 'base64url').toString('utf8')) as { alg?: unknown };
      if (header && typeof header.alg === 'string') return candidate;
    } catch {
      // Not a JWS header: keep looking.
    }
  }
  return undefined;
}

/** Runs the command (30 s at most) and returns the token it printed. */
export function runTokenCommand(command: string, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const trimmed = command.trim();
  if (trimmed.length === 0) return Promise.reject(new TokenCommandError('the token command is empty'));
  const [file, args] = needsShell(trimmed) ? ['/bin/sh', ['-c', trimmed]] : [trimmed.split(/\s+/)[0], trimmed.split(/\s+/).slice(1)];
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 1024 * 1024, env: options.env ?? process.env, windowsHide: true }, (error, stdout) => {
      if (error) {
        const why = error.killed || error.signal === 'SIGTERM' ? `did not finish within ${timeoutMs / 1000} s` : typeof error.code === 'number' ? `exited with status ${error.code}` : `could not be run (${error.code ?? error.message})`;
        reject(new TokenCommandError(`the token command ${why}`));
        return;
      }
      const token = firstJws(stdout);
      if (!token) reject(new TokenCommandError('the token command printed no JWT (a compact JWS such as SPIRE prints)'));
      else resolve(token);
    });
  });
}
