import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the runner knows about the check that is running, for the code that sends its requests:
 * the check's own request counter (a context is shared by every gate of a cloud, so a counter on
 * the context mixes the requests of checks that run at once) and the run's abort signal (so an
 * interrupted run sends nothing new and abandons what is in flight).
 */
export interface ProbeScope {
  /** Requests sent for this check, retries included. */
  requests: number;
  readonly signal?: AbortSignal;
  /** Who is asking, for the evidence of a request another check reuses: `AGC-AWS-001 on Stack/Role`. */
  readonly label?: string;
  /** Requests this check needed and another check sent (SharedRequests): they go into its evidence. */
  readonly shared?: SharedUse[];
}

/** A request a check reused instead of sending: what it was, who sent it, and why its answer is the same. */
export interface SharedUse {
  readonly request: string;
  readonly sentBy: string;
  readonly reason: string;
}

const storage = new AsyncLocalStorage<ProbeScope>();

/** Runs `body` as the given check's scope; everything it awaits sees the same scope. */
export function runInProbeScope<T>(scope: ProbeScope, body: () => Promise<T>): Promise<T> {
  return storage.run(scope, body);
}

/** Counts one request sent for the running check (none outside a check: setup calls). */
export function countRequest(): void {
  const scope = storage.getStore();
  if (scope) scope.requests++;
}

/** The running check's abort signal, if any. */
export function probeSignal(): AbortSignal | undefined {
  return storage.getStore()?.signal;
}

/** The running check's label, if any (`AGC-AWS-001 on Stack/Role`). */
export function probeLabel(): string | undefined {
  return storage.getStore()?.label;
}

/** Records, in the running check's scope, a request it reused rather than sent. */
export function recordSharedUse(use: SharedUse): void {
  storage.getStore()?.shared?.push(use);
}
