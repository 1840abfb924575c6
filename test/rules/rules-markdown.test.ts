import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_RULES } from '../../lib/rules/catalog';
import { renderRulesMarkdown, ruleFiles } from '../../lib/rules/rules-markdown';

const root = path.join(__dirname, '../..');

test('RULES.md is generated from the rules (run `npm run rules:generate` after changing a rule)', () => {
  const committed = fs.readFileSync(path.join(root, 'RULES.md'), 'utf8');
  expect(committed).toBe(renderRulesMarkdown(ruleFiles(root)));
});

test('one rule per file, named by its ID, which defines that rule; RULES.md links it', () => {
  const files = ruleFiles(root);
  expect([...files.keys()].sort()).toEqual(ALL_RULES.map((r) => r.id).sort());
  for (const [id, file] of files) expect(fs.readFileSync(path.join(root, file), 'utf8')).toContain(`id: '${id}'`);
  expect(() => renderRulesMarkdown(new Map())).toThrow(/rule AG-AWS-001 has no file named by its ID/);
});
