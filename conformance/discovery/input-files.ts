import * as fs from 'node:fs';

/**
 * Reading the files users hand attestgate (`--app`, `--pki`): a file-system failure or a file that
 * is not UTF-8 text becomes a sentence that says what is wrong with the path and what to do,
 * instead of Node's message (ELOOP reads "no such file or directory" through existsSync) or a
 * JSON error about U+FFFD and NUL characters.
 */

/** What a file-system error means for a path the user gave, and what to do about it. */
export function fileSystemProblem(error: unknown, file: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT': {
      let target: string | undefined;
      try {
        target = fs.readlinkSync(file);
      } catch {
        target = undefined;
      }
      return target === undefined ? 'no such file or directory' : `a symlink to ${target}, which does not exist (ENOENT); point the symlink at an existing file, or give the path itself`;
    }
    case 'ELOOP':
      return 'a symlink loop (ELOOP): the symlink points, directly or through other symlinks, back to itself; point it at the file or directory itself';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code}): attestgate cannot read it; make it readable by this user (chmod u+r, and u+x on its directories)`;
    case 'ENOTDIR':
      return 'a part of the path is a file, not a directory (ENOTDIR); check the path';
    case 'EISDIR':
      return 'a directory, where a file was expected (EISDIR); give the file inside it';
    case 'ENAMETOOLONG':
      return 'the path is too long (ENAMETOOLONG)';
    default:
      return `cannot be read (${typeof code === 'string' ? `${code}: ` : ''}${(error as Error)?.message ?? String(error)})`;
  }
}

/** `fs.statSync` of a path the user gave; `undefined` only when nothing is there at all. */
export function statInput(file: string, describe: (problem: string) => Error): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch (e) {
    // A dangling symlink is something there, pointing nowhere: say so rather than "no such file".
    if ((e as { code?: unknown }).code === 'ENOENT' && !isSymlink(file)) return undefined;
    throw describe(fileSystemProblem(e, file));
  }
}

function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Reads a file the user gave, with the file-system problem in the error. */
export function readInput(file: string, describe: (problem: string) => Error): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw describe(fileSystemProblem(e, file));
  }
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The text of a file that must be UTF-8 (JSON, PEM). A UTF-8 byte order mark is dropped: editors
 * on Windows write one, CloudFormation and Terraform read the file as the same text. UTF-16 and
 * invalid UTF-8 are refused with the encoding or the byte offset, never decoded into U+FFFD or
 * NUL characters that would change what the file says.
 *
 * @returns the text, or a problem: what is wrong and how to fix it
 */
export function utf8Text(data: Buffer): { text: string } | { problem: string } {
  const utf16 = utf16Encoding(data);
  if (utf16) {
    return {
      problem: `is ${utf16.encoding} text${utf16.bom ? ' (with a byte order mark)' : ''}, not UTF-8; save it as UTF-8 (iconv -f ${utf16.encoding} -t UTF-8; Windows PowerShell 5's > and Out-File write UTF-16: use Out-File -Encoding utf8)`,
    };
  }
  const body = data.subarray(0, 3).equals(UTF8_BOM) ? data.subarray(3) : data;
  const invalidAt = firstInvalidUtf8(body);
  if (invalidAt !== undefined) {
    const offset = invalidAt + (body === data ? 0 : 3);
    const before = data.subarray(0, offset);
    const line = before.filter((b) => b === 0x0a).length + 1;
    const column = offset - (before.lastIndexOf(0x0a) + 1) + 1;
    return {
      problem: `is not valid UTF-8: byte 0x${data[offset].toString(16).padStart(2, '0').toUpperCase()} at byte offset ${offset} (line ${line}, byte ${column} of the line) is not part of a UTF-8 character; save the file as UTF-8 (iconv -f LATIN1 -t UTF-8 if it was written as Latin-1)`,
    };
  }
  const text = body.toString('utf8');
  const nul = text.indexOf('\u0000');
  if (nul !== -1) return { problem: `holds a NUL byte at byte offset ${Buffer.byteLength(text.slice(0, nul)) + (body === data ? 0 : 3)}; it is binary or UTF-32, not UTF-8 text` };
  return { text };
}

/** The UTF-16 byte order a file is in, if it is UTF-16. */
function utf16Encoding(data: Buffer): { encoding: 'UTF-16LE' | 'UTF-16BE'; bom: boolean } | undefined {
  if (data.length < 2) return undefined;
  if (data[0] === 0xff && data[1] === 0xfe) return { encoding: 'UTF-16LE', bom: true };
  if (data[0] === 0xfe && data[1] === 0xff) return { encoding: 'UTF-16BE', bom: true };
  // Without a mark, JSON and PEM start with an ASCII character: in UTF-16 one of its two bytes is 0.
  if (data[0] !== 0 && data[1] === 0) return { encoding: 'UTF-16LE', bom: false };
  if (data[0] === 0 && data[1] !== 0) return { encoding: 'UTF-16BE', bom: false };
  return undefined;
}

/**
 * The offset of the first byte that is not part of a valid UTF-8 sequence, or undefined when all
 * are: valid UTF-8 survives decoding and encoding again byte for byte; the first invalid sequence
 * becomes U+FFFD (EF BF BD) there.
 */
function firstInvalidUtf8(data: Buffer): number | undefined {
  const again = Buffer.from(data.toString('utf8'), 'utf8');
  if (again.equals(data)) return undefined;
  let i = 0;
  while (i < data.length && data[i] === again[i]) i += 1;
  // The bytes may agree into the U+FFFD itself (an invalid EF BF …): back up to where its character starts.
  while (i > 0 && i < again.length && (again[i] & 0xc0) === 0x80) i -= 1;
  return Math.min(i, data.length - 1);
}
