import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as credentials from '../../lib/credentials';

describe('attestgate/credentials', () => {
  test('exports the signer, the canonical-request functions the emulator verifies with, the providers and the Workload API client', () => {
    for (const name of [
      'fromRolesAnywhere',
      'CreateSessionError',
      'signCreateSessionRequest',
      'signatureMatches',
      'parseAuthorizationHeader',
      'formatAuthorizationHeader',
      'canonicalRequest',
      'canonicalHeaders',
      'canonicalQuery',
      'payloadHash',
      'credentialScope',
      'stringToSign',
      'parseAmzDate',
      'MalformedSignatureError',
      'WorkloadApiClient',
      'WorkloadApiError',
      'fromSpiffe',
      'gcpAccessTokenFromSpiffe',
      'gcpSubjectTokenFromSpiffe',
      'azureAssertionFromSpiffe',
      'GcpTokenError',
      'AgentIdentityCredential',
      'AgentIdentityTokenError',
    ]) {
      expect(typeof (credentials as Record<string, unknown>)[name]).toBe('function');
    }
  });

  test('resolves through package exports from dist/ (built by `npm test`) and loads no CDK, cdktf or AWS SDK client module', () => {
    const output = execFileSync(
      process.execPath,
      [
        '-e',
        `const c = require('attestgate/credentials');
         if (typeof c.fromRolesAnywhere !== 'function') throw new Error('fromRolesAnywhere missing');
         const packages = Object.keys(require.cache).map((f) => /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(f)?.[1]).filter(Boolean);
         console.log(JSON.stringify([...new Set(packages.map((p) => p.replace(/\\\\/g, '/')))].sort()));`,
      ],
      { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' },
    );
    // gRPC is not among them: it loads with the first Workload API client.
    // Only the AWS SDK's retry building blocks (@smithy/core/retry, which needs @smithy/types):
    // fromRolesAnywhere retries as SDK clients do rather than with a retry loop of its own; and
    // proxy-from-env, which reads HTTPS_PROXY and NO_PROXY (the tunnelling agents load only when
    // a proxy is set).
    expect(JSON.parse(output)).toEqual(['@smithy/core', '@smithy/types', 'proxy-from-env']);
  });
});
