// Writes RULES.md from the rule definitions (npm run rules:generate).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderRulesMarkdown, ruleFiles } from '../lib/rules/rules-markdown';

const root = path.join(__dirname, '..');
fs.writeFileSync(path.join(root, 'RULES.md'), renderRulesMarkdown(ruleFiles(root)));
