import * as fs from 'node:fs';
import { RUN_DIR_VARIABLE } from './fixtures/run-cache';

/** Removes the run's shared artefacts (test/global-setup.ts). */
export default function globalTeardown(): void {
  const dir = process.env[RUN_DIR_VARIABLE];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  delete process.env[RUN_DIR_VARIABLE];
}
