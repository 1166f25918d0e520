import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ComputeArchitecture, XRayAgent, XRayCostEstimator } from '../../src';
import {
  FARGATE_USD_PER_GB_HOUR_ARM64,
  FARGATE_USD_PER_GB_HOUR_X86_64,
  FARGATE_USD_PER_VCPU_HOUR_ARM64,
  FARGATE_USD_PER_VCPU_HOUR_X86_64,
  HOURS_PER_MONTH,
} from '../../src/cost/pricing';
import { expectError } from '../helpers/messages';

/** No traffic, so the estimate is agent compute alone. */
const NO_TRAFFIC = { requestsPerMonth: 0, samplingRate: 0.1 };

/** The default cpu and memory reservation of an agent, as XRaySidecar would use them. */
function defaults(agent: XRayAgent): { cpu: number; memoryMiB: number } {
  const stack = new Stack();
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 1024, memoryLimitMiB: 2048 });
  const config = agent.bind(stack, { taskDefinition });
  return { cpu: config.defaultCpu, memoryMiB: config.defaultMemoryReservationMiB };
}

describe('XRayCostEstimator.estimate with agentCompute', () => {
  test('0.25 vCPU / 0.5 GB on Fargate x86_64 for one task-month is the price table\'s product, within a cent', () => {
    // GIVEN the price table's product: 730 h x (0.25 vCPU x $/vCPU-h + 0.5 GB x $/GB-h)
    const expected = HOURS_PER_MONTH * (0.25 * FARGATE_USD_PER_VCPU_HOUR_X86_64 + 0.5 * FARGATE_USD_PER_GB_HOUR_X86_64);

    // WHEN
    const estimate = XRayCostEstimator.estimate({ ...NO_TRAFFIC, agentCompute: { cpu: 256, memoryMiB: 512, tasks: 1 } });

    // THEN about $9.01 (the "about $9 a task-month"), all of it agent compute
    expect(Math.abs(estimate.agentComputeCostUsd - expected)).toBeLessThan(0.01);
    expect(estimate.agentComputeCostUsd).toBeCloseTo(9.01, 2);
    expect(estimate.agentComputeEstimated).toBe(true);
    expect(estimate.recordingCostUsd).toBe(0);
    expect(estimate.monthlyCostUsd).toBe(estimate.agentComputeCostUsd);
  });

  test('ARM64 is priced at the Graviton rates, below x86_64', () => {
    const arm = XRayCostEstimator.estimate({
      ...NO_TRAFFIC, agentCompute: { cpu: 256, memoryMiB: 512, tasks: 1, architecture: ComputeArchitecture.ARM64 },
    });
    const x86 = XRayCostEstimator.estimate({ ...NO_TRAFFIC, agentCompute: { cpu: 256, memoryMiB: 512, tasks: 1 } });

    expect(arm.agentComputeCostUsd).toBeCloseTo(HOURS_PER_MONTH * (0.25 * FARGATE_USD_PER_VCPU_HOUR_ARM64 + 0.5 * FARGATE_USD_PER_GB_HOUR_ARM64), 10);
    expect(arm.agentComputeCostUsd).toBeLessThan(x86.agentComputeCostUsd);
  });

  test('scales with tasks: 10 tasks cost 10 times one, 0 tasks cost nothing', () => {
    const one = XRayCostEstimator.estimate({ ...NO_TRAFFIC, agentCompute: { cpu: 32, memoryMiB: 256, tasks: 1 } });
    const ten = XRayCostEstimator.estimate({ ...NO_TRAFFIC, agentCompute: { cpu: 32, memoryMiB: 256, tasks: 10 } });
    const none = XRayCostEstimator.estimate({ ...NO_TRAFFIC, agentCompute: { cpu: 32, memoryMiB: 256, tasks: 0 } });

    expect(one.agentComputeCostUsd).toBeGreaterThan(0);
    expect(ten.agentComputeCostUsd).toBeCloseTo(10 * one.agentComputeCostUsd, 10);
    expect(none.agentComputeCostUsd).toBe(0);
  });

  test('is added to the X-Ray charges in monthlyCostUsd', () => {
    const traffic = { requestsPerMonth: 10_000_000, samplingRate: 0.1, reservoirPerSecond: 0 };
    const xray = XRayCostEstimator.estimate(traffic);
    const both = XRayCostEstimator.estimate({ ...traffic, agentCompute: { cpu: 256, memoryMiB: 512, tasks: 2 } });

    expect(xray.agentComputeCostUsd).toBe(0);
    expect(xray.agentComputeEstimated).toBe(false);
    expect(both.recordingCostUsd).toBeCloseTo(4.5, 10);
    expect(both.monthlyCostUsd).toBeCloseTo(4.5 + both.agentComputeCostUsd, 10);
    expect(both.agentComputeCostUsd).toBeCloseTo(18.02005, 6);
  });

  test('the X-Ray daemon is cheaper than the CloudWatch agent and the ADOT collector at their default reservations', () => {
    const cost = (agent: XRayAgent) =>
      XRayCostEstimator.estimate({ ...NO_TRAFFIC, agentCompute: { ...defaults(agent), tasks: 1 } }).agentComputeCostUsd;

    const daemon = cost(XRayAgent.daemon({ endOfLifeNotice: false }));
    const adot = cost(XRayAgent.adotCollector());
    const cloudWatch = cost(XRayAgent.cloudWatchAgent());

    expect(daemon).toBeLessThan(adot);
    expect(cloudWatch).toBeLessThan(adot);
    // daemon 32 cpu / 256 MiB: 730 x (1/32 x 0.04048 + 0.25 x 0.004445) = $1.73
    expect(daemon).toBeCloseTo(1.73, 2);
  });

  test('EC2 is not estimated: it adds 0 and says so', () => {
    const estimate = XRayCostEstimator.estimate({
      ...NO_TRAFFIC, agentCompute: { cpu: 256, memoryMiB: 512, tasks: 3, launchType: ecs.LaunchType.EC2 },
    });

    expect(estimate.agentComputeCostUsd).toBe(0);
    expect(estimate.agentComputeEstimated).toBe(false);
  });
});

