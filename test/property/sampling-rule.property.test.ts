import { Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import { NumberOrToken, SAMPLING_RULE } from './constructs';
import { propertyTest, SEED } from './jest-property';
import { SamplingRule } from '../../src/sampling/sampling-rule';
import { createStack } from '../helpers/app';
import { validateXRayResources } from '../helpers/cfn-schema';

describe('SamplingRule property', () => {
  propertyTest(SAMPLING_RULE);

  test('the generator feeds numbers, stack parameters and Lazy.number to each number prop', () => {
    // A property that never drew a token would prove nothing about tokens: check the mix.
    const kind = (v: NumberOrToken | undefined): string => (v === undefined ? 'absent' : typeof v === 'number' ? 'number' : v.token);
    const inputs = fc.sample(SAMPLING_RULE.arbitrary, { numRuns: 1000, seed: SEED });
    for (const prop of ['priority', 'fixedRate', 'reservoirSize'] as const) {
      const kinds = new Set(inputs.map((input) => kind(input[prop])));
      expect([...kinds].filter((k) => k !== 'absent').sort()).toEqual(['lazy', 'number', 'parameter']);
    }
  });
});

describe('SamplingRule regressions found by fuzzing (fixed in src)', () => {
  // validateSamplingRuleAttributes checks key length only. The registry schema admits keys matching
  // `.{1,}`, which no string of only line terminators does: CloudFormation rejects the resource.
  // Proposed fix (src/private/validation-xray-names.ts): reject keys (and values) containing control
  // characters, e.g. `validateCharacters(prop + ' keys', key, /^[^\p{Cc}\u2028\u2029]$/u, ...)`.
  test('an attribute key of only a newline is rejected at synth, not by CloudFormation', () => {
    const { stack } = createStack();
    let threw = false;
    try {
      new SamplingRule(stack, 'Rule', { priority: 10, fixedRate: 0.1, attributes: { '\n': 'x' } });
    } catch {
      threw = true;
    }
    const report = validateXRayResources(Template.fromStack(stack).toJSON());
    expect(threw || report.problems.length === 0).toBe(true);
  });
});
