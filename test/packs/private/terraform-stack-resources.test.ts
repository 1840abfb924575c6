import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { constructsByAddress } from '../../../lib/packs/private/terraform-stack-resources';
import { tfStack } from '../../fixtures/cdktf';

describe('constructsByAddress', () => {
  test('maps resources and data sources of the stack (not of nested stacks) to their constructs', () => {
    // GIVEN
    const { app, stack } = tfStack();
    const group = new Construct(stack, 'Group');
    const sa = new ServiceAccount(group, 'Sa', { accountId: 'deployer-agent' });
    const project = new DataGoogleProject(stack, 'Project', {});
    const other = new TerraformStack(app, 'other');
    new ServiceAccount(other, 'Elsewhere', { accountId: 'elsewhere' });
    // WHEN
    const map = constructsByAddress(stack);
    // THEN
    expect(map.get(`google_service_account.${sa.friendlyUniqueId}`)).toBe(sa);
    expect(map.get(`data.google_project.${project.friendlyUniqueId}`)).toBe(project);
    expect([...map.keys()].some((k) => k.includes('Elsewhere'))).toBe(false);
  });
});
