// A CommonJS consumer of every entry point. TypeScript checks that each one's types resolve under
// the app's own tsconfig (type-only imports, erased at run time); at run time each is required
// on its own, so an entry point whose optional peers this app lacks reports its error instead of
// stopping the others. Prints {entry point: "ok" | error message} as JSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
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
const ENTRY_POINTS = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'entry-points.json'), 'utf8')) as Record<string, string>;

const outcome: Record<string, string> = {};
for (const [entryPoint, name] of Object.entries(ENTRY_POINTS)) {
  try {
    const loaded = require(entryPoint) as Record<string, unknown>;
    outcome[entryPoint] = loaded[name] === undefined ? `loaded, but ${name} is not exported` : 'ok';
  } catch (error) {
    outcome[entryPoint] = (error as Error).message.split('\n')[0]!;
  }
}
process.stdout.write(JSON.stringify(outcome));
