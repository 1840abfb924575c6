import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECK_CATALOG, renderCatalogJson, renderCheckReadme } from '../../conformance/catalog';
import { checkFolderOf } from '../../conformance/check-folders';

describe('check catalog (run `npm run catalog:generate` after changing a check)', () => {
  test('conformance/catalog.json is generated from the checks', () => {
    expect(fs.readFileSync(path.join(__dirname, '../../conformance/catalog.json'), 'utf8')).toBe(renderCatalogJson());
  });

  test.each(CHECK_CATALOG.map((m) => [m.id, m] as const))('%s has its own folder with a generated README', (_id, meta) => {
    const folder = checkFolderOf(meta);
    expect(fs.existsSync(path.join(folder, 'check.ts'))).toBe(true);
    expect(fs.readFileSync(path.join(folder, 'README.md'), 'utf8')).toBe(renderCheckReadme(meta));
  });

  test('IDs are unique and in order; the AWS checks start with the positive control', () => {
    const ids = CHECK_CATALOG.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe('AGC-AWS-001');
    expect(CHECK_CATALOG[0].tags).toContain('kind:positive');
  });
});
