import { fixedSessionName } from '../../../lib/rules/aws/ag-aws-007-fixed-session-name';
import { gateTemplate, model } from '../../fixtures/templates';

describe('AG-AWS-007: a profile does not accept caller-chosen session names', () => {
  test('Noncompliance: AcceptRoleSessionName true', () => {
    expect(fixedSessionName.evaluate(model(gateTemplate({ profile: { AcceptRoleSessionName: true } })))).toEqual([
      expect.objectContaining({ resource: 'Profile', outcome: 'violation', location: 'Properties/AcceptRoleSessionName' }),
    ]);
  });

  test('Compliance: false or absent', () => {
    expect(fixedSessionName.evaluate(model(gateTemplate({ profile: { AcceptRoleSessionName: false } })))).toEqual([]);
    expect(fixedSessionName.evaluate(model(gateTemplate()))).toEqual([]);
  });

  test('Unjudgeable: from a parameter', () => {
    expect(fixedSessionName.evaluate(model(gateTemplate({ parameters: { A: { Type: 'String' } }, profile: { AcceptRoleSessionName: { Ref: 'A' } } })))).toEqual([
      expect.objectContaining({ outcome: 'unjudgeable' }),
    ]);
  });
});
