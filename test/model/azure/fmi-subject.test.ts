import { fmiSubject, guidBase64Url } from '../../../lib/model/azure/fmi-subject';

describe('FMI subject', () => {
  test("a GUID in .NET's byte order: the observed encoding of Microsoft's tenant", () => {
    expect(guidBase64Url('72f988bf-86f1-41af-91ab-2d7cd011db47')).toBe('v4j5cvGGr0GRqy180BHbRw');
    expect(guidBase64Url('72F988BF-86F1-41AF-91AB-2D7CD011DB47')).toBe('v4j5cvGGr0GRqy180BHbRw');
    expect(guidBase64Url('not-a-guid')).toBeUndefined();
  });

  test('the subject names tenant, blueprint and path; another blueprint or path gives another subject', () => {
    const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const blueprint = '11111111-2222-4333-a444-555555555555';
    const subject = fmiSubject(tenant, blueprint, 'aaaaaaaa-0000-4000-a000-000000000001');
    expect(subject).toMatch(/^\/eid1\/c\/pub\/t\/v4j5cvGGr0GRqy180BHbRw\/a\/[A-Za-z0-9_-]{22}\/aaaaaaaa-0000-4000-a000-000000000001$/);
    expect(fmiSubject(tenant, '11111111-2222-4333-a444-555555555556', 'aaaaaaaa-0000-4000-a000-000000000001')).not.toBe(subject);
    expect(fmiSubject(tenant, blueprint, 'aaaaaaaa-0000-4000-a000-000000000002')).not.toBe(subject);
  });
});
