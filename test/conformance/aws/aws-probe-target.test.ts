import { sdkAgentFor } from '../../../conformance/aws/aws-probe-target';

describe('sdkAgentFor', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('the SDK clients of probes and setup calls go through the proxy the environment names, like every other request', () => {
    Object.assign(process.env, { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'cloudformation.eu-west-1.amazonaws.com' });
    expect(Object.keys(sdkAgentFor('https://sts.eu-west-1.amazonaws.com'))).toEqual(['httpsAgent']);
    expect(sdkAgentFor('https://cloudformation.eu-west-1.amazonaws.com')).toEqual({});
    // The emulator, on loopback: direct.
    expect(sdkAgentFor('http://127.0.0.1:4566')).toEqual({});
    delete process.env.HTTPS_PROXY;
    expect(sdkAgentFor('https://sts.eu-west-1.amazonaws.com')).toEqual({});
  });
});
