import { CfnElement, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template, Match, Annotations } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ContextMissingStrategy } from '../../src/core/tracing-options';
import * as hostAgentModule from '../../src/host-agent';
import * as sidecarModule from '../../src/sidecar';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { createCluster, createStack, loopbackContract, XRAY_ACTIONS } from '../helpers/app';
import { expectError } from '../helpers/messages';
import { awsSolutionsFindings, findingsUnder } from '../helpers/nag';

/** The logical id of the L1 behind `construct`. */
function logicalIdOf(construct: { node: { defaultChild?: unknown } }): string {
  const cfn = construct.node.defaultChild as CfnElement;
  return Stack.of(cfn).getLogicalId(cfn);
}

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');

function fargateTask(props: ecs.FargateTaskDefinitionProps = { cpu: 512, memoryLimitMiB: 1024 }) {
  const { app, stack } = createStack();
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', props);
  const app1 = taskDefinition.addContainer('App', { image: IMAGE, memoryLimitMiB: 512 });
  return { app, stack, taskDefinition, appContainer: app1 };
}

function containerDefs(stack: import('aws-cdk-lib').Stack): Array<Record<string, any>> {
  const defs = Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition');
  const only = Object.values(defs);
  expect(only).toHaveLength(1);
  return only[0].Properties.ContainerDefinitions;
}

function envOf(def: Record<string, any>): Record<string, string> {
  return Object.fromEntries((def.Environment ?? []).map((kv: { Name: string; Value: string }) => [kv.Name, kv.Value]));
}

describe('XRaySidecar on Fargate', () => {
  test('adds the pinned, hardened daemon container with the runbook defaults', () => {
    // GIVEN
    const { stack, taskDefinition } = fargateTask();
    // WHEN
    new XRaySidecar(stack, 'XRay', { taskDefinition });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Name: 'xray-daemon',
          Image: `public.ecr.aws/xray/aws-xray-daemon:${XRayAgent.DEFAULT_DAEMON_VERSION}`,
          Cpu: 32,
          MemoryReservation: 256,
          // the hard limit: twice the reservation (the task has 1024 MiB)
          Memory: 512,
          Essential: false,
          User: '10001',
          ReadonlyRootFilesystem: true,
          Privileged: false,
          PortMappings: [
            { ContainerPort: 2000, Protocol: 'udp' },
            { ContainerPort: 2000, Protocol: 'tcp' },
          ],
          RestartPolicy: { Enabled: true, RestartAttemptPeriod: 60 },
          Command: ['--region', { Ref: 'AWS::Region' }],
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
        }),
      ]),
    });
    const daemon = containerDefs(stack).find((d) => d.Name === 'xray-daemon')!;
    expect(daemon.HealthCheck).toBeUndefined();
    expect(daemon.Environment).toBeUndefined();
  });

  test('the agent logs to its own log group kept one week', () => {
    const { stack, taskDefinition } = fargateTask();
    new XRaySidecar(stack, 'XRay', { taskDefinition });
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('log retention is overridable', () => {
    const { stack, taskDefinition } = fargateTask();
    new XRaySidecar(stack, 'XRay', { taskDefinition, logRetention: logs.RetentionDays.ONE_MONTH });
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('grants the task role exactly the five X-Ray actions on *, in an inline policy', () => {
    const { stack, taskDefinition } = fargateTask();
    new XRaySidecar(stack, 'XRay', { taskDefinition });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: XRAY_ACTIONS, Effect: 'Allow', Resource: '*' }] },
      Roles: [{ Ref: Match.stringLikeRegexp('TaskTaskRole') }],
    });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('xray:*');
    expect(json).not.toContain('AWSXRayDaemonWriteAccess');
  });

  test('instrument sets both env families consistently, and the start-up dependency', () => {
    const { stack, taskDefinition, appContainer } = fargateTask();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    sidecar.instrument(appContainer, { serviceName: 'afirgen-main-backend' });

    const app = containerDefs(stack).find((d) => d.Name === 'App')!;
    expect(envOf(app)).toEqual({
      ...loopbackContract('afirgen-main-backend'),
    });
    expect(app.DependsOn).toEqual([{ ContainerName: 'xray-daemon', Condition: 'START' }]);
    expect(app.Links).toBeUndefined();
    expect(sidecar.daemonAddress).toBe('127.0.0.1:2000');
  });

  test('instrument passes rate, strategy and enabled through to both families', () => {
    const { stack, taskDefinition, appContainer } = fargateTask();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    sidecar.instrument(appContainer, {
      serviceName: 'svc', samplingRate: 0.05, contextMissing: ContextMissingStrategy.IGNORE_ERROR, enabled: false,
    });
    const env = envOf(containerDefs(stack).find((d) => d.Name === 'App')!);
    expect(env).toMatchObject({
      XRAY_ENABLED: 'false',
      AWS_XRAY_SDK_ENABLED: 'false',
      XRAY_SAMPLING_RATE: '0.05',
      XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
      AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    });
  });

  test('XRaySidecar.of returns the attached sidecar, undefined otherwise', () => {
    const { stack, taskDefinition } = fargateTask();
    const other = new ecs.FargateTaskDefinition(stack, 'Other');
    expect(XRaySidecar.of(taskDefinition)).toBeUndefined();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    expect(XRaySidecar.of(taskDefinition)).toBe(sidecar);
    expect(XRaySidecar.of(other)).toBeUndefined();
  });

  test('essential and restart policy are overridable', () => {
    const { stack, taskDefinition } = fargateTask();
    new XRaySidecar(stack, 'XRay', { taskDefinition, essential: true });
    const daemon = containerDefs(stack).find((d) => d.Name === 'xray-daemon')!;
    expect(daemon.Essential).toBe(true);
    expect(daemon.RestartPolicy).toEqual({ Enabled: false });
  });

  test('a pinned custom version and repository', () => {
    const { stack, taskDefinition } = fargateTask();
    new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.daemon({ version: '3.3.14', repository: 'mirror.example/xray' }) });
    const daemon = containerDefs(stack).find((d) => d.Name === 'xray-daemon')!;
    expect(daemon.Image).toBe('mirror.example/xray:3.3.14');
  });

  test('grant gives another principal the same actions', () => {
    const { stack, taskDefinition } = fargateTask();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    const role = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const grant = sidecar.grant(role);
    expect(grant.success).toBe(true);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: XRAY_ACTIONS, Effect: 'Allow', Resource: '*' }] },
      Roles: [{ Ref: Match.stringLikeRegexp('Other') }],
    });
  });
});

