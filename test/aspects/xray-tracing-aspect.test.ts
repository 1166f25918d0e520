import { App, AspectPriority, Aspects, CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { XRayTracingAspect, XRayTracingAspectProps } from '../../src/aspects/xray-tracing-aspect';
import { XRayTracingRule } from '../../src/checks/xray-tracing-rule';
import { ContextMissingStrategy } from '../../src/core/tracing-options';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { APP_IMAGE, DAEMON_IMAGE, ec2Task, fargateTask, tracingFindings } from '../checks/fixtures';
import { createCluster, createStack, loopbackContract } from '../helpers/app';
import { expectError, expectWarning } from '../helpers/messages';

/** The sampling rules of `stack`, as their `SamplingRule` property. */
function samplingRules(stack: Stack): Array<Record<string, unknown>> {
  return Object.values(Template.fromStack(stack).findResources('AWS::XRay::SamplingRule'))
    .map((r) => (r.Properties as { SamplingRule: Record<string, unknown> }).SamplingRule);
}

interface ContainerJson {
  readonly Name: string;
  readonly Image: unknown;
  readonly Environment?: { Name: string; Value: string }[];
  readonly Links?: string[];
  readonly DependsOn?: { ContainerName: string; Condition: string }[];
  readonly MemoryReservation?: number;
  readonly Cpu?: number;
}

/** The containers of each task definition in `stack`, by the task definition's logical id prefix. */
function containersOf(stack: Stack, logicalIdPrefix: string): ContainerJson[] {
  const defs = Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition');
  const id = Object.keys(defs).find((k) => k.startsWith(logicalIdPrefix));
  expect(id).toBeDefined();
  return defs[id!].Properties.ContainerDefinitions as ContainerJson[];
}

function envOf(container: ContainerJson | undefined): { [name: string]: string } {
  return Object.fromEntries((container?.Environment ?? []).map((kv) => [kv.Name, kv.Value]));
}

function withAspect(props?: XRayTracingAspectProps) {
  const { app, stack } = createStack();
  Aspects.of(app).add(new XRayTracingAspect(props), { priority: AspectPriority.MUTATING });
  return { app, stack };
}

describe('XRayTracingAspect', () => {
  test('adds a sidecar to every task definition and instruments its default container', () => {
    // GIVEN a Fargate task and an EC2 bridge task, untraced
    const { app, stack } = withAspect();
    const fargate = new ecs.FargateTaskDefinition(stack, 'Api', { cpu: 512, memoryLimitMiB: 1024, family: 'afirgen-main-backend' });
    fargate.addContainer('App', { image: APP_IMAGE, memoryLimitMiB: 512 });
    const bridge = ec2Task(stack, ecs.NetworkMode.BRIDGE, 'Gguf').taskDefinition;

    // WHEN
    app.synth();

    // THEN
    const api = containersOf(stack, 'Api');
    expect(api.map((c) => c.Name)).toEqual(['App', 'xray-daemon']);
    expect(api[1].Image).toBe(`public.ecr.aws/xray/aws-xray-daemon:${XRayAgent.DEFAULT_DAEMON_VERSION}`);
    expect(envOf(api[0])).toEqual({
      ...loopbackContract('afirgen-main-backend'),
    });
    expect(api[0].DependsOn).toEqual([{ ContainerName: 'xray-daemon', Condition: 'START' }]);

    const gguf = containersOf(stack, 'Gguf');
    expect(gguf.map((c) => c.Name)).toEqual(['App', 'xray-daemon']);
    expect(gguf[0].Links).toEqual(['xray-daemon:xray-daemon']);
    expect(envOf(gguf[0])).toMatchObject({
      XRAY_DAEMON_ADDRESS: 'xray-daemon:2000',
      AWS_XRAY_DAEMON_ADDRESS: 'tcp:xray-daemon:2000 udp:xray-daemon:2000',
      AWS_XRAY_TRACING_NAME: bridge.family,
    });

    // and each task role may write traces and read sampling rules
    expect(XRaySidecar.of(fargate)).toBeDefined();
    expect(XRaySidecar.of(bridge)).toBeDefined();
    const xrayPolicies = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
      Properties: { PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['xray:PutTraceSegments', 'xray:GetSamplingRules']) })] } },
    });
    expect(Object.keys(xrayPolicies)).toHaveLength(2);
  });

  test('the service name is the family by default, with serviceNamePrefix in front', () => {
    const { app, stack } = withAspect({ serviceNamePrefix: 'afirgen-' });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024, family: 'asr-ocr-server' });
    taskDefinition.addContainer('App', { image: APP_IMAGE, memoryLimitMiB: 512 });
    app.synth();
    expect(envOf(containersOf(stack, 'Task')[0]).AWS_XRAY_TRACING_NAME).toBe('afirgen-asr-ocr-server');
  });

  test('a family longer than X-Ray allows keeps its last 200 characters (no sampling rule)', () => {
    // a sampling rule matches at most 64 characters of service name: without one, X-Ray's 200 apply
    const { app, stack } = withAspect({ samplingRule: { enabled: false } });
    const family = `a${'b'.repeat(209)}z`;
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024, family });
    taskDefinition.addContainer('App', { image: APP_IMAGE, memoryLimitMiB: 512 });
    app.synth();
    const name = envOf(containersOf(stack, 'Task')[0]).AWS_XRAY_TRACING_NAME;
    expect(name).toHaveLength(200);
    expect(name).toBe(family.slice(-200));
  });

  test('passes agent, sizing, log retention and tracing options through', () => {
    const { app, stack } = withAspect({
      agent: XRayAgent.cloudWatchAgent(),
      cpu: 64,
      memoryReservationMiB: 128,
      logRetention: logs.RetentionDays.ONE_MONTH,
      samplingRate: 0.05,
      enabled: true,
      contextMissing: ContextMissingStrategy.IGNORE_ERROR,
    });
    fargateTask(stack);
    app.synth();
    const [appContainer, agent] = containersOf(stack, 'Task');
    expect(agent).toMatchObject({ Name: 'xray-daemon', Image: `public.ecr.aws/cloudwatch-agent/cloudwatch-agent:${XRayAgent.DEFAULT_CLOUDWATCH_AGENT_VERSION}`, Cpu: 64, MemoryReservation: 128 });
    expect(envOf(appContainer)).toMatchObject({ XRAY_SAMPLING_RATE: '0.05', AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR', XRAY_ENABLED: 'true' });
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('instruments the default container of an ecs_patterns service', () => {
    const { app, stack } = withAspect();
    const cluster = createCluster(stack);
    new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Web', {
      cluster, cpu: 512, memoryLimitMiB: 1024, taskImageOptions: { image: APP_IMAGE },
    });
    app.synth();
    const containers = containersOf(stack, 'WebTaskDef');
    expect(containers.map((c) => c.Name)).toEqual(['web', 'xray-daemon']);
    expect(envOf(containers[0]).AWS_XRAY_DAEMON_ADDRESS).toBe('127.0.0.1:2000');
  });

  test('XRayTracingAspect.skip leaves a task definition alone', () => {
    const { app, stack } = withAspect();
    const skipped = fargateTask(stack, 'Batch').taskDefinition;
    XRayTracingAspect.skip(skipped);
    fargateTask(stack, 'Api');
    app.synth();
    expect(XRayTracingAspect.isSkipped(skipped)).toBe(true);
    expect(containersOf(stack, 'Batch').map((c) => c.Name)).toEqual(['App']);
    expect(envOf(containersOf(stack, 'Batch')[0])).toEqual({});
    expect(containersOf(stack, 'Api').map((c) => c.Name)).toEqual(['App', 'xray-daemon']);
  });

  test('excludePaths leaves the task definitions under those paths alone, and only those', () => {
    const { app, stack } = withAspect({ excludePaths: ['TestStack/Jobs/'] });
    const jobs = new Construct(stack, 'Jobs');
    fargateTask(jobs, 'Nightly');
    fargateTask(stack, 'JobsApi');
    app.synth();
    expect(containersOf(stack, 'JobsNightly').map((c) => c.Name)).toEqual(['App']);
    expect(containersOf(stack, 'JobsApi').map((c) => c.Name)).toEqual(['App', 'xray-daemon']);
  });

  test('an already traced task definition is left alone: no second sidecar, its own service name kept', () => {
    const { app, stack } = withAspect({ serviceNamePrefix: 'aspect-' });
    const { taskDefinition, app: appContainer } = fargateTask(stack);
    new XRaySidecar(stack, 'Mine', { taskDefinition }).instrument(appContainer, { serviceName: 'afirgen-main-backend' });
    app.synth();
    const containers = containersOf(stack, 'Task');
    expect(containers.map((c) => c.Name)).toEqual(['App', 'xray-daemon']);
    expect(envOf(containers[0]).AWS_XRAY_TRACING_NAME).toBe('afirgen-main-backend');
    Template.fromStack(stack).resourceCountIs('AWS::Logs::LogGroup', 1);
  });

  test('a second synth adds nothing more', () => {
    const { app, stack } = withAspect();
    fargateTask(stack);
    app.synth();
    app.synth({ force: true });
    expect(containersOf(stack, 'Task').map((c) => c.Name)).toEqual(['App', 'xray-daemon']);
  });

  test('warns and skips a task definition with no default container', () => {
    const { app, stack } = withAspect();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    taskDefinition.addContainer('Helper', { image: APP_IMAGE, memoryLimitMiB: 256, essential: false });
    app.synth();
    expect(XRaySidecar.of(taskDefinition)).toBeUndefined();
    expectWarning(stack, '/TestStack/Task', '@cdk-xray-ecs/aspects:noDefaultContainer', {
      says: ['left TestStack/Task untraced', 'no default (essential) container'],
      fix: ['instrument the app container yourself', 'XRayTracingAspect.skip(taskDefinition)'],
    });
  });

  test('warns and skips a task definition in network mode none', () => {
    const { app, stack } = withAspect();
    const { taskDefinition } = ec2Task(stack, ecs.NetworkMode.NONE);
    expect(() => app.synth()).not.toThrow();
    expect(XRaySidecar.of(taskDefinition)).toBeUndefined();
    expect(containersOf(stack, 'Task').map((c) => c.Name)).toEqual(['App']);
    expectWarning(stack, '/TestStack/Task', '@cdk-xray-ecs/aspects:unreachableNetworkMode', {
      says: ['left TestStack/Task untraced', 'network mode "none"'],
      allowed: 'awsvpc, bridge or host',
      fix: 'XRayTracingAspect.skip(taskDefinition)',
    });
    Template.fromStack(stack).resourceCountIs('AWS::XRay::SamplingRule', 0);
  });

  test('warns and skips a task definition that runs a hand-made agent', () => {
    const { app, stack } = withAspect();
    const { taskDefinition } = fargateTask(stack);
    taskDefinition.addContainer('Daemon', { image: ecs.ContainerImage.fromRegistry(DAEMON_IMAGE), essential: false });
    app.synth();
    expect(containersOf(stack, 'Task').map((c) => c.Name)).toEqual(['App', 'Daemon']);
    expectWarning(stack, '/TestStack/Task', '@cdk-xray-ecs/aspects:agentPresent', {
      says: ['left TestStack/Task untraced', 'container Daemon already looks like a tracing agent', 'an agent image, the name xray-daemon, or UDP port 2000'],
      fix: ['Replace it with an XRaySidecar', 'XRayTracingAspect.skip(taskDefinition)'],
    });
    Template.fromStack(stack).resourceCountIs('AWS::XRay::SamplingRule', 0);
  });

  test('leaves alone a default container that turns tracing off (TracedFargateService with tracing.enabled false)', () => {
    const { app, stack } = withAspect();
    const cluster = createCluster(stack);
    const service = new TracedFargateService(stack, 'Api', {
      cluster, serviceName: 'afirgen-main-backend', image: APP_IMAGE, tracing: { enabled: false },
    });
    app.synth();
    expect(XRaySidecar.of(service.taskDefinition)).toBeUndefined();
    const [only] = containersOf(stack, 'ApiTaskDefinition');
    expect(envOf(only)).toMatchObject({ XRAY_ENABLED: 'false', AWS_XRAY_SDK_ENABLED: 'false' });
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Api/TaskDefinition', Match.anyValue());
  });

  test('an error, and no overwrite, for a default container instrumented by hand with another address', () => {
    const { app, stack } = withAspect();
    const { app: appContainer } = fargateTask(stack);
    appContainer.addEnvironment('AWS_XRAY_DAEMON_ADDRESS', '10.0.0.5:2000');
    app.synth();
    const containers = containersOf(stack, 'Task');
    expect(containers.map((c) => c.Name)).toEqual(['App']);
    expect(envOf(containers[0])).toEqual({ AWS_XRAY_DAEMON_ADDRESS: '10.0.0.5:2000' });
    Annotations.fromStack(stack).hasError('/TestStack/Task',
      'XRayTracingAspect cannot trace TestStack/Task: container App already sets tracing variables to other values ' +
      '(AWS_XRAY_DAEMON_ADDRESS is "10.0.0.5:2000", tracing would set "127.0.0.1:2000"): remove them from the container and set them ' +
      'through the tracing options (serviceName, samplingRate, enabled, contextMissing), or set the same values; or XRayTracingAspect.skip(taskDefinition)');
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Task', Match.anyValue());
    Template.fromStack(stack).resourceCountIs('AWS::XRay::SamplingRule', 0);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('instruments a default container whose other variables are the user\'s own', () => {
    const { app, stack } = withAspect();
    const { app: appContainer } = fargateTask(stack);
    appContainer.addEnvironment('LOG_LEVEL', 'info');
    app.synth();
    expect(envOf(containersOf(stack, 'Task')[0])).toMatchObject({ LOG_LEVEL: 'info', AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000' });
  });

  test('also works at the default aspect priority', () => {
    const { app, stack } = createStack();
    Aspects.of(app).add(new XRayTracingAspect());
    fargateTask(stack);
    app.synth();
    expect(containersOf(stack, 'Task').map((c) => c.Name)).toEqual(['App', 'xray-daemon']);
  });

  describe('with XRayTracingChecks', () => {
    function mixedStack(props?: XRayTracingAspectProps) {
      const { app, stack } = withAspect(props);
      fargateTask(stack, 'Api');
      ec2Task(stack, ecs.NetworkMode.BRIDGE, 'Gguf');
      ec2Task(stack, ecs.NetworkMode.HOST, 'Asr');
      const cluster = createCluster(stack);
      new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Web', {
        cluster, cpu: 512, memoryLimitMiB: 1024, taskImageOptions: { image: APP_IMAGE },
      });
      return { app, stack };
    }

    test('gives zero XRayTracing findings', () => {
      // (nagFindings synthesizes the stage around its scope: pass the stack)
      const { stack } = mixedStack({ agent: XRayAgent.cloudWatchAgent() });
      expect(tracingFindings(stack)).toEqual([]);
    });

    test('with the default daemon, only DaemonMaintenance (one per task definition), off with reportDaemonMaintenance: false', () => {
      const { stack } = mixedStack();
      const findings = tracingFindings(stack);
      expect(findings.map((f) => f.ruleId)).toEqual(Array(4).fill(XRayTracingRule.DAEMON_MAINTENANCE));
      expect(tracingFindings(stack, { reportDaemonMaintenance: false })).toEqual([]);
    });

    test('without the aspect the same stack is reported', () => {
      const { stack } = createStack();
      fargateTask(stack, 'Api');
      expect(tracingFindings(stack).map((f) => f.ruleId)).toEqual([XRayTracingRule.AGENT_MISSING]);
    });
  });

  describe('bad input', () => {
    test('throws for samplingRate out of range', () => {
      expectError(() => new XRayTracingAspect({ samplingRate: 1.5 }), {
        path: 'XRayTracingAspect', prop: 'samplingRate', value: 1.5, allowed: 'number from 0 to 1',
      });
    });

    test('throws for a serviceNamePrefix X-Ray rejects', () => {
      expectError(() => new XRayTracingAspect({ serviceNamePrefix: 'afirgen<' }), {
        path: 'XRayTracingAspect',
        prop: 'serviceNamePrefix',
        value: 'afirgen<',
        allowed: ['letters, numbers, whitespace and _ . : / % & # = + \\ - @', '"<" is not allowed'],
      });
    });

    test('throws for a cpu that is not a positive integer', () => {
      expectError(() => new XRayTracingAspect({ cpu: 0 }), { path: 'XRayTracingAspect', prop: 'cpu', value: 0, allowed: 'integer from 1 to 10240' });
    });

    test('a sidecar error still fails the synth (no room for the agent)', () => {
      const { app, stack } = withAspect();
      const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
      taskDefinition.addContainer('App', { image: APP_IMAGE, cpu: 256 });
      // the aspect's sidecar sits under the task definition, and the message names it
      expectError(() => app.synth(), {
        path: 'TestStack/Task/XRaySidecar',
        says: ['task TestStack/Task needs cpu 288 (App 256 + agent 32)', 'the task has cpu 256'],
        fix: ['raise the task cpu', 'lower the containers\''],
      });
    });
  });
});

test('the aspect applies across stacks of an app', () => {
  const app = new App();
  Aspects.of(app).add(new XRayTracingAspect(), { priority: AspectPriority.MUTATING });
  const one = new Stack(app, 'One');
  const two = new Stack(app, 'Two');
  fargateTask(one);
  fargateTask(two);
  app.synth();
  expect(containersOf(one, 'Task').map((c) => c.Name)).toEqual(['App', 'xray-daemon']);
  expect(containersOf(two, 'Task').map((c) => c.Name)).toEqual(['App', 'xray-daemon']);
});

describe('XRayTracingAspect attaches like XRaySidecar', () => {
  test('log group and policy at <taskDefinition>/XRayTracing, the container at <taskDefinition>/XRayTracingAgent', () => {
    const { app, stack } = withAspect();
    const { taskDefinition } = fargateTask(stack);
    app.synth();
    const sidecar = XRaySidecar.of(taskDefinition)!;
    expect(sidecar).toBeDefined();
    expect(sidecar.logGroup.node.path).toBe('TestStack/Task/XRayTracing/LogGroup');
    expect(sidecar.policy.node.path).toBe('TestStack/Task/XRayTracing/Policy');
    expect(sidecar.container.node.path).toBe('TestStack/Task/XRayTracingAgent');
  });

  test('the task definition DependsOn the X-Ray policy', () => {
    const { app, stack } = withAspect();
    const { taskDefinition } = fargateTask(stack);
    app.synth();
    const policy = XRaySidecar.of(taskDefinition)!.policy.node.defaultChild as CfnElement;
    Template.fromStack(stack).hasResource('AWS::ECS::TaskDefinition', { DependsOn: Match.arrayWith([stack.getLogicalId(policy)]) });
  });

  test('the agent has a memory hard limit', () => {
    const { app, stack } = withAspect();
    fargateTask(stack);
    app.synth();
    expect(containersOf(stack, 'Task')[1]).toMatchObject({ Name: 'xray-daemon', MemoryReservation: 256, Memory: 512 });
  });
});

describe('XRayTracingAspect sampling rules', () => {
  test('one rule per traced task definition: its service name, the aspect\'s rate, priority 1000, reservoir 1', () => {
    // GIVEN
    const { app, stack } = withAspect({ serviceNamePrefix: 'afirgen-', samplingRate: 0.05 });
    const api = new ecs.FargateTaskDefinition(stack, 'Api', { cpu: 512, memoryLimitMiB: 1024, family: 'main-backend' });
    api.addContainer('App', { image: APP_IMAGE, memoryLimitMiB: 512 });
    const gguf = ec2Task(stack, ecs.NetworkMode.BRIDGE, 'Gguf').taskDefinition;
    // WHEN
    app.synth();
    // THEN
    expect(api.node.tryFindChild('XRayTracingSamplingRule')).toBeDefined();
    expect(gguf.node.tryFindChild('XRayTracingSamplingRule')).toBeDefined();
    const rules = samplingRules(stack);
    expect(rules).toHaveLength(2);
    expect(rules.map((r) => r.ServiceName).sort()).toEqual(['afirgen-main-backend', `afirgen-${gguf.family}`].sort());
    for (const rule of rules) {
      expect(rule).toMatchObject({ FixedRate: 0.05, Priority: 1000, ReservoirSize: 1, ServiceType: '*', Version: 1 });
    }
    // the app and its rule agree
    expect(envOf(containersOf(stack, 'Api')[0])).toMatchObject({ AWS_XRAY_TRACING_NAME: 'afirgen-main-backend', XRAY_SAMPLING_RATE: '0.05' });
  });

  test('the default rate is 0.1', () => {
    const { app, stack } = withAspect();
    fargateTask(stack);
    app.synth();
    expect(samplingRules(stack)).toEqual([expect.objectContaining({ FixedRate: 0.1, Priority: 1000, ReservoirSize: 1 })]);
  });

  test('priority and reservoirSize are passed to the rules', () => {
    const { app, stack } = withAspect({ samplingRule: { priority: 50, reservoirSize: 0 } });
    fargateTask(stack);
    app.synth();
    expect(samplingRules(stack)).toEqual([expect.objectContaining({ Priority: 50, ReservoirSize: 0 })]);
  });

  test('samplingRule enabled false: the sidecar but no rule', () => {
    const { app, stack } = withAspect({ samplingRule: { enabled: false } });
    const { taskDefinition } = fargateTask(stack);
    app.synth();
    expect(XRaySidecar.of(taskDefinition)).toBeDefined();
    Template.fromStack(stack).resourceCountIs('AWS::XRay::SamplingRule', 0);
  });

  test('no rule for a task definition left alone (its own XRaySidecar), none added by a second synth', () => {
    const { app, stack } = withAspect();
    const { taskDefinition, app: appContainer } = fargateTask(stack, 'Mine');
    new XRaySidecar(stack, 'MineXRay', { taskDefinition }).instrument(appContainer, { serviceName: 'afirgen-main-backend' });
    fargateTask(stack, 'Api');
    app.synth();
    app.synth({ force: true });
    expect(taskDefinition.node.tryFindChild('XRayTracingSamplingRule')).toBeUndefined();
    expect(samplingRules(stack)).toHaveLength(1);
  });

  test('a family longer than a sampling rule matches: the app\'s name and the rule\'s ServiceName agree, within 64 characters', () => {
    const { app, stack } = withAspect();
    const family = `a${'b'.repeat(98)}z`;
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024, family });
    taskDefinition.addContainer('App', { image: APP_IMAGE, memoryLimitMiB: 512 });
    app.synth();
    const name = envOf(containersOf(stack, 'Task')[0]).AWS_XRAY_TRACING_NAME;
    expect(name.length).toBeLessThanOrEqual(64);
    expect(samplingRules(stack)).toEqual([expect.objectContaining({ ServiceName: name })]);
  });

  test('throws for a samplingRule priority out of range', () => {
    expectError(() => new XRayTracingAspect({ samplingRule: { priority: 0 } }), {
      path: 'XRayTracingAspect', prop: 'samplingRule.priority', value: 0, allowed: 'integer from 1 to 9999',
    });
  });
});

