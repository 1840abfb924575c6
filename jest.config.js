// @swc/jest strips types only (sub-second); `tsc --noEmit` in `npm test` catches type errors.
// pkijs, asn1js, jose and junit2json ship ESM only, so Jest (CommonJS registry) must transform them too.
const esmOnly = ['pkijs', 'asn1js', 'bytestreamjs', '@noble/hashes', '@peculiar/utils', 'jose', 'junit2json'];

// jest's default is one worker fewer than the cores, and with one worker it runs in band: on a
// 2-core machine the suite used one core, idle a fifth of the time (rate-limited probes, spawned
// CLIs, fault-injection deadlines). Two workers at least; otherwise jest's default.
const maxWorkers = Math.max(2, require('node:os').availableParallelism() - 1);

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
  maxWorkers,
};
