import { CfnParameter, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AfirgenServiceName, AfirgenTracing, AfirgenTracingProps } from '../../src/presets/afirgen-tracing';
import { createStack } from '../helpers/app';
import { validateXRayResources } from '../helpers/cfn-schema';
import { expectError } from '../helpers/messages';
import { awsSolutionsFindings, findingsUnder } from '../helpers/nag';

interface RuleProps {
  readonly RuleName: string;
  readonly ServiceName: string;
  readonly FixedRate: number;
  readonly Priority: number;
}

/** The sampling rules of a template, by service name. */
function rulesByService(stack: Stack): Record<string, RuleProps> {
  const rules = Template.fromStack(stack).findResources('AWS::XRay::SamplingRule');
  const out: Record<string, RuleProps> = {};
  for (const r of Object.values(rules)) {
    const rule = (r.Properties as { SamplingRule: RuleProps }).SamplingRule;
    out[rule.ServiceName] = rule;
  }
  return out;
}

/** Every rule and group name of a template. */
function allNames(stack: Stack): string[] {
  const template = Template.fromStack(stack);
  const rules = Object.values(template.findResources('AWS::XRay::SamplingRule'))
    .map((r) => (r.Properties as { SamplingRule: RuleProps }).SamplingRule.RuleName);
  const groups = Object.values(template.findResources('AWS::XRay::Group'))
    .map((r) => (r.Properties as { GroupName: string }).GroupName);
  return [...rules, ...groups];
}

function tracingWith(props: AfirgenTracingProps): void {
  const { stack } = createStack();
  new AfirgenTracing(stack, 'Tracing', props);
}

