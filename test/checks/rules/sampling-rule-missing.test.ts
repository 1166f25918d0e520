import { CfnCondition, CfnParameter, CfnResource, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as xray from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';
import { XRayTracingChecks } from '../../../src/checks/xray-tracing-checks';
import { XRayTracingRule } from '../../../src/checks/xray-tracing-rule';
import { SamplingRule } from '../../../src/sampling/sampling-rule';
import { AutoInstrumentation } from '../../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../../src/sidecar/xray-sidecar';
import { createStack } from '../../helpers/app';
import { fargateTask, pathsOf, samplingRule } from '../fixtures';

const RULE = XRayTracingRule.SAMPLING_RULE_MISSING;
const SERVICE = 'afirgen-main-backend';
const TASK = 'TestStack/Task/Resource';

/** A Fargate task whose app container is instrumented as `serviceName` (rate 0.1 unless given). */
interface TracedTaskOptions {
  readonly serviceName?: string;
  readonly samplingRate?: number;
  readonly enabled?: boolean;
  readonly id?: string;
}

function tracedTask(scope: Construct, options: TracedTaskOptions = {}): ecs.FargateTaskDefinition {
  const { taskDefinition, app } = fargateTask(scope, options.id ?? 'Task');
  const sidecar = new XRaySidecar(Stack.of(scope), `${options.id ?? 'Task'}XRay`, { taskDefinition, agent: XRayAgent.cloudWatchAgent() });
  sidecar.instrument(app, { serviceName: options.serviceName ?? SERVICE, samplingRate: options.samplingRate, enabled: options.enabled });
  return taskDefinition;
}

/** An L1 sampling rule with `samplingRule` fields over catch-all defaults. */
function cfnRule(scope: Construct, id: string, fields: Partial<xray.CfnSamplingRule.SamplingRuleProperty>): xray.CfnSamplingRule {
  return samplingRule(scope, id, 0.1, { serviceName: SERVICE, ...fields });
}

describe('XRayTracing-SamplingRuleMissing', () => {
  test('fires for a traced task whose service no sampling rule of the app matches', () => {
    // GIVEN a traced task and no rule WHEN checked THEN the task definition is reported
    const { stack } = createStack();
    tracedTask(stack);
    expect(pathsOf(stack, RULE)).toEqual([TASK]);
  });

  test('does not fire with a SamplingRule for the service at the container\'s rate', () => {
    const { stack } = createStack();
    tracedTask(stack);
    new SamplingRule(stack, 'Rule', { priority: 1000, fixedRate: 0.1, serviceName: SERVICE });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('counts a rule in another stack of the app', () => {
    const { app, stack } = createStack();
    tracedTask(stack);
    new SamplingRule(new Stack(app, 'Shared'), 'Rule', { priority: 1000, fixedRate: 0.1, serviceName: SERVICE });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test.each(['afirgen-*', 'afirgen-?ain-backend', 'AFIRGEN-MAIN-BACKEND', '*', '*backend'])(
    'matches the service name with X-Ray wildcards and any letter case: %p', (serviceName) => {
      const { stack } = createStack();
      tracedTask(stack);
      cfnRule(stack, 'Rule', { serviceName });
      expect(pathsOf(stack, RULE)).toEqual([]);
    });

  test.each(['afirgen-gguf-*', 'afirgen-?', 'afirgen-main-backend-2', '?afirgen-main-backend'])(
    'fires when the only rule\'s service name does not match: %p', (serviceName) => {
      const { stack } = createStack();
      tracedTask(stack);
      cfnRule(stack, 'Rule', { serviceName });
      expect(pathsOf(stack, RULE)).toEqual([TASK]);
    });

  test('fires when the matching rule\'s FixedRate is not the container\'s XRAY_SAMPLING_RATE', () => {
    const { stack } = createStack();
    tracedTask(stack, { samplingRate: 0.05 });
    new SamplingRule(stack, 'Rule', { priority: 1000, fixedRate: 0.1, serviceName: SERVICE });
    expect(pathsOf(stack, RULE)).toEqual([TASK]);
  });

  test('compares the rule X-Ray applies first: the lowest priority', () => {
    // GIVEN a catch-all at priority 1 with the container's rate, and the service's own rule after it
    const { stack } = createStack();
    tracedTask(stack);
    cfnRule(stack, 'First', { priority: 1, fixedRate: 0.1, serviceName: '*' });
    cfnRule(stack, 'Second', { priority: 2, fixedRate: 0.5 });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('fires when the first rule by priority has another rate, whatever later rules say', () => {
    const { stack } = createStack();
    tracedTask(stack);
    cfnRule(stack, 'First', { priority: 1, fixedRate: 0.5 });
    cfnRule(stack, 'Second', { priority: 2, fixedRate: 0.1 });
    expect(pathsOf(stack, RULE)).toEqual([TASK]);
  });

  test('between equal priorities, compares the rule whose name sorts first', () => {
    const { stack } = createStack();
    tracedTask(stack);
    cfnRule(stack, 'b-rule', { priority: 5, fixedRate: 0.5 });
    cfnRule(stack, 'a-rule', { priority: 5, fixedRate: 0.1 });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('passes over a rule that matches only some requests (a health-check path)', () => {
    const { stack } = createStack();
    tracedTask(stack);
    cfnRule(stack, 'Health', { priority: 1, fixedRate: 0, urlPath: '/health' });
    cfnRule(stack, 'Service', { priority: 2, fixedRate: 0.1 });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test.each([
    ['a resource ARN other than *', { resourceArn: 'arn:aws:apigateway:us-east-1::/restapis/abc/stages/prod' }],
    ['attributes', { attributes: { tier: 'gold' } }],
  ])('fires when the only rule has %s: the SDKs skip it', (_what, fields) => {
    const { stack } = createStack();
    tracedTask(stack);
    cfnRule(stack, 'Rule', fields);
    expect(pathsOf(stack, RULE)).toEqual([TASK]);
  });

  test('reads a plain CfnResource of type AWS::XRay::SamplingRule, property overrides included', () => {
    const { stack } = createStack();
    tracedTask(stack);
    new CfnResource(stack, 'Raw', {
      type: 'AWS::XRay::SamplingRule',
      properties: { SamplingRule: { RuleName: 'raw', Priority: 10, FixedRate: 0.1, ReservoirSize: 1, ServiceName: 'other', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', ResourceARN: '*', Version: 1 } },
    });
    expect(pathsOf(stack, RULE)).toEqual([TASK]);
    (stack.node.findChild('Raw') as CfnResource).addPropertyOverride('SamplingRule.ServiceName', SERVICE);
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('does not fire for a task with tracing off', () => {
    const { stack } = createStack();
    tracedTask(stack, { enabled: false });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('issue 24 item 4: an auto-instrumented container (X-Ray switches off) is still traced, and checked', () => {
    // GIVEN the OpenTelemetry agent traces, with AWS_XRAY_SDK_ENABLED and XRAY_ENABLED false
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 1024, memoryLimitMiB: 2048 });
    const app = taskDefinition.addContainer('App', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27') });
    new XRaySidecar(stack, 'TaskXRay', { taskDefinition, agent: XRayAgent.cloudWatchAgent() })
      .instrument(app, { serviceName: SERVICE, autoInstrumentation: AutoInstrumentation.python() });
    // THEN no rule: reported; a rule at its rate: not
    expect(pathsOf(stack, RULE)).toEqual([TASK]);
    cfnRule(stack, 'Rule', {});
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('does not fire for a task that names no service', () => {
    const { stack } = createStack();
    fargateTask(stack);
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  describe('values only known at deploy time are never guessed', () => {
    test('a rule whose ServiceName is a token could match: not reported', () => {
      const { stack } = createStack();
      tracedTask(stack);
      cfnRule(stack, 'Rule', { serviceName: new CfnParameter(stack, 'Service').valueAsString });
      expect(pathsOf(stack, RULE)).toEqual([]);
    });

    test('a rule whose ServiceName has a literal part that cannot match is still no match', () => {
      const { stack } = createStack();
      tracedTask(stack);
      cfnRule(stack, 'Rule', { serviceName: Fn.join('', ['billing-', new CfnParameter(stack, 'Suffix').valueAsString]) });
      expect(pathsOf(stack, RULE)).toEqual([TASK]);
    });

    test('a FixedRate or a Priority that is a token: not reported', () => {
      const { stack } = createStack();
      tracedTask(stack);
      cfnRule(stack, 'Rate', { fixedRate: new CfnParameter(stack, 'RateParam', { type: 'Number' }).valueAsNumber });
      expect(pathsOf(stack, RULE)).toEqual([]);
      const other = createStack();
      tracedTask(other.stack);
      cfnRule(other.stack, 'Good', { priority: 50, fixedRate: 0.5 });
      cfnRule(other.stack, 'Unknown', { priority: new CfnParameter(other.stack, 'P', { type: 'Number' }).valueAsNumber });
      expect(pathsOf(other.stack, RULE)).toEqual([]);
    });

    test('a service name that is a token: not reported', () => {
      const { stack } = createStack();
      const { taskDefinition, app } = fargateTask(stack);
      app.addEnvironment('AWS_XRAY_TRACING_NAME', new CfnParameter(stack, 'Name').valueAsString);
      expect(pathsOf(stack, RULE)).toEqual([]);
      expect(taskDefinition).toBeDefined();
    });

    test('a rule under a CloudFormation condition may not deploy: not reported either way', () => {
      const { stack } = createStack();
      tracedTask(stack);
      const rule = cfnRule(stack, 'Rule', {});
      rule.cfnOptions.condition = new CfnCondition(stack, 'Prod', {
        expression: Fn.conditionEquals(new CfnParameter(stack, 'Env').valueAsString, 'prod'),
      });
      expect(pathsOf(stack, RULE)).toEqual([]);
    });
  });

  test('is a warning that says what to do', () => {
    const { app, stack } = createStack();
    tracedTask(stack);
    app.synth();
    const report = new XRayTracingChecks().validateScope(stack);
    const violation = report.violations.find((v) => v.ruleName === RULE)!;
    expect(violation.severity).toBe('warning');
    expect(violation.description).toContain('AWS_XRAY_TRACING_NAME');
    expect(violation.description).toContain('add a SamplingRule for the service');
    expect(report.success).toBe(true);
  });

  test('an acknowledgement on the task definition resource suppresses it', () => {
    const { stack } = createStack();
    const taskDefinition = tracedTask(stack);
    Validations.of(taskDefinition.node.defaultChild!).acknowledge({ id: RULE, reason: 'the account holds a console-made rule for this service' });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('reads the app\'s sampling rules once per run, however many task definitions it has', () => {
    const reads = (tasks: number): number => {
      const { app, stack } = createStack();
      for (let i = 0; i < tasks; i++) tracedTask(stack, { id: `Task${i}`, serviceName: `service-${i}` });
      app.synth();
      const findAll = jest.spyOn(app.node, 'findAll');
      new XRayTracingChecks().validateScope(stack);
      const calls = findAll.mock.calls.length;
      findAll.mockRestore();
      return calls;
    };
    expect(reads(1)).toBe(1);
    expect(reads(15)).toBe(1);
  });
});
