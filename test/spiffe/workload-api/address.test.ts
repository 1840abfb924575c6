import { AttestGateError } from '../../../lib/core/errors';
import { SPIFFE_ENDPOINT_SOCKET, parseWorkloadApiAddress } from '../../../lib/spiffe/workload-api/address';

describe('parseWorkloadApiAddress', () => {
  test.each([
    ['unix:///run/spire/sockets/agent.sock', '/run/spire/sockets/agent.sock'],
    ['unix:/run/spire/sockets/agent.sock', '/run/spire/sockets/agent.sock'],
    ['unix:///tmp/with%20space/agent.sock', '/tmp/with space/agent.sock'],
  ])('%s is the socket %s', (address, socketPath) => {
    expect(parseWorkloadApiAddress(address)).toEqual({ kind: 'unix', address, socketPath, target: `unix://${socketPath}` });
  });

  test.each([
    ['tcp://127.0.0.1:8081', 'ipv4:127.0.0.1:8081'],
    ['tcp://[::1]:8081', 'ipv6:[::1]:8081'],
  ])('%s is dialled as %s', (address, target) => {
    expect(parseWorkloadApiAddress(address)).toEqual({ kind: 'tcp', address, target });
  });

  test.each([
    ['/run/spire/sockets/agent.sock', 'is not a URI'],
    ['http://127.0.0.1:8081', 'has scheme "http"'],
    ['unix:run/agent.sock', 'has a relative path'],
    ['unix://run/spire/agent.sock', 'names "run" as a host'],
    ['unix:///', 'must include the socket path'],
    ['unix:///agent.sock?x=1', 'must not include query values'],
    ['unix:///agent.sock#f', 'must not include a fragment'],
    ['tcp://user:secret@127.0.0.1:8081', 'must not include user info'],
    ['tcp://agent.local:8081', 'is not an IP address'],
    ['tcp://127.0.0.1', 'must include a port'],
    ['tcp://127.0.0.1:8081/x', 'must not include a path'],
  ])('%s is refused: %s', (address, problem) => {
    expect(() => parseWorkloadApiAddress(address)).toThrow(problem);
    expect(() => parseWorkloadApiAddress(address)).toThrow(AttestGateError);
  });

  describe('from SPIFFE_ENDPOINT_SOCKET', () => {
    const saved = process.env[SPIFFE_ENDPOINT_SOCKET];
    afterEach(() => {
      if (saved === undefined) delete process.env[SPIFFE_ENDPOINT_SOCKET];
      else process.env[SPIFFE_ENDPOINT_SOCKET] = saved;
    });

    test('an address given wins; without one the variable is read', () => {
      process.env[SPIFFE_ENDPOINT_SOCKET] = 'unix:///run/a.sock';
      expect(parseWorkloadApiAddress(undefined).address).toBe('unix:///run/a.sock');
      expect(parseWorkloadApiAddress('unix:///run/b.sock').address).toBe('unix:///run/b.sock');
    });

    test('unset, the error names the variable and how to set it', () => {
      delete process.env[SPIFFE_ENDPOINT_SOCKET];
      expect(() => parseWorkloadApiAddress(undefined)).toThrow(
        /^WorkloadApiClient: SPIFFE_ENDPOINT_SOCKET \(unset\) is not set, and no address was given: .* Fix: set SPIFFE_ENDPOINT_SOCKET to the agent's socket \(e\.g\. unix:\/\/\/run\/spire\/sockets\/agent\.sock/,
      );
    });

    test('malformed, the error names the variable and its value', () => {
      process.env[SPIFFE_ENDPOINT_SOCKET] = '/run/spire/sockets/agent.sock';
      expect(() => parseWorkloadApiAddress(undefined)).toThrow('WorkloadApiClient: SPIFFE_ENDPOINT_SOCKET "/run/spire/sockets/agent.sock" is not a URI. Fix: write it as unix:///run/spire/sockets/agent.sock');
    });
  });
});