describe('XRayCostEstimator.estimate with agentCompute on EC2 and ec2Instance', () => {
  /** A 2-vCPU instance registering 7,680 MiB, at an example price (not a quote). */
  const INSTANCE = { hourlyPriceUsd: 0.1, cpu: 2048, memoryMiB: 7680 };
  const onEc2 = (cpu: number, memoryMiB: number, tasks: number, ec2Instance: object = INSTANCE) => XRayCostEstimator.estimate({
    ...NO_TRAFFIC, agentCompute: { cpu, memoryMiB, tasks, launchType: ecs.LaunchType.EC2, ec2Instance: ec2Instance as never },
  });

  test('prices the memory share when memory is the larger share: the daemon takes 256/7680 of the instance', () => {
    const estimate = onEc2(32, 256, 1);

    // cpu share 32/2048 = 1.6 %, memory share 256/7680 = 3.3 %: 730 h x $0.10 x 256/7680 = $2.43
    expect(estimate.agentComputeEstimated).toBe(true);
    expect(estimate.agentComputeCostUsd).toBeCloseTo(HOURS_PER_MONTH * 0.1 * (256 / 7680), 10);
    expect(estimate.agentComputeCostUsd).toBeCloseTo(2.43, 2);
    expect(estimate.monthlyCostUsd).toBe(estimate.agentComputeCostUsd);
  });

  test('prices the CPU share when CPU is the larger share', () => {
    expect(onEc2(1024, 128, 1).agentComputeCostUsd).toBeCloseTo(HOURS_PER_MONTH * 0.1 * 0.5, 10);
  });

  test('scales with tasks (instances, for an XRayHostAgent) and with the price; a free instance costs nothing', () => {
    const one = onEc2(32, 256, 1).agentComputeCostUsd;
    expect(onEc2(32, 256, 4).agentComputeCostUsd).toBeCloseTo(4 * one, 10);
    expect(onEc2(32, 256, 1, { ...INSTANCE, hourlyPriceUsd: 0.2 }).agentComputeCostUsd).toBeCloseTo(2 * one, 10);
    expect(onEc2(32, 256, 1, { ...INSTANCE, hourlyPriceUsd: 0 })).toMatchObject({ agentComputeCostUsd: 0, agentComputeEstimated: true });
  });
});