describe('XRaySidecar by network mode and launch type', () => {
  function ec2Task(networkMode: ecs.NetworkMode) {
    const { stack } = createStack();
    const taskDefinition = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode });
    const appContainer = taskDefinition.addContainer('App', { image: IMAGE, memoryLimitMiB: 512 });
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    sidecar.instrument(appContainer, { serviceName: 'afirgen-gguf-server' });
    return { stack, sidecar };
  }

  test('EC2 awsvpc: loopback, no link', () => {
    const { stack, sidecar } = ec2Task(ecs.NetworkMode.AWS_VPC);
    const app = containerDefs(stack).find((d) => d.Name === 'App')!;
    expect(envOf(app).XRAY_DAEMON_ADDRESS).toBe('127.0.0.1:2000');
    expect(envOf(app).AWS_XRAY_DAEMON_ADDRESS).toBe('127.0.0.1:2000');
    expect(app.Links).toBeUndefined();
    expect(sidecar.daemonAddress).toBe('127.0.0.1:2000');
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { NetworkMode: 'awsvpc', RequiresCompatibilities: ['EC2'] });
  });

  test('EC2 host: loopback, no link', () => {
    const { stack } = ec2Task(ecs.NetworkMode.HOST);
    const defs = containerDefs(stack);
    const app = defs.find((d) => d.Name === 'App')!;
    expect(envOf(app).XRAY_DAEMON_ADDRESS).toBe('127.0.0.1:2000');
    expect(envOf(app).AWS_XRAY_DAEMON_ADDRESS).toBe('127.0.0.1:2000');
    expect(app.Links).toBeUndefined();
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { NetworkMode: 'host' });
  });

  test('EC2 bridge: a container link and xray-daemon:2000, two-address form for the SDKs', () => {
    const { stack, sidecar } = ec2Task(ecs.NetworkMode.BRIDGE);
    const app = containerDefs(stack).find((d) => d.Name === 'App')!;
    expect(app.Links).toEqual(['xray-daemon:xray-daemon']);
    expect(envOf(app).XRAY_DAEMON_ADDRESS).toBe('xray-daemon:2000');
    expect(envOf(app).AWS_XRAY_DAEMON_ADDRESS).toBe('tcp:xray-daemon:2000 udp:xray-daemon:2000');
    expect(app.DependsOn).toEqual([{ ContainerName: 'xray-daemon', Condition: 'START' }]);
    expect(sidecar.daemonAddress).toBe('xray-daemon:2000');
    expect(sidecar.sdkDaemonAddress).toBe('tcp:xray-daemon:2000 udp:xray-daemon:2000');
  });

  test('External (ECS Anywhere) task definitions, bridge by default', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.ExternalTaskDefinition(stack, 'Task');
    const appContainer = taskDefinition.addContainer('App', { image: IMAGE, memoryLimitMiB: 256 });
    new XRaySidecar(stack, 'XRay', { taskDefinition }).instrument(appContainer, { serviceName: 'edge' });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { RequiresCompatibilities: ['EXTERNAL'] });
    const app = containerDefs(stack).find((d) => d.Name === 'App')!;
    expect(app.Links).toEqual(['xray-daemon:xray-daemon']);
    expect(envOf(app).AWS_XRAY_DAEMON_ADDRESS).toBe('tcp:xray-daemon:2000 udp:xray-daemon:2000');
  });

  test('throws for a network mode where no agent can be reached', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.NONE });
    expectError(() => new XRaySidecar(stack, 'XRay', { taskDefinition }),
      { path: 'TestStack/XRay', prop: 'networkMode', value: 'none', allowed: 'awsvpc, bridge or host' });
  });
});

