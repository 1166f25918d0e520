import type * as ecs from 'aws-cdk-lib/aws-ecs';

/** The CPU architecture a task runs on, which sets the Fargate price of its compute. */
export enum ComputeArchitecture {
  /** Linux on x86_64 (Fargate's default). */
  X86_64 = 'X86_64',
  /** Linux on ARM64 (AWS Graviton), about 20 % cheaper on Fargate. */
  ARM64 = 'ARM64',
}

/**
 * What the tracing agent (and any other tracing container, such as an auto-instrumentation init
 * container) reserves in each task, and how many tasks run: the compute part of the tracing bill.
 */
export interface XRayAgentComputeProps {
  /** CPU units the agent reserves in each task (1024 = 1 vCPU), e.g. 32 for the X-Ray daemon. */
  readonly cpu: number;

  /** Memory the agent reserves in each task, in MiB (its `memoryReservationMiB`). */
  readonly memoryMiB: number;

  /** Tasks that run all month, each with its own agent (a service's `desiredCount`). A whole number, 0 or more. */
  readonly tasks: number;

  /**
   * The architecture the tasks run on (the task definition's `runtimePlatform.cpuArchitecture`).
   * @default ComputeArchitecture.X86_64
   */
  readonly architecture?: ComputeArchitecture;

  /**
   * Where the tasks run. `FARGATE` is priced at Fargate's per vCPU-hour and GB-hour list prices.
   * `EC2` is priced as the share of the instance the agent's reservation takes when `ec2Instance`
   * says what the instance is and costs; without it, EC2 is not estimated and adds 0.
   * @default ecs.LaunchType.FARGATE
   */
  readonly launchType?: ecs.LaunchType;

  /**
   * On EC2: the container instance the agent runs on, so that the estimate prices the share of
   * it the agent's reservation takes. For an `XRayHostAgent`, `tasks` is the number of instances
   * (one agent each); for a sidecar, the number of tasks.
   * @default - EC2 is not estimated (adds 0)
   */
  readonly ec2Instance?: XRayEc2InstanceProps;
}

/**
 * An EC2 container instance, for pricing the share of it a tracing agent takes. The library holds
 * no EC2 prices (they vary by instance type, Region and purchase option): give yours.
 */
export interface XRayEc2InstanceProps {
  /** What the instance costs an hour, in US dollars (on-demand, Spot or your savings-plan rate), 0 or more. */
  readonly hourlyPriceUsd: number;

  /**
   * CPU units the instance registers with ECS (1024 per vCPU: 2048 for a 2-vCPU instance). A
   * whole number of 1 or more.
   */
  readonly cpu: number;

  /**
   * Memory the instance registers with ECS, in MiB: less than the instance type's memory (ECS
   * and the operating system keep some). A whole number of 1 or more.
   */
  readonly memoryMiB: number;
}
