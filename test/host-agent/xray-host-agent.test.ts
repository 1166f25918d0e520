import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { WARNINGS } from '../../src/core/warnings';
import { XRayHostAgent } from '../../src/host-agent/xray-host-agent';
import { TracedEc2Service } from '../../src/services/traced-ec2-service';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { createCluster, createStack } from '../helpers/app';
import { runEcsControls } from '../helpers/cfn-guard';
import { expectError } from '../helpers/messages';
import { awsSolutionsFindings, findingsUnder } from '../helpers/nag';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');

function ec2Cluster(stack: Stack, id = 'Cluster'): ecs.Cluster {
  const cluster = createCluster(stack, id);
  cluster.addCapacity(`${id}Capacity`, { instanceType: new ec2.InstanceType('m6i.large'), minCapacity: 1 });
  return cluster;
}

type Json = Record<string, any>;

function taskDefinitionOf(template: Template, stack: Stack, td: ecs.TaskDefinition): Json {
  const id = stack.getLogicalId(td.node.defaultChild as ecs.CfnTaskDefinition);
  return template.toJSON().Resources[id].Properties;
}

function env(container: Json): Record<string, string> {
  return Object.fromEntries((container.Environment ?? []).map((kv: { Name: string; Value: string }) => [kv.Name, kv.Value]));
}

