import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { validatePinnedImage } from '../private/validation';

/** The X-Ray daemon image in Amazon ECR Public (built FROM scratch: no shell, no curl). */
export const XRAY_DAEMON_REPOSITORY = 'public.ecr.aws/xray/aws-xray-daemon';

/**
 * The X-Ray daemon version this release of the library pins by default (released 2026-07-14).
 * Pin your own with `XRayAgent.daemon({ version })`; never `latest` (daemon 3.3.0 broke every
 * stack that pulled `latest`).
 */
export const DEFAULT_XRAY_DAEMON_VERSION = '3.6.6';

/** The port on which every agent takes X-Ray segments (UDP) and proxies sampling calls (TCP). */
export const XRAY_AGENT_PORT = 2000;

/** The X-Ray API actions every agent needs: write traces and read centralized sampling rules. */
export const XRAY_AGENT_ACTIONS: readonly string[] = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:GetSamplingStatisticSummaries',
];

/** What an agent is told when it is attached to a task definition. */
export interface XRayAgentBindOptions {
  /** The task definition the agent container joins. */
  readonly taskDefinition: ecs.TaskDefinition;
}

/** How an agent container is built: what `XRayAgent.bind` returns. */
export interface XRayAgentConfig {
  /** The container image. */
  readonly image: ecs.ContainerImage;

  /** The image name with its pinned tag, e.g. `public.ecr.aws/xray/aws-xray-daemon:3.6.6`. */
  readonly imageName: string;

  /**
   * Arguments appended to the image's entrypoint.
   * @default - none
   */
  readonly command?: string[];

  /**
   * Environment variables of the agent container.
   * @default - none
   */
  readonly environment?: { [name: string]: string };

  /** CPU units the agent gets when the user sets none. */
  readonly defaultCpu: number;

  /** Memory reservation (MiB) the agent gets when the user sets none. */
  readonly defaultMemoryReservationMiB: number;

  /** The smallest memory reservation (MiB) the agent runs with; smaller values are rejected. */
  readonly minimumMemoryReservationMiB: number;

  /** The numeric user the agent runs as (never root). */
  readonly user: string;

  /** Whether the agent runs with a read-only root filesystem. */
  readonly readonlyRootFilesystem: boolean;

  /** IAM actions (on `*`) the task role needs for this agent. */
  readonly actions: string[];

  /**
   * Whether the agent also accepts OpenTelemetry (OTLP) on 4317 (gRPC) and 4318 (HTTP).
   * @default false
   */
  readonly acceptsOtlp?: boolean;

  /** A short, human-readable name of the agent, for messages. */
  readonly displayName: string;
}

/** Options of the X-Ray daemon agent. */
export interface DaemonAgentOptions {
  /**
   * The daemon version (image tag) to run. Never `latest`.
   * @default DEFAULT_XRAY_DAEMON_VERSION
   */
  readonly version?: string;

  /**
   * The image repository, e.g. a pull-through cache or a private mirror of the daemon image.
   * @default XRAY_DAEMON_REPOSITORY
   */
  readonly repository?: string;
}

/**
 * The tracing agent that runs beside the app: it takes the app's X-Ray segments on UDP 2000 and
 * proxies the SDKs' sampling calls on TCP 2000, so the app contract is the same whichever agent runs.
 */
export abstract class XRayAgent {
  /**
   * The AWS X-Ray daemon (the default). In maintenance mode since 2026-02-25, end of support
   * 2027-02-25: plan a move to `XRayAgent.cloudWatchAgent()` or `XRayAgent.adotCollector()`.
   */
  public static daemon(options: DaemonAgentOptions = {}): XRayAgent {
    return new DaemonAgent(options);
  }

  /** The kind of agent: `xray-daemon`, `cloudwatch-agent` or `adot-collector`. */
  public abstract readonly kind: string;

  /** Builds the agent container's configuration for one task definition. */
  public abstract bind(scope: Construct, options: XRayAgentBindOptions): XRayAgentConfig;
}

class DaemonAgent extends XRayAgent {
  public readonly kind = 'xray-daemon';
  private readonly imageName: string;

  constructor(options: DaemonAgentOptions) {
    super();
    const version = options.version ?? DEFAULT_XRAY_DAEMON_VERSION;
    this.imageName = `${options.repository ?? XRAY_DAEMON_REPOSITORY}:${version}`;
    validatePinnedImage('XRayAgent.daemon version', this.imageName);
  }

  public bind(scope: Construct, _options: XRayAgentBindOptions): XRayAgentConfig {
    return {
      image: ecs.ContainerImage.fromRegistry(this.imageName),
      imageName: this.imageName,
      // The image's entrypoint already listens on 0.0.0.0:2000 (UDP and TCP); the region is passed
      // as a flag so the container needs no environment variables.
      command: ['--region', Stack.of(scope).region],
      defaultCpu: 32,
      defaultMemoryReservationMiB: 256,
      minimumMemoryReservationMiB: 32,
      // The image's own `xray` user (uid 10001); FROM scratch, so numeric.
      user: '10001',
      readonlyRootFilesystem: true,
      actions: [...XRAY_AGENT_ACTIONS],
      displayName: 'X-Ray daemon',
    };
  }
}
