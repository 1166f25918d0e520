import { Annotations, ArnFormat, Lazy, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { adotCollectorTraceConfigYaml } from './private/agent-adot';
import { cloudWatchAgentTraceConfig } from './private/agent-cloudwatch';
import { DAEMON_END_OF_SUPPORT_DATE, DAEMON_MAINTENANCE_DATE, noteDaemonEndOfLife } from './private/agent-end-of-life';
import { parseDottedVersion, pinnedImageReference, validateMinimumVersion, validateTagPrefix } from './private/agent-versions';
import {
  ADOT_REPOSITORY, AGENT_ACTIONS, AGENT_OTLP_GRPC_PORT, AGENT_OTLP_HTTP_PORT, AGENT_PORT, CLOUDWATCH_REPOSITORY, DAEMON_REPOSITORY,
} from '../core/agent-facts';
import {
  annotationLimitNote, indexedAnnotationKeys, MAX_ANNOTATIONS_PER_TRACE, validateAnnotationKey, validateKeyList,
} from '../core/annotation-keys';
import { fail } from '../core/errors';
import { validateBoolean } from '../core/validation-tracing';
import { WARNINGS } from '../core/warnings';

/** The span attributes the ADOT collector always deletes (`XRayAgent.DEFAULT_REDACTED_ATTRIBUTES`). */
const DEFAULT_REDACTED_ATTRIBUTES: readonly string[] = ['aws.auth.account.access_key'];

/** The environment variable through which the CloudWatch agent takes its JSON configuration. */
const CLOUDWATCH_AGENT_CONFIG_VARIABLE = 'CW_CONFIG_CONTENT';

/** The environment variable through which the ADOT collector takes its YAML configuration. */
const ADOT_COLLECTOR_CONFIG_VARIABLE = 'AOT_CONFIG_CONTENT';

/** The log group the CloudWatch agent writes Application Signals data to. */
const APPLICATION_SIGNALS_LOG_GROUP = '/aws/application-signals/data';

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

  /**
   * The hard memory limit (MiB) the agent gets when the user sets none, capped at the task's memory.
   * @default - twice `defaultMemoryReservationMiB`
   */
  readonly defaultMemoryLimitMiB?: number;

  /**
   * The numeric user the agent runs as: the image's own non-root user, or root (`0`) for the
   * CloudWatch agent, whose image has no other user.
   */
  readonly user: string;

  /**
   * Whether the agent runs with a read-only root filesystem (false for the CloudWatch agent, which
   * writes its translated configuration inside the image at start-up).
   */
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

  /**
   * Whether the agent collects CloudWatch Application Signals: it listens for the ADOT SDKs'
   * Application Signals OTLP on 4316 as well, and auto-instrumented apps send there.
   * @default false
   */
  readonly applicationSignals?: boolean;

  /**
   * The agent container's health check command (exec form, e.g. `['CMD', '/healthcheck']`), for
   * an image that ships a check binary.
   * @default - no health check (the image has no shell and no check binary)
   */
  readonly healthCheckCommand?: string[];

  /**
   * IAM statements the task role needs beyond the X-Ray actions, each scoped to its resources.
   * @default - none
   */
  readonly additionalStatements?: iam.PolicyStatement[];

  /**
   * Why the wildcards in `additionalStatements`' resources (e.g. a log group's `:*` streams) are
   * acknowledged to cdk-nag; without it they are not.
   * @default - not acknowledged
   */
  readonly additionalStatementsNagReason?: string;
}

/** Options of the X-Ray daemon agent. */
export interface DaemonAgentOptions {
  /**
   * The daemon version (image tag) to run, e.g. `3.6.6`; or `3.6.6@sha256:...`, or the digest alone
   * (`sha256:...`). Never `latest`. Checked against the registries' tag grammar.
   * @default XRayAgent.DEFAULT_DAEMON_VERSION
   */
  readonly version?: string;

  /**
   * The image repository, e.g. a pull-through cache or a private mirror of the daemon image.
   * @default XRayAgent.DAEMON_REPOSITORY
   */
  readonly repository?: string;

  /**
   * Whether synthesis notes (an INFO annotation) the daemon's maintenance mode and end of support,
   * from `XRayAgent.DAEMON_MAINTENANCE_DATE` on (today by the clock, or the cdk context key `xray:now`).
   * @default - the cdk context key `xray:daemonEndOfLifeNotice` (`true` or `false`), else true
   */
  readonly endOfLifeNotice?: boolean;
}

