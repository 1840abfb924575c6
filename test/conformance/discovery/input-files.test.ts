import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileSystemProblem, statInput, utf8Text } from '../../../conformance/discovery/input-files';

const problemOf = (data: Buffer) => {
  const decoded = utf8Text(data);
  return 'problem' in decoded ? decoded.problem : undefined;
};

describe('utf8Text', () => {
  test('UTF-8 is read as is; a UTF-8 byte order mark is dropped', () => {
    expect(utf8Text(Buffer.from('{"a":"é€😀"}', 'utf8'))).toEqual({ text: '{"a":"é€😀"}' });
    expect(utf8Text(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')]))).toEqual({ text: '{}' });
  });

  test.each([
    ['a Latin-1 é', Buffer.from('{"a":\n"caf\xe9"}', 'latin1'), 'byte 0xE9 at byte offset 10 (line 2, byte 5 of the line)'],
    ['a sequence cut short at the end', Buffer.from([0x7b, 0x22, 0xe2, 0x82]), 'byte 0xE2 at byte offset 2 (line 1, byte 3 of the line)'],
    ['a lead byte of U+FFFD followed by ASCII', Buffer.from([0x7b, 0xef, 0xbf, 0x41]), 'byte 0xEF at byte offset 1 (line 1, byte 2 of the line)'],
    ['an encoded surrogate', Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), 'byte 0xED at byte offset 1'],
    ['after a byte order mark, offsets count it', Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0xff]), 'byte 0xFF at byte offset 4'],
  ])('invalid UTF-8, %s: the byte and its offset', (_name, data, expected) => {
    expect(problemOf(data)).toContain(`is not valid UTF-8: ${expected}`);
  });

  test.each([
    [Buffer.from('{"Resources":{}}', 'utf16le'), 'is UTF-16LE text, not UTF-8; save it as UTF-8 (iconv -f UTF-16LE -t UTF-8;'],
    [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')]), 'is UTF-16LE text (with a byte order mark), not UTF-8'],
    [Buffer.from('{}', 'utf16le').swap16(), 'is UTF-16BE text, not UTF-8; save it as UTF-8 (iconv -f UTF-16BE -t UTF-8;'],
    [Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('{}', 'utf16le').swap16()]), 'is UTF-16BE text (with a byte order mark), not UTF-8'],
  ])('UTF-16 is named, with the fix: %#', (data, expected) => {
    expect(problemOf(data)).toContain(expected);
  });

  test('a NUL byte inside otherwise valid text is refused with its offset', () => {
    expect(problemOf(Buffer.from('{"a":"\u0000"}'))).toBe('holds a NUL byte at byte offset 6; it is binary or UTF-32, not UTF-8 text');
  });
});

describe('fileSystemProblem and statInput', () => {
  test.each([
    ['EACCES', 'permission denied (EACCES): attestgate cannot read it; make it readable by this user (chmod u+r, and u+x on its directories)'],
    ['ENOTDIR', 'a part of the path is a file, not a directory (ENOTDIR); check the path'],
    ['EISDIR', 'a directory, where a file was expected (EISDIR); give the file inside it'],
    ['EIO', 'cannot be read (EIO: i/o error)'],
  ])('%s', (code, expected) => {
    expect(fileSystemProblem(Object.assign(new Error('i/o error'), { code }), '/x')).toBe(expected);
  });

  test('a symlink loop and a dangling symlink are named as such; a path with nothing there is undefined', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-input-'));
    fs.symlinkSync(path.join(dir, 'b'), path.join(dir, 'a'));
    fs.symlinkSync(path.join(dir, 'a'), path.join(dir, 'b'));
    fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
    const describe = (problem: string) => new Error(problem);
    expect(() => statInput(path.join(dir, 'a'), describe)).toThrow(/^a symlink loop \(ELOOP\)/);
    expect(() => statInput(path.join(dir, 'dangling'), describe)).toThrow(`a symlink to ${path.join(dir, 'nowhere')}, which does not exist (ENOENT)`);
    expect(statInput(path.join(dir, 'absent'), describe)).toBeUndefined();
  });
});
