import { TRACE_GROUP } from './constructs';
import { propertyTest } from './jest-property';

describe('TraceGroup property (FilterExpression from random builder calls, their text, mutated text, or random text)', () => {
  propertyTest(TRACE_GROUP);
});
