import { KqlError, KqlQuery, KqlSchema } from '../../../lib/model/azure/kql-query';

const schema: KqlSchema = { AppId: 'string', ResultType: 'string', FederatedCredentialId: 'string', IPAddress: 'string', DurationMs: 'long', QueueMs: 'long', Interactive: 'bool', TimeGenerated: 'datetime' };
const failed = { AppId: 'c1', ResultType: '700213', FederatedCredentialId: '', IPAddress: '203.0.113.7', DurationMs: 12 };
const keeps = (query: string, record: Record<string, string | number | null> = failed, table = 'AADManagedIdentitySignInLogs') => KqlQuery.parse(query).keeps(table, schema, record);

describe('KqlQuery', () => {
  test('a table or a union (with parameters and wildcards) decides which records are read', () => {
    expect(keeps('AADManagedIdentitySignInLogs')).toBe(true);
    expect(keeps('AADServicePrincipalSignInLogs')).toBe(false);
    expect(keeps('union isfuzzy=true AADManagedIdentitySignInLogs, AADServicePrincipalSignInLogs', failed, 'AADServicePrincipalSignInLogs')).toBe(true);
    expect(keeps('union AAD*SignInLogs | where AppId == "c1"')).toBe(true);
    expect(KqlQuery.parse('SigninLogs').reads('AADManagedIdentitySignInLogs')).toBe(false);
  });

  test('where stages: equality is exact, =~ is not; in and in~; ResultType is a string', () => {
    expect(keeps('AADManagedIdentitySignInLogs | where AppId == "c1" | where ResultType != "0"')).toBe(true);
    expect(keeps('AADManagedIdentitySignInLogs | where AppId == "C1"')).toBe(false);
    expect(keeps('AADManagedIdentitySignInLogs | where AppId =~ "C1"')).toBe(true);
    expect(keeps('AADManagedIdentitySignInLogs | where AppId in ("c0", "c1") and not(ResultType == "0")')).toBe(true);
    expect(keeps('AADManagedIdentitySignInLogs | where AppId !in ("c1")')).toBe(false);
    expect(keeps('AADManagedIdentitySignInLogs | where AppId in~ ("C1")')).toBe(true);
    expect(keeps('AADManagedIdentitySignInLogs | where ResultType == "0" or DurationMs > 10')).toBe(true);
    expect(() => keeps('AADManagedIdentitySignInLogs | where ResultType != 0')).toThrow(new KqlError('cannot compare a string with a number'));
  });

  test('string operators, empty checks, comments and shaping stages', () => {
    expect(keeps('AADManagedIdentitySignInLogs\n// failures only\n| where isempty(FederatedCredentialId) and isnotempty(IPAddress)')).toBe(true);
    expect(keeps('AADManagedIdentitySignInLogs | where IPAddress has "203" and IPAddress !has "20" and IPAddress startswith "203." and IPAddress endswith ".7"')).toBe(true);
    expect(keeps('AADManagedIdentitySignInLogs | where tolower(AppId) contains_cs "c" and AppId has_any ("x", "c1")')).toBe(true);
    expect(keeps('AADManagedIdentitySignInLogs | where IPAddress matches regex @"^203\\.0"')).toBe(true);
    expect(keeps('AADManagedIdentitySignInLogs | where AppId == "c1" | summarize Failures = count() by AppId | project AppId, Failures')).toBe(true);
    expect(keeps('AADManagedIdentitySignInLogs | where AppId == "c1" | take 0')).toBe(false);
  });

  test('nulls as Kusto documents them: == false, != true, a comparison or arithmetic null, where drops a null predicate', () => {
    const unmeasured = { ...failed, DurationMs: null };
    const q = (predicate: string) => keeps(`AADManagedIdentitySignInLogs | where ${predicate}`, unmeasured);
    expect(q('DurationMs > 10')).toBe(false);
    expect(q('not(DurationMs > 10)')).toBe(false);
    expect(q('DurationMs + 1 > 0')).toBe(false);
    expect(q('isnull(DurationMs > 10)')).toBe(true);
    expect(q('DurationMs > 10 or isnull(DurationMs)')).toBe(true);
    expect(q('DurationMs > 10 or AppId == "c1"')).toBe(true);
    expect(q('DurationMs > 10 and AppId == "c1"')).toBe(false);
    expect(q('isnull(DurationMs > 10 and AppId == "c1") and isnotnull(DurationMs > 10 and AppId == "c0")')).toBe(true);
    expect(q('DurationMs == 12')).toBe(false);
    expect(q('DurationMs != 12')).toBe(true);
    // Two nulls are neither equal nor unequal (QueueMs and Interactive are missing too).
    expect(q('DurationMs == QueueMs or DurationMs != QueueMs')).toBe(false);
    expect(q('isnull(DurationMs == QueueMs) and isnull(Interactive) and isnull(not(Interactive))')).toBe(true);
    expect(q('Interactive or AppId == "c1"')).toBe(true);
    expect(() => q('DurationMs')).toThrow(new KqlError('a where predicate is not boolean'));
  });

  test('what it cannot judge throws KqlError, naming it', () => {
    expect(() => keeps('let ids = dynamic(["c1"]); AADManagedIdentitySignInLogs')).toThrow('let statements and multi-statement queries are not supported');
    expect(() => keeps('AADManagedIdentitySignInLogs | summarize n = count() by AppId | where n > 5')).toThrow('a where after a shaping stage (project, summarize, …) is not supported');
    expect(() => keeps('AADManagedIdentitySignInLogs | join (SigninLogs) on AppId')).toThrow('the join operator is not supported');
    expect(() => keeps('AADManagedIdentitySignInLogs | where Nope == "x"')).toThrow('the column Nope does not exist in the table');
    expect(() => keeps('AADManagedIdentitySignInLogs | where TimeGenerated > ago(1h)')).toThrow(KqlError);
    expect(() => keeps('AADManagedIdentitySignInLogs | where AppId == "c1')).toThrow('a string literal is not closed');
  });
});