describe('XRaySidecar with ecs_patterns', () => {
  test('instruments an ApplicationLoadBalancedFargateService through its task definition', () => {
    const { stack } = createStack();
    const cluster = createCluster(stack);
    const service = new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Web', {
      cluster, cpu: 512, memoryLimitMiB: 1024, taskImageOptions: { image: IMAGE },
    });
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition: service.taskDefinition });
    sidecar.instrument(service.taskDefinition.defaultContainer!, { serviceName: 'web' });
    const web = containerDefs(stack).find((d) => d.Name === 'web')!;
    expect(envOf(web)).toMatchObject({ AWS_XRAY_TRACING_NAME: 'web', AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000' });
    expect(containerDefs(stack).map((d) => d.Name)).toEqual(['web', 'xray-daemon']);
  });
});

describe('XRaySidecar task sizing', () => {
  test('throws when the task cpu cannot hold the agent', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('App', { image: IMAGE, cpu: 256 });
    expectError(() => new XRaySidecar(stack, 'XRay', { taskDefinition }), {
      path: 'TestStack/XRay',
      says: ['task TestStack/Task needs cpu 288 (App 256 + agent 32)', 'the task has cpu 256'],
      fix: ['raise the task cpu', 'lower the containers\''],
    });
  });

  test('throws at synth when the containers\' memory exceeds the task memory', () => {
    const { app, stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('App', { image: IMAGE, memoryLimitMiB: 512 });
    new XRaySidecar(stack, 'XRay', { taskDefinition });
    // the app's hard limit (it has no reservation) plus the agent's reservation: ECS adds up reservations first
    expect(() => app.synth()).toThrow(/\[TestStack\/Task\] task TestStack\/Task needs 768 MiB of memory \(App 512 \+ xray-daemon 256\) but the task has 512 MiB: raise the task memoryLimitMiB/);
  });

  test('throws for a Fargate size Fargate does not run', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 1536 });
    expectError(() => new XRaySidecar(stack, 'XRay', { taskDefinition }),
      { path: 'TestStack/Task', prop: 'memoryLimitMiB', value: 1536, allowed: 'with cpu 256 memory must be 512, 1024, 2048 MiB' });
  });

  test('throws for a Fargate cpu Fargate does not run', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 384, memoryLimitMiB: 1024 });
    expectError(() => new XRaySidecar(stack, 'XRay', { taskDefinition }),
      { path: 'TestStack/Task', prop: 'cpu', value: 384, allowed: '256, 512, 1024, 2048, 4096, 8192, 16384' });
  });

  test('an EC2 task with task-level size is checked too', () => {
    const { app, stack } = createStack();
    const taskDefinition = new ecs.TaskDefinition(stack, 'Task', {
      compatibility: ecs.Compatibility.EC2, networkMode: ecs.NetworkMode.AWS_VPC, cpu: '256', memoryMiB: '512',
    });
    taskDefinition.addContainer('App', { image: IMAGE, memoryReservationMiB: 300 });
    new XRaySidecar(stack, 'XRay', { taskDefinition });
    expect(() => app.synth()).toThrow(/\[TestStack\/Task\] task TestStack\/Task needs 556 MiB of memory \(App 300 \+ xray-daemon 256\) but the task has 512 MiB/);
  });

  test('a task whose containers fit exactly synthesizes', () => {
    const { app, stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    const appContainer = taskDefinition.addContainer('App', { image: IMAGE, cpu: 224, memoryLimitMiB: 256 });
    new XRaySidecar(stack, 'XRay', { taskDefinition }).instrument(appContainer, { serviceName: 's' });
    expect(() => app.synth()).not.toThrow();
    // the agent's hard limit is twice its reservation capped at the task's 512 MiB; the fit counts its reservation
    expect(containerDefs(stack).map((d) => [d.Cpu, d.MemoryReservation, d.Memory])).toEqual([[224, undefined, 256], [32, 256, 512]]);
  });
});

