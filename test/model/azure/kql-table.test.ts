import { KqlError, KqlSchema } from '../../../lib/model/azure/kql-query';
import { KqlRow, KqlTableQuery } from '../../../lib/model/azure/kql-table';

// A console-log table as Container Apps writes it: one JSON line per record in Log_s.
const schema: KqlSchema = { TimeGenerated: 'datetime', Log_s: 'string', Host: 'string', Latency: 'long' };
const line = (fields: Record<string, unknown>, extra: Partial<Record<'Host' | 'Latency', string | number | null>> = {}): KqlRow => ({ Log_s: JSON.stringify(fields), ...extra });
const records: KqlRow[] = [
  line({ who: 'a', op: 'destroy', outcome: 'step-up' }, { Host: 'h1', Latency: 10 }),
  line({ who: 'a', op: 'destroy', outcome: 'step-up' }, { Host: 'h2', Latency: 30 }),
  line({ who: 'a', op: 'destroy', outcome: 'allowed' }, { Host: 'h1', Latency: 20 }),
  line({ who: 'b', op: 'list', outcome: 'allowed' }, { Host: 'h1', Latency: null }),
];
const run = (query: string, rows: readonly KqlRow[] = records) => KqlTableQuery.parse(query).run(schema, rows);
const parsed = '| extend e = parse_json(Log_s) | extend who = tostring(e.who), op = tostring(e.op), outcome = tostring(e.outcome)';

describe('KqlTableQuery: the source', () => {
  test('one table, which it names', () => {
    expect(KqlTableQuery.parse('ContainerAppConsoleLogs_CL | where Host == "h1"').table).toBe('ContainerAppConsoleLogs_CL');
    expect(run('T')).toHaveLength(4);
  });
});

describe('KqlTableQuery: where', () => {
  test('keeps the records whose predicate is true; filter is its synonym; a non-boolean predicate is refused', () => {
    expect(run('T | where Host == "h1"')).toHaveLength(3);
    expect(run('T | filter Host == "h1" and Latency > 15', records.slice(0, 3))).toEqual([records[2]]);
    expect(() => run('T | where Host')).toThrow(new KqlError('a where predicate is not boolean'));
  });

  test('after a summarize it filters the aggregated rows (a having clause)', () => {
    expect(run(`T ${parsed} | summarize n = count() by who | where n > 2`)).toEqual([{ who: 'a', n: 3 }]);
  });
});

describe('KqlTableQuery: extend', () => {
  test('adds named columns, each usable by the next in the same extend, and by later stages', () => {
    const rows = run(`T ${parsed} | where who == "a" | extend slow = iff(Latency > 15, "slow", "fast"), tag = tostring(slow) | project who, tag`);
    expect(rows).toEqual([
      { who: 'a', tag: 'fast' },
      { who: 'a', tag: 'slow' },
      { who: 'a', tag: 'slow' },
    ]);
  });

  test('replaces a column of the same name, and a member the JSON lacks reads as an empty string', () => {
    expect(run('T | extend Host = "x" | project Host', records.slice(0, 1))).toEqual([{ Host: 'x' }]);
    expect(run(`T ${parsed} | extend missing = tostring(e.nope) | project missing`, records.slice(0, 1))).toEqual([{ missing: '' }]);
  });

  test('an unnamed extend column is refused, naming the fix', () => {
    expect(() => KqlTableQuery.parse('T | extend Latency + 1')).toThrow(new KqlError('an extend column without a name (write name = expression)'));
    expect(() => KqlTableQuery.parse('T | extend a = 1,')).toThrow(new KqlError('an empty item in a list'));
  });
});

