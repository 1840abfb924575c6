import { PlannedRequest } from './request-plan';
import { probeLabel, recordSharedUse } from './probe-scope';

/**
 * Sends each planned request once per run and gives its answer to every check that needs it.
 * The key (`PlannedRequest.key`) holds everything the answer depends on, so reusing an answer is
 * the same as sending again: the plan and the sending use the same key functions, which is why
 * the requests a run sends are the plan's, never fewer through a key that leaves something out.
 *
 * The check that sends counts the request (its `attempts`); every other check that needs it
 * records, in its evidence, what it reused, which check sent it, and why the answer is the same.
 * A shared answer is reused as it is, failures included: a positive control that failed for one
 * check failed for all that share it, and each of their gates' negatives stays INCONCLUSIVE.
 */
export class SharedRequests {
  private readonly sent = new Map<string, { readonly answer: Promise<unknown>; readonly sentBy: string }>();

  public send<T>(request: PlannedRequest, send: () => Promise<T>): Promise<T> {
    const earlier = this.sent.get(request.key);
    if (earlier) {
      recordSharedUse({ request: request.what, sentBy: earlier.sentBy, reason: request.shareReason });
      return earlier.answer as Promise<T>;
    }
    const answer = send();
    this.sent.set(request.key, { answer, sentBy: probeLabel() ?? 'the run’s setup' });
    return answer;
  }

  /** Distinct requests sent (or being sent) so far. */
  public get distinct(): number {
    return this.sent.size;
  }
}
