import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { App, TerraformStack } from 'cdktf';
import { producedAtSynth } from '../../../lib/packs/private/produced-at-synth';

describe('producedAtSynth', () => {
  test('is resolved when the stack is synthesized, so what is added after it is created is included', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-produced-'));
    const app = new App({ outdir, stackTraces: false, skipValidation: true });
    const stack = new TerraformStack(app, 'stack');
    const account = new ServiceAccount(stack, 'Account', { accountId: 'agent-1' });
    const listed: string[] = [];
    account.addOverride('//.attestgate:test', producedAtSynth(() => ({ listed: [...listed] })));
    listed.push('added later');
    app.synth();
    const synthesized = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'stack', 'cdk.tf.json'), 'utf8'));
    expect(synthesized.resource.google_service_account.Account['//']['attestgate:test']).toEqual({ listed: ['added later'] });
  });

  test('captures no creation stack, and says it is unresolved when stringified before synth', () => {
    expect(producedAtSynth(() => 1).creationStack).toEqual([]);
    expect(JSON.stringify({ manifest: producedAtSynth(() => 1) })).toBe('{"manifest":"<unresolved-token>"}');
  });
});
