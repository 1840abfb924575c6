import { checkSpiffeRegistrations } from '../../lib/packs/check-spiffe-registrations';
import { isOpen } from '../../lib/rules/evaluate';
import { entryBatch } from '../../lib/spiffe/entry-batch';
import { SpiffeNodeAlias } from '../../lib/spiffe/spiffe-node-alias';
import { SpiffeParent, SpiffeRegistration } from '../../lib/spiffe/spiffe-registration';
import { builder, digest } from '../fixtures/spiffe';

describe('checkSpiffeRegistrations', () => {
  test('a batch written from a declaration is judged against it, its reason acknowledging AG-SPIFFE-005', () => {
    const alias = new SpiffeNodeAlias({ spiffeId: 'spiffe://prod.example/nodes/build', selectors: [`tpm:pub_hash:${digest('b')}`] });
    const agent = SpiffeParent.agent('spiffe://prod.example/spire/agent/tpm_devid/ab');
    const registration = new SpiffeRegistration({ identity: builder(), parent: agent, selectors: ['systemd:id:builder.service'], singleAttestationReason: 'the unit file is root-owned on TPM-attested hosts, SEC-3' });
    const batch = JSON.parse(JSON.stringify(entryBatch([alias, registration])));
    const verdicts = checkSpiffeRegistrations({ entryBatches: [{ source: 'entries.json', json: batch }], registrations: [registration] });
    expect(verdicts.map((v) => [v.rule.id, v.finding.resource, v.acknowledgement?.reason])).toEqual([['AG-SPIFFE-005', 'entries.json#entries[1]', 'the unit file is root-owned on TPM-attested hosts, SEC-3']]);
    expect(verdicts.filter(isOpen)).toEqual([]);
    // Edited by hand afterwards, the entry is no longer what was declared: the reason no longer holds for it.
    batch.entries[1].selectors.push({ type: 'unix', value: 'uid:0' });
    const edited = checkSpiffeRegistrations({ entryBatches: [{ source: 'entries.json', json: batch }], registrations: [registration] });
    expect(edited.filter(isOpen).map((v) => v.rule.id)).toEqual(['AG-SPIFFE-005']);
  });
});
