import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUN_DIR_VARIABLE } from './fixtures/run-cache';

/**
 * A fresh directory for the artefacts the run's test files share (test/fixtures/run-cache.ts),
 * named in the environment the workers inherit (they start after this). Removed by
 * test/global-teardown.ts.
 */
export default function globalSetup(): void {
  process.env[RUN_DIR_VARIABLE] = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-test-run-'));
}
