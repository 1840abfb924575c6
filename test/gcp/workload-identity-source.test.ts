import { WorkloadIdentitySource } from '../../lib/gcp/workload-identity-source';

describe('WorkloadIdentitySource', () => {
  test('each factory records its kind and props; validation happens in the construct, which knows its path', () => {
    const oidc = WorkloadIdentitySource.oidc({ issuerUri: 'http://not-checked-here', allowedAudiences: [] });
    expect([oidc.kind, oidc.props]).toEqual(['oidc', { issuerUri: 'http://not-checked-here', allowedAudiences: [] }]);
    expect(WorkloadIdentitySource.x509({ trustAnchors: ['PEM'] }).kind).toBe('x509');
    expect(WorkloadIdentitySource.aws({ accountId: '123456789012', roleName: 'deployer' })).toMatchObject({ kind: 'aws', props: { roleName: 'deployer' } });
  });
});
