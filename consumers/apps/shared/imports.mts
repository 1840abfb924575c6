// An ES module consumer of every entry point: the package is CommonJS, so a named import works
// only if Node finds the name among the module's exports (cjs-module-lexer) — what an ESM user's
// `import { AttestedRole } from 'attestgate/aws'` needs. TypeScript checks the types resolve under
// NodeNext; at run time each entry point is imported on its own. Prints {entry point: "ok" |
// error message} as JSON.
import * as fs from 'node:fs';
import type { AgentIdentity } from 'attestgate';
import type { PrivilegeTier } from 'attestgate/core';
import type { AttestedRole } from 'attestgate/aws';
import type { AttestedWorkloadIdentityProvider } from 'attestgate/gcp';
import type { AttestedManagedIdentity } from 'attestgate/azure';
import type { fromRolesAnywhere } from 'attestgate/credentials';
import type { SpiffeRegistration } from 'attestgate/spiffe';
import type { stepUpFetch } from 'attestgate/step-up';
import type { runAwsConformance } from 'attestgate/conformance';

/** One value export per entry point, by the name its types above give it. */
export type EntryPointTypes = [AgentIdentity, PrivilegeTier, AttestedRole, AttestedWorkloadIdentityProvider, AttestedManagedIdentity, typeof fromRolesAnywhere, SpiffeRegistration, typeof stepUpFetch, typeof runAwsConformance];

/** Each entry point and the export to look for: entry-points.json, which the tests check against package.json's exports. */
const ENTRY_POINTS = JSON.parse(fs.readFileSync(new URL('../entry-points.json', import.meta.url), 'utf8')) as Record<string, string>;

const outcome: Record<string, string> = {};
for (const [entryPoint, name] of Object.entries(ENTRY_POINTS)) {
  try {
    const namespace = (await import(entryPoint)) as Record<string, unknown>;
    outcome[entryPoint] = namespace[name] === undefined ? `loaded, but ${name} is not a named export` : 'ok';
  } catch (error) {
    outcome[entryPoint] = (error as Error).message.split('\n')[0]!;
  }
}
process.stdout.write(JSON.stringify(outcome));
