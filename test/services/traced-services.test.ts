import { CfnElement, CfnParameter, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { ContextMissingStrategy } from '../../src/core/tracing-options';
import { AfirgenServiceName, AfirgenTracing } from '../../src/presets/afirgen-tracing';
import { TracedEc2Service } from '../../src/services/traced-ec2-service';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { createCluster, createStack, loopbackContract, XRAY_ACTIONS } from '../helpers/app';
import { validateXRayResources } from '../helpers/cfn-schema';
import { expectError } from '../helpers/messages';
import { awsSolutionsFindings, findingsUnder } from '../helpers/nag';

/** The logical id of the L1 behind `construct`. */
function logicalIdOf(construct: { node: { defaultChild?: unknown } }): string {
  const cfn = construct.node.defaultChild as CfnElement;
  return Stack.of(cfn).getLogicalId(cfn);
}

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');

function containers(stack: Stack): Array<Record<string, any>> {
  const defs = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
  expect(defs).toHaveLength(1);
  return defs[0].Properties.ContainerDefinitions;
}
function envOf(def: Record<string, any>): Record<string, string> {
  return Object.fromEntries((def.Environment ?? []).map((kv: { Name: string; Value: string }) => [kv.Name, kv.Value]));
}

function ec2Cluster(stack: Stack, gpu = false): ecs.Cluster {
  const cluster = createCluster(stack);
  cluster.addCapacity('Capacity', {
    instanceType: new ec2.InstanceType(gpu ? 'g5.xlarge' : 'm6i.large'),
    machineImage: ecs.EcsOptimizedImage.amazonLinux2(gpu ? ecs.AmiHardwareType.GPU : ecs.AmiHardwareType.STANDARD),
    minCapacity: 1,
  });
  return cluster;
}

describe('TracedFargateService', () => {
  test('builds service, task with app + agent, env contract, IAM and the service\'s sampling rule', () => {
    // GIVEN
    const { stack } = createStack();
    const cluster = createCluster(stack);
    // WHEN
    const traced = new TracedFargateService(stack, 'Backend', {
      cluster,
      serviceName: 'afirgen-main-backend',
      image: IMAGE,
      containerPort: 8000,
      environment: { MODEL: 'summariser' },
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'afirgen-main-backend',
      LaunchType: 'FARGATE',
      DesiredCount: 1,
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '1024', NetworkMode: 'awsvpc' });
    const defs = containers(stack);
    expect(defs.map((d) => d.Name)).toEqual(['app', 'xray-daemon']);
    const app = defs[0];
    expect(app.PortMappings).toEqual([{ ContainerPort: 8000, Protocol: 'tcp' }]);
    expect(envOf(app)).toEqual({
      MODEL: 'summariser',
      ...loopbackContract('afirgen-main-backend'),
    });
    expect(app.DependsOn).toEqual([{ ContainerName: 'xray-daemon', Condition: 'START' }]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: XRAY_ACTIONS, Effect: 'Allow', Resource: '*' }] },
    });
    template.hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ ServiceName: 'afirgen-main-backend', FixedRate: 0.1, ReservoirSize: 1, Priority: 1000, Version: 1 }),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(traced.sidecar).toBeDefined();
    expect(traced.samplingRule).toBeDefined();
    expect(traced.container.containerName).toBe('app');
  });

  test('tracing options reach env and the rule alike', () => {
    const { stack } = createStack();
    new TracedFargateService(stack, 'Svc', {
      cluster: createCluster(stack),
      serviceName: 'afirgen-asr-ocr-server',
      image: IMAGE,
      tracing: { samplingRate: 0.05, contextMissing: ContextMissingStrategy.RUNTIME_ERROR },
      samplingRule: { priority: 20, reservoirSize: 0, ruleName: 'asr-ocr' },
    });
    expect(envOf(containers(stack)[0])).toMatchObject({ XRAY_SAMPLING_RATE: '0.05', AWS_XRAY_CONTEXT_MISSING: 'RUNTIME_ERROR' });
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ RuleName: 'asr-ocr', FixedRate: 0.05, ReservoirSize: 0, Priority: 20 }),
    });
  });

  test('the sampling rule can be switched off', () => {
    const { stack } = createStack();
    const traced = new TracedFargateService(stack, 'Svc', {
      cluster: createCluster(stack), serviceName: 's', image: IMAGE, samplingRule: { enabled: false },
    });
    Template.fromStack(stack).resourceCountIs('AWS::XRay::SamplingRule', 0);
    expect(traced.samplingRule).toBeUndefined();
    expect(traced.sidecar).toBeDefined();
  });

  test('tracing.enabled false: app told tracing is off, no sidecar, no rule, no grant', () => {
    const { stack } = createStack();
    const traced = new TracedFargateService(stack, 'Svc', {
      cluster: createCluster(stack), serviceName: 's', image: IMAGE, tracing: { enabled: false },
    });
    const defs = containers(stack);
    expect(defs.map((d) => d.Name)).toEqual(['app']);
    expect(envOf(defs[0])).toMatchObject({ XRAY_ENABLED: 'false', AWS_XRAY_SDK_ENABLED: 'false' });
    expect(envOf(defs[0]).AWS_XRAY_DAEMON_ADDRESS).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::XRay::SamplingRule', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('xray:PutTraceSegments');
    expect(traced.sidecar).toBeUndefined();
  });

  test('works as an ALB target through listener.addTargets', () => {
    const { stack } = createStack();
    const cluster = createCluster(stack);
    const traced = new TracedFargateService(stack, 'Backend', { cluster, serviceName: 'afirgen-main-backend', image: IMAGE, containerPort: 8000 });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc: cluster.vpc, internetFacing: true });
    alb.addListener('Http', { port: 80 }).addTargets('Backend', { port: 8000, targets: [traced.service] });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [{ ContainerName: 'app', ContainerPort: 8000, TargetGroupArn: Match.anyValue() }],
    });
  });

  test('the default size leaves room for the agent; a user size too small throws at synth', () => {
    const { app, stack } = createStack();
    new TracedFargateService(stack, 'Svc', { cluster: createCluster(stack), serviceName: 's', image: IMAGE, cpu: 256, memoryLimitMiB: 512 });
    expect(() => app.synth()).not.toThrow();

    const other = createStack();
    expectError(() => new TracedFargateService(other.stack, 'Svc', {
      cluster: createCluster(other.stack), serviceName: 's', image: IMAGE, cpu: 256, memoryLimitMiB: 4096,
    }), {
      path: 'TestStack/Svc', prop: 'memoryLimitMiB', value: 4096, allowed: 'with cpu 256 memory must be 512, 1024, 2048 MiB',
    });
  });

  test('an expected traffic figure adds a cost estimate; over budget it is a warning', () => {
    const { stack } = createStack();
    const cluster = createCluster(stack);
    new TracedFargateService(stack, 'Cheap', {
      cluster,
      serviceName: 'cheap',
      image: IMAGE,
      expectedRequestsPerMonth: 10_000_000,
      samplingRule: { reservoirSize: 0 },
    });
    new TracedFargateService(stack, 'Dear', {
      cluster,
      serviceName: 'dear',
      image: IMAGE,
      expectedRequestsPerMonth: 10_000_000,
      tracing: { samplingRate: 1 },
      samplingRule: { reservoirSize: 0 },
      monthlyBudgetUsd: 10,
    });
    const annotations = Annotations.fromStack(stack);
    // X-Ray charges plus the daemon's 32 cpu / 256 MiB for the one task ($1.73 a Fargate task-month)
    annotations.hasInfo('/TestStack/Cheap', Match.stringLikeRegexp('estimated tracing cost: \\$6\\.23/month: X-Ray \\$4\\.50 for 1,000,000 traces'));
    annotations.hasWarning('/TestStack/Dear',
      'estimated tracing cost: $51.23/month: X-Ray $49.50 for 10,000,000 traces recorded of 10,000,000 requests (sampling rate 1, reservoir 0/s) ' +
      '+ agent compute $1.73 for 1 task (xray-daemon cpu 32, 256 MiB in each; Fargate X86_64, us-east-1 list prices, 730 hours) ' +
      'is over the monthly budget of $10.00: lower the sampling rate or the reservoir, or the agent\'s cpu / memoryReservationMiB ' +
      '[ack: @cdk-xray-ecs/cost:overBudget]');
    annotations.hasNoWarning('/TestStack/Cheap', Match.anyValue());
  });
});

