import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configurationsOf, loadAppSources } from '../../../conformance/discovery/app-sources';
import { discoverAzureGates } from '../../../conformance/azure/discover-gates';
import { discoverGcpGates } from '../../../conformance/gcp/discover-gates';
import { exampleTemplate, writeTestPki } from '../../fixtures/conformance';
import { writeIssuerKey } from '../../fixtures/gcp-conformance';
import { writeTerraformExamples } from '../../fixtures/terraform-examples';

describe('loadAppSources', () => {
  test('reads a cloud assembly template as CloudFormation and a cdktf.out as Terraform JSON; each cloud gets its own stacks', async () => {
    const templateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-apps-')), 'Example.template.json');
    fs.writeFileSync(templateFile, JSON.stringify(exampleTemplate(await writeTestPki())));
    const sources = loadAppSources([templateFile, writeTerraformExamples(writeIssuerKey().jwksFile)]);
    expect(sources.templates.map((t) => t.file)).toEqual([templateFile]);
    expect(sources.configurations.map((c) => c.stackName).sort()).toEqual(['attestgate-azure-example', 'attestgate-gcp-example']);
    expect(configurationsOf(sources.configurations, discoverGcpGates(sources.configurations)).map((c) => c.stackName)).toEqual(['attestgate-gcp-example']);
    expect(configurationsOf(sources.configurations, discoverAzureGates(sources.configurations)).map((c) => c.stackName)).toEqual(['attestgate-azure-example']);
  });

  test('Terraform HCL and a single cdktf stack directory get a Terraform hint, not a CloudFormation one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-apps-'));
    fs.writeFileSync(path.join(dir, 'main.tf'), 'resource "x" "y" {}');
    expect(() => loadAppSources([path.join(dir, 'main.tf')])).toThrow(/main.tf: Terraform HCL is not read; give Terraform JSON/);
    const stackDir = path.join(dir, 'stacks', 'agents');
    fs.mkdirSync(stackDir, { recursive: true });
    fs.writeFileSync(path.join(stackDir, 'cdk.tf.json'), '{}');
    expect(() => loadAppSources([stackDir])).toThrow(/one stack of a cdktf output; give the cdktf.out directory/);
  });
});
