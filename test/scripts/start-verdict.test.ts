import { renderStartVerdict } from '../../scripts/start-verdict';

const CLAUSES = [
  'every gate refused unattested issuance, and all 5 of their issuance paths are attested',
  'through the Workload API the deployer pod got all three clouds, the other image none',
  'the SPIFFE registration passed every check',
  'the step-up endpoint passed every check',
];

describe('renderStartVerdict', () => {
  test('the exit code and time first, then one clause a line', () => {
    expect(renderStartVerdict(CLAUSES, 0, 55.04, 100).split('\n')).toEqual(['npm start: exit 0 in 55.0 s:', ...CLAUSES.map((c) => `  - ${c}`)]);
  });

  test.each([60, 100])('every line fits %i columns, and no word of a clause is lost', (columns) => {
    const text = renderStartVerdict(CLAUSES, 2, 1, columns);
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(columns);
    expect(text.replace(/\s+/g, ' ')).toContain(CLAUSES[0]);
  });

  test('the HTML report last, its path on a line of its own', () => {
    const lines = renderStartVerdict(CLAUSES, 0, 1, 100, 'attestgate-report/report.html').split('\n');
    expect(lines.slice(-2)).toEqual(['The conformance report, every gate, path and check (open it in a browser):', '  attestgate-report/report.html']);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(100);
  });
});