describe('TracedEc2Service', () => {
  test('awsvpc by default, loopback address, memory limit on the app', () => {
    const { stack } = createStack();
    new TracedEc2Service(stack, 'Svc', { cluster: ec2Cluster(stack), serviceName: 'afirgen-gguf-server', image: IMAGE });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { NetworkMode: 'awsvpc', RequiresCompatibilities: ['EC2'] });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', { LaunchType: 'EC2', ServiceName: 'afirgen-gguf-server' });
    const [app, agent] = containers(stack);
    expect(app.Memory).toBe(512);
    expect(agent.Name).toBe('xray-daemon');
    expect(envOf(app).AWS_XRAY_DAEMON_ADDRESS).toBe('127.0.0.1:2000');
  });

  test('bridge mode with GPUs: link, xray-daemon:2000, GPU requirement', () => {
    const { stack } = createStack();
    new TracedEc2Service(stack, 'Gguf', {
      cluster: ec2Cluster(stack, true),
      serviceName: 'afirgen-gguf-server',
      image: IMAGE,
      networkMode: ecs.NetworkMode.BRIDGE,
      gpuCount: 1,
      memoryLimitMiB: 14336,
      containerPort: 8001,
    });
    const [app] = containers(stack);
    expect(app.Links).toEqual(['xray-daemon:xray-daemon']);
    expect(app.ResourceRequirements).toEqual([{ Type: 'GPU', Value: '1' }]);
    expect(envOf(app)).toMatchObject({ XRAY_DAEMON_ADDRESS: 'xray-daemon:2000', AWS_XRAY_DAEMON_ADDRESS: 'tcp:xray-daemon:2000 udp:xray-daemon:2000' });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { NetworkMode: 'bridge' });
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ ServiceName: 'afirgen-gguf-server', FixedRate: 0.1 }),
    });
  });

  test('host mode uses loopback', () => {
    const { stack } = createStack();
    new TracedEc2Service(stack, 'Svc', { cluster: ec2Cluster(stack), serviceName: 's', image: IMAGE, networkMode: ecs.NetworkMode.HOST });
    expect(envOf(containers(stack)[0]).XRAY_DAEMON_ADDRESS).toBe('127.0.0.1:2000');
  });

  test('throws for a cluster with no EC2 capacity', () => {
    const { stack } = createStack();
    expectError(() => new TracedEc2Service(stack, 'Svc', { cluster: createCluster(stack), serviceName: 's', image: IMAGE }),
      { path: 'TestStack/Svc', prop: 'cluster', says: 'TestStack/Cluster has no EC2 capacity', fix: 'cluster.addCapacity' });
  });

  test('throws for gpuCount below 0', () => {
    const { stack } = createStack();
    expectError(() => new TracedEc2Service(stack, 'Svc', { cluster: ec2Cluster(stack), serviceName: 's', image: IMAGE, gpuCount: -1 }), {
      path: 'TestStack/Svc', prop: 'gpuCount', value: -1, allowed: 'integer 0 or more',
    });
  });

  test('throws for subnets outside awsvpc', () => {
    const { stack } = createStack();
    expectError(() => new TracedEc2Service(stack, 'Svc', {
      cluster: ec2Cluster(stack),
      serviceName: 's',
      image: IMAGE,
      networkMode: ecs.NetworkMode.BRIDGE,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    }), {
      path: 'TestStack/Svc', prop: 'vpcSubnets', allowed: 'networkMode awsvpc', says: ['securityGroups', 'networkMode bridge'],
    });
  });
});

