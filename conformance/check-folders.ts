import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckMeta } from './engine/check';

/** The folder of a check: `conformance/checks/<cloud>/<id lowercase>-<slug>`. */
export function checkFolderOf(meta: CheckMeta): string {
  const dir = path.join(__dirname, 'checks', meta.cloud);
  const prefix = `${meta.id.toLowerCase()}-`;
  const folder = fs.readdirSync(dir).find((name) => name.startsWith(prefix));
  if (!folder) throw new Error(`no folder for ${meta.id} under ${dir}`);
  return path.join(dir, folder);
}
