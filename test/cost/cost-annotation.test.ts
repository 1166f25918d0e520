import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ComputeArchitecture } from '../../src/cost/agent-compute-props';
import { agentComputeOf, annotateCost } from '../../src/cost/cost-annotation';
import { XRayCostEstimator } from '../../src/cost/cost-estimator';
import { XRayHostAgent } from '../../src/host-agent/xray-host-agent';
import { TracedEc2Service } from '../../src/services/traced-ec2-service';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { createCluster, createStack } from '../helpers/app';
import { expectError } from '../helpers/messages';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');

/** The daemon's 32 cpu / 256 MiB for one Fargate x86_64 task-month. */
const DAEMON_TASK_MONTH = XRayCostEstimator.estimate({
  requestsPerMonth: 0, samplingRate: 0.1, agentCompute: { cpu: 32, memoryMiB: 256, tasks: 1 },
}).agentComputeCostUsd;

/** The one info or warning text at `path`. */
function messagesAt(stack: Stack, path: string): string[] {
  const annotations = Annotations.fromStack(stack);
  return [...annotations.findInfo(path, Match.anyValue()), ...annotations.findWarning(path, Match.anyValue())]
    .map((m) => String(m.entry.data));
}

describe('the services\' cost annotation counts the agent for desiredCount tasks', () => {
  test('4 tasks: four times the daemon\'s task-month beside the X-Ray charges', () => {
    // GIVEN
    const { stack } = createStack();
    new TracedFargateService(stack, 'Svc', {
      cluster: createCluster(stack),
      serviceName: 'svc',
      image: IMAGE,
      desiredCount: 4,
      expectedRequestsPerMonth: 10_000_000,
      samplingRule: { reservoirSize: 0 },
    });

    // THEN X-Ray $4.50 + 4 x $1.73
    const total = 4.5 + 4 * DAEMON_TASK_MONTH;
    expect(messagesAt(stack, '/TestStack/Svc')).toEqual([
      `estimated tracing cost: $${total.toFixed(2)}/month: X-Ray $4.50 for 1,000,000 traces recorded of 10,000,000 requests ` +
      `(sampling rate 0.1, reservoir 0/s) + agent compute $${(4 * DAEMON_TASK_MONTH).toFixed(2)} for 4 tasks ` +
      '(xray-daemon cpu 32, 256 MiB in each; Fargate X86_64, us-east-1 list prices, 730 hours)',
    ]);
  });

  test('an agent that alone is over the budget is the over-budget warning', () => {
    // GIVEN almost no traffic (free tier) but 10 ADOT collectors at 256 cpu / 512 MiB ($9.01 each)
    const { stack } = createStack();
    new TracedFargateService(stack, 'Svc', {
      cluster: createCluster(stack),
      serviceName: 'svc',
      image: IMAGE,
      desiredCount: 10,
      cpu: 1024,
      memoryLimitMiB: 2048,
      sidecar: { agent: XRayAgent.adotCollector() },
      expectedRequestsPerMonth: 1000,
      monthlyBudgetUsd: 50,
    });

    // THEN
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/TestStack/Svc', Match.stringLikeRegexp(
      '^estimated tracing cost: \\$90\\.10/month: X-Ray \\$0\\.00 .* \\+ agent compute \\$90\\.10 for 10 tasks ' +
      '\\(xray-daemon cpu 256, 512 MiB in each; .*\\) is over the monthly budget of \\$50\\.00: .*the agent\'s cpu / memoryReservationMiB'));
  });

  test('on EC2 the agent compute is stated as not estimated and the total is X-Ray alone', () => {
    const { stack } = createStack();
    const cluster = createCluster(stack);
    cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('m6i.large'), minCapacity: 1 });
    new TracedEc2Service(stack, 'Svc', {
      cluster, serviceName: 'svc', image: IMAGE, desiredCount: 2, expectedRequestsPerMonth: 10_000_000, samplingRule: { reservoirSize: 0 },
    });

    expect(messagesAt(stack, '/TestStack/Svc')).toEqual([
      'estimated tracing cost: $4.50/month: X-Ray $4.50 for 1,000,000 traces recorded of 10,000,000 requests (sampling rate 0.1, reservoir 0/s) ' +
      '+ agent compute not estimated on EC2 for 2 tasks (xray-daemon cpu 32, 256 MiB in each; the instances are paid for whatever their containers reserve; ' +
      'costEc2Instance prices it)',
    ]);
  });

  describe('on EC2 with costEc2Instance', () => {
    const INSTANCE = { hourlyPriceUsd: 0.1, cpu: 2048, memoryMiB: 7680 };
    function ec2Service(props: Partial<ConstructorParameters<typeof TracedEc2Service>[2]>): Stack {
      const { stack } = createStack();
      const cluster = createCluster(stack);
      cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('m6i.large'), minCapacity: 1 });
      new TracedEc2Service(stack, 'Svc', { cluster, serviceName: 'svc', image: IMAGE, samplingRule: { reservoirSize: 0 }, ...props });
      return stack;
    }

    test('the agent in each of desiredCount tasks is priced as its share of the instance, and counts against the budget', () => {
      // 2 tasks x 730 h x $0.10 x 256/7680 (the daemon's memory is the larger share) = $4.87
      const compute = 2 * 730 * 0.1 * (256 / 7680);
      const stack = ec2Service({ desiredCount: 2, expectedRequestsPerMonth: 10_000_000, costEc2Instance: INSTANCE, monthlyBudgetUsd: 9 });

      Annotations.fromStack(stack).hasWarning('/TestStack/Svc', `estimated tracing cost: $${(4.5 + compute).toFixed(2)}/month: ` +
        'X-Ray $4.50 for 1,000,000 traces recorded of 10,000,000 requests (sampling rate 0.1, reservoir 0/s) ' +
        `+ agent compute $${compute.toFixed(2)} for 2 tasks (xray-daemon cpu 32, 256 MiB in each; EC2, its share of an instance of cpu 2048, ` +
        '7680 MiB at $0.1/hour, 730 hours) is over the monthly budget of $9.00: lower the sampling rate or the reservoir, or the agent\'s cpu / memoryReservationMiB ' +
        '[ack: @cdk-xray-ecs/cost:overBudget]');
      expect(compute.toFixed(2)).toBe('4.87');
    });

    test('throws without expectedRequestsPerMonth, naming the way to price it alone', () => {
      expect(() => ec2Service({ costEc2Instance: INSTANCE })).toThrow(
        /^TestStack\/Svc: costEc2Instance prices the agent in the cost note of expectedRequestsPerMonth: set expectedRequestsPerMonth too, or price the agent with XRayCostEstimator/);
    });

    test('throws on an instance price below 0 and sizes that are not whole numbers of 1 or more, naming the prop', () => {
      const base = { expectedRequestsPerMonth: 1000 };
      expectError(() => ec2Service({ ...base, costEc2Instance: { ...INSTANCE, hourlyPriceUsd: -1 } }), {
        path: 'TestStack/Svc', prop: 'costEc2Instance.hourlyPriceUsd', value: -1, allowed: 'number from 0 to 9007199254740991 (US dollars an hour)',
      });
      expectError(() => ec2Service({ ...base, costEc2Instance: { ...INSTANCE, cpu: 0.5 } }), {
        path: 'TestStack/Svc', prop: 'costEc2Instance.cpu', value: 0.5, allowed: 'integer 1 or more',
      });
      expectError(() => ec2Service({ ...base, costEc2Instance: { ...INSTANCE, memoryMiB: 0 } }), {
        path: 'TestStack/Svc', prop: 'costEc2Instance.memoryMiB', value: 0, allowed: 'integer 1 or more',
      });
    });

    test('throws with hostAgent (the tasks carry no agent), naming how to price the host agent', () => {
      const { stack } = createStack();
      const cluster = createCluster(stack);
      cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('m6i.large'), minCapacity: 1 });
      const hostAgent = new XRayHostAgent(stack, 'Agent', { cluster });
      expectError(() => new TracedEc2Service(stack, 'Svc', {
        cluster, serviceName: 'svc', image: IMAGE, networkMode: ecs.NetworkMode.BRIDGE, hostAgent, expectedRequestsPerMonth: 1000, costEc2Instance: INSTANCE,
      }), {
        path: 'TestStack/Svc',
        prop: 'costEc2Instance',
        says: 'with hostAgent (TestStack/Agent) the tasks have none',
        fix: 'XRayCostEstimator.estimate({ agentCompute: { ..., tasks: <instances>, ec2Instance } })',
      });
    });

    test('throws when the instance is smaller than the tracing containers of a task', () => {
      expect(() => ec2Service({ expectedRequestsPerMonth: 1000, costEc2Instance: { ...INSTANCE, memoryMiB: 128 } })).toThrow(
        'TestStack/Svc: costEc2Instance (cpu 2048, 128 MiB) is smaller than the tracing containers of each task (cpu 32, 256 MiB): ' +
        'ECS could never place the task there; give the instance ECS registers');
    });

    test('an instance price that is a token gives the not-estimated warning naming it', () => {
      const { stack } = createStack();
      const price = new CfnParameter(stack, 'Price', { type: 'Number' }).valueAsNumber;
      const cluster = createCluster(stack);
      cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('m6i.large'), minCapacity: 1 });
      new TracedEc2Service(stack, 'Svc', {
        cluster, serviceName: 'svc', image: IMAGE, expectedRequestsPerMonth: 1000, costEc2Instance: { ...INSTANCE, hourlyPriceUsd: price },
      });
      Annotations.fromStack(stack).hasWarning('/TestStack/Svc',
        Match.stringLikeRegexp('^no X-Ray cost estimate: costEc2Instance\\.hourlyPriceUsd is only known at deploy time \\(a token\\)'));
    });
  });

  test('a desiredCount that is a token gives the not-estimated warning naming it', () => {
    const { stack } = createStack();
    const count = new CfnParameter(stack, 'Count', { type: 'Number' }).valueAsNumber;
    new TracedFargateService(stack, 'Svc', {
      cluster: createCluster(stack), serviceName: 'svc', image: IMAGE, desiredCount: count, expectedRequestsPerMonth: 1_000_000,
    });

    Annotations.fromStack(stack).hasWarning('/TestStack/Svc',
      Match.stringLikeRegexp('^no X-Ray cost estimate: desiredCount is only known at deploy time \\(a token\\)'));
  });
});

