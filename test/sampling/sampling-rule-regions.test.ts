import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { regionsLacking } from '../../src/core/region-availability';
import { SamplingRule } from '../../src/sampling/sampling-rule';
import { createStack } from '../helpers/app';

// Issue 26, "Regions": CloudFormation registry schemas of 2026-06-15 (per cfn-lint) have no
// SamplingRateBoost in AWS::XRay::SamplingRule in these Regions.
const LACKING = ['me-central-1', 'me-south-1'];
const BOOST = { maxRate: 0.5, cooldown: Duration.minutes(10) };

function ruleIn(region: string | undefined, boost = true) {
  const { stack } = createStack({ env: region === undefined ? undefined : { account: '111111111111', region } });
  new SamplingRule(stack, 'Rule', { priority: 100, fixedRate: 0.05, serviceName: 'afirgen-main-backend', samplingRateBoost: boost ? BOOST : undefined });
  return stack;
}

describe('SamplingRule samplingRateBoost in Regions without SamplingRateBoost (issue 26)', () => {
  test('the Region table lists exactly the two Regions', () => {
    expect([...regionsLacking('AWS::XRay::SamplingRule', 'SamplingRateBoost')].sort()).toEqual(LACKING);
  });

  test.each(LACKING)('throws in a stack whose Region is %s, naming the path, the prop, the Region and what to do', (region) => {
    expect(() => ruleIn(region)).toThrow(
      new RegExp(`^TestStack/Rule: samplingRateBoost is not available in the stack's region \\(env\\.region\\) "${region}": ` +
        'CloudFormation\'s AWS::XRay::SamplingRule has no SamplingRateBoost there \\(Region facts of 2026-06-15.*Remove samplingRateBoost for stacks'),
    );
  });

  test.each(LACKING)('a rule without a boost is fine in %s', (region) => {
    Template.fromStack(ruleIn(region, false)).resourceCountIs('AWS::XRay::SamplingRule', 1);
  });

  test('a boost is fine in us-east-1 and in a Region-agnostic stack', () => {
    for (const region of ['us-east-1', undefined]) {
      Template.fromStack(ruleIn(region)).hasResourceProperties('AWS::XRay::SamplingRule', {
        SamplingRule: { SamplingRateBoost: { MaxRate: 0.5, CooldownWindowMinutes: 10 } },
      });
    }
  });
});
