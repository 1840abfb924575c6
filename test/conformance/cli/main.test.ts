import { PassThrough, Writable } from 'node:stream';
import { main, printable } from '../../../conformance/cli/main';
import { gateTemplate } from '../../fixtures/templates';
import { writeTemplate } from '../../fixtures/synth';

/** A stdout that fails as a closed pipe would: an error that is no fault of the input. */
function failingOut(): Writable {
  return new Writable({
    write() {
      throw new Error('write EPIPE');
    },
  });
}

async function runWithOut(argv: string[], out: Writable): Promise<{ code: number; err: string }> {
  const err = new PassThrough();
  let text = '';
  err.on('data', (c) => (text += c));
  const code = await main(argv, out, err);
  return { code, err: text };
}

describe('main: errors', () => {
  const debug = process.env.ATTESTGATE_DEBUG;
  afterEach(() => {
    if (debug === undefined) delete process.env.ATTESTGATE_DEBUG;
    else process.env.ATTESTGATE_DEBUG = debug;
  });

  test('an unexpected error is one line "internal error" and a hint to ATTESTGATE_DEBUG=1, exit 70, no stack', async () => {
    delete process.env.ATTESTGATE_DEBUG;
    const { code, err } = await runWithOut(['gates', '--app', writeTemplate(gateTemplate())], failingOut());
    expect(code).toBe(70);
    expect(err).toBe('attestgate: internal error: write EPIPE\nThis is a bug in attestgate: rerun with ATTESTGATE_DEBUG=1 for the stack trace, and report it.\n');
  });

  test('ATTESTGATE_DEBUG=1 adds the stack trace', async () => {
    process.env.ATTESTGATE_DEBUG = '1';
    const { code, err } = await runWithOut(['gates', '--app', writeTemplate(gateTemplate())], failingOut());
    expect(code).toBe(70);
    expect(err).toMatch(/^attestgate: internal error: write EPIPE\nError: write EPIPE\n +at /);
  });
});

describe('printable', () => {
  test('escapes control characters and folds newlines, so no input byte reaches the terminal raw', () => {
    expect(printable('a\u0000b\u001b[31mc\nd\u0085e\u2028')).toBe('a\\u0000b\\u001b[31mc d\\u0085e\\u2028');
    expect(printable('plain “text” é')).toBe('plain “text” é');
  });
});
