import { CfnParameter, Validations } from 'aws-cdk-lib';
import { XRayTracingChecks } from '../../../src/checks/xray-tracing-checks';
import { XRayTracingRule } from '../../../src/checks/xray-tracing-rule';
import { createStack } from '../../helpers/app';
import { expectError } from '../../helpers/messages';
import { pathsOf, samplingRule } from '../fixtures';

const RULE = XRayTracingRule.FIXED_RATE_TOO_HIGH;

describe('XRayTracing-FixedRateTooHigh', () => {
  test('fires above the default ceiling of 0.5, not at or below it', () => {
    const { stack } = createStack();
    samplingRule(stack, 'Everything', 0.9);
    samplingRule(stack, 'Half', 0.5);
    samplingRule(stack, 'Runbook', 0.1);
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Everything']);
  });

  test('the ceiling is configurable', () => {
    const { stack } = createStack();
    samplingRule(stack, 'Runbook', 0.1);
    samplingRule(stack, 'CostPressure', 0.05);
    expect(pathsOf(stack, RULE, { maxFixedRate: 0.05 })).toEqual(['TestStack/Runbook']);
  });

  test('does not report a rate only known at deploy time', () => {
    const { stack } = createStack();
    const rate = new CfnParameter(stack, 'Rate', { type: 'Number' });
    samplingRule(stack, 'FromParameter', rate.valueAsNumber);
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('is a warning', () => {
    const { app, stack } = createStack();
    samplingRule(stack, 'Everything', 0.9);
    app.synth();
    const violation = new XRayTracingChecks().validateScope(stack).violations.find((v) => v.ruleName === RULE)!;
    expect(violation.severity).toBe('warning');
    expect(violation.description).toContain('above 0.5');
  });

  test('an acknowledgement on the sampling rule suppresses it', () => {
    const { stack } = createStack();
    const rule = samplingRule(stack, 'Canary', 1);
    Validations.of(rule).acknowledge({ id: RULE, reason: 'canary service: ten requests a day, all traced' });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test.each([[-0.1], [1.5], [Number.NaN]])('throws for maxFixedRate %p', (maxFixedRate) => {
    expectError(() => new XRayTracingChecks(undefined, { maxFixedRate }), {
      prop: 'maxFixedRate', value: maxFixedRate, allowed: 'number from 0 to 1',
    });
  });
});
