import { ALL_RULES, findRule } from '../../lib/rules/catalog';

describe('rule catalog', () => {
  test('IDs are unique, well-formed and in order', () => {
    const ids = ALL_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of ALL_RULES) expect(rule.id).toMatch(new RegExp(`^AG-${rule.cloud === 'azure' ? 'AZ' : rule.cloud.toUpperCase()}-\\d{3}$`));
    expect([...ids].sort()).toEqual(ids);
  });

  test('IDs never change meaning: the AWS rule titles are pinned', () => {
    expect(ALL_RULES.filter((r) => r.cloud === 'aws').map((r) => [r.id, r.severity])).toEqual([
      ['AG-AWS-001', 'critical'],
      ['AG-AWS-002', 'critical'],
      ['AG-AWS-003', 'critical'],
      ['AG-AWS-004', 'high'],
      ['AG-AWS-005', 'high'],
      ['AG-AWS-006', 'high'],
      ['AG-AWS-007', 'medium'],
      ['AG-AWS-008', 'high'],
      ['AG-AWS-009', 'medium'],
      ['AG-AWS-010', 'warning'],
      ['AG-AWS-011', 'warning'],
      ['AG-AWS-012', 'medium'],
      ['AG-AWS-013', 'medium'],
    ]);
  });

  test('IDs never change meaning: the GCP and Azure rule severities are pinned', () => {
    expect(ALL_RULES.filter((r) => r.cloud === 'gcp' || r.cloud === 'azure').map((r) => [r.id, r.severity])).toEqual([
      ['AG-AZ-001', 'high'],
      ['AG-AZ-002', 'medium'],
      ['AG-AZ-003', 'medium'],
      ['AG-AZ-004', 'high'],
      ['AG-AZ-005', 'high'],
      ['AG-AZ-006', 'high'],
      ['AG-AZ-007', 'high'],
      ['AG-AZ-008', 'high'],
      ['AG-AZ-009', 'high'],
      ['AG-AZ-010', 'high'],
      ['AG-AZ-011', 'high'],
      ['AG-GCP-001', 'critical'],
      ['AG-GCP-002', 'critical'],
      ['AG-GCP-003', 'critical'],
      ['AG-GCP-004', 'high'],
    ]);
  });

  test('IDs never change meaning: the SPIFFE rule severities are pinned', () => {
    expect(ALL_RULES.filter((r) => r.cloud === 'spiffe').map((r) => [r.id, r.severity])).toEqual([
      ['AG-SPIFFE-001', 'high'],
      ['AG-SPIFFE-002', 'medium'],
      ['AG-SPIFFE-003', 'high'],
      ['AG-SPIFFE-004', 'high'],
      ['AG-SPIFFE-005', 'high'],
    ]);
  });

  test('findRule', () => {
    expect(findRule('AG-AWS-004')?.title).toContain('trusts no other principal');
    expect(findRule('AG-AWS-000')).toBeUndefined();
  });
});