describe('XRaySidecar bad input', () => {
  test.each([
    [-0.1], [1.5], [Number.NaN],
  ])('throws for samplingRate %p', (rate) => {
    const { stack, taskDefinition, appContainer } = fargateTask();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    expectError(() => sidecar.instrument(appContainer, { serviceName: 's', samplingRate: rate }), {
      path: 'TestStack/XRay', prop: 'samplingRate', value: rate, allowed: 'number from 0 to 1',
    });
  });

  test('throws for an empty serviceName', () => {
    const { stack, taskDefinition, appContainer } = fargateTask();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    expectError(() => sidecar.instrument(appContainer, { serviceName: '' }), {
      path: 'TestStack/XRay', prop: 'serviceName', value: '', allowed: ['1 to 200 characters', '(0 characters)'],
    });
  });

  test('throws for a serviceName longer than X-Ray allows', () => {
    const { stack, taskDefinition, appContainer } = fargateTask();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    expect(() => sidecar.instrument(appContainer, { serviceName: 'a'.repeat(201) }))
      .toThrow(/^TestStack\/XRay: serviceName must have 1 to 200 characters, got "a{201}" \(201 characters\)$/);
  });

  test('throws for a serviceName with characters X-Ray rejects', () => {
    const { stack, taskDefinition, appContainer } = fargateTask();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    expectError(() => sidecar.instrument(appContainer, { serviceName: 'main<backend>' }), {
      path: 'TestStack/XRay',
      prop: 'serviceName',
      value: 'main<backend>',
      allowed: ['letters, numbers, whitespace and _ . : / % & # = + \\ - @', '"<" is not allowed'],
    });
  });

  test('throws for an unknown contextMissing from JavaScript', () => {
    const { stack, taskDefinition, appContainer } = fargateTask();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    expectError(() => sidecar.instrument(appContainer, { serviceName: 's', contextMissing: 'LOG' as ContextMissingStrategy }), {
      path: 'TestStack/XRay', prop: 'contextMissing', value: 'LOG', allowed: 'LOG_ERROR, RUNTIME_ERROR, IGNORE_ERROR',
    });
  });

  test.each([[0], [-32], [1.5]])('throws for cpu %p', (cpu) => {
    const { stack, taskDefinition } = fargateTask();
    expectError(() => new XRaySidecar(stack, 'XRay', { taskDefinition, cpu }), {
      path: 'TestStack/XRay', prop: 'cpu', value: cpu, allowed: 'integer from 1 to 10240',
    });
  });

  test.each([[0], [-1], [12.5]])('throws for memoryReservationMiB %p', (memoryReservationMiB) => {
    const { stack, taskDefinition } = fargateTask();
    expectError(() => new XRaySidecar(stack, 'XRay', { taskDefinition, memoryReservationMiB }), {
      path: 'TestStack/XRay', prop: 'memoryReservationMiB', value: memoryReservationMiB, allowed: 'integer 1 or more',
    });
  });

  test('throws for a memoryReservationMiB below what the agent runs with', () => {
    const { stack, taskDefinition } = fargateTask();
    expectError(() => new XRaySidecar(stack, 'XRay', { taskDefinition, memoryReservationMiB: 16 }), {
      path: 'TestStack/XRay', prop: 'memoryReservationMiB', value: 16, allowed: 'at least 32 for the X-Ray daemon',
    });
  });

  test.each([['latest'], ['LATEST'], ['']])('throws for an image tagged %p', (version) => {
    expect(() => XRayAgent.daemon({ version }))
      .toThrow(/^XRayAgent\.daemon: version must be pinned to a version tag or digest \(never "latest": daemon 3\.3\.0 broke every stack on latest\), got "public\.ecr\.aws\/xray\/aws-xray-daemon:(latest|LATEST)?"$/);
  });

  test('throws for a second sidecar on the same task definition', () => {
    const { stack, taskDefinition } = fargateTask();
    new XRaySidecar(stack, 'XRay', { taskDefinition });
    expectError(() => new XRaySidecar(stack, 'XRay2', { taskDefinition }), {
      path: 'TestStack/XRay2',
      prop: 'taskDefinition',
      says: ['TestStack/Task', 'already has an XRaySidecar (TestStack/XRay)'],
      fix: 'XRaySidecar.of(taskDefinition)',
    });
  });

  test('throws when instrumenting a container of another task definition', () => {
    const { stack, taskDefinition } = fargateTask();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    const other = new ecs.FargateTaskDefinition(stack, 'Other');
    const foreign = other.addContainer('Foreign', { image: IMAGE });
    expectError(() => sidecar.instrument(foreign, { serviceName: 's' }), {
      path: 'TestStack/XRay',
      says: ['container Foreign belongs to task TestStack/Other', 'not to TestStack/Task'],
      fix: 'instrument it with that task\'s sidecar',
    });
  });

  test('throws when instrumenting the agent or the same container twice', () => {
    const { stack, taskDefinition, appContainer } = fargateTask();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    expectError(() => sidecar.instrument(sidecar.container, { serviceName: 's' }),
      { path: 'TestStack/XRay', says: 'container xray-daemon is the tracing agent itself', fix: 'instrument the app container' });
    sidecar.instrument(appContainer, { serviceName: 's' });
    expectError(() => sidecar.instrument(appContainer, { serviceName: 's' }),
      { path: 'TestStack/XRay', says: 'container App is already instrumented by TestStack/XRay' });
  });
});