describe('KqlTableQuery: summarize', () => {
  test('count() and countif() per group, by one or more columns', () => {
    expect(run(`T ${parsed} | summarize challenges = countif(outcome == "step-up"), all = count() by who, op`)).toEqual([
      { who: 'a', op: 'destroy', challenges: 2, all: 3 },
      { who: 'b', op: 'list', challenges: 0, all: 1 },
    ]);
  });

  test('sum, min and max ignore nulls (Kusto: nulls are not factored into an aggregate)', () => {
    expect(run('T | summarize total = sum(Latency), low = min(Latency), high = max(Latency) by Host')).toEqual([
      { Host: 'h1', total: 30, low: 10, high: 20 },
      { Host: 'h2', total: 30, low: 30, high: 30 },
    ]);
  });

  test('countif() does not count a null predicate (a member the JSON lacks)', () => {
    expect(run(`T ${parsed} | summarize n = countif(e.flag), all = count()`)).toEqual([{ n: 0, all: 4 }]);
  });

  test('a comparison with a null number is a null bool, as in Kusto: countif() does not count it, where drops its row either way', () => {
    expect(run('T | summarize n = countif(Latency > 15), m = countif(not(Latency > 15)), all = count()')).toEqual([{ n: 2, m: 1, all: 4 }]);
    expect(run('T | where Latency > 15 | project Latency')).toEqual([{ Latency: 30 }, { Latency: 20 }]);
    expect(run('T | where not(Latency > 15) | project Latency')).toEqual([{ Latency: 10 }]);
    // `or isnull(…)` is how a query keeps such a row (Kusto's own example): null or true is true.
    expect(run('T | where Latency > 15 or isnull(Latency) | project Latency')).toEqual([{ Latency: 30 }, { Latency: 20 }, { Latency: null }]);
  });

  test('an extended comparison with a null keeps the bool type: the null row is null, not an empty string', () => {
    expect(run('T | extend slow = Latency > 15 | where isnull(slow) | project Host', records)).toEqual([{ Host: 'h1' }]);
    expect(run('T | extend slow = Latency > 15 | summarize n = countif(slow)', [records[3], records[1]])).toEqual([{ n: 1 }]);
    expect(run('T | extend later = Latency + 5 | summarize s = sum(later), m = max(later)')).toEqual([{ s: 75, m: 35 }]);
  });

  test('a null compared with a string is still refused: Kusto would not compile it', () => {
    expect(() => run('T | where Latency > "x"', [records[3]])).toThrow(new KqlError('> between null and string is not supported'));
  });

  test('over no records: one row without by (count and sum 0, min null), none with by', () => {
    expect(run('T | where Host == "none" | summarize n = count(), c = countif(Latency > 1), s = sum(Latency), m = min(Latency)')).toEqual([{ n: 0, c: 0, s: 0, m: null }]);
    expect(run('T | where Host == "none" | summarize n = count() by Host')).toEqual([]);
  });

  test('summarize by alone gives the distinct keys', () => {
    expect(run('T | summarize by Host')).toEqual([{ Host: 'h1' }, { Host: 'h2' }]);
  });

  test('a record without a string column groups with the empty string: a Kusto string is never null', () => {
    expect(run('T | summarize n = count() by Host', [{ Host: '' }, {}, { Host: 'h1' }])).toEqual([
      { Host: '', n: 2 },
      { Host: 'h1', n: 1 },
    ]);
  });

  test('the two-level summary of the step-up monitor: per identity and operation, then per identity', () => {
    const query = `T ${parsed} | summarize challenges = countif(outcome == "step-up"), allowed = countif(outcome == "allowed") by who, op | extend unanswered = iff(challenges > allowed, challenges - allowed, 0) | summarize failures = sum(unanswered) by who`;
    expect(run(query)).toEqual([
      { who: 'a', failures: 1 },
      { who: 'b', failures: 0 },
    ]);
  });

  test('an unnamed aggregate is refused, not given a guessed name; unknown aggregates and wrong arities too', () => {
    expect(() => KqlTableQuery.parse('T | summarize count() by Host')).toThrow(new KqlError('an unnamed aggregate (count()): write name = count(…)'));
    expect(() => KqlTableQuery.parse('T | summarize countif(Latency > 1)')).toThrow(/an unnamed aggregate \(countif\(\)\)/);
    expect(() => KqlTableQuery.parse('T | summarize d = dcount(Host)')).toThrow('the aggregate dcount(Host) is not supported (count, countif, sum, min, max)');
    expect(() => KqlTableQuery.parse('T | summarize n = count(Host)')).toThrow(new KqlError('count() takes no argument'));
    expect(() => KqlTableQuery.parse('T | summarize n = sum()')).toThrow(new KqlError('sum() takes one argument'));
    expect(() => KqlTableQuery.parse('T | summarize')).toThrow(new KqlError('summarize names no aggregate and no by column'));
    expect(() => KqlTableQuery.parse('T | summarize by')).toThrow(new KqlError('summarize by names no column'));
  });

  test('bin() and other expression keys, unknown and dynamic keys are refused', () => {
    expect(() => KqlTableQuery.parse('T | summarize n = count() by bin(TimeGenerated, 5m)')).toThrow(/summarize by bin\(TimeGenerated,5m\) \(an expression\) is not supported: extend a column first/);
    expect(() => run('T | summarize n = count() by Nope')).toThrow(new KqlError('the column Nope does not exist'));
    expect(() => run('T | extend e = parse_json(Log_s) | summarize n = count() by e')).toThrow(/summarize by e, a dynamic column, is not supported: convert it first/);
  });

  test('aggregates of the wrong type are refused', () => {
    expect(() => run('T | summarize s = sum(Host)')).toThrow(new KqlError('sum() of a string'));
    expect(() => run('T | summarize s = countif(Host)')).toThrow(new KqlError('countif() of a non-boolean'));
  });
});

describe('KqlTableQuery: project', () => {
  test('keeps the named columns, in that order; a column a record lacks is null', () => {
    expect(run('T | project Latency, Host', [{ Host: 'h1' }])).toEqual([{ Latency: null, Host: 'h1' }]);
  });

  test('a column that does not exist, or an expression, is refused', () => {
    expect(() => run('T | project Nope')).toThrow(new KqlError('the column Nope does not exist'));
    expect(() => KqlTableQuery.parse('T | project l = Latency + 1')).toThrow(new KqlError('project of an expression is not supported'));
    expect(() => run('T | project Host | where Latency > 1')).toThrow(/the column Latency does not exist in the table/);
  });
});

describe('KqlTableQuery: what it cannot judge', () => {
  test.each([
    ['union', 'union T1, T2 | summarize n = count()', 'the source is not one table name'],
    ['a union of one table', 'union T', 'the source is not one table name'],
    ['let', 'let ids = dynamic(["a"]);\nT', 'let statements and multi-statement queries are not supported'],
    ['two statements', 'T; T', 'let statements and multi-statement queries are not supported'],
    ['join', 'T | join (U) on Host', 'the join operator is not supported over many records'],
    ['mv-expand', 'T | mv-expand e', 'the mv-expand operator is not supported over many records'],
    ['take', 'T | take 5', 'the take operator is not supported over many records'],
    ['an empty stage', 'T | ', 'the (empty) operator is not supported over many records'],
  ])('%s throws KqlError, naming it', (_what, query, message) => {
    expect(() => KqlTableQuery.parse(query)).toThrow(new KqlError(message));
  });
});
