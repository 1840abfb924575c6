import { fileAcknowledgementsFor, parseAcknowledgementsFile, unmatchedAcknowledgements } from '../../lib/rules/acknowledgements-file';

const REASON = 'batch migration window, ends 2027-01 (SEC-42)';
const parse = (json: unknown) => parseAcknowledgementsFile(typeof json === 'string' ? json : JSON.stringify(json), 'acks.json');

describe('an acknowledgements file', () => {
  test('each entry: rule, resource, reason, and where it was written', () => {
    const entries = parse({ acknowledgements: [{ rule: 'AG-AWS-005', resource: 'module.agent.aws_iam_role.deployer', reason: REASON }] });
    expect(entries).toEqual([{ rule: 'AG-AWS-005', resource: 'module.agent.aws_iam_role.deployer', reason: REASON, at: 'acks.json acknowledgements[0]' }]);
    // It applies to the resource it names, and to no other.
    expect(fileAcknowledgementsFor(entries, 'module.agent.aws_iam_role.deployer')).toEqual([{ ruleId: 'AG-AWS-005', reason: REASON, at: 'acks.json acknowledgements[0]', via: 'attestgate' }]);
    expect(fileAcknowledgementsFor(entries, 'aws_iam_role.deployer')).toEqual([]);
  });

  test.each([
    ['not JSON', '{ acknowledgements: [] }', /acks\.json: \(document\) .* is not JSON .*Fix: write \{ "acknowledgements": \[/],
    ['no list', { acks: [] }, /acknowledgements \(unset\) is not a list/],
    ['another top-level field', { acknowledgements: [], version: 1 }, /version 1 is not a field of an acknowledgements file/],
    ['a misspelt field', { acknowledgements: [{ rule: 'AG-AWS-005', resource: 'r', reson: REASON }] }, /acknowledgements\[0\]\.reson .* is not a field of an acknowledgement\. Fix: use only rule, resource, reason/],
    ['no reason', { acknowledgements: [{ rule: 'AG-AWS-005', resource: 'r' }] }, /acknowledgements\[0\]\.reason \(unset\) is missing/],
    ['a short reason', { acknowledgements: [{ rule: 'AG-AWS-005', resource: 'r', reason: 'ok' }] }, /acknowledgements\[0\]\.reason "ok" is shorter than 10 characters/],
    ['an unknown rule', { acknowledgements: [{ rule: 'AG-AWS-099', resource: 'r', reason: REASON }] }, /acknowledgements\[0\]\.rule "AG-AWS-099" is not a rule attestgate has/],
    ['an empty resource', { acknowledgements: [{ rule: 'AG-AWS-005', resource: ' ', reason: REASON }] }, /acknowledgements\[0\]\.resource " " is missing or not a non-empty string/],
  ])('refused, naming the file, the field and the fix: %s', (_case, json, message) => {
    expect(() => parse(json)).toThrow(message);
  });

  test('an entry no finding matches — another rule, or another resource — is returned, to be reported', () => {
    const entries = parse({
      acknowledgements: [
        { rule: 'AG-AWS-005', resource: 'aws_iam_role.deployer', reason: REASON },
        { rule: 'AG-AWS-007', resource: 'aws_iam_role.deployer', reason: REASON },
        { rule: 'AG-AWS-005', resource: 'aws_iam_role.deployr', reason: REASON },
      ],
    });
    expect(unmatchedAcknowledgements(entries, [{ ruleId: 'AG-AWS-005', resource: 'aws_iam_role.deployer' }]).map((e) => e.at)).toEqual(['acks.json acknowledgements[1]', 'acks.json acknowledgements[2]']);
  });
});
