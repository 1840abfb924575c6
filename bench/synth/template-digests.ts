/**
 * SHA-256 of every template the AWS example and the bench apps synthesize, one line per file:
 * proof that a performance change left deployed logical IDs and template content alone.
 *
 *   npx tsx bench/synth/template-digests.ts > before.txt     (on the commit before the change)
 *   npx tsx bench/synth/template-digests.ts --compare before.txt
 *
 * `--compare` exits 1 and names each template whose bytes differ, or that appeared or vanished.
 * SIZES=1,100,1000 (the default) picks the bench app's sizes: 1,000 is the only one spread over
 * IdentityStacks, 100 fills one stack.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { type Variant, synthesize } from './stacks';
import { buildExampleApp } from '../../examples/aws/app';

// The built-in CloudFormation validation only reports; it writes nothing into a template.
process.env.CDK_VALIDATION = 'false';

const repoRoot = path.join(__dirname, '../..');
const SIZES = (process.env.SIZES ?? '1,100,1000').split(',').map(Number);
const VARIANTS: Variant[] = ['raw-l1', 'raw-l1+gate-metadata', 'raw-l1+nested', 'raw-l1+nested+cached-id', 'attestgate', 'raw-l1+monitoring', 'attestgate+monitoring', 'attestgate+checks'];

/** `<label>/<file> <sha256>` for each template in a synthesized cloud assembly directory. */
function templateDigests(label: string, outdir: string): string[] {
  return fs
    .readdirSync(outdir)
    .filter((file) => file.endsWith('.template.json'))
    .sort()
    .map((file) => `${label}/${file} ${crypto.createHash('sha256').update(fs.readFileSync(path.join(outdir, file))).digest('hex')}`);
}

function synthesized(label: string, synth: (outdir: string) => void): string[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-digests-'));
  try {
    synth(outdir);
    return templateDigests(label, outdir);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const lines = [
  ...synthesized('examples/aws', (outdir) => buildExampleApp(new App({ outdir })).app.synth()),
  ...SIZES.flatMap((n) => VARIANTS.flatMap((variant) => synthesized(`bench/${variant}/${n}`, (outdir) => synthesize(variant, n, outdir, repoRoot)))),
];

const compareIndex = process.argv.indexOf('--compare');
if (compareIndex < 0) {
  console.log(lines.join('\n'));
} else {
  const file = process.argv[compareIndex + 1];
  if (!file || !fs.existsSync(file)) {
    console.error(`template-digests: --compare needs a file written by an earlier run (got '${file ?? ''}'). Fix: npx tsx bench/synth/template-digests.ts > before.txt on the base commit.`);
    process.exit(2);
  }
  const parse = (text: string) => new Map(text.split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string]));
  const before = parse(fs.readFileSync(file, 'utf8'));
  const after = parse(lines.join('\n'));
  const differences = [
    ...[...before].filter(([name, digest]) => after.has(name) && after.get(name) !== digest).map(([name]) => `changed: ${name}`),
    ...[...before.keys()].filter((name) => !after.has(name)).map((name) => `vanished: ${name}`),
    ...[...after.keys()].filter((name) => !before.has(name)).map((name) => `new: ${name}`),
  ];
  if (differences.length > 0) {
    console.error(differences.join('\n'));
    process.exit(1);
  }
  console.log(`template-digests: all ${after.size} templates byte-identical to ${file}`);
}
