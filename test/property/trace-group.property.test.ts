import * as fc from 'fast-check';
import { TRACE_GROUP } from './constructs';
import { propertyTest, SEED } from './jest-property';

describe('TraceGroup property (FilterExpression from random builder calls, their text, mutated text, or random text)', () => {
  propertyTest(TRACE_GROUP);

  test('the generator feeds every source of filter expressions', () => {
    // A property over one kind of input only would prove little: check the mix it draws from.
    const sources = new Set(fc.sample(TRACE_GROUP.arbitrary, { numRuns: 500, seed: SEED }).map((input) => input.filter.from));
    expect([...sources].sort()).toEqual(['builder', 'builderText', 'mutatedText', 'text']);
  });
});