describe('Traced services bad input', () => {
  function fargate(extra: Record<string, unknown>) {
    const { stack } = createStack();
    return () => new TracedFargateService(stack, 'Svc', { cluster: createCluster(stack), serviceName: 's', image: IMAGE, ...extra });
  }
  test('throws for desiredCount below 0', () => {
    expectError(fargate({ desiredCount: -1 }), { path: 'TestStack/Svc', prop: 'desiredCount', value: -1, allowed: 'integer 0 or more' });
  });
  test.each([[0], [65536], [80.5]])('throws for containerPort %p', (containerPort) => {
    expectError(fargate({ containerPort }), {
      path: 'TestStack/Svc', prop: 'containerPort', value: containerPort, allowed: 'integer from 1 to 65535',
    });
  });
  test('throws for a serviceName X-Ray rejects', () => {
    expectError(fargate({ serviceName: 'bad*name' }), {
      path: 'TestStack/Svc',
      prop: 'serviceName',
      value: 'bad*name',
      allowed: ['letters, numbers, whitespace and _ . : / % & # = + \\ - @', '"*" is not allowed'],
    });
  });
  test('throws for a serviceName longer than a sampling rule matches', () => {
    expect(fargate({ serviceName: 'a'.repeat(65) })).toThrow(/^TestStack\/Svc: serviceName must have 1 to 64 characters, got "a{65}" \(65 characters\)$/);
  });
  test('throws for an empty serviceName', () => {
    expectError(fargate({ serviceName: '' }), {
      path: 'TestStack/Svc', prop: 'serviceName', value: '', allowed: ['1 to 64 characters', '(0 characters)'],
    });
  });
  test('throws for a sampling rate outside 0..1', () => {
    expectError(fargate({ tracing: { samplingRate: 2 } }), {
      path: 'TestStack/Svc', prop: 'tracing.samplingRate', value: 2, allowed: 'number from 0 to 1',
    });
  });
  test('throws for a contract variable in environment', () => {
    expectError(fargate({ environment: { AWS_XRAY_DAEMON_ADDRESS: '10.0.0.1:2000' } }), {
      path: 'TestStack/Svc',
      prop: 'environment',
      value: '10.0.0.1:2000',
      allowed: 'not set AWS_XRAY_DAEMON_ADDRESS',
      says: 'the tracing contract sets it',
    });
  });
  test('throws for a budget without traffic', () => {
    expectError(fargate({ monthlyBudgetUsd: 5 }),
      { path: 'TestStack/Svc', prop: 'monthlyBudgetUsd', value: 5, allowed: 'needs expectedRequestsPerMonth' });
  });
  test('throws for sidecar sizes the agent rejects', () => {
    // the sidecar's own path: the service's sidecar is TestStack/Svc/XRay
    expectError(fargate({ sidecar: { memoryReservationMiB: 8 } }), {
      path: 'TestStack/Svc/XRay', prop: 'memoryReservationMiB', value: 8, allowed: 'at least 32 for the X-Ray daemon',
    });
  });
});