/** Options of the CloudWatch agent. */
export interface CloudWatchAgentOptions {
  /**
   * The CloudWatch agent version (image tag) to run: 1.300025.0 or later (the first that collects
   * traces), e.g. `1.300071.0b1720`. Never `latest`. Append the digest to pin the image by
   * content: `1.300071.0b1720@sha256:...`, or give the digest alone (`sha256:...`).
   * @default XRayAgent.DEFAULT_CLOUDWATCH_AGENT_VERSION
   */
  readonly version?: string;

  /**
   * The image repository, e.g. a pull-through cache or a private mirror of the agent image.
   * @default XRayAgent.CLOUDWATCH_AGENT_REPOSITORY
   */
  readonly repository?: string;

  /**
   * Whether the agent also collects CloudWatch Application Signals: it listens on 4316,
   * auto-instrumented apps send there, and the task role may write the
   * `/aws/application-signals/data` log group. Enable Application Signals once in the account too.
   * @default false
   */
  readonly applicationSignals?: boolean;
}

/** Options of the AWS Distro for OpenTelemetry (ADOT) collector. */
export interface AdotCollectorOptions {
  /**
   * The ADOT collector version (image tag) to run, e.g. `v0.49.0`. Never `latest`. Append the
   * digest to pin the image by content: `v0.49.0@sha256:...`, or give the digest alone (`sha256:...`).
   * @default XRayAgent.DEFAULT_ADOT_COLLECTOR_VERSION
   */
  readonly version?: string;

  /**
   * The image repository, e.g. a pull-through cache or a private mirror of the collector image.
   * @default XRayAgent.ADOT_COLLECTOR_REPOSITORY
   */
  readonly repository?: string;

  /**
   * Span attributes the collector makes X-Ray annotations, besides the annotation keys of the
   * app's trace groups, which it always indexes. Letters, digits and `_`, in dot-separated parts.
   * @default - only the annotation keys of the app's trace groups in this account and Region
   */
  readonly annotationKeys?: string[];

  /**
   * Span attributes the collector deletes before export, besides
   * `XRayAgent.DEFAULT_REDACTED_ATTRIBUTES`, which it always deletes.
   * @default - only XRayAgent.DEFAULT_REDACTED_ATTRIBUTES
   */
  readonly redactAttributes?: string[];
}

/**
 * The tracing agent that runs beside the app: it takes the app's X-Ray segments on UDP 2000 and
 * proxies the SDKs' sampling calls on TCP 2000, so the app contract is the same whichever agent runs.
 */
export abstract class XRayAgent {
  /**
   * The X-Ray daemon version pinned by default (`XRayAgent.daemon()`). Never `latest`: daemon
   * 3.3.0 broke every stack that pulled `latest`.
   */
  public static readonly DEFAULT_DAEMON_VERSION: string = '3.6.6';

  /**
   * The CloudWatch agent version pinned by default (`XRayAgent.cloudWatchAgent()`): agent
   * 1.300071.0, build 1720. Its tags have no `v` prefix and carry the build number.
   */
  public static readonly DEFAULT_CLOUDWATCH_AGENT_VERSION: string = '1.300071.0b1720';

  /** The first CloudWatch agent version that collects X-Ray segments and proxies sampling. */
  public static readonly MINIMUM_CLOUDWATCH_AGENT_VERSION: string = '1.300025.0';

  /** The ADOT collector version pinned by default (`XRayAgent.adotCollector()`). Its tags start with `v`. */
  public static readonly DEFAULT_ADOT_COLLECTOR_VERSION: string = 'v0.49.0';

  /** The X-Ray daemon image repository in Amazon ECR Public. */
  public static readonly DAEMON_REPOSITORY: string = DAEMON_REPOSITORY;

  /** The CloudWatch agent image repository in Amazon ECR Public. */
  public static readonly CLOUDWATCH_AGENT_REPOSITORY: string = CLOUDWATCH_REPOSITORY;

  /** The ADOT collector image repository in Amazon ECR Public. */
  public static readonly ADOT_COLLECTOR_REPOSITORY: string = ADOT_REPOSITORY;

  /** The port on which every agent takes X-Ray segments (UDP) and proxies sampling (TCP): 2000. */
  public static readonly PORT: number = AGENT_PORT;

  /** The port on which the CloudWatch agent and the ADOT collector take OTLP over gRPC: 4317. */
  public static readonly OTLP_GRPC_PORT: number = AGENT_OTLP_GRPC_PORT;

