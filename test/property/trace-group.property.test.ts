import * as fc from 'fast-check';
import { FilterCall, TRACE_GROUP } from './constructs';
import { propertyTest, SEED } from './jest-property';

describe('TraceGroup property (FilterExpression from random builder calls, their text, mutated text, or random text)', () => {
  propertyTest(TRACE_GROUP);

  test('the generator feeds every source of filter expressions', () => {
    // A property over one kind of input only would prove little: check the mix it draws from.
    const sources = new Set(fc.sample(TRACE_GROUP.arbitrary, { numRuns: 500, seed: SEED }).map((input) => input.filter.from));
    expect([...sources].sort()).toEqual(['builder', 'builderText', 'mutatedText', 'text']);
  });

  test('the generator passes number tokens to the builders, which must refuse them', () => {
    const hasToken = (call: FilterCall): boolean => {
      switch (call.op) {
        case 'number':
        case 'annotation':
          return typeof call.value === 'object';
        case 'service': case 'serviceById': case 'anyService': case 'edge':
          return call.filter !== undefined && hasToken(call.filter);
        case 'rootCause': return hasToken(call.filter);
        case 'and': case 'or': return hasToken(call.left) || hasToken(call.right);
        case 'not': return hasToken(call.operand);
        case 'allOf': case 'anyOf': return call.operands.some(hasToken);
        default: return false;
      }
    };
    const inputs = fc.sample(TRACE_GROUP.arbitrary, { numRuns: 500, seed: SEED });
    // builder, builderText and mutatedText all run the builder program first
    const withToken = inputs.filter((input) => input.filter.from !== 'text' && hasToken(input.filter.call)).length;
    expect(withToken).toBeGreaterThanOrEqual(10);
  });
});
