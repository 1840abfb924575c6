// The construct entry points need the user's own construct framework (aws-cdk-lib, cdktf and its
// providers, cdk8s): optional peer dependencies, so that an AWS-only app installs no cdktf and an
// agent that only needs credentials installs neither. Without this check, importing an entry
// point whose peers are missing fails deep inside it, naming a provider file rather than the
// package to install.
import { AttestGateError } from './core/errors';

/**
 * Throws, naming the packages to install, when a peer dependency of an entry point is not
 * resolvable from attestgate. Only resolves: it loads nothing.
 */
export function requirePeerDependencies(entryPoint: string, peers: readonly string[]): void {
  const missing = peers.filter((peer) => !resolvable(peer));
  if (missing.length === 0) return;
  throw new AttestGateError({
    where: entryPoint,
    field: 'peer dependencies',
    value: missing,
    problem: `${missing.length === 1 ? 'is' : 'are'} not installed, and ${entryPoint} is built on ${peers.join(', ')}`,
    fix: `npm install ${missing.join(' ')} (the versions attestgate supports are its package.json's peerDependencies)`,
  });
}

function resolvable(peer: string): boolean {
  try {
    require.resolve(peer);
    return true;
  } catch {
    return false;
  }
}