  /** The port on which the CloudWatch agent and the ADOT collector take OTLP over HTTP: 4318. */
  public static readonly OTLP_HTTP_PORT: number = AGENT_OTLP_HTTP_PORT;

  /** The X-Ray actions (on `*`) every agent's task role gets. */
  public static readonly ACTIONS: string[] = [...AGENT_ACTIONS];

  /** The day AWS put the X-Ray daemon in maintenance mode (security fixes only). */
  public static readonly DAEMON_MAINTENANCE_DATE: string = DAEMON_MAINTENANCE_DATE;

  /** The day the X-Ray daemon reaches end of support (no releases after it). */
  public static readonly DAEMON_END_OF_SUPPORT_DATE: string = DAEMON_END_OF_SUPPORT_DATE;

  /**
   * The span attributes the ADOT collector always deletes before export: the access key ID that
   * ADOT's botocore instrumentation records on every AWS SDK span.
   */
  public static readonly DEFAULT_REDACTED_ATTRIBUTES: string[] = [...DEFAULT_REDACTED_ATTRIBUTES];

  /**
   * The AWS X-Ray daemon (the default). In maintenance mode, with end of support on
   * `XRayAgent.DAEMON_END_OF_SUPPORT_DATE`: plan a move to `XRayAgent.cloudWatchAgent()`.
   */
  public static daemon(options: DaemonAgentOptions = {}): XRayAgent {
    refuseApplicationSignals('XRayAgent.daemon', options);
    return new DaemonAgent(options);
  }

  /**
   * The Amazon CloudWatch agent, configured to collect traces only: a drop-in for the daemon (the
   * same ports and X-Ray actions) that also takes OTLP on 4317 and 4318. Runs as root with a
   * writable root filesystem, which its start-up needs. Defaults: cpu 128, 128 MiB (at least 64).
   */
  public static cloudWatchAgent(options: CloudWatchAgentOptions = {}): XRayAgent {
    return new CloudWatchAgent(options);
  }

  /**
   * The AWS Distro for OpenTelemetry (ADOT) collector: the daemon's ports and X-Ray actions plus
   * OTLP on 4317 and 4318; it indexes the trace groups' annotation keys and deletes
   * `XRayAgent.DEFAULT_REDACTED_ATTRIBUTES` before export. Defaults: cpu 256, 512 MiB (at least 128).
   */
  public static adotCollector(options: AdotCollectorOptions = {}): XRayAgent {
    refuseApplicationSignals('XRayAgent.adotCollector', options);
    return new AdotCollectorAgent(options);
  }

  /** The kind of agent: `xray-daemon`, `cloudwatch-agent` or `adot-collector`. */
  public abstract readonly kind: string;

  /** Whether the agent also takes OpenTelemetry (OTLP) on 4317 (gRPC) and 4318 (HTTP). */
  public abstract readonly acceptsOtlp: boolean;

  /** Builds the agent container's configuration for one task definition. */
  public abstract bind(scope: Construct, options: XRayAgentBindOptions): XRayAgentConfig;
}

class DaemonAgent extends XRayAgent {
  public readonly kind = 'xray-daemon';
  public readonly acceptsOtlp = false;
  private readonly imageName: string;
  private readonly endOfLifeNotice?: boolean;

  constructor(options: DaemonAgentOptions) {
    super();
    const version = options.version ?? XRayAgent.DEFAULT_DAEMON_VERSION;
    this.imageName = pinnedImageReference('XRayAgent.daemon', 'the X-Ray daemon image', options.repository ?? DAEMON_REPOSITORY, version);
    this.endOfLifeNotice = options.endOfLifeNotice;
  }

  public bind(scope: Construct, _options: XRayAgentBindOptions): XRayAgentConfig {
    noteDaemonEndOfLife(scope, this.endOfLifeNotice);
    return {
      image: ecs.ContainerImage.fromRegistry(this.imageName),
      imageName: this.imageName,
      // The image's entrypoint already listens on 0.0.0.0:2000 (UDP and TCP); the region is passed
      // as a flag so the container needs no environment variables.
      command: ['--region', Stack.of(scope).region],
      // AWS's ECS guide for the daemon runs it with cpu 32 and 256 MiB (sources:
      // docs/migrating-off-the-daemon.md); the hard limit defaults to twice that.
      defaultCpu: 32,
      defaultMemoryReservationMiB: 256,
      minimumMemoryReservationMiB: 32,
      // The image's own `xray` user (uid 10001); FROM scratch, so numeric.
      user: '10001',
      readonlyRootFilesystem: true,
      actions: [...AGENT_ACTIONS],
      displayName: 'X-Ray daemon',
    };
  }
}

