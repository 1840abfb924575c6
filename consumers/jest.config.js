// The consumer tests: the packed package installed into fresh CDK, CDKTF and cdk8s apps and run
// on every supported Node major. Slower than the unit tests (the installs take about a minute),
// so not part of `npm test`: `npm run test:consumers`, a step of .ci/run of its own.
const base = require('../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '..',
  roots: ['<rootDir>/consumers'],
  testMatch: ['**/*.test.ts'],
  transform: base.transform,
  transformIgnorePatterns: base.transformIgnorePatterns,
  globalSetup: '<rootDir>/consumers/global-setup.ts',
  globalTeardown: '<rootDir>/consumers/global-teardown.ts',
  // Each test runs the apps on four Node binaries, one after another.
  testTimeout: 600000,
  maxWorkers: base.maxWorkers,
};
