import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ComputeArchitecture, XRayAgentComputeProps, XRayEc2InstanceProps } from './agent-compute-props';
import {
  CPU_UNITS_PER_VCPU,
  FARGATE_USD_PER_GB_HOUR_ARM64,
  FARGATE_USD_PER_GB_HOUR_X86_64,
  FARGATE_USD_PER_VCPU_HOUR_ARM64,
  FARGATE_USD_PER_VCPU_HOUR_X86_64,
  HOURS_PER_MONTH,
  MIB_PER_GB,
} from './pricing';
import { fail, show } from '../core/errors';
import { requireKnownNumber } from '../core/numbers';

/** The agent-compute part of an estimate. */
export interface AgentComputeEstimate {
  /** US dollars a month; 0 when not estimated. */
  readonly costUsd: number;
  /** Whether it was priced: Fargate, or EC2 with `ec2Instance`; false on EC2 without it. */
  readonly estimated: boolean;
}

const OWNER = 'XRayCostEstimator.estimate';
const AT_SYNTH = '(the estimate is computed at synth time)';

/** The largest Fargate task: 16 vCPU and 120 GiB; a container cannot reserve more. */
const FARGATE_MAX_CPU = 16_384;
const FARGATE_MAX_MEMORY_MIB = 122_880;
/** The least memory ECS gives a container (Docker 20.10 and later reserve 6 MiB). */
const MIN_CONTAINER_MEMORY_MIB = 6;

const PRICES: { [architecture: string]: { vcpuHour: number; gbHour: number } } = {
  [ComputeArchitecture.X86_64]: { vcpuHour: FARGATE_USD_PER_VCPU_HOUR_X86_64, gbHour: FARGATE_USD_PER_GB_HOUR_X86_64 },
  [ComputeArchitecture.ARM64]: { vcpuHour: FARGATE_USD_PER_VCPU_HOUR_ARM64, gbHour: FARGATE_USD_PER_GB_HOUR_ARM64 },
};

const LAUNCH_TYPES: string[] = [ecs.LaunchType.FARGATE, ecs.LaunchType.EC2];

function validateInteger(prop: string, value: number, min: number, max: number, why: string): void {
  const ok = typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
  if (!ok) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of ${min} or more` : `from ${min} to ${max}`;
    fail(OWNER, `${prop} must be a whole number ${range}${why}, got ${show(value)}`);
  }
}

/** The share of an EC2 instance the agent's reservation takes: the larger of its CPU and memory shares. */
function instanceShare(props: XRayAgentComputeProps, instance: XRayEc2InstanceProps): number {
  requireKnownNumber(OWNER, 'agentCompute.ec2Instance.hourlyPriceUsd', instance.hourlyPriceUsd, AT_SYNTH);
  requireKnownNumber(OWNER, 'agentCompute.ec2Instance.cpu', instance.cpu, AT_SYNTH);
  requireKnownNumber(OWNER, 'agentCompute.ec2Instance.memoryMiB', instance.memoryMiB, AT_SYNTH);
  const price = instance.hourlyPriceUsd;
  if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) {
    fail(OWNER, `agentCompute.ec2Instance.hourlyPriceUsd must be a number of US dollars of 0 or more, got ${show(price)}`);
  }
  validateInteger('agentCompute.ec2Instance.cpu', instance.cpu, 1, Number.MAX_SAFE_INTEGER, ' CPU units (1024 per vCPU)');
  validateInteger('agentCompute.ec2Instance.memoryMiB', instance.memoryMiB, 1, Number.MAX_SAFE_INTEGER, ' MiB');
  if (props.cpu > instance.cpu || props.memoryMiB > instance.memoryMiB) {
    fail(OWNER, `the agent's cpu ${props.cpu} and ${props.memoryMiB} MiB do not fit the instance's cpu ${instance.cpu} and ${instance.memoryMiB} MiB ` +
      '(agentCompute.ec2Instance): ECS could never place it there');
  }
  return Math.max(props.cpu / instance.cpu, props.memoryMiB / instance.memoryMiB);
}

/** What the agent's reservation costs a month over `tasks` tasks, at the prices in `pricing.ts` (or `ec2Instance`'s). */
export function estimateAgentCompute(props: XRayAgentComputeProps): AgentComputeEstimate {
  const architecture = props.architecture ?? ComputeArchitecture.X86_64;
  const launchType = props.launchType ?? ecs.LaunchType.FARGATE;
  for (const [prop, value] of [['agentCompute.cpu', props.cpu], ['agentCompute.memoryMiB', props.memoryMiB], ['agentCompute.tasks', props.tasks]] as const) {
    if (value !== undefined) requireKnownNumber(OWNER, prop, value, AT_SYNTH);
  }
  if (!LAUNCH_TYPES.includes(launchType)) {
    fail(OWNER, `agentCompute.launchType must be one of ${LAUNCH_TYPES.join(', ')}, got ${show(launchType)}`);
  }
  const prices = PRICES[architecture];
  if (prices === undefined) {
    fail(OWNER, `agentCompute.architecture must be one of ${Object.keys(PRICES).join(', ')}, got ${show(architecture)}`);
  }
  validateInteger('agentCompute.tasks', props.tasks, 0, Number.MAX_SAFE_INTEGER, '');
  if (launchType === ecs.LaunchType.FARGATE) {
    validateInteger('agentCompute.cpu', props.cpu, 0, FARGATE_MAX_CPU, ' CPU units on Fargate (its largest task has 16 vCPU)');
    validateInteger('agentCompute.memoryMiB', props.memoryMiB, MIN_CONTAINER_MEMORY_MIB, FARGATE_MAX_MEMORY_MIB,
      ' MiB on Fargate (ECS gives a container at least 6 MiB; the largest Fargate task has 120 GiB)');
    if (props.ec2Instance !== undefined) {
      fail(OWNER, 'agentCompute.ec2Instance applies to launchType EC2 only: remove it, or set launchType to ecs.LaunchType.EC2');
    }
  } else {
    validateInteger('agentCompute.cpu', props.cpu, 0, Number.MAX_SAFE_INTEGER, ' CPU units');
    validateInteger('agentCompute.memoryMiB', props.memoryMiB, MIN_CONTAINER_MEMORY_MIB, Number.MAX_SAFE_INTEGER,
      ' MiB (ECS gives a container at least 6 MiB)');
    if (props.ec2Instance === undefined) return { costUsd: 0, estimated: false };
    return { costUsd: props.tasks * HOURS_PER_MONTH * instanceShare(props, props.ec2Instance) * props.ec2Instance.hourlyPriceUsd, estimated: true };
  }
  const perHour = (props.cpu / CPU_UNITS_PER_VCPU) * prices.vcpuHour + (props.memoryMiB / MIB_PER_GB) * prices.gbHour;
  return { costUsd: props.tasks * HOURS_PER_MONTH * perHour, estimated: true };
}