describe('XRayCostEstimator.estimate agentCompute bad input', () => {
  const estimate = (agentCompute: object) =>
    () => XRayCostEstimator.estimate({ ...NO_TRAFFIC, agentCompute: agentCompute as never });

  test('throws on a negative task count', () => {
    expectError(estimate({ cpu: 32, memoryMiB: 256, tasks: -1 }), {
      path: 'XRayCostEstimator.estimate', prop: 'agentCompute.tasks', value: -1, allowed: 'whole number of 0 or more',
    });
  });

  test('throws on a fractional task count', () => {
    expectError(estimate({ cpu: 32, memoryMiB: 256, tasks: 1.5 }), {
      path: 'XRayCostEstimator.estimate', prop: 'agentCompute.tasks', value: 1.5, allowed: 'whole number of 0 or more',
    });
  });

  test('throws on cpu above the largest Fargate task', () => {
    expectError(estimate({ cpu: 20_000, memoryMiB: 256, tasks: 1 }), {
      path: 'XRayCostEstimator.estimate', prop: 'agentCompute.cpu', value: 20000, allowed: 'whole number from 0 to 16384 CPU units on Fargate',
    });
  });

  test('throws on negative cpu on EC2', () => {
    expectError(estimate({ cpu: -8, memoryMiB: 256, tasks: 1, launchType: ecs.LaunchType.EC2 }), {
      path: 'XRayCostEstimator.estimate', prop: 'agentCompute.cpu', value: -8, allowed: 'whole number of 0 or more CPU units',
    });
  });

  test('throws on memory below what ECS gives a container, and above the largest Fargate task', () => {
    expectError(estimate({ cpu: 32, memoryMiB: 4, tasks: 1 }), {
      path: 'XRayCostEstimator.estimate', prop: 'agentCompute.memoryMiB', value: 4, allowed: 'whole number from 6 to 122880 MiB on Fargate',
    });
    expect(estimate({ cpu: 32, memoryMiB: 200_000, tasks: 1 }))
      .toThrow(/agentCompute\.memoryMiB must be a whole number from 6 to 122880 MiB on Fargate .*, got 200000$/);
  });

  test('throws on an unknown architecture', () => {
    expectError(estimate({ cpu: 32, memoryMiB: 256, tasks: 1, architecture: 'RISCV64' }), {
      path: 'XRayCostEstimator.estimate', prop: 'agentCompute.architecture', value: 'RISCV64', allowed: 'X86_64, ARM64',
    });
  });

  test('throws on a launch type with no price (EXTERNAL)', () => {
    expectError(estimate({ cpu: 32, memoryMiB: 256, tasks: 1, launchType: ecs.LaunchType.EXTERNAL }), {
      path: 'XRayCostEstimator.estimate', prop: 'agentCompute.launchType', value: 'EXTERNAL', allowed: 'FARGATE, EC2',
    });
  });

  test('throws on ec2Instance with Fargate', () => {
    expectError(estimate({ cpu: 32, memoryMiB: 256, tasks: 1, ec2Instance: { hourlyPriceUsd: 0.1, cpu: 2048, memoryMiB: 7680 } }), {
      path: 'XRayCostEstimator.estimate',
      prop: 'agentCompute.ec2Instance',
      allowed: 'launchType EC2 only',
      fix: ['remove it', 'set launchType to ecs.LaunchType.EC2'],
    });
  });

  test('throws on an instance price below 0 or not a number, and on instance sizes that are not whole numbers of 1 or more', () => {
    const ec2 = (ec2Instance: object) => estimate({ cpu: 32, memoryMiB: 256, tasks: 1, launchType: ecs.LaunchType.EC2, ec2Instance });
    expectError(ec2({ hourlyPriceUsd: -0.1, cpu: 2048, memoryMiB: 7680 }), {
      path: 'XRayCostEstimator.estimate', prop: 'agentCompute.ec2Instance.hourlyPriceUsd', value: -0.1, allowed: 'number of US dollars of 0 or more',
    });
    expect(ec2({ hourlyPriceUsd: Infinity, cpu: 2048, memoryMiB: 7680 }))
      .toThrow(/agentCompute\.ec2Instance\.hourlyPriceUsd must be a number of US dollars of 0 or more, got Infinity$/);
    expectError(ec2({ hourlyPriceUsd: 0.1, cpu: 0, memoryMiB: 7680 }), {
      path: 'XRayCostEstimator.estimate',
      prop: 'agentCompute.ec2Instance.cpu',
      value: 0,
      allowed: 'whole number of 1 or more CPU units (1024 per vCPU)',
    });
    expectError(ec2({ hourlyPriceUsd: 0.1, cpu: 2048, memoryMiB: 7680.5 }), {
      path: 'XRayCostEstimator.estimate', prop: 'agentCompute.ec2Instance.memoryMiB', value: 7680.5, allowed: 'whole number of 1 or more MiB',
    });
  });

  test('throws when the agent does not fit the instance', () => {
    const ec2Instance = { hourlyPriceUsd: 0.1, cpu: 2048, memoryMiB: 7680 };
    expectError(estimate({ cpu: 32, memoryMiB: 8192, tasks: 1, launchType: ecs.LaunchType.EC2, ec2Instance }), {
      path: 'XRayCostEstimator.estimate',
      prop: 'agentCompute.ec2Instance',
      says: ['the agent\'s cpu 32 and 8192 MiB', 'the instance\'s cpu 2048 and 7680 MiB'],
    });
  });

  test('throws on an instance price that is a token', () => {
    const stack = new Stack();
    const hourlyPriceUsd = new CfnParameter(stack, 'Price', { type: 'Number' }).valueAsNumber;
    const ec2Instance = { hourlyPriceUsd, cpu: 2048, memoryMiB: 7680 };
    expectError(estimate({ cpu: 32, memoryMiB: 256, tasks: 1, launchType: ecs.LaunchType.EC2, ec2Instance }), {
      path: 'XRayCostEstimator.estimate',
      prop: 'agentCompute.ec2Instance.hourlyPriceUsd',
      allowed: 'known at synth time',
      says: 'deploy-time value (token)',
    });
  });

  test('throws on a task count that is a token', () => {
    const stack = new Stack();
    const tasks = new CfnParameter(stack, 'Tasks', { type: 'Number' }).valueAsNumber;
    expectError(estimate({ cpu: 32, memoryMiB: 256, tasks }),
      { path: 'XRayCostEstimator.estimate', prop: 'agentCompute.tasks', allowed: 'known at synth time', says: 'deploy-time value (token)' });
  });
});
