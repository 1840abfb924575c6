import { ProbeScope, runInProbeScope } from '../../../conformance/engine/probe-scope';
import { PlannedRequest } from '../../../conformance/engine/request-plan';
import { SharedRequests } from '../../../conformance/engine/shared-requests';

const planned = (key: string): PlannedRequest => ({ key, what: `request ${key}`, shareReason: 'the same inputs' });
const scope = (label: string): ProbeScope => ({ requests: 0, label, shared: [] });

describe('SharedRequests', () => {
  test('a key is sent once; the check that reuses it gets the same answer and names who sent it and why', async () => {
    const shared = new SharedRequests();
    let sent = 0;
    const send = async () => ({ answer: ++sent });
    const first = scope('AGC-AWS-001 on g');
    const second = scope('AGC-AWS-002 on g');
    const a = await runInProbeScope(first, () => shared.send(planned('control'), send));
    const b = await runInProbeScope(second, () => shared.send(planned('control'), send));
    expect(sent).toBe(1);
    expect(b).toBe(a);
    expect(first.shared).toEqual([]);
    expect(second.shared).toEqual([{ request: 'request control', sentBy: 'AGC-AWS-001 on g', reason: 'the same inputs' }]);
    expect(shared.distinct).toBe(1);
  });

  test('keys that differ in anything are each sent', async () => {
    const shared = new SharedRequests();
    const sentKeys: string[] = [];
    for (const key of ['control|profile-a', 'control|profile-b', 'control|profile-a|condition-2']) {
      await runInProbeScope(scope('c'), () => shared.send(planned(key), async () => sentKeys.push(key)));
    }
    expect(sentKeys).toHaveLength(3);
  });

  test('a failed answer is shared as it is: reuse never turns it into a success', async () => {
    const shared = new SharedRequests();
    const failure = { kind: 'response', status: 503 };
    await runInProbeScope(scope('AGC-AWS-001 on g'), () => shared.send(planned('control'), async () => failure));
    await expect(runInProbeScope(scope('AGC-AWS-002 on g'), () => shared.send(planned('control'), async () => ({ kind: 'response', status: 201 })))).resolves.toBe(failure);
  });
});
