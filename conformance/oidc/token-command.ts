import { execFile } from 'node:child_process';

/**
 * `--token-command`: a command the user names that prints a valid token for the gate — for
 * example `spire-agent api fetch jwt -audience gcp -socketPath /run/spire/agent.sock`. It is the
 * positive control's token on a live target when no issuer key is at hand.
 *
 * - The command runs without a shell: the string is split into words (single and double quotes
 *   group, a backslash escapes the next character). Only when it holds shell syntax — a pipe,
 *   `;`, `&`, a redirection, `$`, a backquote, parentheses or a glob — is it run with `/bin/sh -c`,
 *   since then it needs one.
 * - The first compact JWS in its output is the token, so plain (`spire-agent … -output text`)
 *   and JSON outputs both work.
 * - It is stopped after 30 s. The token is never logged: errors carry no output, and stderr is
 *   quoted only with anything token-shaped removed.
 */

export const TOKEN_COMMAND_TIMEOUT_MS = 30_000;

const SHELL_SYNTAX = /[|;&<>()$`*?~\n]/;
// A compact JWS: header and payload are base64url JSON objects, so both start with "ey" ("{").
const JWS = /ey[A-Za-z0-9_-]+\.ey[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;
const JWS_GLOBAL = new RegExp(JWS.source, 'g');

export class TokenCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenCommandError';
  }
}

/** Splits a command line into words, honouring quotes and backslashes (no expansion). */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && (command[i + 1] === '"' || command[i + 1] === '\\')) word += command[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new TokenCommandError(`--token-command has an unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

/** Whether a command needs a shell: shell syntax outside quotes. */
export function needsShell(command: string): boolean {
  const unquoted = command.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, '');
  return SHELL_SYNTAX.test(unquoted);
}

const redacted = (text: string) => text.replace(JWS_GLOBAL, '<redacted>').trim().slice(0, 300);

/** The program and arguments to run: the words of the command, or `/bin/sh -c` when it needs a shell. */
function invocation(command: string): [string, string[]] {
  if (needsShell(command)) return ['/bin/sh', ['-c', command]];
  const words = splitCommand(command);
  if (words.length === 0) throw new TokenCommandError('--token-command is empty');
  return [words[0], words.slice(1)];
}

/** Runs the command and returns the token it printed. */
export async function runTokenCommand(command: string, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const [file, args] = invocation(command);
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: options.timeoutMs ?? TOKEN_COMMAND_TIMEOUT_MS, maxBuffer: 1 << 20, env: options.env ?? process.env }, (error, stdout, stderr) => {
      if (error) {
        const why = error.killed ? `was stopped after ${options.timeoutMs ?? TOKEN_COMMAND_TIMEOUT_MS} ms` : typeof error.code === 'number' ? `exited with code ${error.code}` : `could not run (${String(error.code ?? error.message)})`;
        const detail = redacted(String(stderr));
        reject(new TokenCommandError(`--token-command ${why}${detail ? `: ${detail}` : ''}`));
        return;
      }
      const token = JWS.exec(String(stdout))?.[0];
      if (!token) reject(new TokenCommandError('--token-command printed no token (expected a compact JWT: three base64url parts separated by dots)'));
      else resolve(token);
    });
  });
}
