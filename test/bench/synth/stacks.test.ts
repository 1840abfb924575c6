import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IDENTITIES_PER_STACK, type Variant, synthesize } from '../../../bench/synth/stacks';

const REPO_ROOT = path.join(__dirname, '../../..');

interface Resource {
  Type: string;
  Properties?: unknown;
  Metadata?: unknown;
}

/** The name property aws-cdk-lib or attestgate generates for a type from the construct path. */
const GENERATED_NAMES: Record<string, string> = {
  'AWS::RolesAnywhere::TrustAnchor': 'Name',
  'AWS::RolesAnywhere::CRL': 'Name',
  'AWS::RolesAnywhere::Profile': 'Name',
  'AWS::Logs::ResourcePolicy': 'PolicyName',
};

/**
 * Every resource of a variant's templates as `Type Properties Metadata` JSON, sorted, with what
 * must differ between hand-written and generated resources made equal: references (logical IDs
 * differ: attestgate's roles are nested) and names generated from construct paths.
 */
function templatesOf(variant: Variant, n: number): string[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-stacks-'));
  try {
    synthesize(variant, n, outdir, REPO_ROOT);
    return fs
      .readdirSync(outdir)
      .filter((file) => file.endsWith('.template.json'))
      .sort()
      .map((file) => fs.readFileSync(path.join(outdir, file), 'utf8'));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function resourcesOf(variant: Variant, n: number): string[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-stacks-'));
  try {
    synthesize(variant, n, outdir, REPO_ROOT);
    return fs
      .readdirSync(outdir)
      .filter((file) => file.endsWith('.template.json'))
      .flatMap((file) => Object.values<Resource>(JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8')).Resources ?? {}))
      .map((r) => {
        const generatedName = GENERATED_NAMES[r.Type];
        const properties = generatedName ? { ...(r.Properties as object), [generatedName]: '(generated)' } : r.Properties;
        return JSON.stringify({ type: r.Type, properties, metadata: r.Metadata }).replace(/\{"(Ref|Fn::GetAtt|Fn::ImportValue)":("[^"]*"|\[[^\]]*\])\}/g, '"(reference)"');
      })
      .sort();
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('bench/synth variants', () => {
  // One stack, and several over IdentityStacks with the anchor in a base stack.
  test.each([3, IDENTITIES_PER_STACK + 5])('the raw L1 baselines write the resources attestgate writes, at %i identities', (n) => {
    expect(resourcesOf('raw-l1+gate-metadata', n)).toEqual(resourcesOf('attestgate', n));
    expect(resourcesOf('raw-l1+monitoring', n)).toEqual(resourcesOf('attestgate+monitoring', n));
  });

  test('raw-l1 is the same gates without the gate metadata', () => {
    const withoutMetadata = (lines: string[]) => lines.map((line) => line.replace(/,"metadata":\{"attestgate:gate":.*\}\}$/, '}'));
    expect(resourcesOf('raw-l1', 3)).toEqual(withoutMetadata(resourcesOf('attestgate', 3)));
    expect(resourcesOf('raw-l1', 3)).not.toEqual(resourcesOf('attestgate', 3));
  });

  test('caching the nested roles’ logical IDs leaves their templates byte-identical', () => {
    expect(templatesOf('raw-l1+nested+cached-id', 3)).toEqual(templatesOf('raw-l1+nested', 3));
  });
});
