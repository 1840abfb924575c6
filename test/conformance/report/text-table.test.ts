import { renderBlocks, renderTable } from '../../../conformance/report/text-table';

const rows = [
  ['attestgate-gcp-example/google_iam_workload_identity_pool_provider.DeployerGate_Provider_C99438C3', 'high', 'OIDC https://oidc.prod.example (inline JWKS)'],
  ['Stack/Reader', 'read-only', ''],
];

describe('renderTable', () => {
  test('a table when it fits, multi-line cells aligned', () => {
    expect(renderTable(['Gate', 'Privilege'], [['Stack/Deployer', 'high\nbroad']], 40)).toBe(
      ['+----------------+-----------+', '| Gate           | Privilege |', '+----------------+-----------+', '| Stack/Deployer | high      |', '|                | broad     |', '+----------------+-----------+'].join('\n'),
    );
  });

  test('wider than allowed: one block per row, the same text as renderBlocks', () => {
    expect(renderTable(['Gate', 'Privilege', 'Provider / issuer'], rows, 100)).toBe(renderBlocks(['Gate', 'Privilege', 'Provider / issuer'], rows, 100));
  });
});

describe('renderBlocks', () => {
  test('the first cell as title, short cells after their header, long ones under it, blanks left out; within the width', () => {
    const text = renderBlocks(['Gate', 'Privilege', 'Provider / issuer'], rows, 60);
    expect(text).toBe(
      [
        'attestgate-gcp-example/google_…eployerGate_Provider_C99438C3',
        '  Privilege: high',
        '  Provider / issuer:',
        '    OIDC https://oidc.prod.example (inline JWKS)',
        '',
        'Stack/Reader',
        '  Privilege: read-only',
      ].join('\n'),
    );
    expect(Math.max(...text.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(60);
  });
});