/** `applicationSignals` is a CloudWatch agent option; from JavaScript it can reach the others. */
function refuseApplicationSignals(owner: string, options: object): void {
  if ((options as { applicationSignals?: unknown }).applicationSignals !== undefined) {
    fail(owner,
      `applicationSignals must not be set: only the CloudWatch agent collects Application Signals, got ${JSON.stringify((options as { applicationSignals?: unknown }).applicationSignals)}; ` +
      'use XRayAgent.cloudWatchAgent({ applicationSignals: true })');
  }
}

/** The ports every agent config listens on. */
const LISTEN_PORTS = { xrayPort: AGENT_PORT, otlpGrpcPort: AGENT_OTLP_GRPC_PORT, otlpHttpPort: AGENT_OTLP_HTTP_PORT };

/**
 * Builds the image reference and rejects an invalid or unpinned one. The tag-prefix check only
 * applies to the agent's own public repository, whose tags are known; a mirror may tag as it likes.
 */
function pinnedImageName(
  prop: string, image: string, repository: string | undefined, defaultRepository: string, version: string, tagStartsWithV: boolean, example: string,
): string {
  const imageName = pinnedImageReference(prop, image, repository ?? defaultRepository, version);
  if ((repository ?? defaultRepository) === defaultRepository) {
    validateTagPrefix(prop, 'version', version, tagStartsWithV, example);
  }
  return imageName;
}

class CloudWatchAgent extends XRayAgent {
  public readonly kind = 'cloudwatch-agent';
  public readonly acceptsOtlp = true;
  private readonly imageName: string;
  private readonly applicationSignals: boolean;

  constructor(options: CloudWatchAgentOptions) {
    super();
    validateBoolean('XRayAgent.cloudWatchAgent', 'applicationSignals', options.applicationSignals);
    this.applicationSignals = options.applicationSignals ?? false;
    const version = options.version ?? XRayAgent.DEFAULT_CLOUDWATCH_AGENT_VERSION;
    const prop = 'XRayAgent.cloudWatchAgent';
    this.imageName = pinnedImageName(prop, 'the CloudWatch agent image', options.repository, CLOUDWATCH_REPOSITORY, version, false, XRayAgent.DEFAULT_CLOUDWATCH_AGENT_VERSION);
    validateMinimumVersion(prop, 'version', version, parseDottedVersion(XRayAgent.MINIMUM_CLOUDWATCH_AGENT_VERSION)!,
      '(the first CloudWatch agent that collects X-Ray segments and proxies sampling)');
  }

  public bind(scope: Construct, _options: XRayAgentBindOptions): XRayAgentConfig {
    const stack = Stack.of(scope);
    return {
      image: ecs.ContainerImage.fromRegistry(this.imageName),
      imageName: this.imageName,
      environment: {
        [CLOUDWATCH_AGENT_CONFIG_VARIABLE]: stack.toJsonString(cloudWatchAgentTraceConfig(stack.region, LISTEN_PORTS, this.applicationSignals)),
      },
      // AWS's ECS example gives it cpu 128 and a 64 MiB hard limit: that is the floor here, twice
      // it the reservation (sources: docs/migrating-off-the-daemon.md).
      defaultCpu: 128,
      defaultMemoryReservationMiB: 128,
      minimumMemoryReservationMiB: 64,
      // Its start-up writes the translated configuration and a pid file under the root-owned
      // /opt/aws/amazon-cloudwatch-agent, and the image has no other user.
      user: '0',
      readonlyRootFilesystem: false,
      actions: [...AGENT_ACTIONS],
      acceptsOtlp: true,
      displayName: 'CloudWatch agent',
      ...(this.applicationSignals ? applicationSignalsGrant(stack) : {}),
    };
  }
}

class AdotCollectorAgent extends XRayAgent {
  public readonly kind = 'adot-collector';
  public readonly acceptsOtlp = true;
  private readonly imageName: string;
  private readonly annotationKeys: string[];
  private readonly redactAttributes: string[];

