import * as path from 'node:path';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import NodeEnvironment from 'jest-environment-node';
import { installRsaKeyPool } from './rsa-key-pool';

/**
 * jest's node environment, plus what is shared by every test file a worker runs: it is loaded
 * once per worker process, outside the test files' sandboxes (which share node's core modules).
 */
export default class AttestgateTestEnvironment extends NodeEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    // Under jest's cache directory: `jest --clearCache` empties it with the rest.
    installRsaKeyPool(path.join(config.projectConfig.cacheDirectory, 'attestgate-rsa-2048'));
  }
}
