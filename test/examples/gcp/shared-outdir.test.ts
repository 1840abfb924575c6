import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { buildAzureExample } from '../../../examples/azure/main';
import { buildGcpExample } from '../../../examples/gcp/main';
import { keepOtherAppsStacks } from '../../../examples/gcp/shared-outdir';

describe('keepOtherAppsStacks', () => {
  test('two apps synthesized one after the other into one outdir both appear in manifest.json', () => {
    // GIVEN
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-cdktf-'));
    buildGcpExample(keepOtherAppsStacks(new App({ outdir, stackTraces: false }))).app.synth();
    // WHEN
    buildAzureExample(keepOtherAppsStacks(new App({ outdir, stackTraces: false }))).app.synth();
    // THEN
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(['attestgate-azure-example', 'attestgate-gcp-example']);
  });

  test('a stack whose files are gone is not carried over', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-cdktf-'));
    buildGcpExample(keepOtherAppsStacks(new App({ outdir, stackTraces: false }))).app.synth();
    fs.rmSync(path.join(outdir, 'stacks', 'attestgate-gcp-example'), { recursive: true });
    buildAzureExample(keepOtherAppsStacks(new App({ outdir, stackTraces: false }))).app.synth();
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')).stacks)).toEqual(['attestgate-azure-example']);
  });
});