describe('agentComputeOf', () => {
  test('reads the task\'s other containers, its architecture and launch type; an extra reservation (an init container) is added', () => {
    // GIVEN an ARM64 Fargate task with an app and an agent-like container
    const stack = new Stack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', {
      cpu: 512,
      memoryLimitMiB: 1024,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const app = taskDefinition.addContainer('App', { image: IMAGE, memoryLimitMiB: 512 });
    taskDefinition.addContainer('Agent', { containerName: 'agent', image: IMAGE, cpu: 64, memoryReservationMiB: 128, memoryLimitMiB: 256 });

    // WHEN
    const input = agentComputeOf(taskDefinition, app, 3, [{ name: 'init', cpu: 0, memoryMiB: 32 }]);

    // THEN the reservation (not the hard limit) of the agent, plus the init container
    expect(input).toEqual({
      containers: [{ name: 'agent', cpu: 64, memoryMiB: 128 }, { name: 'init', cpu: 0, memoryMiB: 32 }],
      tasks: 3,
      architecture: ComputeArchitecture.ARM64,
      launchType: ecs.LaunchType.FARGATE,
    });
  });

  test('annotateCost sums the containers\' reservations before pricing them', () => {
    const stack = new Stack();
    annotateCost(stack, {
      requestsPerMonth: 0,
      samplingRate: 0.1,
      reservoirPerSecond: 1,
      agentCompute: { containers: [{ name: 'a', cpu: 16, memoryMiB: 128 }, { name: 'b', cpu: 16, memoryMiB: 128 }], tasks: 1 },
    });

    // 32 cpu / 256 MiB in all: the daemon's task-month
    Annotations.fromStack(stack).hasInfo('/Default', Match.stringLikeRegexp(
      `^estimated tracing cost: \\$${DAEMON_TASK_MONTH.toFixed(2).replace('.', '\\.')}/month: .*a cpu 16, 128 MiB \\+ b cpu 16, 128 MiB in each`));
  });
});