describe('XRaySidecar and cdk-nag AwsSolutions', () => {
  test('only IAM5 on the X-Ray policy, acknowledged there alone; no ECS2 for contract-only env', () => {
    // GIVEN an instrumented task with a log-configured app container
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    const appContainer = taskDefinition.addContainer('App', {
      image: IMAGE, memoryLimitMiB: 512, logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app' }),
    });
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    sidecar.instrument(appContainer, { serviceName: 'afirgen-main-backend' });

    // THEN no unacknowledged finding anywhere in the stack
    expect(awsSolutionsFindings(stack)).toEqual([]);

    // and the acknowledgement sits on the sidecar's policy resource alone
    const acks = (sidecar.policy.node.defaultChild!.node.metadata)
      .filter((m) => m.type === 'aws:cdk:acknowledged-rules');
    expect(JSON.stringify(acks)).toContain('AwsSolutions-IAM5[Resource::*]');
    expect(JSON.stringify(acks)).toContain('no resource-level permissions');
    expect(JSON.stringify(taskDefinition.taskRole.node.findAll().map((c) => c.node.metadata))).not.toContain('IAM5');
  });

  test('a variable of the user\'s own keeps ECS2 standing', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    const appContainer = taskDefinition.addContainer('App', {
      image: IMAGE,
      memoryLimitMiB: 512,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app' }),
      environment: { DATABASE_PASSWORD: 'hunter2' },
    });
    new XRaySidecar(stack, 'XRay', { taskDefinition }).instrument(appContainer, { serviceName: 's' });
    const ids = findingsUnder(awsSolutionsFindings(stack), taskDefinition.node.path).map((f) => f.ruleId);
    expect(ids).toEqual(['AwsSolutions-ECS2']);
  });

  test('no warning annotations from a plain sidecar', () => {
    const { stack, taskDefinition, appContainer } = fargateTask();
    new XRaySidecar(stack, 'XRay', { taskDefinition }).instrument(appContainer, { serviceName: 's' });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('XRaySidecar snapshot', () => {
  test('minimal instrumented Fargate task', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    const appContainer = taskDefinition.addContainer('App', { image: IMAGE, memoryLimitMiB: 512, portMappings: [{ containerPort: 8000 }] });
    new XRaySidecar(stack, 'XRay', { taskDefinition }).instrument(appContainer, { serviceName: 'afirgen-main-backend' });
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});

describe('XRaySidecar: names ECS would reject (found by fuzzing)', () => {
  test('throws for a containerName ECS cannot register', () => {
    const { stack, taskDefinition } = fargateTask();
    expectError(() => new XRaySidecar(stack, 'XRay', { taskDefinition, containerName: 'xray daemon' }), {
      path: 'TestStack/XRay', prop: 'containerName', value: 'xray daemon', allowed: ['letters, digits, _ and -', '" " is not allowed'],
    });
  });

  test.each([['3.6.6 '], ['v1 beta'], ['.3'], ['3.6.6\n']])('throws for an image tag %j that is not a valid tag', (version) => {
    expect(() => XRayAgent.daemon({ version }))
      .toThrow(/^XRayAgent\.daemon: version of the X-Ray daemon image must be a tag \(\[\\w\]\[\\w\.-\]\{0,127\}: .*, got "/);
    expect(() => XRayAgent.daemon({ version })).toThrow(`got ${JSON.stringify(version)}`);
  });
});

describe('XRaySidecar memory hard limit', () => {
  test('defaults to twice the reservation: 512 MiB for the daemon in a 1024-MiB task', () => {
    const { stack, taskDefinition } = fargateTask();
    new XRaySidecar(stack, 'XRay', { taskDefinition });
    expect(containerDefs(stack).find((d) => d.Name === 'xray-daemon')).toMatchObject({ MemoryReservation: 256, Memory: 512 });
  });

  test('is capped at the task\'s memory: 512 MiB in a 512-MiB task', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('App', { image: IMAGE, memoryLimitMiB: 256 });
    new XRaySidecar(stack, 'XRay', { taskDefinition });
    // twice 256 is 512: exactly the task's memory
    expect(containerDefs(stack).find((d) => d.Name === 'xray-daemon')).toMatchObject({ MemoryReservation: 256, Memory: 512 });

    // and an agent of a 200-MiB reservation in the same size gets 400, under the cap
    const other = createStack();
    const small = new ecs.FargateTaskDefinition(other.stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    small.addContainer('App', { image: IMAGE, memoryLimitMiB: 256 });
    new XRaySidecar(other.stack, 'XRay', { taskDefinition: small, memoryReservationMiB: 200 });
    expect(containerDefs(other.stack).find((d) => d.Name === 'xray-daemon')).toMatchObject({ MemoryReservation: 200, Memory: 400 });

    // an ADOT collector (reservation 512, twice that 1024) in a 1024-MiB task is capped at 1024
    const adot = createStack();
    const big = new ecs.FargateTaskDefinition(adot.stack, 'Task', { cpu: 1024, memoryLimitMiB: 2048 });
    new XRaySidecar(adot.stack, 'XRay', { taskDefinition: big, agent: XRayAgent.adotCollector(), memoryReservationMiB: 1536 });
    expect(containerDefs(adot.stack).find((d) => d.Name === 'xray-daemon')).toMatchObject({ MemoryReservation: 1536, Memory: 2048 });
  });

  test('an EC2 task without task-level memory gets twice the reservation', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.BRIDGE });
    taskDefinition.addContainer('App', { image: IMAGE, memoryLimitMiB: 512 });
    new XRaySidecar(stack, 'XRay', { taskDefinition });
    expect(containerDefs(stack).find((d) => d.Name === 'xray-daemon')).toMatchObject({ MemoryReservation: 256, Memory: 512 });
  });

  test('memoryLimitMiB sets it', () => {
    const { stack, taskDefinition } = fargateTask();
    new XRaySidecar(stack, 'XRay', { taskDefinition, memoryLimitMiB: 300 });
    expect(containerDefs(stack).find((d) => d.Name === 'xray-daemon')).toMatchObject({ MemoryReservation: 256, Memory: 300 });
  });

  test('throws for a memoryLimitMiB below the reservation', () => {
    const { stack, taskDefinition } = fargateTask();
    expectError(() => new XRaySidecar(stack, 'XRay', { taskDefinition, memoryLimitMiB: 100 }), {
      path: 'TestStack/XRay', prop: 'memoryLimitMiB', value: 100, allowed: 'at least memoryReservationMiB (256)',
    });
  });

  test('throws for a memoryLimitMiB above the task\'s memory', () => {
    const { stack, taskDefinition } = fargateTask();
    expectError(() => new XRaySidecar(stack, 'XRay', { taskDefinition, memoryLimitMiB: 2048 }), {
      path: 'TestStack/XRay', prop: 'memoryLimitMiB', value: 2048, allowed: 'at most the task\'s memory (1024 MiB)',
    });
  });

  test.each([[0], [1.5]])('throws for memoryLimitMiB %p', (memoryLimitMiB) => {
    const { stack, taskDefinition } = fargateTask();
    expectError(() => new XRaySidecar(stack, 'XRay', { taskDefinition, memoryLimitMiB }), {
      path: 'TestStack/XRay', prop: 'memoryLimitMiB', value: memoryLimitMiB, allowed: 'integer 1 or more',
    });
  });

  test('the memory fit counts each container\'s reservation first, then its hard limit', () => {
    // GIVEN an app reserving 200 MiB (limit 400) and the agent reserving 256 (limit 512) in 512 MiB
    const { app, stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('App', { image: IMAGE, memoryReservationMiB: 200, memoryLimitMiB: 400 });
    new XRaySidecar(stack, 'XRay', { taskDefinition });
    // THEN 200 + 256 fits, as ECS adds up reservations (the limits, 400 + 512, would not)
    expect(() => app.synth()).not.toThrow();

    // and an app with a hard limit alone counts that limit
    const other = createStack();
    const tight = new ecs.FargateTaskDefinition(other.stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    tight.addContainer('App', { image: IMAGE, memoryLimitMiB: 300 });
    new XRaySidecar(other.stack, 'XRay', { taskDefinition: tight });
    expect(() => other.app.synth()).toThrow(/task TestStack\/Task needs 556 MiB of memory \(App 300 \+ xray-daemon 256\) but the task has 512 MiB/);
  });
});

describe('XRaySidecar attaches under the task definition', () => {
  test('the log group and policy sit at <taskDefinition>/XRayTracing, the container at <taskDefinition>/XRayTracingAgent', () => {
    const { stack, taskDefinition } = fargateTask();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    expect(sidecar.logGroup.node.path).toBe('TestStack/Task/XRayTracing/LogGroup');
    expect(sidecar.policy.node.path).toBe('TestStack/Task/XRayTracing/Policy');
    expect(sidecar.container.node.path).toBe('TestStack/Task/XRayTracingAgent');
    expect(sidecar.container.containerName).toBe('xray-daemon');
    expect(sidecar.node.path).toBe('TestStack/XRay');
  });

  test('wherever the sidecar is created', () => {
    const { stack, taskDefinition } = fargateTask();
    const elsewhere = new Construct(stack, 'Elsewhere');
    const sidecar = new XRaySidecar(elsewhere, 'XRay', { taskDefinition });
    expect(sidecar.policy.node.path).toBe('TestStack/Task/XRayTracing/Policy');
    expect(sidecar.logGroup.node.path).toBe('TestStack/Task/XRayTracing/LogGroup');
    expect(taskDefinition.node.tryFindChild('XRayTracing')).toBeDefined();
  });

  test('XRaySidecar.of reads the tree: it finds a sidecar made from any scope', () => {
    const { stack, taskDefinition } = fargateTask();
    const sidecar = new XRaySidecar(new Construct(stack, 'Elsewhere'), 'XRay', { taskDefinition });
    expect(XRaySidecar.of(taskDefinition)).toBe(sidecar);
  });

  test('the task definition DependsOn the X-Ray policy', () => {
    const { stack, taskDefinition } = fargateTask();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    const policyId = logicalIdOf(sidecar.policy);
    expect(policyId).toMatch(/^TaskXRayTracingPolicy/);
    Template.fromStack(stack).hasResource('AWS::ECS::TaskDefinition', { DependsOn: Match.arrayWith([policyId]) });
  });

  test('orderAfterIam makes another resource wait for the policy too', () => {
    const { stack, taskDefinition } = fargateTask();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    const role = new iam.Role(stack, 'Runner', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
    sidecar.orderAfterIam(role);
    Template.fromStack(stack).hasResource('AWS::IAM::Role', { DependsOn: [logicalIdOf(sidecar.policy)] });
  });

  test('throws for a second sidecar made from another scope, naming both', () => {
    const { stack, taskDefinition } = fargateTask();
    new XRaySidecar(stack, 'XRay', { taskDefinition });
    const other = new Construct(stack, 'Other');
    expectError(() => new XRaySidecar(other, 'XRay', { taskDefinition }), {
      path: 'TestStack/Other/XRay',
      prop: 'taskDefinition',
      says: ['TestStack/Task', 'already has an XRaySidecar (TestStack/XRay)'],
      fix: 'XRaySidecar.of(taskDefinition)',
    });
  });
});

describe('tokens end to end', () => {
  test('XRaySidecar cpu and memoryReservationMiB as tokens reach the template as Refs', () => {
    // GIVEN
    const { app, stack, taskDefinition } = fargateTask();
    const cpu = new CfnParameter(stack, 'AgentCpu', { type: 'Number' }).valueAsNumber;
    const memoryReservationMiB = new CfnParameter(stack, 'AgentMemory', { type: 'Number' }).valueAsNumber;
    // WHEN
    new XRaySidecar(stack, 'XRay', { taskDefinition, cpu, memoryReservationMiB });
    // THEN
    expect(() => app.synth()).not.toThrow();
    const agent = containerDefs(stack).find((d) => d.Name === 'xray-daemon')!;
    expect(agent.Cpu).toEqual({ Ref: 'AgentCpu' });
    expect(agent.MemoryReservation).toEqual({ Ref: 'AgentMemory' });
    expect(JSON.stringify(agent)).not.toMatch(/e\+|-1\.8/);
  });
});

describe('no silent overwrite', () => {
  function withEnvironment(environment: Record<string, string>) {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    const appContainer = taskDefinition.addContainer('App', { image: IMAGE, memoryLimitMiB: 512, environment });
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    return { stack, appContainer, sidecar };
  }

  test('throws when the container already sets XRAY_SAMPLING_RATE to another value, naming the variable and both values', () => {
    const { appContainer, sidecar } = withEnvironment({ XRAY_SAMPLING_RATE: '0.5' });
    expectError(() => sidecar.instrument(appContainer, { serviceName: 's', samplingRate: 0.1 }), {
      path: 'TestStack/XRay',
      says: ['container App already sets tracing variables', 'XRAY_SAMPLING_RATE is "0.5", tracing would set "0.1"'],
      fix: ['remove them from the container', 'set the same values'],
    });
  });

  test('an equal value is fine and kept once', () => {
    const { stack, appContainer, sidecar } = withEnvironment({ XRAY_SAMPLING_RATE: '0.1' });
    sidecar.instrument(appContainer, { serviceName: 's', samplingRate: 0.1 });
    const app = containerDefs(stack).find((d) => d.Name === 'App')!;
    expect(app.Environment.filter((kv: { Name: string }) => kv.Name === 'XRAY_SAMPLING_RATE')).toEqual([{ Name: 'XRAY_SAMPLING_RATE', Value: '0.1' }]);
    expect(envOf(app).AWS_XRAY_DAEMON_ADDRESS).toBe('127.0.0.1:2000');
  });
});

describe('defaults readable from every jsii language', () => {
  test('XRayAgent.DEFAULT_DAEMON_VERSION is the daemon image tag in the template', () => {
    const { stack, taskDefinition } = fargateTask();
    new XRaySidecar(stack, 'XRay', { taskDefinition });
    const agent = containerDefs(stack).find((d) => d.Name === XRaySidecar.DEFAULT_CONTAINER_NAME)!;
    expect(agent.Image).toBe(`${XRayAgent.DAEMON_REPOSITORY}:${XRayAgent.DEFAULT_DAEMON_VERSION}`);
    expect(String(agent.Image).split(':').pop()).toBe(XRayAgent.DEFAULT_DAEMON_VERSION);
  });

  test('XRaySidecar.DEFAULT_CONTAINER_NAME is the agent container\'s name', () => {
    const { stack, taskDefinition } = fargateTask();
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    expect(XRaySidecar.DEFAULT_CONTAINER_NAME).toBe('xray-daemon');
    expect(sidecar.container.containerName).toBe(XRaySidecar.DEFAULT_CONTAINER_NAME);
    expect(containerDefs(stack).map((d) => d.Name)).toContain(XRaySidecar.DEFAULT_CONTAINER_NAME);
  });

  test('one name per fact (issue 27): the sidecar and host-agent modules export classes, enums and types, no module-level constants', () => {
    const constants = Object.entries({ ...sidecarModule, ...hostAgentModule })
      .filter(([, value]) => typeof value !== 'function' && !isStringEnum(value))
      .map(([name]) => name);
    expect(constants).toEqual([]);
    expect(XRayAgent.OTLP_GRPC_PORT).toBe(4317);
    expect(XRayAgent.OTLP_HTTP_PORT).toBe(4318);
  });
});

/** A TypeScript string enum as compiled: an object whose values are all strings (`AgentReadiness`). */
function isStringEnum(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}
