import { editDistance, nearest } from '../../../conformance/cli/suggest';

describe('editDistance', () => {
  test.each([
    ['format', 'format', 0],
    ['fromat', 'format', 1], // two neighbours swapped: one edit, as a person counts it
    ['formt', 'format', 1],
    ['formats', 'format', 1],
    ['pki', 'app', 3],
    ['', 'app', 3],
  ])('%s → %s: %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('nearest', () => {
  const options = ['app', 'pki', 'format', 'out', 'concurrency', 'allow-unproven', 'acknowledgements'];

  test('a typo gets the option it is one or two edits from', () => {
    expect(nearest('fromat', options)).toBe('format');
    expect(nearest('acknowledgments', options)).toBe('acknowledgements');
    expect(nearest('allow-unprovne', options)).toBe('allow-unproven');
  });

  test('a unique beginning of an option names it, however far the rest', () => {
    expect(nearest('conc', options)).toBe('concurrency');
  });

  test('nothing close: no suggestion rather than a misleading one', () => {
    expect(nearest('nope', options)).toBeUndefined();
    expect(nearest('verbose', options)).toBeUndefined();
    // Short words: one edit at most, or every two-letter typo would match something.
    expect(nearest('ab', options)).toBeUndefined();
  });
});
