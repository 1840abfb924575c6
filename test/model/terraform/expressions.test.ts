import {
  ExpressionContext,
  SymbolicString,
  Value,
  concatenate,
  describeValue,
  isConcrete,
  parseTemplate,
  parseTraversal,
  referencedAddresses,
  resolveTemplate,
  resolveValue,
} from '../../../lib/model/terraform/expressions';

/** Resolves every traversal to a reference symbol, so tests see what was parsed. */
const ctx: ExpressionContext = {
  reference: (t) => (t[0] === 'var' ? { symbolic: 'variable', name: t[1] } : { symbolic: 'ref', address: `${t[0]}.${t[1]}`, ...(t.length > 2 ? { attribute: t.slice(2).join('.') } : {}) }),
};

describe('parseTemplate', () => {
  test('splits literals, interpolations and directives', () => {
    expect(parseTemplate('a${b.c}d%{ if x }e%{ endif }')).toEqual([
      { literal: 'a' },
      { interpolation: 'b.c' },
      { literal: 'd' },
      { directive: ' if x ' },
      { literal: 'e' },
      { directive: ' endif ' },
    ]);
  });

  test('honours the $${ and %%{ escapes', () => {
    expect(parseTemplate('cost: $${x} and %%{y}')).toEqual([{ literal: 'cost: ${x} and %{y}' }]);
  });

  test('skips braces inside nested strings and objects', () => {
    expect(parseTemplate('${join("}", [a, "${b}"])}!')).toEqual([{ interpolation: 'join("}", [a, "${b}"])' }, { literal: '!' }]);
    expect(parseTemplate('${{a = 1}.a}')).toEqual([{ interpolation: '{a = 1}.a' }]);
  });

  test('throws on an unclosed interpolation', () => {
    expect(() => parseTemplate('x${a.b')).toThrow(/unclosed interpolation/);
  });
});

describe('parseTraversal', () => {
  test.each([
    ['google_service_account.sa.email', ['google_service_account', 'sa', 'email']],
    [' var.project ', ['var', 'project']],
    ['local.roles[0]', ['local', 'roles', '0']],
    ['data.google_iam_policy.p["policy_data"]', ['data', 'google_iam_policy', 'p', 'policy_data']],
    ['azurerm_user_assigned_identity.id-1.principal_id', ['azurerm_user_assigned_identity', 'id-1', 'principal_id']],
  ])('%s', (expression, steps) => {
    expect(parseTraversal(expression)).toEqual(steps);
  });

  test.each(['join("", [a])', 'a.b[*].c', 'a ? b : c', 'a + b', '"x"'])('not a plain reference: %s', (expression) => {
    expect(parseTraversal(expression)).toBeUndefined();
  });
});

describe('resolveTemplate', () => {
  test('a lone interpolation keeps the referenced value', () => {
    expect(resolveTemplate('${google_iam_workload_identity_pool.pool.name}', ctx)).toEqual({ symbolic: 'ref', address: 'google_iam_workload_identity_pool.pool', attribute: 'name' });
  });

  test('text around interpolations becomes a symbolic string', () => {
    const value = resolveTemplate('principal://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/subject/x', ctx);
    expect(value).toBeInstanceOf(SymbolicString);
    expect((value as SymbolicString).parts).toEqual(['principal://iam.googleapis.com/', { symbolic: 'ref', address: 'google_iam_workload_identity_pool.pool', attribute: 'name' }, '/subject/x']);
    expect(describeValue(value)).toBe('principal://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/subject/x');
  });

  test('function calls and directives are unknown, never guessed', () => {
    expect(resolveTemplate('${upper(var.x)}', ctx)).toEqual({ symbolic: 'unknown', reason: 'the expression ${upper(var.x)}' });
    expect(resolveTemplate('%{ if true }a%{ endif }', ctx)).toBeInstanceOf(SymbolicString);
  });

  test('plain strings and escapes stay literal', () => {
    expect(resolveTemplate("assertion.sub == 'x'", ctx)).toBe("assertion.sub == 'x'");
    expect(resolveTemplate('$${not.a.ref}', ctx)).toBe('${not.a.ref}');
  });
});

describe('resolveValue', () => {
  test('drops "//" comment keys at every level and resolves nested templates', () => {
    const value = resolveValue({ '//': { a: 1 }, a: ['${var.x}', { '//': 'c', b: 'lit' }] }, ctx);
    expect(value).toEqual({ a: [{ symbolic: 'variable', name: 'x' }, { b: 'lit' }] });
    expect(isConcrete(value)).toBe(false);
    expect(isConcrete(resolveValue({ a: [1, 'b', null] }, ctx))).toBe(true);
  });

  test('referencedAddresses finds references inside strings, lists and objects', () => {
    const value = resolveValue({ a: 'x-${a_b.c.id}', b: ['${d_e.f}'], c: '${var.v}' }, ctx) as Value;
    expect([...referencedAddresses(value)].sort()).toEqual(['a_b.c', 'd_e.f']);
  });

  test('concatenate merges adjacent literals', () => {
    expect(concatenate(['a', 'b', ''])).toBe('ab');
    expect(concatenate([])).toBe('');
  });
});
