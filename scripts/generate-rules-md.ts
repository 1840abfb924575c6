// Writes RULES.md from the rule definitions (npm run rules:generate).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderRulesMarkdown } from '../lib/rules/rules-markdown';

fs.writeFileSync(path.join(__dirname, '..', 'RULES.md'), renderRulesMarkdown());
