import { AttestGateError } from '../../lib/core/errors';
import { checkDeclaredSelector, isImageDigest, parseSelector, readSelector } from '../../lib/spiffe/selectors';
import { digest } from '../fixtures/spiffe';

const read = (text: string) => readSelector(parseSelector(text)!);

describe('selectors', () => {
  test('split at the first colon, as SPIRE does', () => {
    expect(parseSelector('k8s:ns:agents')).toEqual({ type: 'k8s', value: 'ns:agents' });
    expect(parseSelector('aws_iid:tag:name:blog')).toEqual({ type: 'aws_iid', value: 'tag:name:blog' });
    expect([':x', 'k8s:', 'k8s'].map(parseSelector)).toEqual([undefined, undefined, undefined]);
  });

  test('evidence: runtime (namespace, service account, user) and code (digests, binary hashes)', () => {
    expect(read('k8s:ns:agents').evidence).toBe('namespace');
    expect(read('k8s:sa:deployer').evidence).toBe('service-account');
    expect(read('unix:uid:1001').evidence).toBe('user');
    expect(read('windows:user_sid:S-1-5-21-1').evidence).toBe('user');
    expect(read(`k8s:container-image:ghcr.io/acme/deployer@sha256:${digest('a')}`).evidence).toBe('image-digest');
    expect(read(`k8s:pod-image:registry.example:5000/acme/deployer@sha256:${digest('a')}`).evidence).toBe('image-digest');
    expect(read(`docker:image_config_digest:sha256:${digest('a')}`).evidence).toBe('image-digest');
    expect(read(`unix:sha256:${digest('a')}`).evidence).toBe('binary-hash');
    // An init container has exited before the workload runs.
    expect(read(`k8s:pod-init-image:r/x@sha256:${digest('a')}`).evidence).toBeUndefined();
  });

  test('a tag is not a digest: :latest, a version tag, no tag, a registry port', () => {
    for (const image of ['ghcr.io/acme/deployer:latest', 'ghcr.io/acme/deployer:v1.2.3', 'ghcr.io/acme/deployer', 'registry.example:5000/acme/deployer', `r/x@sha256:${digest('A')}`, `r/x@sha1:${'a'.repeat(40)}`]) {
      expect(isImageDigest(image)).toBe(false);
      const reading = read(`k8s:container-image:${image}`);
      expect([reading.imageTag, reading.evidence]).toEqual([true, undefined]);
    }
    expect(read('docker:image_id:envoyproxy/envoy:contrib-v1.29.1').imageTag).toBe(true);
  });

  test('values checked per attestor', () => {
    expect(read('k8s:ns:Agents').problem?.problem).toContain('is not a valid namespace name');
    expect(read('unix:uid:root').problem?.problem).toBe('has uid value "root", which is not a non-negative integer');
    expect(read('unix:sha256:abc').problem?.problem).toContain('is not a SHA-256 digest in 64 lowercase hex digits');
    expect(read('tpm:pub_hash:xyz').problem).toBeDefined();
    expect(read('k8s:namespace:agents').problem).toEqual({
      problem: 'is not a selector the k8s attestor produces, so no workload would ever present it',
      fix: expect.stringContaining('k8s:ns:…, k8s:sa:…'),
    });
    expect(read('aws_iid:instance:id:i-0abc').problem).toBeUndefined();
    expect(read('x509pop:subject:cn:build-1').role).toBe('node');
    // A plugin of the user's own: not attestgate's to judge.
    expect(read('acme:team:payments')).toEqual({ selector: { type: 'acme', value: 'team:payments' } });
  });

  test('a declaration gets AttestGateErrors naming the field, the value and the fix', () => {
    const check = (text: string, role: 'workload' | 'node') => () => checkDeclaredSelector(text, role, "SpiffeRegistration 'deployer'", 'selectors[1]');
    expect(check('k8s-ns-agents', 'workload')).toThrow(new AttestGateError({ where: "SpiffeRegistration 'deployer'", field: 'selectors[1]', value: 'k8s-ns-agents', problem: 'is not a selector of the form type:value', fix: 'write it as SPIRE does, e.g. "k8s:ns:agents" or "unix:uid:1001"' }));
    expect(check('aws_iid:region:us-east-1', 'workload')).toThrow('is a node selector, given where workload selectors are expected. Fix: put node selectors on the parent node alias (SpiffeParent.nodeAlias)');
    expect(check('unix:uid:1001', 'node')).toThrow('is a workload selector, given where node selectors are expected');
    expect(check('k8:ns:agents', 'workload')).toThrow('names attestor "k8", which is not one attestgate knows. Fix: use a workload attestor: k8s, unix, docker, systemd, windows');
    expect(check('unix:uid:-1', 'workload')).toThrow('selectors[1] "unix:uid:-1" has uid value "-1", which is not a non-negative integer');
  });
});
