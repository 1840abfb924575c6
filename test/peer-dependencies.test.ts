import { AttestGateError } from '../lib/core/errors';
import { requirePeerDependencies } from '../lib/peer-dependencies';

describe('requirePeerDependencies', () => {
  test('passes when every peer resolves', () => {
    expect(() => requirePeerDependencies('attestgate/aws', ['aws-cdk-lib', 'constructs'])).not.toThrow();
  });

  test('names the entry point, the missing packages only, and the install command', () => {
    let thrown: unknown;
    try {
      requirePeerDependencies('attestgate/gcp', ['cdktf', '@attestgate-test/not-installed', 'not-installed-either']);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AttestGateError);
    const message = (thrown as Error).message;
    expect(message).toContain('attestgate/gcp');
    expect(message).toContain('["@attestgate-test/not-installed","not-installed-either"] are not installed');
    expect(message).toContain('Fix: npm install @attestgate-test/not-installed not-installed-either');
    expect(message).not.toMatch(/install cdktf/);
  });
});
