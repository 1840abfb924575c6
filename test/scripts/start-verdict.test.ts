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
});
