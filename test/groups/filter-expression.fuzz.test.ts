import * as fc from 'fast-check';
import { builtExpression, checkBuilt, checkText, mutatedText, randomText } from '../../bench/fuzz-filter-expression';
import { FilterExpression } from '../../src/groups/filter-expression';

/** Cases a property; `FUZZ_RUNS=50000 npx jest test/sampling/filter-expression.fuzz` for a long run. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);

describe('FilterExpression fuzz', () => {
  test('built expressions render to text that parses back equal and re-renders identically', () => {
    // GIVEN random expressions made with the builder
    let checked = 0;
    fc.assert(
      fc.property(builtExpression(), (expression) => {
        // WHEN rendered and parsed back THEN the tree and the text are unchanged
        checkBuilt(expression);
        expect(FilterExpression.parse(expression.toString())).toEqual(expression);
        checked++;
      }),
      { numRuns: RUNS },
    );
    expect(checked).toBe(RUNS);
  });

  test('random texts only ever throw FilterExpressionError, quickly, and what is accepted round-trips', () => {
    // GIVEN random characters, soups of filter-expression fragments, and long runs of one fragment
    const outcomes = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(randomText(), (text) => {
        // WHEN parsed THEN it is rejected with a well-formed error, or accepted and round-trips
        outcomes[checkText(text)]++;
      }),
      { numRuns: RUNS },
    );
    expect(outcomes.accepted + outcomes.rejected).toBe(RUNS);
    // both paths were exercised
    expect(outcomes.rejected).toBeGreaterThan(RUNS / 2);
    expect(outcomes.accepted).toBeGreaterThan(0);
  });

  test('mutated valid texts only ever throw FilterExpressionError, quickly, and what is accepted round-trips', () => {
    // GIVEN documented examples and built expressions, with characters inserted, deleted, replaced, repeated or cut off
    const outcomes = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(mutatedText(), (text) => {
        outcomes[checkText(text)]++;
      }),
      { numRuns: RUNS },
    );
    expect(outcomes.accepted + outcomes.rejected).toBe(RUNS);
    expect(outcomes.rejected).toBeGreaterThan(RUNS / 10);
    expect(outcomes.accepted).toBeGreaterThan(RUNS / 20);
  });

  test('the text check tells accepted from rejected texts', () => {
    expect(checkText('ok')).toBe('accepted');
    expect(checkText('service("x") { fault } AND annotation.a >= -1')).toBe('accepted');
    expect(checkText('ok AND')).toBe('rejected');
    expect(checkText('responsetime CONTAINS "x"')).toBe('rejected');
  });
});