describe('Traced services and their checks', () => {
  test('cdk-nag AwsSolutions: nothing under the constructs beyond the acknowledged IAM5', () => {
    const { stack } = createStack();
    const fargate = new TracedFargateService(stack, 'Backend', { cluster: createCluster(stack), serviceName: 'b', image: IMAGE });
    const other = createStack();
    const ec2svc = new TracedEc2Service(other.stack, 'Gguf', {
      cluster: ec2Cluster(other.stack, true), serviceName: 'g', image: IMAGE, networkMode: ecs.NetworkMode.BRIDGE, gpuCount: 1,
    });
    expect(findingsUnder(awsSolutionsFindings(stack), fargate.node.path)).toEqual([]);
    expect(findingsUnder(awsSolutionsFindings(other.stack), ec2svc.node.path)).toEqual([]);
  });

  test('sampling rules validate against the CloudFormation registry schema', () => {
    const { stack } = createStack();
    const cluster = createCluster(stack);
    new TracedFargateService(stack, 'A', { cluster, serviceName: 'afirgen-main-backend', image: IMAGE });
    new TracedFargateService(stack, 'B', { cluster, serviceName: 'afirgen-asr-ocr-server', image: IMAGE, tracing: { samplingRate: 0 } });
    expect(validateXRayResources(Template.fromStack(stack).toJSON())).toEqual({ checked: 2, problems: [] });
  });
});

