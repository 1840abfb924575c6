import { derivedProjectNumber, derivedUniqueId } from '../../../lib/model/gcp/assigned-ids';

describe('stand-ins for the numbers GCP assigns', () => {
  test('project numbers are 12 digits, stable per project ID', () => {
    expect(derivedProjectNumber('second')).toMatch(/^[1-9]\d{11}$/);
    expect(derivedProjectNumber('second')).toBe(derivedProjectNumber('second'));
    expect(derivedProjectNumber('second')).not.toBe(derivedProjectNumber('third'));
  });

  test('service account unique IDs are 21 digits, stable per email', () => {
    expect(derivedUniqueId('a@p.iam.gserviceaccount.com')).toMatch(/^1\d{20}$/);
    expect(derivedUniqueId('a@p.iam.gserviceaccount.com')).toBe(derivedUniqueId('a@p.iam.gserviceaccount.com'));
    expect(derivedUniqueId('a@p.iam.gserviceaccount.com')).not.toBe(derivedUniqueId('b@p.iam.gserviceaccount.com'));
  });

});