  constructor(options: AdotCollectorOptions) {
    super();
    const call = 'XRayAgent.adotCollector';
    const version = options.version ?? XRayAgent.DEFAULT_ADOT_COLLECTOR_VERSION;
    this.imageName = pinnedImageName(call, 'the ADOT collector image', options.repository, ADOT_REPOSITORY, version, true, XRayAgent.DEFAULT_ADOT_COLLECTOR_VERSION);
    this.annotationKeys = validateKeyList(call, 'annotationKeys', options.annotationKeys, (key) => validateAnnotationKey(call, 'annotationKeys', key));
    this.redactAttributes = [...new Set([...DEFAULT_REDACTED_ATTRIBUTES, ...validateKeyList(call, 'redactAttributes', options.redactAttributes)])];
    const both = this.annotationKeys.filter((k) => this.redactAttributes.includes(k));
    if (both.length > 0) {
      fail(call, `annotationKeys and redactAttributes must not share a key (it would be deleted before it is indexed), got ${both.map((k) => JSON.stringify(k)).join(', ')} in both`);
    }
  }

  public bind(scope: Construct, _options: XRayAgentBindOptions): XRayAgentConfig {
    const region = Stack.of(scope).region;
    // Rendered at synth, not now: the app's trace groups (in any stack, created before or after
    // this agent) are all known then.
    const config = Lazy.string({
      produce: () => adotCollectorTraceConfigYaml(region, LISTEN_PORTS, {
        indexedAttributes: indexedAnnotationKeys(scope, this.annotationKeys),
        redactAttributes: this.redactAttributes,
      }),
    });
    scope.node.addValidation({ validate: () => this.validateKeys(scope) });
    return {
      image: ecs.ContainerImage.fromRegistry(this.imageName),
      imageName: this.imageName,
      // /healthcheck asks the health_check extension the configuration turns on; exec form (no shell).
      healthCheckCommand: ['CMD', '/healthcheck'],
      // The collector takes AOT_CONFIG_CONTENT over its baked-in --config file whenever it is set.
      environment: {
        [ADOT_COLLECTOR_CONFIG_VARIABLE]: config,
      },
      // The collector's own Fargate sidecar template gives it cpu 256 and 512 MiB (sources:
      // docs/migrating-off-the-daemon.md); it idles near 61 MiB, so 128 MiB is the floor.
      defaultCpu: 256,
      defaultMemoryReservationMiB: 512,
      minimumMemoryReservationMiB: 128,
      // The image's own `aoc` user (uid 4317); FROM scratch, so numeric. It writes no file.
      user: '4317',
      readonlyRootFilesystem: true,
      actions: [...AGENT_ACTIONS],
      acceptsOtlp: true,
      displayName: 'ADOT collector',
    };
  }

  /** A group key the collector deletes is an error; more keys than X-Ray keeps per trace, a warning. */
  private validateKeys(scope: Construct): string[] {
    const groupKeys = indexedAnnotationKeys(scope);
    const deleted = groupKeys.filter((k) => this.redactAttributes.includes(k));
    if (deleted.length > 0) {
      return [`redactAttributes of XRayAgent.adotCollector deletes ${deleted.map((k) => JSON.stringify(k)).join(', ')}, ` +
        'which trace groups of this app filter on as annotations: those groups would match no trace; remove it from redactAttributes'];
    }
    const keys = indexedAnnotationKeys(scope, this.annotationKeys);
    if (keys.length > MAX_ANNOTATIONS_PER_TRACE) {
      Annotations.of(scope).addWarningV2(WARNINGS.annotationKeysOverLimit,
        `${annotationLimitNote(keys.length)}Index fewer: drop keys from annotationKeys, or filter the groups on fewer annotations.`);
    }
    return [];
  }
}

/**
 * What the CloudWatch agent needs for Application Signals: write to its one log group (as AWS's
 * narrow Application Signals policy grants, not the managed `CloudWatchAgentServerPolicy`).
 */
function applicationSignalsGrant(stack: Stack): Pick<XRayAgentConfig, 'applicationSignals' | 'additionalStatements' | 'additionalStatementsNagReason'> {
  const logGroupArn = stack.formatArn({
    service: 'logs', resource: 'log-group', resourceName: `${APPLICATION_SIGNALS_LOG_GROUP}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return {
    applicationSignals: true,
    additionalStatements: [new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroupArn],
    })],
    additionalStatementsNagReason:
      `The CloudWatch agent writes Application Signals data to log streams it creates in ${APPLICATION_SIGNALS_LOG_GROUP}: ` +
      'the stream names are not known in advance, so the resource is that one log group\'s streams (:*).',
  };
}