describe('Traced services with every agent', () => {
  const agents: Array<[string, () => XRayAgent]> = [
    ['xray-daemon', () => XRayAgent.daemon()],
    ['cloudwatch-agent', () => XRayAgent.cloudWatchAgent()],
    ['adot-collector', () => XRayAgent.adotCollector()],
  ];

  test.each(agents)('%s: TracedFargateService keeps the app contract and fits its default size', (kind, agent) => {
    const { app, stack } = createStack();
    const traced = new TracedFargateService(stack, 'Svc', {
      cluster: createCluster(stack), serviceName: 'afirgen-main-backend', image: IMAGE, sidecar: { agent: agent() },
    });
    expect(() => app.synth()).not.toThrow();
    expect(traced.sidecar!.agent.kind).toBe(kind);
    const env = envOf(containers(stack)[0]);
    expect(env).toMatchObject({
      XRAY_ENABLED: 'true',
      XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
      AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
      AWS_XRAY_TRACING_NAME: 'afirgen-main-backend',
      XRAY_SAMPLING_RATE: '0.1',
    });
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(kind === 'xray-daemon' ? undefined : 'http://127.0.0.1:4318');
  });

  test.each(agents)('%s: TracedEc2Service in bridge mode links the app to the agent', (_kind, agent) => {
    const { stack } = createStack();
    new TracedEc2Service(stack, 'Svc', {
      cluster: ec2Cluster(stack),
      serviceName: 'afirgen-gguf-server',
      image: IMAGE,
      networkMode: ecs.NetworkMode.BRIDGE,
      sidecar: { agent: agent() },
    });
    const [appDef] = containers(stack);
    expect(appDef.Links).toEqual(['xray-daemon:xray-daemon']);
    expect(envOf(appDef).AWS_XRAY_DAEMON_ADDRESS).toBe('tcp:xray-daemon:2000 udp:xray-daemon:2000');
  });
});

describe('Traced services deployment settings', () => {
  test('Fargate starts new tasks before stopping old ones; EC2 keeps ECS\'s 50 % for single-GPU fleets', () => {
    const { stack } = createStack();
    new TracedFargateService(stack, 'F', { cluster: createCluster(stack), serviceName: 'f', image: IMAGE });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 100, MaximumPercent: 200 }),
    });
    const other = createStack();
    new TracedEc2Service(other.stack, 'E', { cluster: ec2Cluster(other.stack), serviceName: 'e', image: IMAGE });
    Template.fromStack(other.stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 50, MaximumPercent: 200 }),
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('throws for minHealthyPercent above 100', () => {
    const { stack } = createStack();
    expectError(
      () => new TracedFargateService(stack, 'F', { cluster: createCluster(stack), serviceName: 'f', image: IMAGE, minHealthyPercent: 150 }),
      {
        path: 'TestStack/F', prop: 'minHealthyPercent', value: 150, allowed: 'integer from 0 to 100',
      },
    );
  });
});

describe('Traced services: names and sizes ECS would reject (found by fuzzing)', () => {
  function fargate(extra: Record<string, unknown>) {
    const { stack } = createStack();
    return () => new TracedFargateService(stack, 'Svc', { cluster: createCluster(stack), serviceName: 's', image: IMAGE, ...extra });
  }
  test('throws for a serviceName that cannot also be the ECS service name', () => {
    expectError(fargate({ serviceName: 'afirgen.main-backend' }), {
      path: 'TestStack/Svc',
      prop: 'serviceName',
      value: 'afirgen.main-backend',
      allowed: ['letters, digits, _ and - when it is also the ECS service name', '"." is not allowed'],
      fix: 'set ecsServiceName',
    });
  });
  test('an X-Ray name with dots works with its own ecsServiceName', () => {
    const { stack } = createStack();
    new TracedFargateService(stack, 'Svc', { cluster: createCluster(stack), serviceName: 'afirgen.main-backend', ecsServiceName: 'main-backend', image: IMAGE });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', { ServiceName: 'main-backend' });
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', { SamplingRule: Match.objectLike({ ServiceName: 'afirgen.main-backend' }) });
  });
  test('throws for an ecsServiceName ECS rejects', () => {
    expectError(fargate({ ecsServiceName: 'main backend' }), {
      path: 'TestStack/Svc', prop: 'ecsServiceName', value: 'main backend', allowed: ['letters, digits, _ and -', '" " is not allowed'],
    });
  });
  test.each([[Number.NaN], [Number.POSITIVE_INFINITY], [-15]])('throws for cpu %p', (cpu) => {
    expectError(fargate({ cpu }), { path: 'TestStack/Svc', prop: 'cpu', value: cpu, allowed: 'integer 1 or more' });
  });
  test('throws for a Fargate size Fargate does not run even with tracing off', () => {
    expectError(fargate({ cpu: 2048, memoryLimitMiB: 129992, tracing: { enabled: false } }),
      { path: 'TestStack/Svc', prop: 'memoryLimitMiB', value: 129992, allowed: 'with cpu 2048 memory must be 4096 to 16384 MiB in steps of 1024' });
  });
});