describe('enabled: false on XRayTracingAspect', () => {
  test('no agent container, no policy, no sampling rule, and the off-contract env on the default container', () => {
    // GIVEN
    const { app, stack } = withAspect({ enabled: false });
    const { taskDefinition } = fargateTask(stack);
    // WHEN
    app.synth();
    // THEN
    const containers = containersOf(stack, 'Task');
    expect(containers.map((c) => c.Name)).toEqual(['App']);
    expect(XRaySidecar.of(taskDefinition)).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::XRay::SamplingRule', 0);
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('xray:PutTraceSegments');
    expect(envOf(containers[0])).toEqual({
      XRAY_ENABLED: 'false',
      XRAY_SAMPLING_RATE: '0.1',
      XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      AWS_XRAY_TRACING_NAME: taskDefinition.family,
      AWS_XRAY_SDK_ENABLED: 'false',
    });
  });

  test('the same contract a TracedFargateService with tracing.enabled false sets', () => {
    const { app, stack } = withAspect({ enabled: false, samplingRate: 0.05, contextMissing: ContextMissingStrategy.IGNORE_ERROR });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024, family: 'afirgen-main-backend' });
    taskDefinition.addContainer('App', { image: APP_IMAGE, memoryLimitMiB: 512 });
    app.synth();

    const other = createStack();
    new TracedFargateService(other.stack, 'Api', {
      cluster: createCluster(other.stack),
      serviceName: 'afirgen-main-backend',
      image: APP_IMAGE,
      tracing: { enabled: false, samplingRate: 0.05, contextMissing: ContextMissingStrategy.IGNORE_ERROR },
    });
    expect(envOf(containersOf(stack, 'Task')[0])).toEqual(envOf(containersOf(other.stack, 'ApiTaskDefinition')[0]));
  });
});

