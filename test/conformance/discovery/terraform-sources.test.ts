import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isTerraformApp, loadTerraformSources } from '../../../conformance/discovery/terraform-sources';
import { synthExampleAssembly } from '../../fixtures/synth';
import { synthCdktfExamples } from '../../fixtures/synth-cdktf';
import { gcpConfiguration } from '../../fixtures/terraform';

function tempFile(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-tf-')), name);
  fs.writeFileSync(file, text);
  return file;
}

describe('Terraform sources', () => {
  test('reads every stack of a cdktf output directory', () => {
    const outdir = synthCdktfExamples();
    expect(isTerraformApp(outdir)).toBe(true);
    const sources = loadTerraformSources(outdir);
    expect(sources.map((s) => s.stackName).sort()).toEqual(['attestgate-azure-example', 'attestgate-gcp-example']);
    expect(sources[0].model.resources.length).toBeGreaterThan(0);
  });

  test('reads one *.tf.json file; a CDK cloud assembly and other files are not Terraform', () => {
    const file = tempFile('brownfield.tf.json', JSON.stringify(gcpConfiguration()));
    expect(isTerraformApp(file)).toBe(true);
    expect(loadTerraformSources(file)).toEqual([expect.objectContaining({ stackName: 'brownfield', file })]);
    expect(isTerraformApp(synthExampleAssembly())).toBe(false);
    expect(isTerraformApp(tempFile('t.template.json', '{}'))).toBe(false);
    expect(isTerraformApp('/does/not/exist')).toBe(false);
  });

  test.each([
    ['/does/not/exist.tf.json', () => '/does/not/exist.tf.json', '--app /does/not/exist.tf.json: no such file or directory'],
    ['bad JSON', () => tempFile('x.tf.json', '{'), 'not JSON'],
    ['not an object', () => tempFile('x.tf.json', '[]'), 'is not a Terraform JSON configuration (not a JSON object)'],
    ['a directory without a manifest', () => fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-empty-')), 'a directory without a cdktf manifest.json listing stacks'],
  ])('%s is a usage error', (_name, make, message) => {
    expect(() => loadTerraformSources(make())).toThrow(message);
  });

  test('a manifest that names no file for a stack, or a missing file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-tfout-'));
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ stacks: { s: {} } }));
    expect(() => loadTerraformSources(dir)).toThrow('stack s has no synthesizedStackPath in manifest.json');
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ stacks: { s: { synthesizedStackPath: 'stacks/s/cdk.tf.json' } } }));
    expect(() => loadTerraformSources(dir)).toThrow(`--app ${path.join(dir, 'stacks/s/cdk.tf.json')}: no such file or directory`);
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{');
    expect(() => isTerraformApp(dir)).toThrow('not JSON');
  });
});
