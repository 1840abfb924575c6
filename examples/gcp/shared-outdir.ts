import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';

/**
 * Lets several cdktf apps synthesize into one outdir: each App writes `manifest.json` with only
 * its own stacks, so the second example would hide the first from `attestgate gates --app
 * cdktf.out`. This carries over the stacks of an earlier app whose files still exist, through
 * the App's public manifest, before this app synthesizes.
 */
export function keepOtherAppsStacks(app: App): App {
  const file = path.join(app.outdir, 'manifest.json');
  if (!fs.existsSync(file)) return app;
  const previous = JSON.parse(fs.readFileSync(file, 'utf8')) as { stacks?: Record<string, { synthesizedStackPath?: string }> };
  const stacks = app.manifest.stacks as Record<string, unknown>;
  for (const [name, stack] of Object.entries(previous.stacks ?? {})) {
    if (stack.synthesizedStackPath && fs.existsSync(path.join(app.outdir, stack.synthesizedStackPath)) && !(name in stacks)) stacks[name] = stack;
  }
  return app;
}