describe('no silent overwrite (the aspect)', () => {
  test('a default container with XRAY_SAMPLING_RATE "0.5" gets the same conflict as instrument, as an error annotation', () => {
    // GIVEN the message instrument throws for the same container
    const direct = createStack();
    const { taskDefinition: directTask, app: directApp } = fargateTask(direct.stack);
    directApp.addEnvironment('XRAY_SAMPLING_RATE', '0.5');
    const sidecar = new XRaySidecar(direct.stack, 'XRay', { taskDefinition: directTask });
    let thrown = '';
    try {
      sidecar.instrument(directApp, { serviceName: 'afirgen-main-backend', samplingRate: 0.1 });
    } catch (e) {
      thrown = (e as Error).message;
    }
    const conflict = 'container App already sets tracing variables to other values (XRAY_SAMPLING_RATE is "0.5", tracing would set "0.1"): ' +
      'remove them from the container and set them through the tracing options (serviceName, samplingRate, enabled, contextMissing), or set the same values';
    expect(thrown).toBe(`TestStack/XRay: ${conflict}`);

    // WHEN the aspect meets it
    const { app, stack } = withAspect({ samplingRate: 0.1 });
    const { app: appContainer } = fargateTask(stack);
    appContainer.addEnvironment('XRAY_SAMPLING_RATE', '0.5');
    app.synth();

    // THEN the same text, as an error, and nothing attached
    Annotations.fromStack(stack).hasError('/TestStack/Task',
      `XRayTracingAspect cannot trace TestStack/Task: ${conflict}; or XRayTracingAspect.skip(taskDefinition)`);
    expect(containersOf(stack, 'Task').map((c) => c.Name)).toEqual(['App']);
    expect(envOf(containersOf(stack, 'Task')[0])).toEqual({ XRAY_SAMPLING_RATE: '0.5' });
    Template.fromStack(stack).resourceCountIs('AWS::XRay::SamplingRule', 0);
  });

  test('an equal value is fine: the container is instrumented', () => {
    const { app, stack } = withAspect({ samplingRate: 0.1 });
    const { app: appContainer } = fargateTask(stack);
    appContainer.addEnvironment('XRAY_SAMPLING_RATE', '0.1');
    app.synth();
    const [appDef, agent] = containersOf(stack, 'Task');
    expect(agent.Name).toBe('xray-daemon');
    expect(appDef.Environment!.filter((kv) => kv.Name === 'XRAY_SAMPLING_RATE')).toEqual([{ Name: 'XRAY_SAMPLING_RATE', Value: '0.1' }]);
    expect(envOf(appDef).AWS_XRAY_DAEMON_ADDRESS).toBe('127.0.0.1:2000');
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });
});
