import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTEXT_VARIABLE } from './fresh-apps';

/** Removes the run directory: the apps, their node_modules, the tarball and the PKI. */
export default function globalTeardown(): void {
  const file = process.env[CONTEXT_VARIABLE];
  if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
}