describe('AfirgenTracing', () => {
  test('one sampling rule per service: 10 %, reservoir 1, any service type, named after the service', () => {
    // GIVEN
    const { stack } = createStack();

    // WHEN
    new AfirgenTracing(stack, 'Tracing');

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::XRay::SamplingRule', 3);
    const expected: Array<[string, number]> = [
      [AfirgenServiceName.MAIN_BACKEND, 1000],
      [AfirgenServiceName.GGUF_SERVER, 1001],
      [AfirgenServiceName.ASR_OCR_SERVER, 1002],
    ];
    for (const [service, priority] of expected) {
      template.hasResourceProperties('AWS::XRay::SamplingRule', {
        SamplingRule: {
          RuleName: service,
          ServiceName: service,
          ServiceType: '*',
          FixedRate: 0.1,
          ReservoirSize: 1,
          Priority: priority,
          Host: '*',
          HTTPMethod: '*',
          URLPath: '*',
          ResourceARN: '*',
          Version: 1,
        },
      });
    }
  });

  test('the runbook\'s trace groups, insights on the errors group only', () => {
    const { stack } = createStack();
    new AfirgenTracing(stack, 'Tracing');

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::XRay::Group', 4);
    template.hasResourceProperties('AWS::XRay::Group', {
      GroupName: 'afirgen-main-backend-slow',
      FilterExpression: 'service("afirgen-main-backend") AND responsetime > 5',
      InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false },
    });
    template.hasResourceProperties('AWS::XRay::Group', {
      GroupName: 'afirgen-main-backend-errors',
      FilterExpression: 'service("afirgen-main-backend") AND (error = true OR fault = true)',
      InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: false },
    });
    template.hasResourceProperties('AWS::XRay::Group', {
      GroupName: 'afirgen-model-summariser',
      FilterExpression: 'annotation.model_name = "summariser"',
      InsightsConfiguration: { InsightsEnabled: false },
    });
    template.hasResourceProperties('AWS::XRay::Group', {
      GroupName: 'afirgen-endpoint-process',
      FilterExpression: 'annotation.endpoint = "/process"',
      InsightsConfiguration: { InsightsEnabled: false },
    });
  });

  test('a global sampling rate for every service, and per-service overrides', () => {
    const { stack } = createStack();
    const tracing = new AfirgenTracing(stack, 'Tracing', {
      samplingRate: 0.05,
      serviceSamplingRates: { [AfirgenServiceName.GGUF_SERVER]: 0.01, 'afirgen-asr-ocr-server': 0.2 },
    });

    const rules = rulesByService(stack);
    expect(rules['afirgen-main-backend'].FixedRate).toBe(0.05);
    expect(rules['afirgen-gguf-server'].FixedRate).toBe(0.01);
    expect(rules['afirgen-asr-ocr-server'].FixedRate).toBe(0.2);
    expect(tracing.samplingRateFor(AfirgenServiceName.MAIN_BACKEND)).toBe(0.05);
    expect(tracing.samplingRateFor(AfirgenServiceName.GGUF_SERVER)).toBe(0.01);
  });

  test('reservoir, priority, slow threshold and insights can be changed', () => {
    const { stack } = createStack();
    new AfirgenTracing(stack, 'Tracing', { reservoirSize: 0, priority: 50, slowRequestThresholdSeconds: 2.5, insightsOnErrors: false });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ ServiceName: 'afirgen-asr-ocr-server', ReservoirSize: 0, Priority: 52 }),
    });
    template.hasResourceProperties('AWS::XRay::Group', {
      GroupName: 'afirgen-main-backend-slow',
      FilterExpression: 'service("afirgen-main-backend") AND responsetime > 2.5',
    });
    template.hasResourceProperties('AWS::XRay::Group', {
      GroupName: 'afirgen-main-backend-errors',
      InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false },
    });
  });

  test('a name prefix goes in front of every name, all within 32 characters', () => {
    const { stack } = createStack();
    new AfirgenTracing(stack, 'Tracing', { namePrefix: 'prod' });

    const names = allNames(stack).sort();
    expect(names).toEqual([
      'prod-afirgen-asr-ocr-server',
      'prod-afirgen-endpoint-process',
      'prod-afirgen-gguf-server',
      'prod-afirgen-main-backend',
      'prod-afirgen-main-backend-errors',
      'prod-afirgen-main-backend-slow',
      'prod-afirgen-model-summariser',
    ]);
    expect(Math.max(...names.map((n) => n.length))).toBe(32);
  });

  test('exposes rules by service and groups by key', () => {
    const { stack } = createStack();
    const tracing = new AfirgenTracing(stack, 'Tracing');

    expect(tracing.samplingRuleFor(AfirgenServiceName.GGUF_SERVER).samplingRuleName).toBe('afirgen-gguf-server');
    expect(Object.keys(tracing.samplingRules).sort()).toEqual(['afirgen-asr-ocr-server', 'afirgen-gguf-server', 'afirgen-main-backend']);
    expect(tracing.samplingRules['afirgen-main-backend']).toBe(tracing.samplingRuleFor(AfirgenServiceName.MAIN_BACKEND));
    expect(Object.keys(tracing.traceGroups).sort()).toEqual(['endpoint-process', 'errors', 'model-summariser', 'slow-requests']);
    expect(tracing.traceGroups.errors).toBe(tracing.errorsGroup);
    expect(tracing.slowRequestsGroup.groupName).toBe('afirgen-main-backend-slow');
    expect(tracing.modelSummariserGroup.groupName).toBe('afirgen-model-summariser');
    expect(tracing.endpointProcessGroup.groupName).toBe('afirgen-endpoint-process');
  });

  test('matches the snapshot (construct ids and logical ids are public contract)', () => {
    const { stack } = createStack();
    new AfirgenTracing(stack, 'Tracing');
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });

  describe('bad input', () => {
    test('throws for an unknown service in the per-service rates', () => {
      expectError(() => tracingWith({ serviceSamplingRates: { 'afirgen-main-backend': 0.1, 'afirgen-frontend': 0.5 } }), {
        path: 'TestStack/Tracing',
        prop: 'serviceSamplingRates',
        value: 'afirgen-frontend',
        allowed: 'afirgen-main-backend, afirgen-gguf-server, afirgen-asr-ocr-server',
      });
    });

    test('throws for a per-service rate outside 0..1', () => {
      expectError(() => tracingWith({ serviceSamplingRates: { 'afirgen-gguf-server': 1.5 } }), {
        path: 'TestStack/Tracing', prop: 'serviceSamplingRates["afirgen-gguf-server"]', value: 1.5, allowed: 'number from 0 to 1',
      });
    });

    test.each([-0.01, 2, NaN])('throws for samplingRate %p', (samplingRate) => {
      expectError(() => tracingWith({ samplingRate }), {
        path: 'TestStack/Tracing', prop: 'samplingRate', value: samplingRate, allowed: 'number from 0 to 1',
      });
    });

    test.each([-1, 1.5])('throws for reservoirSize %p', (reservoirSize) => {
      expectError(() => tracingWith({ reservoirSize }), {
        path: 'TestStack/Tracing', prop: 'reservoirSize', value: reservoirSize, allowed: 'integer 0 or more',
      });
    });

    test.each([0, 9998, 2.5])('throws for priority %p', (priority) => {
      expectError(() => tracingWith({ priority }), {
        path: 'TestStack/Tracing', prop: 'priority', value: priority, allowed: 'integer from 1 to 9997',
      });
    });

    test.each([0, -5, NaN, Infinity])('throws for slowRequestThresholdSeconds %p', (slowRequestThresholdSeconds) => {
      expectError(() => tracingWith({ slowRequestThresholdSeconds }), {
        path: 'TestStack/Tracing', prop: 'slowRequestThresholdSeconds', value: slowRequestThresholdSeconds, allowed: 'number greater than 0',
      });
    });

    test('throws for a namePrefix that would push a name over 32 characters', () => {
      expectError(() => tracingWith({ namePrefix: 'stage' }), {
        path: 'TestStack/Tracing', prop: 'namePrefix', value: 'stage', allowed: ['1 to 4 characters', '(5 characters)'],
      });
    });

    test('throws for a namePrefix with characters X-Ray rejects in group names', () => {
      expectError(() => tracingWith({ namePrefix: 'a_b' }), {
        path: 'TestStack/Tracing', prop: 'namePrefix', value: 'a_b', allowed: ['letters, digits and -', '"_" is not allowed'],
      });
    });

    test('throws for a service that is not an AFIRGen service', () => {
      const { stack } = createStack();
      const tracing = new AfirgenTracing(stack, 'Tracing');
      expectError(() => tracing.samplingRuleFor('afirgen-frontend'), {
        path: 'TestStack/Tracing',
        prop: 'service',
        value: 'afirgen-frontend',
        allowed: 'afirgen-main-backend, afirgen-gguf-server, afirgen-asr-ocr-server',
      });
    });
  });

  describe('against the CloudFormation registry schemas', () => {
    test('every resource is schema-valid, with and without a prefix', () => {
      // (one app each: two presets in one app make rules that match the same requests, which the
      // rules themselves reject)
      const plain = createStack();
      new AfirgenTracing(plain.stack, 'Default');
      const prefixed = createStack();
      new AfirgenTracing(prefixed.stack, 'Prefixed', { namePrefix: 'dev', samplingRate: 0, reservoirSize: 0 });

      for (const { stack } of [plain, prefixed]) {
        const report = validateXRayResources(Template.fromStack(stack).toJSON());
        expect(report.problems).toEqual([]);
        expect(report.checked).toBe(7);
      }
    });
  });

  test('cdk-nag AwsSolutions finds nothing under it', () => {
    const { stack } = createStack();
    const tracing = new AfirgenTracing(stack, 'Tracing');

    const findings = awsSolutionsFindings(stack);
    expect(findingsUnder(findings, tracing.node.path)).toEqual([]);
    // the check looks at the right subtree: the rules and groups are there
    expect(tracing.node.findAll().filter((c) => c.node.id === 'Resource')).toHaveLength(7);
  });
});

