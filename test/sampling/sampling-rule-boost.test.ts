import { CfnParameter, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SamplingRule, SamplingRateBoost } from '../../src/sampling/sampling-rule';
import { createStack } from '../helpers/app';
import { validateXRayResources } from '../helpers/cfn-schema';
import { expectError } from '../helpers/messages';

function ruleWith(boost: SamplingRateBoost, fixedRate = 0.05) {
  const { stack } = createStack();
  new SamplingRule(stack, 'Rule', { priority: 100, fixedRate, serviceName: 'afirgen-main-backend', samplingRateBoost: boost });
  return stack;
}

describe('SamplingRule samplingRateBoost (adaptive sampling)', () => {
  test('renders SamplingRateBoost { MaxRate, CooldownWindowMinutes } on the rule', () => {
    // GIVEN a 5 % rule that may boost to 50 % once every 10 minutes
    const stack = ruleWith({ maxRate: 0.5, cooldown: Duration.minutes(10) });

    // THEN the rule carries the boost
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: { FixedRate: 0.05, SamplingRateBoost: { MaxRate: 0.5, CooldownWindowMinutes: 10 } },
    });
  });

  test('accepts a cooldown given in hours (whole minutes) and maxRate equal to fixedRate or 1', () => {
    Template.fromStack(ruleWith({ maxRate: 0.05, cooldown: Duration.hours(1) })).hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: { SamplingRateBoost: { MaxRate: 0.05, CooldownWindowMinutes: 60 } },
    });
    Template.fromStack(ruleWith({ maxRate: 1, cooldown: Duration.minutes(1) })).hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: { SamplingRateBoost: { MaxRate: 1, CooldownWindowMinutes: 1 } },
    });
  });

  test('has no SamplingRateBoost by default', () => {
    const { stack } = createStack();
    const rule = new SamplingRule(stack, 'Rule', { priority: 100, fixedRate: 0.1 });
    const rendered = Template.fromStack(stack).findResources('AWS::XRay::SamplingRule');
    expect(Object.values(rendered)[0].Properties.SamplingRule.SamplingRateBoost).toBeUndefined();
    expect(rule.samplingRateBoost).toBeUndefined();
  });

  test('passes tokens through: a deploy-time maxRate and cooldown', () => {
    const { stack } = createStack();
    const max = new CfnParameter(stack, 'Max', { type: 'Number' }).valueAsNumber;
    const minutes = new CfnParameter(stack, 'Cooldown', { type: 'Number' }).valueAsNumber;
    new SamplingRule(stack, 'Rule', { priority: 100, fixedRate: 0.1, samplingRateBoost: { maxRate: max, cooldown: Duration.minutes(minutes) } });
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: { SamplingRateBoost: { MaxRate: { Ref: 'Max' }, CooldownWindowMinutes: { Ref: 'Cooldown' } } },
    });
  });

  test('throws for maxRate above 1', () => {
    expectError(() => ruleWith({ maxRate: 1.5, cooldown: Duration.minutes(5) }),
      { path: 'TestStack/Rule', prop: 'samplingRateBoost.maxRate', allowed: 'number from 0 to 1' });
  });

  test('throws for maxRate below the rule\'s fixedRate', () => {
    expect(() => ruleWith({ maxRate: 0.01, cooldown: Duration.minutes(5) }, 0.1))
      .toThrow("TestStack/Rule: samplingRateBoost.maxRate must be from the rule's fixedRate 0.1 to 1 (a boost only raises the rate), got 0.01");
  });

  test('throws for a cooldown under one minute', () => {
    expectError(() => ruleWith({ maxRate: 0.5, cooldown: Duration.seconds(30) }), {
      path: 'TestStack/Rule', prop: 'samplingRateBoost.cooldown', allowed: ['whole minutes, at least 1', 'CooldownWindowMinutes'], says: '30 seconds',
    });
  });

  test('throws for a cooldown that is not whole minutes', () => {
    expectError(() => ruleWith({ maxRate: 0.5, cooldown: Duration.seconds(90) }), {
      path: 'TestStack/Rule',
      prop: 'samplingRateBoost.cooldown',
      allowed: ['whole minutes, at least 1', 'CooldownWindowMinutes'],
      says: '1 minute 30 seconds',
    });
  });

  test('throws for a cooldown that is not a Duration (JavaScript callers)', () => {
    expectError(() => ruleWith({ maxRate: 0.5, cooldown: 5 as unknown as Duration }), {
      path: 'TestStack/Rule', prop: 'samplingRateBoost.cooldown', value: 5, allowed: 'Duration (Duration.minutes(5))',
    });
  });

  test('throws for a boost without maxRate', () => {
    expect(() => ruleWith({ cooldown: Duration.minutes(5) } as unknown as SamplingRateBoost))
      .toThrow("TestStack/Rule: samplingRateBoost.maxRate is required: a number from the rule's fixedRate to 1, got undefined");
  });

  describe('against the CloudFormation registry schema (SamplingRateBoost included)', () => {
    test('a boosted rule is schema-valid', () => {
      const report = validateXRayResources(Template.fromStack(ruleWith({ maxRate: 0.5, cooldown: Duration.minutes(10) })).toJSON());
      expect(report.problems).toEqual([]);
      expect(report.checked).toBe(1);
    });
  });
});
