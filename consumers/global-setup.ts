import { buildFreshApps, CONTEXT_VARIABLE } from './fresh-apps';

/** Builds the fresh apps once; the workers, started after this, inherit the context's path. */
export default async function globalSetup(): Promise<void> {
  process.env[CONTEXT_VARIABLE] = await buildFreshApps();
}
