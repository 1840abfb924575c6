import { subjectDrift } from '../../../lib/model/gcp/declared-subject';

const SPIFFE = 'spiffe://prod.example/agent/deployer';
const declared = { spiffeId: SPIFFE, subject: SPIFFE, serviceAccounts: ['google_service_account.deployer'] };
const bound = (value: string, scope: 'subject' | 'whole-pool' = 'subject') => ({ principal: { scope, value }, member: `principal://…/subject/${value}`, serviceAccount: 'google_service_account.deployer' });

describe('subject drift: where a provider and its bindings no longer match the declared identity', () => {
  test('none when the condition names the declared subject and only it acts as the declared accounts', () => {
    expect(subjectDrift(declared, `assertion.sub == '${SPIFFE}' && assertion.aud == 'gcp'`, [bound(SPIFFE)])).toEqual([]);
    // An AWS source pins `<role session ARN>/`, which starts with the declared subject.
    const aws = { spiffeId: SPIFFE, subject: 'arn:aws:sts::1:assumed-role/deployer', serviceAccounts: [] };
    expect(subjectDrift(aws, "assertion.arn.startsWith('arn:aws:sts::1:assumed-role/deployer/')", [])).toEqual([]);
  });

  test.each([
    ['a condition widened to the trust domain', "assertion.sub.startsWith('spiffe://prod.example/')", [bound(SPIFFE)], /no longer names the declared spiffe:\/\/prod.example\/agent\/deployer/],
    ['no condition', undefined, [bound(SPIFFE)], /has no attribute condition/],
    ['a condition not known before apply', null, [bound(SPIFFE)], /not known before apply/],
    ['a condition that is not CEL', 'assertion.sub ==', [bound(SPIFFE)], /not valid CEL/],
    ['another subject bound to the account', `assertion.sub == '${SPIFFE}'`, [bound(SPIFFE), bound('spiffe://prod.example/agent/other')], /subject\/spiffe:\/\/prod.example\/agent\/other can act as google_service_account.deployer besides/],
    ['the declared subject unbound (binding edited)', `assertion.sub == '${SPIFFE}'`, [bound('spiffe://prod.example/agent/other')], /the declared subject spiffe:\/\/prod.example\/agent\/deployer can no longer act as google_service_account.deployer/],
  ])('reported: %s', (_what, condition, principals, message) => {
    expect(subjectDrift(declared, condition, principals).join('\n')).toMatch(message);
  });
});
