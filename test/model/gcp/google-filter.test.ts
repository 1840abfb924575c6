import { FilterError, GoogleFilter } from '../../../lib/model/gcp/google-filter';
import { PROVIDER_NAME, SA_EMAIL, exchangeToken, generateAccessToken } from '../../fixtures/gcp-audit-logs';

const logging = (text: string, entry: unknown) => GoogleFilter.parse(text, 'logging').matches(entry);
const monitoring = (text: string, series: unknown) => GoogleFilter.parse(text, 'monitoring').matches(series);

describe('GoogleFilter', () => {
  describe('Logging query language', () => {
    test('implicit AND across lines, value lists, and a status that is absent on success', () => {
      const failures = 'protoPayload.serviceName="sts.googleapis.com"\nprotoPayload.methodName=("a" OR "google.identity.sts.v1.SecurityTokenService.ExchangeToken")\nprotoPayload.status.code>0';
      expect(logging(failures, exchangeToken({ code: 3 }))).toBe(true);
      expect(logging(failures, exchangeToken())).toBe(false);
      expect(logging(`NOT protoPayload.status.code>0 AND protoPayload.resourceName="${PROVIDER_NAME}"`, exchangeToken())).toBe(true);
      expect(logging('-protoPayload.status.code>0', exchangeToken({ code: 3 }))).toBe(false);
      // A value, a space, then a group: implicit AND, not a function call.
      expect(logging(`NOT protoPayload.status.code>0 (protoPayload.resourceName="${PROVIDER_NAME}")`, exchangeToken())).toBe(true);
    });

    test('= and : ignore case, =~ does not unless (?i); :* tests presence', () => {
      const entry = generateAccessToken({ principalEmail: 'Attacker@Example.com' });
      expect(logging('protoPayload.authenticationInfo.principalEmail="attacker@example.com"', entry)).toBe(true);
      expect(logging('protoPayload.authenticationInfo.principalEmail:"EXAMPLE"', entry)).toBe(true);
      expect(logging('protoPayload.authenticationInfo.principalEmail=~"^attacker"', entry)).toBe(false);
      expect(logging('protoPayload.authenticationInfo.principalEmail=~"(?i)^attacker"', entry)).toBe(true);
      expect(logging('protoPayload.authenticationInfo.principalSubject:*', entry)).toBe(false);
      expect(logging('NOT protoPayload.authenticationInfo.principalSubject="x" AND resource.labels.email_id!="other@p.iam.gserviceaccount.com"', entry)).toBe(true);
    });

    test('OR binds tighter than AND (Google’s precedence), parentheses group, a missing field matches nothing', () => {
      const entry = generateAccessToken({ code: 7 });
      expect(logging(`resource.labels.email_id="nobody" AND protoPayload.status.code=3 OR protoPayload.status.code=7`, entry)).toBe(false);
      expect(logging(`(resource.labels.email_id="nobody" AND protoPayload.status.code=3) OR protoPayload.status.code=7`, entry)).toBe(true);
      expect(logging(`resource.labels.email_id="${SA_EMAIL}" protoPayload.status.code=3 OR protoPayload.status.code=7`, entry)).toBe(true);
      expect(logging('jsonPayload.missing="x"', entry)).toBe(false);
      expect(logging('jsonPayload.missing!="x"', entry)).toBe(false);
    });

    test('what it cannot judge throws FilterError, naming it', () => {
      expect(() => logging('"ExchangeToken"', exchangeToken())).toThrow(new FilterError('"ExchangeToken" is a global restriction (a value without a field), which this evaluator does not judge'));
      expect(() => logging('log_id("cloudaudit.googleapis.com/data_access")', exchangeToken())).toThrow('the function log_id() is not supported');
      expect(() => logging('timestamp>="2026-01-01T00:00:00Z"', { timestamp: '2026-02-01T00:00:00Z' })).toThrow('on a non-number');
      expect(() => logging('protoPayload.methodName=("a" OR "b"', exchangeToken())).toThrow(FilterError);
      expect(() => logging('protoPayload.request=~"["', exchangeToken())).toThrow(FilterError);
    });
  });

  describe('Monitoring filters', () => {
    const series = { metric: { type: 'logging.googleapis.com/user/failures', labels: { provider: PROVIDER_NAME } }, resource: { type: 'audited_resource', labels: {} } };

    test('metric.label.x reads metric.labels; equality is exact', () => {
      expect(monitoring(`metric.type="logging.googleapis.com/user/failures" AND metric.label.provider="${PROVIDER_NAME}"`, series)).toBe(true);
      expect(monitoring('metric.type="logging.googleapis.com/user/FAILURES"', series)).toBe(false);
    });

    test('starts_with, ends_with, has_substring, one_of, monitoring.regex.full_match', () => {
      expect(monitoring('metric.type=starts_with("logging.googleapis.com/user/")', series)).toBe(true);
      expect(monitoring('metric.label.provider=ends_with("/providers/deployer")', series)).toBe(true);
      expect(monitoring('metric.label.provider=has_substring("attested-agents")', series)).toBe(true);
      expect(monitoring('metric.label.provider=one_of("a", "b")', series)).toBe(false);
      expect(monitoring('metric.label.provider!=one_of("a", "b")', series)).toBe(true);
      expect(monitoring('metric.label.provider=monitoring.regex.full_match(".*/providers/deploy")', series)).toBe(false);
      expect(() => monitoring('metric.label.provider=nope("x")', series)).toThrow('the function nope() is not supported');
    });
  });
});