describe('XRayHostAgent', () => {
  test('a bridge and a host service share one DAEMON agent: no agent container in the apps, the right address in each', () => {
    // GIVEN
    const { stack } = createStack();
    const cluster = ec2Cluster(stack);
    // WHEN
    const agent = new XRayHostAgent(stack, 'HostAgent', { cluster });
    const bridge = new TracedEc2Service(stack, 'Gguf', {
      cluster, serviceName: 'afirgen-gguf-server', image: IMAGE, networkMode: ecs.NetworkMode.BRIDGE, hostAgent: agent,
    });
    const host = new TracedEc2Service(stack, 'Ocr', {
      cluster, serviceName: 'afirgen-asr-ocr-server', image: IMAGE, networkMode: ecs.NetworkMode.HOST, hostAgent: agent,
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', { SchedulingStrategy: 'DAEMON', LaunchType: 'EC2' });
    const agentTask = taskDefinitionOf(template, stack, agent.taskDefinition);
    expect(agentTask.NetworkMode).toBe('host');
    expect(agentTask.ContainerDefinitions).toHaveLength(1);
    expect(agentTask.ContainerDefinitions[0]).toMatchObject({
      Image: `${XRayAgent.DAEMON_REPOSITORY}:${XRayAgent.DEFAULT_DAEMON_VERSION}`,
      Essential: true,
      User: '10001',
      ReadonlyRootFilesystem: true,
      // Host mode: no HostPort means the container port itself on the instance.
      PortMappings: [{ ContainerPort: 2000, Protocol: 'udp' }, { ContainerPort: 2000, Protocol: 'tcp' }],
    });

    const bridgeTask = taskDefinitionOf(template, stack, bridge.taskDefinition);
    expect(bridgeTask.ContainerDefinitions).toHaveLength(1);
    expect(bridgeTask.ContainerDefinitions[0].Links).toBeUndefined();
    expect(bridgeTask.ContainerDefinitions[0].DependsOn).toBeUndefined();
    expect(env(bridgeTask.ContainerDefinitions[0])).toMatchObject({
      XRAY_DAEMON_ADDRESS: '172.17.0.1:2000', AWS_XRAY_DAEMON_ADDRESS: '172.17.0.1:2000', AWS_XRAY_TRACING_NAME: 'afirgen-gguf-server',
    });
    const hostTask = taskDefinitionOf(template, stack, host.taskDefinition);
    expect(hostTask.ContainerDefinitions).toHaveLength(1);
    expect(env(hostTask.ContainerDefinitions[0])).toMatchObject({ XRAY_DAEMON_ADDRESS: '127.0.0.1:2000', AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000' });
    expect(bridge.sidecar).toBeUndefined();

    // X-Ray actions only on the agent's task role; the apps' roles get none.
    const xrayPolicies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('xray:PutTraceSegments'));
    expect(xrayPolicies.map((p) => p.Properties.Roles)).toEqual([[stack.resolve(agent.taskDefinition.taskRole.roleName)]]);
    // Each app's sampling rule still exists, and the apps' services wait for the agent's.
    template.resourceCountIs('AWS::XRay::SamplingRule', 2);
    const services = template.findResources('AWS::ECS::Service');
    const agentServiceId = stack.getLogicalId(agent.service.node.defaultChild as ecs.CfnService);
    const bridgeServiceId = stack.getLogicalId(bridge.service.node.defaultChild as ecs.CfnService);
    expect(services[bridgeServiceId].DependsOn).toEqual(expect.arrayContaining([agentServiceId]));
  });

  test('the agent speaks OTLP from the instance too (ADOT collector)', () => {
    const { stack } = createStack();
    const cluster = ec2Cluster(stack);
    const agent = new XRayHostAgent(stack, 'HostAgent', { cluster, agent: XRayAgent.adotCollector() });
    const app = new TracedEc2Service(stack, 'App', { cluster, serviceName: 'api', image: IMAGE, networkMode: ecs.NetworkMode.BRIDGE, hostAgent: agent });
    const template = Template.fromStack(stack);
    expect(env(taskDefinitionOf(template, stack, app.taskDefinition).ContainerDefinitions[0])).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://172.17.0.1:4318',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://172.17.0.1:2000,polling_interval=300',
    });
  });

  test('instrument traces a hand-built EC2 task (bridge), with a custom bridge gateway', () => {
    const { stack } = createStack();
    const cluster = ec2Cluster(stack);
    const agent = new XRayHostAgent(stack, 'HostAgent', { cluster, bridgeGatewayAddress: '172.18.0.1' });
    const td = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.BRIDGE });
    const worker = td.addContainer('Worker', { image: IMAGE, memoryLimitMiB: 256 });
    agent.instrument(worker, { serviceName: 'worker', samplingRate: 0.05 });
    expect(agent.daemonAddressFor(ecs.NetworkMode.BRIDGE)).toBe('172.18.0.1:2000');
    const container = taskDefinitionOf(Template.fromStack(stack), stack, td).ContainerDefinitions[0];
    expect(env(container)).toMatchObject({ XRAY_DAEMON_ADDRESS: '172.18.0.1:2000', XRAY_SAMPLING_RATE: '0.05', AWS_XRAY_TRACING_NAME: 'worker' });
  });

  test('cdk-nag AwsSolutions: nothing under the host agent', () => {
    const { stack } = createStack();
    const cluster = ec2Cluster(stack);
    const agent = new XRayHostAgent(stack, 'HostAgent', { cluster });
    expect(findingsUnder(awsSolutionsFindings(stack), agent.node.path)).toEqual([]);
  });

  test('Control Tower ECS controls: the agent task fails only CT.ECS.PR.4 (host network mode, which a per-instance agent is)', () => {
    const { stack } = createStack({ env: { account: '111111111111', region: 'eu-west-1' } });
    const cluster = ec2Cluster(stack);
    const agent = new XRayHostAgent(stack, 'HostAgent', { cluster });
    const template = Template.fromStack(stack).toJSON();
    const agentIds = new Set([
      stack.getLogicalId(agent.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition),
      stack.getLogicalId(agent.service.node.defaultChild as ecs.CfnService),
    ]);
    const failed = runEcsControls(template as never)
      .filter((r) => r.outcome === 'FAIL')
      .flatMap((r) => r.violations.filter((v) => agentIds.has(v.logicalId)).map((v) => `${r.control.controlId} ${v.property}`));
    expect([...new Set(failed)]).toEqual(['CT.ECS.PR.4 NetworkMode']);
  });

  test('throws on a cluster with no EC2 capacity', () => {
    const { stack } = createStack();
    const cluster = createCluster(stack);
    expect(() => new XRayHostAgent(stack, 'HostAgent', { cluster })).toThrow(
      'TestStack/HostAgent: cluster TestStack/Cluster has no EC2 capacity for an XRayHostAgent (one agent per EC2 container instance): ' +
      'add it first with cluster.addCapacity(...) or cluster.addAsgCapacityProvider(...); on Fargate use a sidecar',
    );
  });

  test('throws for a second host agent on the same cluster', () => {
    const { stack } = createStack();
    const cluster = ec2Cluster(stack);
    new XRayHostAgent(stack, 'A', { cluster });
    expect(() => new XRayHostAgent(stack, 'B', { cluster })).toThrow(
      'TestStack/B: cluster TestStack/Cluster already has an XRayHostAgent (TestStack/A): one per cluster runs on every instance',
    );
  });

  test('throws for a bridgeGatewayAddress that is not an IPv4 address', () => {
    const { stack } = createStack();
    const cluster = ec2Cluster(stack);
    expect(() => new XRayHostAgent(stack, 'A', { cluster, bridgeGatewayAddress: 'docker0' })).toThrow(
      'TestStack/A: bridgeGatewayAddress must be an IPv4 address such as 172.17.0.1, got "docker0"',
    );
  });

  test('throws for an awsvpc service with hostAgent (the default network mode)', () => {
    const { stack } = createStack();
    const cluster = ec2Cluster(stack);
    const agent = new XRayHostAgent(stack, 'HostAgent', { cluster });
    expect(() => new TracedEc2Service(stack, 'App', { cluster, serviceName: 'api', image: IMAGE, hostAgent: agent })).toThrow(
      'TestStack/App: networkMode awsvpc cannot reach hostAgent: an awsvpc task has its own network interface and loopback, not the instance\'s; ' +
      'set networkMode to ecs.NetworkMode.HOST or ecs.NetworkMode.BRIDGE, or leave hostAgent out to get a sidecar',
    );
  });

  test('throws when instrument is given an awsvpc task, or a Fargate one', () => {
    const { stack } = createStack();
    const cluster = ec2Cluster(stack);
    const agent = new XRayHostAgent(stack, 'HostAgent', { cluster });
    const awsvpc = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.AWS_VPC });
    const c = awsvpc.addContainer('C', { image: IMAGE, memoryLimitMiB: 256 });
    expect(() => agent.instrument(c, { serviceName: 'x' })).toThrow(/^TestStack\/HostAgent: networkMode awsvpc cannot reach an XRayHostAgent/);
    const fargate = new ecs.FargateTaskDefinition(stack, 'F');
    const f = fargate.addContainer('C', { image: IMAGE });
    expect(() => agent.instrument(f, { serviceName: 'x' })).toThrow(
      'TestStack/HostAgent: taskDefinition TestStack/F is not EC2-compatible: an XRayHostAgent runs on EC2 container instances; on Fargate use a sidecar',
    );
  });

  test('throws for hostAgent together with sidecar options', () => {
    const { stack } = createStack();
    const cluster = ec2Cluster(stack);
    const agent = new XRayHostAgent(stack, 'HostAgent', { cluster });
    expectError(() => new TracedEc2Service(stack, 'App', {
      cluster, serviceName: 'api', image: IMAGE, networkMode: ecs.NetworkMode.HOST, hostAgent: agent, sidecar: { cpu: 64 },
    }), {
      path: 'TestStack/App', prop: 'sidecar', value: ['cpu'], allowed: 'not be set with hostAgent', says: 'TestStack/HostAgent',
    });
  });

  test('throws for autoInstrumentation with a host agent (not supported yet), naming the way out', () => {
    const { stack } = createStack();
    const cluster = ec2Cluster(stack);
    const agent = new XRayHostAgent(stack, 'HostAgent', { cluster, agent: XRayAgent.adotCollector() });
    expectError(() => new TracedEc2Service(stack, 'App', {
      cluster, serviceName: 'api', image: IMAGE, networkMode: ecs.NetworkMode.BRIDGE, hostAgent: agent, autoInstrumentation: AutoInstrumentation.python(),
    }), {
      path: 'TestStack/HostAgent',
      prop: 'autoInstrumentation',
      says: ['(python)', 'not supported with an XRayHostAgent'],
      fix: ['sidecar: { agent: XRayAgent.adotCollector() }', 'instrument the app with the ADOT SDK'],
    });
  });

  test('throws for a host agent of another cluster', () => {
    const { stack } = createStack();
    const agent = new XRayHostAgent(stack, 'HostAgent', { cluster: ec2Cluster(stack, 'One') });
    expectError(() => new TracedEc2Service(stack, 'App', {
      cluster: ec2Cluster(stack, 'Two'), serviceName: 'api', image: IMAGE, networkMode: ecs.NetworkMode.HOST, hostAgent: agent,
    }), {
      path: 'TestStack/App', prop: 'hostAgent', says: ['TestStack/HostAgent runs on cluster TestStack/One', 'this service\'s cluster TestStack/Two'],
    });
  });
});

