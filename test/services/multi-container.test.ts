import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { XRayHostAgent } from '../../src/host-agent/xray-host-agent';
import { SamplingRule } from '../../src/sampling/sampling-rule';
import { TracedEc2Service } from '../../src/services/traced-ec2-service';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { createCluster, createStack } from '../helpers/app';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');

type Json = Record<string, any>;

function containersOf(stack: Stack, td: ecs.TaskDefinition): Json[] {
  const id = stack.getLogicalId(td.node.defaultChild as ecs.CfnTaskDefinition);
  return Template.fromStack(stack).toJSON().Resources[id].Properties.ContainerDefinitions;
}

function env(c: Json): Record<string, string> {
  return Object.fromEntries((c.Environment ?? []).map((kv: { Name: string; Value: string }) => [kv.Name, kv.Value]));
}

/** The recipe in docs/services.md: a second app container of the same task, traced under its own name and rule. */
describe('more than one app container (docs/services.md recipe)', () => {
  test('the second container is traced under its own service name, with its own sampling rule', () => {
    const { stack } = createStack();
    const cluster = createCluster(stack);
    const api = new TracedFargateService(stack, 'Api', { cluster, serviceName: 'orders-api', image: IMAGE, cpu: 1024, memoryLimitMiB: 2048 });
    const worker = api.taskDefinition.addContainer('Worker', { image: IMAGE, memoryLimitMiB: 512, essential: true });
    api.sidecar!.instrument(worker, { serviceName: 'orders-worker', samplingRate: 0.02 });
    new SamplingRule(stack, 'WorkerRule', { serviceName: 'orders-worker', fixedRate: 0.02, priority: 1001, reservoirSize: 0 });

    const containers = containersOf(stack, api.taskDefinition);
    expect(containers.map((c) => c.Name)).toEqual(['app', 'xray-daemon', 'Worker']);
    const [app, , second] = containers;
    expect(env(app)).toMatchObject({ AWS_XRAY_TRACING_NAME: 'orders-api', XRAY_SAMPLING_RATE: '0.1' });
    expect(env(second)).toMatchObject({ AWS_XRAY_TRACING_NAME: 'orders-worker', XRAY_SAMPLING_RATE: '0.02', XRAY_DAEMON_ADDRESS: '127.0.0.1:2000' });
    expect(second.DependsOn).toEqual([{ ContainerName: 'xray-daemon', Condition: 'START' }]);
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::XRay::SamplingRule')).map((r) => r.Properties.SamplingRule);
    expect(rules.map((r) => [r.ServiceName, r.FixedRate]).sort()).toEqual([['orders-api', 0.1], ['orders-worker', 0.02]]);
  });

  test('with a host agent, hostAgent.instrument does the same', () => {
    const { stack } = createStack();
    const cluster = createCluster(stack);
    cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('m6i.large'), minCapacity: 1 });
    const agent = new XRayHostAgent(stack, 'HostAgent', { cluster });
    const api = new TracedEc2Service(stack, 'Api', { cluster, serviceName: 'orders-api', image: IMAGE, networkMode: ecs.NetworkMode.BRIDGE, hostAgent: agent });
    const worker = api.taskDefinition.addContainer('Worker', { image: IMAGE, memoryLimitMiB: 256 });
    agent.instrument(worker, { serviceName: 'orders-worker', samplingRate: 0.02 });
    const second = containersOf(stack, api.taskDefinition)[1];
    expect(env(second)).toMatchObject({ AWS_XRAY_TRACING_NAME: 'orders-worker', XRAY_DAEMON_ADDRESS: '172.17.0.1:2000' });
  });

  test('throws when the second container is instrumented twice', () => {
    const { stack } = createStack();
    const api = new TracedFargateService(stack, 'Api', { cluster: createCluster(stack), serviceName: 'orders-api', image: IMAGE, cpu: 1024, memoryLimitMiB: 2048 });
    const worker = api.taskDefinition.addContainer('Worker', { image: IMAGE, memoryLimitMiB: 512 });
    api.sidecar!.instrument(worker, { serviceName: 'orders-worker' });
    expect(() => api.sidecar!.instrument(worker, { serviceName: 'orders-worker' })).toThrow(
      'TestStack/Api/XRay: container Worker is already instrumented by TestStack/Api/XRay',
    );
  });
});
