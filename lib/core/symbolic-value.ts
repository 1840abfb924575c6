/**
 * What CloudFormation intrinsics and Terraform templates resolve to alike: JSON, with symbols
 * where the model had no concrete answer (each model says which symbols it has), and strings
 * built from literal text and symbols. The two models differ in their symbols only; the
 * machinery for telling, composing and rendering such values is this one.
 */

/** A value a model could not make concrete; each model narrows `symbolic` to its kinds. */
export interface SymbolBase {
  readonly symbolic: string;
}

/** A string built from literal text and symbols, e.g. `arn:aws:iam::${AWS::AccountId}:root`. */
export class SymbolicString<S extends SymbolBase = SymbolBase> {
  constructor(
    public readonly parts: ReadonlyArray<string | S>,
    private readonly describeSymbol: (symbol: S) => string,
  ) {}

  /** Renders it for humans, symbols as `${…}`. */
  public toString(): string {
    return this.parts.map((p) => (typeof p === 'string' ? p : `\${${this.describeSymbol(p)}}`)).join('');
  }
}

/** Whether a value is a symbol (of whatever model produced it). */
export function isSymbolValue(value: unknown): value is SymbolBase {
  return typeof value === 'object' && value !== null && 'symbolic' in value && typeof (value as SymbolBase).symbolic === 'string';
}

/** Whether a value is plain JSON all the way down (no symbols, no symbolic strings). */
export function isConcreteValue(value: unknown): boolean {
  if (isSymbolValue(value) || value instanceof SymbolicString) return false;
  if (Array.isArray(value)) return value.every(isConcreteValue);
  if (value !== null && typeof value === 'object') return Object.values(value).every(isConcreteValue);
  return true;
}

/** Renders any resolved value for a message, symbols as `${…}`. */
export function describeSymbolicValue<S extends SymbolBase>(value: unknown, describeSymbol: (symbol: S) => string): string {
  const render = (v: unknown): unknown => (isSymbolValue(v) ? `\${${describeSymbol(v as S)}}` : v instanceof SymbolicString ? v.toString() : v);
  if (isSymbolValue(value) || value instanceof SymbolicString) return render(value) as string;
  return JSON.stringify(value, (_k, v) => render(v));
}