describe('host network mode with sidecars', () => {
  test('two traced host-mode services with sidecars in one cluster are flagged (host port 2000, XRayHostAgent)', () => {
    const { stack } = createStack();
    const cluster = ec2Cluster(stack);
    new TracedEc2Service(stack, 'A', { cluster, serviceName: 'a', image: IMAGE, networkMode: ecs.NetworkMode.HOST });
    new TracedEc2Service(stack, 'B', { cluster, serviceName: 'b', image: IMAGE, networkMode: ecs.NetworkMode.HOST });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('host port 2000'));
    expect(warnings.map((w) => w.id)).toEqual(['/TestStack/B']);
    expect(warnings[0].entry.data).toContain('Run one XRayHostAgent on the cluster and pass it as hostAgent to each.');
    expect(warnings[0].entry.data).toContain(`[ack: ${WARNINGS.hostPortConflict}]`);
  });

  test('one host-mode service, or host-mode services on different clusters, are not flagged', () => {
    const { stack } = createStack();
    new TracedEc2Service(stack, 'A', { cluster: ec2Cluster(stack, 'One'), serviceName: 'a', image: IMAGE, networkMode: ecs.NetworkMode.HOST });
    new TracedEc2Service(stack, 'B', { cluster: ec2Cluster(stack, 'Two'), serviceName: 'b', image: IMAGE, networkMode: ecs.NetworkMode.HOST });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('host port 2000'))).toEqual([]);
  });

  test('throws for a host-mode sidecar on a cluster that has an XRayHostAgent (both bind host port 2000)', () => {
    const { stack } = createStack();
    const cluster = ec2Cluster(stack);
    new XRayHostAgent(stack, 'HostAgent', { cluster });
    expect(() => new TracedEc2Service(stack, 'A', { cluster, serviceName: 'a', image: IMAGE, networkMode: ecs.NetworkMode.HOST })).toThrow(
      'TestStack/A: a host-mode task with its own agent sidecar binds host port 2000, which the cluster\'s XRayHostAgent (TestStack/HostAgent) ' +
      'already holds on every instance: pass hostAgent instead of a sidecar',
    );
  });

  test('throws for a host agent after a host-mode sidecar service on the same cluster', () => {
    const { stack } = createStack();
    const cluster = ec2Cluster(stack);
    new TracedEc2Service(stack, 'A', { cluster, serviceName: 'a', image: IMAGE, networkMode: ecs.NetworkMode.HOST });
    expect(() => new XRayHostAgent(stack, 'HostAgent', { cluster })).toThrow(
      'TestStack/HostAgent: cluster TestStack/Cluster already runs host-mode services with their own agent sidecar on host port 2000 (TestStack/A): ' +
      'give them hostAgent instead of a sidecar',
    );
  });
});
