import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderRulesMarkdown } from '../../lib/rules/rules-markdown';

test('RULES.md is generated from the rules (run `npm run rules:generate` after changing a rule)', () => {
  const committed = fs.readFileSync(path.join(__dirname, '../../RULES.md'), 'utf8');
  expect(committed).toBe(renderRulesMarkdown());
});