describe('traced services attach the agent under their task definition', () => {
  test.each([
    ['TracedFargateService', (stack: Stack) => new TracedFargateService(stack, 'Svc', { cluster: createCluster(stack), serviceName: 's', image: IMAGE })],
    ['TracedEc2Service', (stack: Stack) => new TracedEc2Service(stack, 'Svc', { cluster: ec2Cluster(stack), serviceName: 's', image: IMAGE })],
  ])('%s: log group and policy at <taskDefinition>/XRayTracing, the container at <taskDefinition>/XRayTracingAgent', (_name, make) => {
    const { stack } = createStack();
    const traced = make(stack);
    const sidecar = traced.sidecar!;
    expect(sidecar.node.path).toBe('TestStack/Svc/XRay');
    expect(sidecar.logGroup.node.path).toBe('TestStack/Svc/TaskDefinition/XRayTracing/LogGroup');
    expect(sidecar.policy.node.path).toBe('TestStack/Svc/TaskDefinition/XRayTracing/Policy');
    expect(sidecar.container.node.path).toBe('TestStack/Svc/TaskDefinition/XRayTracingAgent');
    expect(XRaySidecar.of(traced.taskDefinition)).toBe(sidecar);
  });

  test.each([
    ['TracedFargateService', (stack: Stack) => new TracedFargateService(stack, 'Svc', { cluster: createCluster(stack), serviceName: 's', image: IMAGE })],
    ['TracedEc2Service', (stack: Stack) => new TracedEc2Service(stack, 'Svc', { cluster: ec2Cluster(stack), serviceName: 's', image: IMAGE })],
  ])('%s: the task definition and the service DependsOn the X-Ray policy', (_name, make) => {
    const { stack } = createStack();
    const traced = make(stack);
    const policyId = logicalIdOf(traced.sidecar!.policy);
    expect(policyId).toMatch(/^SvcTaskDefinitionXRayTracingPolicy/);
    const template = Template.fromStack(stack);
    template.hasResource('AWS::ECS::TaskDefinition', { DependsOn: Match.arrayWith([policyId]) });
    template.hasResource('AWS::ECS::Service', { DependsOn: Match.arrayWith([policyId]) });
  });

  test('the agent has a memory hard limit: 512 MiB for the daemon in the default 1024-MiB task', () => {
    const { stack } = createStack();
    new TracedFargateService(stack, 'Svc', { cluster: createCluster(stack), serviceName: 's', image: IMAGE });
    expect(containers(stack).find((d) => d.Name === 'xray-daemon')).toMatchObject({ MemoryReservation: 256, Memory: 512 });
  });

  test('throws for a second XRaySidecar on a traced service\'s task definition', () => {
    const { stack } = createStack();
    const traced = new TracedFargateService(stack, 'Svc', { cluster: createCluster(stack), serviceName: 's', image: IMAGE });
    expectError(() => new XRaySidecar(stack, 'Extra', { taskDefinition: traced.taskDefinition }), {
      path: 'TestStack/Extra',
      prop: 'taskDefinition',
      says: ['TestStack/Svc/TaskDefinition', 'already has an XRaySidecar (TestStack/Svc/XRay)'],
      fix: 'XRaySidecar.of(taskDefinition)',
    });
  });
});

