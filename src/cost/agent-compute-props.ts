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
   * `EC2` is not estimated (the instance is paid for whatever its containers reserve; the agent
   * takes that much room from it) and adds 0.
   * @default ecs.LaunchType.FARGATE
   */
  readonly launchType?: ecs.LaunchType;
}
