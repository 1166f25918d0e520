import { App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { TracingConfig } from '../../src/config';
import { ContextMissingStrategy, TracingOptions } from '../../src/core/tracing-options';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { expectError } from '../helpers/messages';

/** A stack whose app carries `context`, as `cdk synth -c` or `cdk.json` would set it. */
function stackWith(context: { [key: string]: unknown } = {}): Stack {
  const app = new App({ context });
  return new Stack(app, 'TestStack');
}

const RUNBOOK_DEFAULTS: TracingOptions = {
  enabled: true,
  samplingRate: 0.1,
  contextMissing: ContextMissingStrategy.LOG_ERROR,
};

/** What every context boolean allows (one reader for every key). */
const BOOLEAN_RULE = ['true or false', 'any letter case', '1, 0, yes and no are not accepted'];
const STRATEGY_RULE = 'one of LOG_ERROR, RUNTIME_ERROR, IGNORE_ERROR';

describe('TracingConfig.fromEnvironment defaults', () => {
  test('returns the runbook defaults, all three fields filled, when nothing is set', () => {
    // GIVEN no context and an empty environment
    const stack = stackWith();

    // WHEN
    const options = TracingConfig.fromEnvironment(stack, { environment: {} });

    // THEN
    expect(options).toStrictEqual(RUNBOOK_DEFAULTS);
  });
});

describe('TracingConfig.fromEnvironment environment variables', () => {
  test('reads XRAY_ENABLED, XRAY_SAMPLING_RATE and XRAY_CONTEXT_MISSING', () => {
    // GIVEN
    const stack = stackWith();
    const environment = { XRAY_ENABLED: 'false', XRAY_SAMPLING_RATE: '0.05', XRAY_CONTEXT_MISSING: 'IGNORE_ERROR' };

    // WHEN
    const options = TracingConfig.fromEnvironment(stack, { environment });

    // THEN
    expect(options).toStrictEqual({ enabled: false, samplingRate: 0.05, contextMissing: ContextMissingStrategy.IGNORE_ERROR });
  });

  test.each([
    ['true', true], ['TRUE', true], ['True', true],
    ['false', false], ['FALSE', false], ['fAlSe', false],
  ])('accepts XRAY_ENABLED=%s in any letter case', (value, expected) => {
    const options = TracingConfig.fromEnvironment(stackWith(), { environment: { XRAY_ENABLED: value } });
    expect(options.enabled).toBe(expected);
  });

  test.each([
    ['0', 0], ['1', 1], ['0.05', 0.05], ['.5', 0.5], ['0.10', 0.1], ['1.0', 1],
  ])('accepts XRAY_SAMPLING_RATE=%s', (value, expected) => {
    const options = TracingConfig.fromEnvironment(stackWith(), { environment: { XRAY_SAMPLING_RATE: value } });
    expect(options.samplingRate).toBe(expected);
  });

  test('reads process.env when no environment is given', () => {
    // GIVEN the synth process really has XRAY_SAMPLING_RATE set
    const saved = process.env.XRAY_SAMPLING_RATE;
    process.env.XRAY_SAMPLING_RATE = '0.05';
    try {
      // WHEN
      const options = TracingConfig.fromEnvironment(stackWith());

      // THEN
      expect(options.samplingRate).toBe(0.05);
    } finally {
      if (saved === undefined) {
        delete process.env.XRAY_SAMPLING_RATE;
      } else {
        process.env.XRAY_SAMPLING_RATE = saved;
      }
    }
    expect(process.env.XRAY_SAMPLING_RATE).toBe(saved);
  });

  test('an environment option replaces process.env entirely', () => {
    // GIVEN process.env says 0.5, the option says nothing
    const saved = process.env.XRAY_SAMPLING_RATE;
    process.env.XRAY_SAMPLING_RATE = '0.5';
    try {
      // WHEN
      const options = TracingConfig.fromEnvironment(stackWith(), { environment: {} });

      // THEN process.env is not read: the default applies
      expect(options.samplingRate).toBe(0.1);
    } finally {
      if (saved === undefined) {
        delete process.env.XRAY_SAMPLING_RATE;
      } else {
        process.env.XRAY_SAMPLING_RATE = saved;
      }
    }
  });
});

describe('TracingConfig.fromEnvironment cdk context', () => {
  test('reads string values, as `cdk synth -c xray:samplingRate=0.05` passes them', () => {
    // GIVEN
    const stack = stackWith({ 'xray:enabled': 'false', 'xray:samplingRate': '0.05', 'xray:contextMissing': 'RUNTIME_ERROR' });

    // WHEN
    const options = TracingConfig.fromEnvironment(stack, { environment: {} });

    // THEN
    expect(options).toStrictEqual({ enabled: false, samplingRate: 0.05, contextMissing: ContextMissingStrategy.RUNTIME_ERROR });
  });

  test('reads native JSON values, as cdk.json holds them', () => {
    // GIVEN
    const stack = stackWith({ 'xray:enabled': false, 'xray:samplingRate': 0.05 });

    // WHEN
    const options = TracingConfig.fromEnvironment(stack, { environment: {} });

    // THEN
    expect(options.enabled).toBe(false);
    expect(options.samplingRate).toBe(0.05);
  });

  test.each([
    ['the number 0', 0],
    ['the string "0"', '0'],
  ])('keeps a sampling rate of zero (%s) rather than falling back to the default', (_name, value) => {
    // GIVEN a falsy rate in context and a different one in the environment
    const stack = stackWith({ 'xray:samplingRate': value });

    // WHEN
    const options = TracingConfig.fromEnvironment(stack, { environment: { XRAY_SAMPLING_RATE: '0.5' } });

    // THEN
    expect(options.samplingRate).toBe(0);
  });

  test('reads the context from any construct in the app', () => {
    // GIVEN a construct nested in a stack
    const stack = stackWith({ 'xray:samplingRate': '0.2' });
    const nested = new Construct(stack, 'Nested');

    // WHEN
    const options = TracingConfig.fromEnvironment(nested, { environment: {} });

    // THEN
    expect(options.samplingRate).toBe(0.2);
  });
});

describe('TracingConfig.fromEnvironment precedence', () => {
  const environment = { XRAY_ENABLED: 'true', XRAY_SAMPLING_RATE: '0.3', XRAY_CONTEXT_MISSING: 'RUNTIME_ERROR' };
  const context = { 'xray:enabled': 'false', 'xray:samplingRate': '0.2', 'xray:contextMissing': 'IGNORE_ERROR' };

  test('environment only: the environment wins over the defaults', () => {
    const options = TracingConfig.fromEnvironment(stackWith(), { environment });
    expect(options).toStrictEqual({ enabled: true, samplingRate: 0.3, contextMissing: ContextMissingStrategy.RUNTIME_ERROR });
  });

  test('context only: the context wins over the defaults', () => {
    const options = TracingConfig.fromEnvironment(stackWith(context), { environment: {} });
    expect(options).toStrictEqual({ enabled: false, samplingRate: 0.2, contextMissing: ContextMissingStrategy.IGNORE_ERROR });
  });

  test('context and environment: the context wins', () => {
    const options = TracingConfig.fromEnvironment(stackWith(context), { environment });
    expect(options).toStrictEqual({ enabled: false, samplingRate: 0.2, contextMissing: ContextMissingStrategy.IGNORE_ERROR });
  });

  test('overrides win over context and environment', () => {
    // WHEN
    const options = TracingConfig.fromEnvironment(stackWith(context), {
      environment,
      overrides: { enabled: true, samplingRate: 0.01, contextMissing: ContextMissingStrategy.LOG_ERROR },
    });

    // THEN
    expect(options).toStrictEqual({ enabled: true, samplingRate: 0.01, contextMissing: ContextMissingStrategy.LOG_ERROR });
  });

  test('an override of 0 and false wins (they are values, not gaps)', () => {
    const options = TracingConfig.fromEnvironment(stackWith(context), {
      environment,
      overrides: { enabled: false, samplingRate: 0 },
    });
    expect(options.enabled).toBe(false);
    expect(options.samplingRate).toBe(0);
  });

  test('each field is resolved on its own: override, context, environment and default mix', () => {
    // GIVEN the rate overridden, enabled from context, the strategy from the environment
    const stack = stackWith({ 'xray:enabled': 'false' });

    // WHEN
    const options = TracingConfig.fromEnvironment(stack, {
      environment: { XRAY_CONTEXT_MISSING: 'RUNTIME_ERROR' },
      overrides: { samplingRate: 0.05 },
    });

    // THEN
    expect(options).toStrictEqual({ enabled: false, samplingRate: 0.05, contextMissing: ContextMissingStrategy.RUNTIME_ERROR });
  });
});

describe('TracingConfig.fromEnvironment invalid values', () => {
  test.each(['1', '0', 'yes', 'no', 'on', '', ' true', 'true '])('throws XRAY_ENABLED must be true or false for %j', (value) => {
    expectError(() => TracingConfig.fromEnvironment(stackWith(), { environment: { XRAY_ENABLED: value } }),
      { prop: 'XRAY_ENABLED', value, allowed: BOOLEAN_RULE });
  });

  test.each([
    ['the string "yes"', 'yes'],
    ['the number 1', 1],
    ['null', null],
    ['an object', { on: true }],
  ])('throws context key xray:enabled must be true or false for %s', (_name, value) => {
    expectError(() => TracingConfig.fromEnvironment(stackWith({ 'xray:enabled': value }), { environment: {} }),
      { prop: 'xray:enabled', value, allowed: BOOLEAN_RULE });
  });

  test.each(['abc', '1.5', '-0.1', 'NaN', '', 'Infinity', '10%', '0,1'])(
    'throws XRAY_SAMPLING_RATE must be a number from 0 to 1 for %j',
    (value) => {
      expectError(() => TracingConfig.fromEnvironment(stackWith(), { environment: { XRAY_SAMPLING_RATE: value } }), {
        prop: 'XRAY_SAMPLING_RATE', value: value, allowed: 'number from 0 to 1',
      });
    },
  );

  test('throws XRAY_SAMPLING_RATE must be a number from 0 to 1, got "abc" (the message in full)', () => {
    expect(() => TracingConfig.fromEnvironment(stackWith(), { environment: { XRAY_SAMPLING_RATE: 'abc' } }))
      .toThrow('XRAY_SAMPLING_RATE must be a number from 0 to 1, got "abc"');
  });

  test.each(['1e-1', ' 0.1', '0.1 ', '+0.1', '0x0', '1.'])(
    'throws XRAY_SAMPLING_RATE must be a plain decimal for %j, which Number() would accept',
    (value) => {
      expectError(() => TracingConfig.fromEnvironment(stackWith(), { environment: { XRAY_SAMPLING_RATE: value } }), {
        prop: 'XRAY_SAMPLING_RATE', value: value, allowed: ['number from 0 to 1', 'write it as a plain decimal, such as 0.05'],
      });
    },
  );

  test.each([
    ['the string "1.5"', '1.5'],
    ['the string "abc"', 'abc'],
    ['the number 1.5', 1.5],
    ['the number -0.1', -0.1],
    ['NaN', NaN],
    ['the boolean true', true],
  ])('throws context key xray:samplingRate must be a number from 0 to 1 for %s', (_name, value) => {
    expectError(() => TracingConfig.fromEnvironment(stackWith({ 'xray:samplingRate': value }), { environment: {} }), {
      prop: 'xray:samplingRate', value, allowed: 'number from 0 to 1',
    });
  });

  test.each(['WARN', '', 'LOG'])('throws XRAY_CONTEXT_MISSING must be one of the strategies for %j', (value) => {
    expectError(() => TracingConfig.fromEnvironment(stackWith(), { environment: { XRAY_CONTEXT_MISSING: value } }),
      { prop: 'XRAY_CONTEXT_MISSING', value, allowed: STRATEGY_RULE });
  });

  test('throws XRAY_CONTEXT_MISSING must be one of the strategies, spelled exactly, for "log_error"', () => {
    expectError(() => TracingConfig.fromEnvironment(stackWith(), { environment: { XRAY_CONTEXT_MISSING: 'log_error' } }),
      { prop: 'XRAY_CONTEXT_MISSING', value: 'log_error', allowed: [STRATEGY_RULE, 'the spelling is exact, upper case'] });
  });

  test.each([
    ['the string "IGNORE"', 'IGNORE'],
    ['the number 1', 1],
  ])('throws context key xray:contextMissing must be one of the strategies for %s', (_name, value) => {
    expectError(() => TracingConfig.fromEnvironment(stackWith({ 'xray:contextMissing': value }), { environment: {} }),
      { prop: 'xray:contextMissing', value, allowed: STRATEGY_RULE });
  });

  test('throws for a bad environment value even when the context sets the field', () => {
    // GIVEN a valid context rate hides an invalid environment rate
    const stack = stackWith({ 'xray:samplingRate': '0.05' });

    // THEN the typo is still reported
    expectError(() => TracingConfig.fromEnvironment(stack, { environment: { XRAY_SAMPLING_RATE: 'abc' } }), {
      prop: 'XRAY_SAMPLING_RATE', value: 'abc', allowed: 'number from 0 to 1',
    });
  });

  test('throws for a bad context value even when an override sets the field', () => {
    const stack = stackWith({ 'xray:enabled': 'yes' });
    expectError(() => TracingConfig.fromEnvironment(stack, { environment: {}, overrides: { enabled: true } }),
      { prop: 'xray:enabled', value: 'yes', allowed: BOOLEAN_RULE });
  });

  test('throws overrides.samplingRate must be a number from 0 to 1', () => {
    expectError(() => TracingConfig.fromEnvironment(stackWith(), { environment: {}, overrides: { samplingRate: 1.5 } }), {
      path: 'TracingConfig.fromEnvironment', prop: 'overrides.samplingRate', value: 1.5, allowed: 'number from 0 to 1',
    });
  });

  test('throws overrides.contextMissing must be one of the strategies (a plain string from JavaScript)', () => {
    const overrides = { contextMissing: 'nope' as ContextMissingStrategy };
    expectError(() => TracingConfig.fromEnvironment(stackWith(), { environment: {}, overrides }),
      { path: 'TracingConfig.fromEnvironment', prop: 'overrides.contextMissing', value: 'nope', allowed: STRATEGY_RULE });
  });

  test('throws overrides.enabled must be true or false (a string from JavaScript)', () => {
    const overrides = { enabled: 'yes' as unknown as boolean };
    expectError(() => TracingConfig.fromEnvironment(stackWith(), { environment: {}, overrides }), {
      path: 'TracingConfig.fromEnvironment', prop: 'overrides.enabled', value: 'yes', allowed: 'true or false',
    });
  });
});

describe('one reader for context booleans', () => {
  test.each([
    ['the -c style string "FALSE"', 'FALSE', false],
    ['the JSON boolean false', false, false],
    ['the string "True"', 'True', true],
  ])('context key xray:enabled = %s', (_name, value, expected) => {
    expect(TracingConfig.fromEnvironment(stackWith({ 'xray:enabled': value }), { environment: {} }).enabled).toBe(expected);
  });

  test('xray:enabled and xray:daemonEndOfLifeNotice reject "maybe" with the same rule', () => {
    expectError(() => TracingConfig.fromEnvironment(stackWith({ 'xray:enabled': 'maybe' }), { environment: {} }),
      { prop: 'xray:enabled', value: 'maybe', allowed: BOOLEAN_RULE });
    const stack = stackWith({ 'xray:daemonEndOfLifeNotice': 'maybe', 'xray:now': '2026-11-27' });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    expectError(() => new XRaySidecar(stack, 'XRay', { taskDefinition }),
      { prop: 'xray:daemonEndOfLifeNotice', value: 'maybe', allowed: BOOLEAN_RULE });
  });

  test('XRAY_ENABLED in the environment follows the same rule', () => {
    expect(TracingConfig.fromEnvironment(stackWith(), { environment: { XRAY_ENABLED: 'FALSE' } }).enabled).toBe(false);
    expectError(() => TracingConfig.fromEnvironment(stackWith(), { environment: { XRAY_ENABLED: 'maybe' } }),
      { prop: 'XRAY_ENABLED', value: 'maybe', allowed: BOOLEAN_RULE });
  });
});
