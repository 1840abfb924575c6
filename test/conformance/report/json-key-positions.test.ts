import { indexJsonKeys, positionOf } from '../../../conformance/report/json-key-positions';

/** The 1-based line and column of the first occurrence of `needle` at or after `from`, counted by hand for the assertions. */
function positionIn(text: string, needle: string, from = 0): { line: number; column: number } {
  const at = text.indexOf(needle, from);
  if (at < 0) throw new Error(`${needle} is not in the text`);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

const locate = (text: string, path: readonly string[], depth = 3) => {
  const index = indexJsonKeys(text, depth);
  return index && positionOf(index, path);
};

describe('indexJsonKeys and positionOf', () => {
  test('a logical ID is found where Resources declares it, not where an output, a Ref or a DependsOn names it first', () => {
    const template = [
      '{',
      '  "Outputs": {',
      '    "Role": { "Value": { "Ref": "Role" } }',
      '  },',
      '  "Resources": {',
      '    "Profile": {',
      '      "Type": "AWS::RolesAnywhere::Profile",',
      '      "DependsOn": ["Role"],',
      '      "Properties": { "RoleArns": [{ "Fn::GetAtt": ["Role", "Arn"] }] }',
      '    },',
      '    "Role": { "Type": "AWS::IAM::Role" }',
      '  }',
      '}',
    ].join('\n');
    expect(locate(template, ['Resources', 'Role'])).toEqual({ line: 11, column: 5 });
    expect(locate(template, ['Resources', 'Role'])).toEqual(positionIn(template, '"Role": { "Type"'));
    expect(locate(template, ['Outputs', 'Role'])).toEqual({ line: 3, column: 5 });
    expect(locate(template, ['Resources', 'Missing'])).toBeUndefined();
  });

  test('a Terraform resource by type and name, with the same name under another type, in a reference and in an output', () => {
    const configuration = [
      '{',
      '  "output": { "spire": { "value": "${google_iam_workload_identity_pool_provider.spire.name}" } },',
      '  "resource": {',
      '    "google_iam_workload_identity_pool": {',
      '      "spire": { "workload_identity_pool_id": "spire" }',
      '    },',
      '    "google_iam_workload_identity_pool_provider": {',
      '      "spire": { "workload_identity_pool_id": "${google_iam_workload_identity_pool.spire.workload_identity_pool_id}" }',
      '    }',
      '  }',
      '}',
    ].join('\n');
    expect(locate(configuration, ['resource', 'google_iam_workload_identity_pool_provider', 'spire'])).toEqual({ line: 8, column: 7 });
    expect(locate(configuration, ['resource', 'google_iam_workload_identity_pool', 'spire'])).toEqual({ line: 5, column: 7 });
  });

  test('an array on the way is searched, as Terraform JSON writes a repeated block level', () => {
    const configuration = '{"resource": [\n  {"google_a": {"x": {}}},\n  {"google_b": {"x": {}}}\n]}';
    expect(locate(configuration, ['resource', 'google_b', 'x'])).toEqual({ line: 3, column: 17 });
    expect(locate(configuration, ['resource', 'google_a', 'x'])).toEqual({ line: 2, column: 17 });
  });

  test('the last of duplicate keys wins with its whole value, as JSON.parse reads it', () => {
    const text = '{\n"Resources": {"Old": {}, "Role": {}},\n"Resources": {"Role": {}}\n}';
    expect(JSON.parse(text).Resources).toEqual({ Role: {} });
    expect(locate(text, ['Resources', 'Role'])).toEqual({ line: 3, column: 15 });
    expect(locate(text, ['Resources', 'Old'])).toBeUndefined();
  });

  test('a key is compared by its value: escapes are read, and strings with quotes, braces and backslashes in them are passed over', () => {
    const text = '{"Metadata": {"note": "a \\"quoted\\" {brace} \\\\"},\n "Resources": {"R\\u006fle": {"Properties": {"Description": "\\\\\\"Role\\\\\\": {"}}}}';
    expect(() => JSON.parse(text)).not.toThrow();
    expect(locate(text, ['Resources', 'Role'])).toEqual({ line: 2, column: 16 });
  });

  test('lines end at LF, CR LF and a lone CR, as SARIF counts them; a byte order mark is no column', () => {
    expect(locate('{\r\n"a": {\r\n  "b": 1}}', ['a', 'b'])).toEqual({ line: 3, column: 3 });
    expect(locate('{\r"a": {\r  "b": 1}}', ['a', 'b'])).toEqual({ line: 3, column: 3 });
    expect(locate('\uFEFF{"a": 1}', ['a'])).toEqual({ line: 1, column: 2 });
  });

  test('a column counts UTF-16 code units, as SARIF does by default and as the run says', () => {
    // The astral character before the key is two code units.
    expect(locate('{"x": "😀", "a": 1}', ['a'])).toEqual({ line: 1, column: 13 });
  });

  test('keys deeper than the depth asked for are not indexed; a path through a non-object finds nothing', () => {
    const text = '{"a": {"b": {"c": {"d": 1}}}, "s": "text", "n": [1, 2]}';
    expect(locate(text, ['a', 'b', 'c'], 3)).toEqual({ line: 1, column: 14 });
    expect(locate(text, ['a', 'b', 'c', 'd'], 3)).toBeUndefined();
    expect(locate(text, ['s', 'text'])).toBeUndefined();
    expect(locate(text, ['n', '0'])).toBeUndefined();
    expect(locate(text, [])).toBeUndefined();
  });

  test('text that is not JSON has no index, rather than a guessed one', () => {
    for (const text of ['', 'Resources:\n  Role:\n    Type: AWS::IAM::Role', '{"a": 1', '{"a": 1} x', '{"a" 1}', "{'a': 1}", '{"a": tru}', '{"a": "unterminated}', '{"\\x": 1}']) {
      expect(indexJsonKeys(text, 3)).toBeUndefined();
    }
    expect(indexJsonKeys('-1.5e3', 3)?.size).toBe(0);
  });
});
