import { otherSelector, selectorKinds, spiffeProbeWorkloads } from '../../../conformance/spiffe/probe-workloads';
import { entryMatches, formatSelector } from '../../../lib/spiffe/registration-entry';
import { AGENT_ID, DEPLOYER_SELECTORS, deployerEntry } from '../../fixtures/workload-api';

const selectors = (texts: string[]) => texts.map((t) => ({ type: t.slice(0, t.indexOf(':')), value: t.slice(t.indexOf(':') + 1) }));

describe('the probe workloads of an entry', () => {
  test('each differs from the registered workload in one property, so SPIRE refuses all but the registered one', () => {
    const entry = deployerEntry();
    const probes = spiffeProbeWorkloads(entry);
    expect(probes.map((p) => `${p.role} ${p.name}`)).toEqual([
      'registered registered',
      'unregistered unregistered',
      'runtime-only runtime-only-other-code',
      'runtime-only runtime-only-no-code',
      'code-only code-only-other-k8s-ns',
      'code-only code-only-other-k8s-sa',
      'code-only code-only-other-runtime',
    ]);
    // SPIRE's own match decides: only the registered workload is issued the entry.
    expect(probes.filter((p) => entryMatches(entry, AGENT_ID, p.selectors)).map((p) => p.name)).toEqual(['registered']);
    const byName = Object.fromEntries(probes.map((p) => [p.name, p.selectors.map(formatSelector)]));
    expect(byName['runtime-only-no-code']).toEqual(['k8s:ns:agents', 'k8s:sa:deployer']);
    expect(byName['code-only-other-k8s-ns']).toEqual(['k8s:ns:attestgate-probe', 'k8s:sa:deployer', formatSelector(DEPLOYER_SELECTORS[2])]);
    expect(byName.unregistered.filter((s) => byName.registered.includes(s))).toEqual([]);
  });

  test('an entry of one kind of evidence has no runtime-only or code-only workloads', () => {
    expect(spiffeProbeWorkloads(deployerEntry({ selectors: DEPLOYER_SELECTORS.slice(0, 2) })).map((p) => p.role)).toEqual(['registered', 'unregistered']);
  });

  test('selectors by kind, and another value of the same shape for each', () => {
    const read = selectors(['unix:uid:1001', `unix:sha256:${'c'.repeat(64)}`, 'k8s:node-name:n1']);
    expect(selectorKinds(read)).toEqual({ runtime: [read[0]], code: [read[1]], other: [read[2]] });
    expect(formatSelector(otherSelector(read[0]))).toBe('unix:uid:1002');
    expect(formatSelector(otherSelector(read[1]))).toMatch(/^unix:sha256:[0-9a-f]{64}$/);
    expect(otherSelector(read[1]).value).not.toBe(read[1].value);
    const image = otherSelector(DEPLOYER_SELECTORS[2]);
    expect(image.value).toMatch(/^pod-image:registry\.prod\.example\/deployer@sha256:[0-9a-f]{64}$/);
    expect(image.value).not.toBe(DEPLOYER_SELECTORS[2].value);
    // A value that is already the probe's is changed again, never kept.
    expect(formatSelector(otherSelector(otherSelector({ type: 'k8s', value: 'ns:agents' })))).toBe('k8s:ns:attestgate-probe-2');
  });
});
