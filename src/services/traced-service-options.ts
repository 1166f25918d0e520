import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { TracingOptions } from '../core/tracing-options';
import { XRayAgent } from '../sidecar/xray-agent';

/** Options of the tracing agent sidecar a traced service adds. */
export interface TracedServiceSidecarOptions {
  /**
   * The tracing agent.
   * @default XRayAgent.daemon()
   */
  readonly agent?: XRayAgent;

  /**
   * CPU units reserved for the agent.
   * @default - the agent's default (32 for the X-Ray daemon)
   */
  readonly cpu?: number;

  /**
   * Memory reservation of the agent, in MiB.
   * @default - the agent's default (256 for the X-Ray daemon)
   */
  readonly memoryReservationMiB?: number;

  /**
   * Whether the task stops when the agent stops.
   * @default false
   */
  readonly essential?: boolean;

  /**
   * Retention of the agent's log group.
   * @default logs.RetentionDays.ONE_WEEK
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Options of the sampling rule a traced service creates for itself. */
export interface TracedServiceSamplingRuleOptions {
  /**
   * Whether to create the rule. Turn it off when the rules are managed elsewhere, e.g. by
   * `AfirgenTracing`.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The rule's priority, 1 (first) to 9999.
   * @default 1000
   */
  readonly priority?: number;

  /**
   * Traces per second recorded before the fixed rate applies (for all tasks of the service together).
   * @default 1
   */
  readonly reservoirSize?: number;

  /**
   * The rule's name.
   * @default - generated, unique, at most 32 characters
   */
  readonly ruleName?: string;
}

/** Properties shared by `TracedFargateService` and `TracedEc2Service`. */
export interface TracedServiceBaseProps {
  /** The ECS cluster to run the service in. */
  readonly cluster: ecs.ICluster;

  /**
   * The X-Ray service name the app records segments under (`AWS_XRAY_TRACING_NAME`) and the
   * sampling rule matches; also the ECS service name unless `ecsServiceName` is set. 1 to 64
   * letters, numbers, whitespace or `_ . : / % & # = + \ - @`.
   */
  readonly serviceName: string;

  /**
   * The ECS service name.
   * @default - `serviceName`
   */
  readonly ecsServiceName?: string;

  /** The app's container image. */
  readonly image: ecs.ContainerImage;

  /**
   * The app container's name.
   * @default 'app'
   */
  readonly containerName?: string;

  /**
   * The port the app listens on (TCP), 1 to 65535.
   * @default - no port mapping
   */
  readonly containerPort?: number;

  /**
   * How many tasks to run.
   * @default 1
   */
  readonly desiredCount?: number;

  /**
   * Environment variables of the app. The tracing variables (`XRAY_*`, `AWS_XRAY_*`, `OTEL_*` the
   * library sets) are not allowed here: set them through `tracing`.
   * @default - none beyond the tracing contract
   */
  readonly environment?: { [name: string]: string };

  /**
   * Secrets exposed to the app as environment variables.
   * @default - none
   */
  readonly secrets?: { [name: string]: ecs.Secret };

  /**
   * Retention of the app's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * How the app is traced. `TracingConfig.fromEnvironment(this)` returns this shape from the
   * runbook's variables and cdk context.
   * @default - enabled, sampling rate 0.1, context missing LOG_ERROR
   */
  readonly tracing?: TracingOptions;

  /**
   * Options of the tracing agent sidecar.
   * @default - the X-Ray daemon with the runbook's sizes
   */
  readonly sidecar?: TracedServiceSidecarOptions;

  /**
   * Options of the service's own X-Ray sampling rule (fixed rate = `tracing.samplingRate`).
   * @default - a rule at priority 1000 with reservoir 1
   */
  readonly samplingRule?: TracedServiceSamplingRuleOptions;

  /**
   * Expected requests a month, to add an info annotation with the estimated X-Ray cost.
   * @default - no estimate
   */
  readonly expectedRequestsPerMonth?: number;

  /**
   * A monthly X-Ray budget in USD: an estimate above it becomes a warning. Needs
   * `expectedRequestsPerMonth`.
   * @default - no budget
   */
  readonly monthlyBudgetUsd?: number;
}
