import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { APP_IMAGE, tracingFindings } from './fixtures';
import { TracedEc2Service } from '../../src/services/traced-ec2-service';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { createCluster, createStack } from '../helpers/app';

describe('XRayTracingChecks over the library\'s own constructs', () => {
  test.each([
    ['the CloudWatch agent', () => XRayAgent.cloudWatchAgent()],
    ['the ADOT collector', () => XRayAgent.adotCollector()],
  ])('traced services with %s: zero findings, Fargate and EC2 bridge', (_what, agent) => {
    const { stack } = createStack();
    const cluster = createCluster(stack);
    cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('m7i.large') });
    new TracedFargateService(stack, 'Api', {
      cluster, serviceName: 'afirgen-main-backend', image: APP_IMAGE, containerPort: 8000, sidecar: { agent: agent() },
    });
    new TracedEc2Service(stack, 'Gguf', {
      cluster,
      serviceName: 'afirgen-gguf-server',
      image: APP_IMAGE,
      containerPort: 8001,
      memoryLimitMiB: 2048,
      networkMode: ecs.NetworkMode.BRIDGE,
      sidecar: { agent: agent() },
    });
    expect(tracingFindings(stack)).toEqual([]);
  });

  test('collector-less (agentless) services, Fargate and EC2 bridge, in subnets with NAT: zero findings (no AgentMissing, no SamplingRuleMissing)', () => {
    const { stack } = createStack();
    const cluster = createCluster(stack);
    cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('m7i.large') });
    new TracedFargateService(stack, 'Api', {
      cluster, serviceName: 'afirgen-main-backend', image: APP_IMAGE, containerPort: 8000, agentless: true, autoInstrumentation: AutoInstrumentation.python(),
    });
    new TracedEc2Service(stack, 'Gguf', {
      cluster,
      serviceName: 'afirgen-gguf-server',
      image: APP_IMAGE,
      memoryLimitMiB: 2048,
      networkMode: ecs.NetworkMode.BRIDGE,
      agentless: true,
      autoInstrumentation: AutoInstrumentation.java(),
    });
    expect(tracingFindings(stack)).toEqual([]);
  });
});