describe('tokens end to end', () => {
  function envValue(stack: Stack, name: string): unknown {
    const app = containers(stack).find((d) => d.Name === 'app')!;
    return (app.Environment as Array<{ Name: string; Value: unknown }>).find((kv) => kv.Name === name)?.Value;
  }

  function fixedRates(stack: Stack): unknown[] {
    return Object.values(Template.fromStack(stack).findResources('AWS::XRay::SamplingRule'))
      .map((r) => (r.Properties as { SamplingRule: { FixedRate: unknown } }).SamplingRule.FixedRate);
  }

  test('a CfnParameter samplingRate reaches the app\'s XRAY_SAMPLING_RATE and the rule\'s FixedRate as { Ref }', () => {
    // GIVEN
    const { app, stack } = createStack();
    const samplingRate = new CfnParameter(stack, 'Rate', { type: 'Number' }).valueAsNumber;
    // WHEN
    const traced = new TracedFargateService(stack, 'Svc', { cluster: createCluster(stack), serviceName: 's', image: IMAGE, tracing: { samplingRate } });
    // THEN
    expect(() => app.synth()).not.toThrow();
    expect(envValue(stack, 'XRAY_SAMPLING_RATE')).toEqual({ Ref: 'Rate' });
    expect(fixedRates(stack)).toEqual([{ Ref: 'Rate' }]);
    expect(traced.samplingRate).toBe(samplingRate);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/e\+|\$\{Token/);
  });

  test('a Lazy.number samplingRate resolves at synth: "0.2" in the app\'s env, 0.2 in the rule', () => {
    const { app, stack } = createStack();
    const samplingRate = Lazy.number({ produce: () => 0.2 });
    new TracedFargateService(stack, 'Svc', { cluster: createCluster(stack), serviceName: 's', image: IMAGE, tracing: { samplingRate } });
    expect(() => app.synth()).not.toThrow();
    // ECS environment values are strings
    expect(envValue(stack, 'XRAY_SAMPLING_RATE')).toBe('0.2');
    expect(fixedRates(stack)).toEqual([0.2]);
  });

  test('a token rate with expectedRequestsPerMonth gets the notEstimated warning, never garbage numbers', () => {
    // GIVEN
    const { stack } = createStack();
    const samplingRate = new CfnParameter(stack, 'Rate', { type: 'Number' }).valueAsNumber;
    // WHEN
    new TracedFargateService(stack, 'Svc', {
      cluster: createCluster(stack), serviceName: 's', image: IMAGE, tracing: { samplingRate }, expectedRequestsPerMonth: 10_000_000,
    });
    // THEN
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/TestStack/Svc',
      'no X-Ray cost estimate: samplingRate is only known at deploy time (a token); ' +
      'pass numbers to get one, or call XRayCostEstimator.estimate with the values you expect [ack: @cdk-xray-ecs/cost:notEstimated]');
    expect(annotations.findInfo('*', Match.stringLikeRegexp('estimated X-Ray cost'))).toEqual([]);
    const messages = [
      ...annotations.findInfo('*', Match.anyValue()),
      ...annotations.findWarning('*', Match.anyValue()),
      ...annotations.findError('*', Match.anyValue()),
    ].map((m) => String(m.entry.data));
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) expect(message).not.toContain('e+');
  });
});

describe('errors name the construct path', () => {
  test('two TracedFargateServices in one stack: the second one\'s bad samplingRate names the second one', () => {
    const { stack } = createStack();
    const cluster = createCluster(stack);
    new TracedFargateService(stack, 'First', { cluster, serviceName: 'first', image: IMAGE, tracing: { samplingRate: 0.5 } });
    expectError(() => new TracedFargateService(stack, 'Second', { cluster, serviceName: 'second', image: IMAGE, tracing: { samplingRate: 2 } }), {
      path: 'TestStack/Second', prop: 'tracing.samplingRate', value: 2, allowed: 'number from 0 to 1',
    });
  });

  test('a nested service is named by its full path', () => {
    const { stack } = createStack();
    const cluster = createCluster(stack);
    const team = new Construct(stack, 'Team');
    expectError(() => new TracedFargateService(team, 'Api', { cluster, serviceName: 'api', image: IMAGE, desiredCount: -1 }), {
      path: 'TestStack/Team/Api', prop: 'desiredCount', value: -1, allowed: 'integer 0 or more',
    });
  });
});

describe('room for the app', () => {
  test('throws for the ADOT collector\'s default on a 256/512 TracedFargateService, naming its sidecar and task', () => {
    const { stack } = createStack();
    expectError(() => new TracedFargateService(stack, 'Svc', {
      cluster: createCluster(stack), serviceName: 's', image: IMAGE, cpu: 256, memoryLimitMiB: 512, sidecar: { agent: XRayAgent.adotCollector() },
    }), {
      path: 'TestStack/Svc/XRay',
      says: ['TestStack/Svc/TaskDefinition has no room for its app', '256 of the task\'s 256 cpu', '512 MiB of the task\'s 512 MiB memory'],
      fix: ['raise the task\'s cpu / memoryLimitMiB', 'lower the agent\'s cpu / memoryReservationMiB'],
    });
  });
});

