import { checkedRole } from '../../../lib/gcp/private/roles';
import { PrivilegeTier } from '../../../lib/core/privilege-tier';
import { deployerIdentity } from '../../fixtures/identities';

const where = "AttestedServiceAccount 'agents/Deployer'";

describe('checkedRole', () => {
  test('accepts predefined and custom roles', () => {
    expect(checkedRole(deployerIdentity(), 'roles/editor', where)).toBe('roles/editor');
    expect(checkedRole(deployerIdentity({ privilege: PrivilegeTier.READ_ONLY }), 'projects/p/roles/reader', where)).toBe('projects/p/roles/reader');
  });

  test('rejects what is not a role name', () => {
    expect(() => checkedRole(deployerIdentity(), 'editor', where)).toThrow(`${where}: role "editor" is not a role name. Fix: use roles/<service>.<role>`);
  });

  test('rejects a high-privilege role for an identity declared less privileged', () => {
    expect(() => checkedRole(deployerIdentity({ privilege: PrivilegeTier.READ_ONLY }), 'roles/storage.admin', where)).toThrow(
      'role "roles/storage.admin" is a high-privilege role, but identity deployer is declared read-only. Fix: declare the identity PrivilegeTier.HIGH',
    );
  });
});
