import { GcpWorld } from '../../../../conformance/emulator/gcp/world';
import { derivedProjectNumber } from '../../../../lib/model/gcp/assigned-ids';

describe('GcpWorld', () => {
  test('project numbers: listed ones, the environment’s number for the first project, derived ones for the rest', () => {
    const world = new GcpWorld({ projectNumber: '123456789012', projectNumbers: { listed: '555' }, defaultProject: 'd' });
    expect(world.projectNumberOf('listed')).toBe('555');
    expect(world.projectNumberOf('first')).toBe('123456789012');
    expect(world.projectNumberOf('first')).toBe('123456789012');
    expect(world.projectNumberOf('second')).toBe(derivedProjectNumber('second'));
  });

  test('members of a token: a federated token is its principal and sets; a service account token is the account', () => {
    const world = new GcpWorld();
    const expiresAt = new Date(Date.now() + 60_000);
    const federated = world.issueToken({ kind: 'federated', poolName: 'p', providerName: 'p/providers/x', subject: 's', principal: 'principal://s', principalSets: ['principalSet://*'], attributes: {}, expiresAt });
    const account = world.issueToken({ kind: 'service-account', email: 'a@p.iam.gserviceaccount.com', expiresAt });
    expect(federated).not.toBe(account);
    expect(world.membersOf(world.tokenOf(federated, new Date())!)).toEqual(['principal://s', 'principalSet://*']);
    expect(world.membersOf(world.tokenOf(account, new Date())!)).toEqual(['serviceAccount:a@p.iam.gserviceaccount.com']);
  });

  test('an impersonation grant: only the two roles, unconditional, on the account or its project', () => {
    const world = new GcpWorld();
    world.serviceAccounts.set('a@p.iam.gserviceaccount.com', { email: 'a@p.iam.gserviceaccount.com', name: 'n', uniqueId: '1', project: 'p', disabled: false, origin: 't' });
    world.grantsOn('a@p.iam.gserviceaccount.com').push({ role: 'roles/editor', member: 'm1', origin: 't' });
    world.grantsOn('a@p.iam.gserviceaccount.com').push({ role: 'roles/iam.workloadIdentityUser', member: 'm2', condition: 'true', origin: 't' });
    world.grantsOnProject('p').push({ role: 'roles/iam.serviceAccountTokenCreator', member: 'm3', origin: 'project' });
    world.grantsOnProject('q').push({ role: 'roles/iam.serviceAccountTokenCreator', member: 'm4', origin: 'other project' });
    expect(world.impersonationGrant(['m1', 'm2', 'm4'], 'a@p.iam.gserviceaccount.com')).toBeUndefined();
    expect(world.impersonationGrant(['m3'], 'a@p.iam.gserviceaccount.com')).toMatchObject({ origin: 'project' });
  });
});