describe('AfirgenTracing cost estimate', () => {
  test('adds one info annotation for all services, the free tier counted once', () => {
    // GIVEN 10M requests a month on the main backend and 1M on the ASR/OCR server, reservoir 0
    const { stack } = createStack();
    new AfirgenTracing(stack, 'Tracing', {
      reservoirSize: 0,
      expectedRequestsPerMonth: { 'afirgen-main-backend': 10_000_000, 'afirgen-asr-ocr-server': 1_000_000 },
    });
    // THEN 1,000,000 + 100,000 traces at 10 %, 1,000,000 billable after the free 100,000: $5.00
    Annotations.fromStack(stack).hasInfo('/TestStack/Tracing',
      Match.stringLikeRegexp('^estimated X-Ray cost: \\$5\\.00/month for 1,100,000 traces recorded of 11,000,000 requests'));
  });

  test('over the budget it is a warning', () => {
    const { stack } = createStack();
    new AfirgenTracing(stack, 'Tracing', {
      samplingRate: 1,
      reservoirSize: 0,
      monthlyBudgetUsd: 20,
      expectedRequestsPerMonth: { 'afirgen-gguf-server': 10_000_000 },
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Tracing',
      'estimated X-Ray cost: $49.50/month for 10,000,000 traces recorded of 10,000,000 requests (afirgen-gguf-server at 1) ' +
      'is over the monthly budget of $20.00: lower the sampling rate or the reservoir [ack: @cdk-xray-ecs/cost:overBudget]');
  });

  test('throws for an unknown service in expectedRequestsPerMonth', () => {
    const { stack } = createStack();
    expectError(() => new AfirgenTracing(stack, 'Tracing', { expectedRequestsPerMonth: { 'afirgen-frontend': 1 } }), {
      path: 'TestStack/Tracing',
      prop: 'expectedRequestsPerMonth',
      value: 'afirgen-frontend',
      allowed: 'afirgen-main-backend, afirgen-gguf-server, afirgen-asr-ocr-server',
    });
  });

  test('throws for a budget without traffic', () => {
    const { stack } = createStack();
    expectError(() => new AfirgenTracing(stack, 'Tracing', { monthlyBudgetUsd: 5 }),
      { path: 'TestStack/Tracing', prop: 'monthlyBudgetUsd', value: 5, allowed: 'needs expectedRequestsPerMonth' });
  });
});

describe('tokens end to end', () => {
  test('a CfnParameter samplingRate reaches every rule\'s FixedRate as { Ref }', () => {
    // GIVEN
    const { app, stack } = createStack();
    const samplingRate = new CfnParameter(stack, 'Rate', { type: 'Number' }).valueAsNumber;
    // WHEN
    const tracing = new AfirgenTracing(stack, 'Tracing', { samplingRate });
    // THEN
    expect(() => app.synth()).not.toThrow();
    const rules = rulesByService(stack);
    expect(Object.keys(rules).sort()).toEqual(['afirgen-asr-ocr-server', 'afirgen-gguf-server', 'afirgen-main-backend']);
    for (const rule of Object.values(rules)) expect(rule.FixedRate).toEqual({ Ref: 'Rate' });
    expect(tracing.samplingRateFor(AfirgenServiceName.GGUF_SERVER)).toBe(samplingRate);
  });

  test('a per-service override stays a number beside a token rate', () => {
    const { stack } = createStack();
    const samplingRate = new CfnParameter(stack, 'Rate', { type: 'Number' }).valueAsNumber;
    new AfirgenTracing(stack, 'Tracing', { samplingRate, serviceSamplingRates: { [AfirgenServiceName.GGUF_SERVER]: 0.01 } });
    const rules = rulesByService(stack);
    expect(rules['afirgen-gguf-server'].FixedRate).toBe(0.01);
    expect(rules['afirgen-main-backend'].FixedRate).toEqual({ Ref: 'Rate' });
  });

  test('throws slowRequestThresholdSeconds must be known at synth time for a token', () => {
    const { stack } = createStack();
    const slowRequestThresholdSeconds = new CfnParameter(stack, 'Slow', { type: 'Number' }).valueAsNumber;
    expectError(() => new AfirgenTracing(stack, 'Tracing', { slowRequestThresholdSeconds }),
      { path: 'TestStack/Tracing', prop: 'slowRequestThresholdSeconds', allowed: 'known at synth time', says: 'deploy-time value (token)' });
  });

  test('throws slowRequestThresholdSeconds must be known at synth time for a Lazy.number too', () => {
    const { stack } = createStack();
    expect(() => new AfirgenTracing(stack, 'Tracing', { slowRequestThresholdSeconds: Lazy.number({ produce: () => 3 }) }))
      .toThrow(/^TestStack\/Tracing: slowRequestThresholdSeconds must be known at synth time /);
  });

  test('a token rate with expectedRequestsPerMonth gets the notEstimated warning, never garbage numbers', () => {
    const { stack } = createStack();
    const samplingRate = new CfnParameter(stack, 'Rate', { type: 'Number' }).valueAsNumber;
    new AfirgenTracing(stack, 'Tracing', { samplingRate, expectedRequestsPerMonth: { 'afirgen-main-backend': 10_000_000 } });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/TestStack/Tracing', Match.stringLikeRegexp(
      '^no X-Ray cost estimate: sampling rate of afirgen-main-backend is only known at deploy time \\(a token\\); .* \\[ack: @cdk-xray-ecs/cost:notEstimated\\]$'));
    expect(annotations.findInfo('*', Match.stringLikeRegexp('estimated X-Ray cost'))).toEqual([]);
    const messages = [...annotations.findInfo('*', Match.anyValue()), ...annotations.findWarning('*', Match.anyValue())].map((m) => String(m.entry.data));
    for (const message of messages) expect(message).not.toContain('e+');
  });
});
