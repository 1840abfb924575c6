// @swc/jest strips types only (sub-second); `tsc --noEmit` in `npm test` catches type errors.
// pkijs, asn1js and jose ship ESM only, so Jest (CommonJS registry) must transform them too.
const esmOnly = ['pkijs', 'asn1js', 'bytestreamjs', '@noble/hashes', '@peculiar/utils', 'jose'];

/** @type {import('jest').Config} */
module.exports = {
  // jest's node environment, plus the RSA-2048 key pool (test/rsa-key-pool.ts): once per worker.
  testEnvironment: '<rootDir>/test/environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  setupFiles: ['<rootDir>/test/setup.ts'],
  // A directory per run for what its test files share: the synthesized examples, the test PKI.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // The built-in CloudFormation validation costs ~3 s per synth; one dedicated test switches it on.
  testTimeout: 60000,
};
