import type * as ecs from 'aws-cdk-lib/aws-ecs';

/** The CPU architecture a task runs on, which sets the Fargate price of its compute. */
export enum ComputeArchitecture {
  /** Linux on x86_64 (Fargate's default). */
  X86_64 = 'X86_64',
  /** Linux on ARM64 (AWS Graviton), about 20 % cheaper on Fargate. */
  ARM64 = 'ARM64',
}

/** What the tracing containers reserve in each task, and how many tasks run. */
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
   * Where the tasks run: Fargate at its list prices, EC2 as a share of `ec2Instance`.
   * @default ecs.LaunchType.FARGATE
   */
  readonly launchType?: ecs.LaunchType;

  /**
   * On EC2: the container instance the agent runs on, to price its share.
   * @default - EC2 is not estimated (adds 0)
   */
  readonly ec2Instance?: XRayEc2InstanceProps;
}

/** An EC2 container instance and its price (the library holds no EC2 prices). */
export interface XRayEc2InstanceProps {
  /** What the instance costs an hour, in US dollars (on-demand, Spot or your savings-plan rate), 0 or more. */
  readonly hourlyPriceUsd: number;

  /** CPU units the instance registers with ECS (1024 per vCPU). */
  readonly cpu: number;

  /** Memory the instance registers with ECS, in MiB. */
  readonly memoryMiB: number;
}
