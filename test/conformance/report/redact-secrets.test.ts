import { REDACTED, isSecretName, redactText, redactValue } from '../../../conformance/report/redact-secrets';

describe('redactText', () => {
  test.each([
    ['a JWT', 'assertion eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln given', `assertion ${REDACTED} given`],
    ['a PEM private key', 'key -----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY----- end', `key ${REDACTED} end`],
    ['a JSON secret field', '{"sessionToken":"abc\\"def","expiration":"2026"}', `{"sessionToken":"${REDACTED}","expiration":"2026"}`],
    ['an XML secret element', '<SecretAccessKey>abc/def</SecretAccessKey>', `<SecretAccessKey>${REDACTED}</SecretAccessKey>`],
    ['a form parameter', 'grant_type=x&client_secret=s3cr3t&scope=y', `grant_type=x&client_secret=${REDACTED}&scope=y`],
    ['a bearer header', 'Authorization: Bearer abcdefgh.ijk', `Authorization: Bearer ${REDACTED}`],
    ['an AWS session key ID', 'key ASIAQWERTYUIOPASDFGH used', `key ${REDACTED} used`],
    ['a Google access token', 'token ya29.a0Af-x_y used', `token ${REDACTED} used`],
    ['a random base64 run', 'blob wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY end', `blob ${REDACTED} end`],
  ])('%s is redacted', (_what, text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  test.each([
    'cdktf.out/stacks/x/cdk.tf.json: google_iam_workload_identity_pool_provider.DeployerGate_Provider_C99438C3',
    'arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
    'AttestgateExample/DeployerRoleCrlImportFunctionServiceRoleDefaultPolicy12345678',
    // Names from a real run of the examples.
    'rolesanywhere:AgentsAnchor2979AF9E/AttestgateProfilesShared7d8fdc9116b0DC2C1E58',
    'arn:aws:iam::111122223333:role/AttestgateAwsExample-Deployer92EF8763-26008D36FE8A',
    'alarm ToolServerStepUpIdentity1AlarmC9398B53',
    'denied with 403 AccessDeniedException: Untrusted signing certificate',
    'spiffe://prod.example/agent/deployer',
  ])('a name or a reason stays readable: %s', (text) => {
    expect(redactText(text)).toBe(text);
  });
});

describe('redactValue', () => {
  test('secret-named fields lose their value, whatever it is, except a boolean or a number saying whether', () => {
    expect(redactValue({ sessionToken: 'x', client_assertion: 'y', credentials: { a: 1 }, tokenIssued: true, expiresIn: 3600, received: 'Bearer abcdefghij', list: [{ privateKey: 'k' }] })).toEqual({
      sessionToken: REDACTED,
      client_assertion: REDACTED,
      credentials: REDACTED,
      tokenIssued: true,
      expiresIn: 3600,
      received: `Bearer ${REDACTED}`,
      list: [{ privateKey: REDACTED }],
    });
    expect(isSecretName('expected')).toBe(false);
  });
});
