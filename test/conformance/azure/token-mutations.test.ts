import { caseOnlyChange, extendedSubject, issuerNearMisses, otherWorkloadSubject, sharedSubjectReason } from '../../../conformance/azure/token-mutations';

describe('token mutations', () => {
  test('issuer near misses: trailing slash toggled, scheme and host upper-cased, the path kept', () => {
    expect(issuerNearMisses('https://oidc.prod.example')).toEqual(['https://oidc.prod.example/', 'HTTPS://OIDC.PROD.EXAMPLE']);
    expect(issuerNearMisses('https://token.actions.githubusercontent.com/')).toEqual(['https://token.actions.githubusercontent.com', 'HTTPS://TOKEN.ACTIONS.GITHUBUSERCONTENT.COM/']);
    expect(issuerNearMisses('https://login.microsoftonline.com/t/v2.0')).toContain('HTTPS://LOGIN.MICROSOFTONLINE.COM/t/v2.0');
  });

  test('a case-only change swaps the last cased character; none for a subject without letters', () => {
    expect(caseOnlyChange('spiffe://prod.example/agent/deployer')).toBe('spiffe://prod.example/agent/deployeR');
    expect(caseOnlyChange('repo:Org/Repo:environment:prod-1')).toBe('repo:Org/Repo:environment:proD-1');
    expect(caseOnlyChange('1234-5678')).toBeUndefined();
  });

  test('subjects of other workloads of the same issuer', () => {
    expect(extendedSubject('spiffe://td/a')).toBe('spiffe://td/a/attestgate-probe');
    expect(otherWorkloadSubject('spiffe://prod.example/agent/deployer')).toBe('spiffe://prod.example/attestgate-probe/other-workload');
    expect(otherWorkloadSubject('system:serviceaccount:agents:deployer')).toBe('system:serviceaccount:agents:default');
    expect(otherWorkloadSubject('system:serviceaccount:agents:default')).toBe('system:serviceaccount:agents:attestgate-probe');
    expect(otherWorkloadSubject('repo:org/app:environment:prod')).toBe('repo:org/app:ref:refs/heads/attestgate-probe');
    expect(otherWorkloadSubject('arn:aws:iam::1:role/x')).toBe('attestgate-probe:other-workload-of:arn:aws:iam::1:role/x');
  });

  test('shared subjects (the model’s one list, as AG-AZ-001 reads it): a namespace default service account, every pull request, a whole repository', () => {
    expect(sharedSubjectReason('system:serviceaccount:agents:default')).toContain('default service account of Kubernetes namespace "agents"');
    expect(sharedSubjectReason('spiffe://prod.example/ns/agents/sa/default')).toContain('default service account of namespace "agents"');
    expect(sharedSubjectReason('repo:org/app:pull_request')).toContain('every pull_request workflow run of org/app');
    expect(sharedSubjectReason('repo:org/app')).toContain('the whole repository org/app');
    expect(sharedSubjectReason('system:serviceaccount:agents:deployer')).toBeUndefined();
    expect(sharedSubjectReason('spiffe://prod.example/agent/deployer')).toBeUndefined();
  });
});
