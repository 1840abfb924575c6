import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as credentials from '../../lib/credentials';

describe('attestgate/credentials', () => {
  test('exports the signer, the canonical-request functions the emulator verifies with, and the provider', () => {
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
    ]) {
      expect(typeof (credentials as Record<string, unknown>)[name]).toBe('function');
    }
  });

  test('resolves through package exports from dist/ (built by `npm test`) and loads no CDK, cdktf or SDK module', () => {
    const output = execFileSync(
      process.execPath,
      [
        '-e',
        `const c = require('attestgate/credentials');
         if (typeof c.fromRolesAnywhere !== 'function') throw new Error('fromRolesAnywhere missing');
         console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /[\\\\/](aws-cdk-lib|constructs|cdktf|@cdktf|@aws-sdk|@smithy|@peculiar|pkijs)[\\\\/]/.test(f))));`,
      ],
      { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' },
    );
    expect(JSON.parse(output)).toEqual([]);
  });
});
