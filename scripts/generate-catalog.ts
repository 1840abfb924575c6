// Writes conformance/catalog.json and each check's README.md from the check metadata
// (npm run catalog:generate); a test fails when the committed files drift.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECK_CATALOG, renderCatalogJson, renderCheckReadme } from '../conformance/catalog';
import { checkFolderOf } from '../conformance/check-folders';

const root = path.join(__dirname, '..');
fs.writeFileSync(path.join(root, 'conformance', 'catalog.json'), renderCatalogJson());
for (const meta of CHECK_CATALOG) fs.writeFileSync(path.join(checkFolderOf(meta), 'README.md'), renderCheckReadme(meta));