describe('existing rule', () => {
  function withPreset() {
    const { app, stack } = createStack();
    const cluster = createCluster(stack);
    const preset = new AfirgenTracing(stack, 'Tracing', { samplingRate: 0.05 });
    return { app, stack, cluster, preset, rule: preset.samplingRuleFor(AfirgenServiceName.MAIN_BACKEND) };
  }

  test('a service using the preset\'s rule creates no rule of its own and tells the app the rule\'s rate', () => {
    // GIVEN
    const { app, stack, cluster, rule } = withPreset();
    // WHEN
    const service = new TracedFargateService(stack, 'Backend', {
      cluster, serviceName: AfirgenServiceName.MAIN_BACKEND, image: IMAGE, samplingRule: { existingRule: rule },
    });
    // THEN
    expect(() => app.synth()).not.toThrow();
    Template.fromStack(stack).resourceCountIs('AWS::XRay::SamplingRule', 3);
    expect(service.node.tryFindChild('SamplingRule')).toBeUndefined();
    expect(envOf(containers(stack)[0]).XRAY_SAMPLING_RATE).toBe('0.05');
    expect(service.samplingRule).toBe(rule);
    expect(service.samplingRate).toBe(0.05);
  });

  test('tracing.samplingRate equal to the rule\'s is fine', () => {
    const { stack, cluster, rule } = withPreset();
    new TracedFargateService(stack, 'Backend', {
      cluster, serviceName: AfirgenServiceName.MAIN_BACKEND, image: IMAGE, tracing: { samplingRate: 0.05 }, samplingRule: { existingRule: rule },
    });
    expect(envOf(containers(stack)[0]).XRAY_SAMPLING_RATE).toBe('0.05');
  });

  test('throws for a rule made for another serviceName', () => {
    const { stack, cluster, rule } = withPreset();
    expectError(() => new TracedFargateService(stack, 'Backend', {
      cluster, serviceName: 'afirgen-frontend', image: IMAGE, samplingRule: { existingRule: rule },
    }), {
      path: 'TestStack/Backend',
      prop: 'samplingRule.existingRule',
      value: 'afirgen-main-backend',
      says: ['TestStack/Tracing/MainBackendRule', '"afirgen-frontend"'],
      fix: ['pass the rule made for "afirgen-frontend"', 'serviceNameFor(...)'],
    });
  });

  test('throws for tracing.samplingRate 0.1 with the rule\'s 0.05', () => {
    const { stack, cluster, rule } = withPreset();
    expectError(() => new TracedFargateService(stack, 'Backend', {
      cluster, serviceName: AfirgenServiceName.MAIN_BACKEND, image: IMAGE, tracing: { samplingRate: 0.1 }, samplingRule: { existingRule: rule },
    }), {
      path: 'TestStack/Backend',
      prop: 'tracing.samplingRate',
      value: 0.1,
      allowed: 'samplingRule.existingRule\'s fixedRate (0.05)',
      fix: 'leave tracing.samplingRate out',
    });
  });

  test.each([
    ['priority', 10],
    ['reservoirSize', 0],
    ['ruleName', 'mine'],
  ])('throws for samplingRule.%s with existingRule', (key, value) => {
    const { stack, cluster, rule } = withPreset();
    expectError(() => new TracedFargateService(stack, 'Backend', {
      cluster, serviceName: AfirgenServiceName.MAIN_BACKEND, image: IMAGE, samplingRule: { existingRule: rule, [key]: value },
    }), {
      path: 'TestStack/Backend', prop: `samplingRule.${key}`, value, allowed: 'not be set with samplingRule.existingRule',
    });
  });

  test('throws for samplingRule.enabled false with existingRule', () => {
    const { stack, cluster, rule } = withPreset();
    expectError(() => new TracedFargateService(stack, 'Backend', {
      cluster, serviceName: AfirgenServiceName.MAIN_BACKEND, image: IMAGE, samplingRule: { existingRule: rule, enabled: false },
    }), {
      path: 'TestStack/Backend', prop: 'samplingRule.enabled', allowed: 'not be false with samplingRule.existingRule', fix: 'leave existingRule out',
    });
  });
});
