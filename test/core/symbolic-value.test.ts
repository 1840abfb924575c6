import { SymbolicString, describeSymbolicValue, isConcreteValue, isSymbolValue } from '../../lib/core/symbolic-value';

type Sym = { readonly symbolic: 'ref'; readonly name: string };
const describe_ = (s: Sym) => s.name;
const ref = (name: string): Sym => ({ symbolic: 'ref', name });

describe('symbolic values, as both models resolve them', () => {
  test('a symbolic string renders its symbols as ${…}', () => {
    expect(new SymbolicString<Sym>(['arn:', ref('AWS::Partition'), ':iam'], describe_).toString()).toBe('arn:${AWS::Partition}:iam');
  });

  test('concrete all the way down, or not', () => {
    expect(isConcreteValue({ a: [1, 'x', null, { b: true }] })).toBe(true);
    expect(isConcreteValue({ a: [ref('x')] })).toBe(false);
    expect(isConcreteValue(['x', new SymbolicString<Sym>(['a', ref('b')], describe_)])).toBe(false);
    expect(isSymbolValue(ref('x'))).toBe(true);
    expect(isSymbolValue({ symbolic: 3 })).toBe(false);
  });

  test('a value for a message: symbols and symbolic strings inline, anything else as JSON', () => {
    expect(describeSymbolicValue(ref('Role.Arn'), describe_)).toBe('${Role.Arn}');
    expect(describeSymbolicValue('text', describe_)).toBe('"text"');
    expect(describeSymbolicValue({ a: [ref('x'), new SymbolicString<Sym>(['p-', ref('y')], describe_)] }, describe_)).toBe('{"a":["${x}","p-${y}"]}');
  });
});
