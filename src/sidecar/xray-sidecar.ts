import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { AutoInstrumentation } from './auto-instrumentation';
import { addTracingPolicy, attachedTracing, attachTracing, checkInstrumentTarget, existingAttachment, requireTaskDefinition } from './private/attachment';
import { autoInstrumentationVariableNames } from './private/auto-instrumentation-env';
import { attachAutoInstrumentation } from './private/auto-instrumentation-init';
import { acknowledgeContractEnvironment, acknowledgeScopedPolicyWildcards, acknowledgeXRayPolicyWildcard } from './private/nag-acknowledgements';
import { XRayAgent, XRayAgentConfig } from './xray-agent';
import { AgentAddress, agentAddress, BRIDGE_AGENT_HOST } from '../core/agent-address';
import { validateAgentArchitecture } from '../core/agent-arch';
import { AGENT_APPLICATION_SIGNALS_PORT, AGENT_CONTAINER_NAME, AGENT_OTLP_GRPC_PORT, AGENT_OTLP_HTTP_PORT, AGENT_PORT } from '../core/agent-facts';
import { warnAnnotationsNotIndexed } from '../core/annotation-keys';
import { applyEnvironment, CONTRACT_VARIABLES, tracingEnvironment } from '../core/env-contract';
import { fail } from '../core/errors';
import { knownNumber } from '../core/numbers';
import { appRoom, containerSizes, cpuFitMessage, taskSize, validateContainersFit, validateFargateSize } from '../core/task-sizing';
import { TracingOptions } from '../core/tracing-options';
import { ECS_NAME_CHARACTER, validateCharacters, validateIntegerInRange, validateLength } from '../core/validation';
import { validateBoolean } from '../core/validation-tracing';
import { WARNINGS } from '../core/warnings';

/** Why spans through the CloudWatch agent carry no annotations: its configuration cannot index or delete attributes. */
const CLOUDWATCH_AGENT_UNINDEXED = {
  reason: 'the CloudWatch agent cannot make span attributes X-Ray annotations (its configuration has no option for it)',
  alternative: 'or use XRayAgent.adotCollector(), which indexes the groups\' keys. The CloudWatch agent cannot delete span attributes either: ' +
    'aws.auth.account.access_key (the access key ID that ADOT\'s botocore instrumentation records on AWS SDK spans) is exported as metadata; ' +
    'the ADOT collector deletes it',
};

/** How an app container is traced: `XRaySidecar.instrument`'s options. */
export interface InstrumentOptions extends TracingOptions {
  /**
   * The X-Ray service name the app records segments under (`AWS_XRAY_TRACING_NAME`), e.g.
   * `orders-api`. 1 to 200 letters, numbers, whitespace or `_ . : / % & # = + \ - @`.
   */
  readonly serviceName: string;

  /**
   * Zero-code tracing with the ADOT agent of the app's language, e.g. `AutoInstrumentation.python()`.
   * Needs an agent that takes OTLP; not added when `enabled` is false. Remove an X-Ray SDK for
   * Node.js or Java from the app (it has no off switch), or every request is traced twice.
   * @default - none: the app traces itself with its own SDK or helper
   */
  readonly autoInstrumentation?: AutoInstrumentation;
}

/** What app containers wait for before they start: the agent started, or reported healthy. */
export enum AgentReadiness {
  /** The agent container has started (ECS condition `START`). */
  STARTED = 'started',
  /** The agent's health check passes (ECS condition `HEALTHY`); only the ADOT collector has one. */
  HEALTHY = 'healthy',
}

/**
 * Everything a caller can set on the tracing agent sidecar. `XRaySidecarProps` adds the task
 * definition; the traced services' `sidecar` prop and `XRayTracingAspect` take exactly these.
 */
export interface XRaySidecarOptions {
  /**
   * The tracing agent to run.
   * @default XRayAgent.daemon()
   */
  readonly agent?: XRayAgent;

  /**
   * CPU units reserved for the agent container, 1 to 10240.
   * @default - the agent's own default: 32 for the X-Ray daemon, 128 for the CloudWatch agent, 256 for the ADOT collector
   */
  readonly cpu?: number;

  /**
   * Soft memory reservation of the agent container, in MiB: at least 32 (daemon), 64 (CloudWatch agent) or 128 (ADOT collector).
   * @default - the agent's own default: 256 for the X-Ray daemon, 128 for the CloudWatch agent, 512 for the ADOT collector
   */
  readonly memoryReservationMiB?: number;

  /**
   * Hard memory limit of the agent container, in MiB: from `memoryReservationMiB` to the task's memory.
   * @default - twice the memory reservation, capped at the task's memory where that is set
   */
  readonly memoryLimitMiB?: number;

  /**
   * Whether the task stops when the agent stops. When false a crashed agent is restarted in place
   * and the app keeps serving (its segments are dropped meanwhile).
   * @default false
   */
  readonly essential?: boolean;

  /**
   * Whether ECS restarts the agent container in place when it exits.
   * @default - true unless `essential` is true (an essential container's exit stops the task)
   */
  readonly enableRestartPolicy?: boolean;

  /**
   * Retention of the agent's own log group. Ignored when `logGroup` is given.
   * @default logs.RetentionDays.ONE_WEEK
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The log group the agent's output goes to.
   * @default - a new log group with `logRetention`, destroyed with the stack
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * Whether the agent's root filesystem is read-only; `true` is an error with the CloudWatch agent,
   * which writes its configuration inside the image at start-up.
   * @default - the agent's own: true for the X-Ray daemon and the ADOT collector, false for the CloudWatch agent
   */
  readonly readonlyRootFilesystem?: boolean;

  /**
   * The agent's container name. In bridge mode apps reach the agent by the link alias
   * `xray-daemon` whatever this is.
   * @default XRaySidecar.DEFAULT_CONTAINER_NAME
   */
  readonly containerName?: string;

  /**
   * What instrumented app containers wait for before they start. `AgentReadiness.HEALTHY` is
   * allowed only for an agent with a health check (the ADOT collector).
   * @default AgentReadiness.STARTED
   */
  readonly agentReady?: AgentReadiness;
}

/** Properties of an {@link XRaySidecar}. */
export interface XRaySidecarProps extends XRaySidecarOptions {
  /** The task definition to add the agent to: Fargate, EC2 (awsvpc, bridge or host) or External. */
  readonly taskDefinition: ecs.TaskDefinition;
}

/** The agent container's construct id: `<taskDefinition>/XRayTracingAgent`. Renaming it replaces deployed resources. */
const AGENT_CONTAINER_ID = 'XRayTracingAgent';

/**
 * The X-Ray tracing agent beside the app containers of one ECS task definition: the agent
 * container with its log group, the task role's X-Ray permissions (the task definition waits for
 * them), and `instrument` to point app containers at the agent. It sits under the task definition
 * (`<taskDefinition>/XRayTracing`), so `XRaySidecar.of(taskDefinition)` finds it; a second one is an error.
 */
export class XRaySidecar extends Construct {
  /** The agent container's default name, and in bridge mode the link alias apps use: `xray-daemon`. */
  public static readonly DEFAULT_CONTAINER_NAME: string = AGENT_CONTAINER_NAME;

  /** The agent log group's default retention. */
  public static readonly DEFAULT_LOG_RETENTION: logs.RetentionDays = logs.RetentionDays.ONE_WEEK;

  /** The sidecar already attached to `taskDefinition`, if any (at most one per task definition). */
  public static of(taskDefinition: ecs.TaskDefinition): XRaySidecar | undefined {
    const tracing = attachedTracing(taskDefinition);
    return tracing instanceof XRaySidecar ? tracing : undefined;
  }

  /** The agent container. */
  public readonly container: ecs.ContainerDefinition;

  /** The task definition this sidecar belongs to. */
  public readonly taskDefinition: ecs.TaskDefinition;

  /** The agent that runs in `container`. */
  public readonly agent: XRayAgent;

  /** The agent's image name, with its pinned tag. */
  public readonly imageName: string;

  /** Where apps in this task send segments: `127.0.0.1:2000` (awsvpc, host) or `xray-daemon:2000` (bridge). */
  public readonly daemonAddress: string;

  /** The SDKs' `AWS_XRAY_DAEMON_ADDRESS` value: the same, or `tcp:xray-daemon:2000 udp:xray-daemon:2000` in bridge mode. */
  public readonly sdkDaemonAddress: string;

  /** The log group the agent writes to. */
  public readonly logGroup: logs.ILogGroup;

  /** The inline policy on the task role with the X-Ray actions. */
  public readonly policy: iam.Policy;

  /** What instrumented app containers wait for: the agent started, or healthy. */
  public readonly agentReady: AgentReadiness;

  private readonly address: AgentAddress;
  private readonly agentConfig: XRayAgentConfig;
  private readonly instrumented = new Set<ecs.ContainerDefinition>();

  constructor(scope: Construct, id: string, props: XRaySidecarProps) {
    super(scope, id);
    const taskDefinition = requireTaskDefinition(this, props.taskDefinition);
    this.taskDefinition = taskDefinition;
    this.address = agentAddress(this, taskDefinition.networkMode, AGENT_PORT);
    this.daemonAddress = this.address.daemonAddress;
    this.sdkDaemonAddress = this.address.sdkDaemonAddress;

    validateIntegerInRange(this, 'cpu', props.cpu, 1, 10240);
    validateIntegerInRange(this, 'memoryReservationMiB', props.memoryReservationMiB, 1);
    validateIntegerInRange(this, 'memoryLimitMiB', props.memoryLimitMiB, 1);
    validateBoolean(this, 'essential', props.essential);
    validateBoolean(this, 'enableRestartPolicy', props.enableRestartPolicy);
    const containerName = props.containerName ?? AGENT_CONTAINER_NAME;
    validateLength(this, 'containerName', containerName, 1, 255);
    validateCharacters(this, 'containerName', containerName, ECS_NAME_CHARACTER, 'letters, digits, _ and -');

    this.agent = props.agent ?? XRayAgent.daemon();
    const config = this.agent.bind(this, { taskDefinition });
    this.agentConfig = config;
    this.imageName = config.imageName;
    validateAgentArchitecture(this, taskDefinition, config.imageName, config.displayName);
    validateBoolean(this, 'readonlyRootFilesystem', props.readonlyRootFilesystem);
    if (props.readonlyRootFilesystem === true && !config.readonlyRootFilesystem) {
      fail(this,
        `readonlyRootFilesystem must not be true for the ${config.displayName}: it writes its translated configuration under ` +
        '/opt/aws/amazon-cloudwatch-agent/etc at start-up and would not start; use XRayAgent.adotCollector() or XRayAgent.daemon() for a read-only agent');
    }
    const readonlyRootFilesystem = props.readonlyRootFilesystem ?? config.readonlyRootFilesystem;

    const cpu = props.cpu ?? config.defaultCpu;
    const memoryReservationMiB = props.memoryReservationMiB ?? config.defaultMemoryReservationMiB;
    const reservation = knownNumber(memoryReservationMiB);
    if (reservation !== undefined && reservation < config.minimumMemoryReservationMiB) {
      fail(this,
        `memoryReservationMiB must be at least ${config.minimumMemoryReservationMiB} for the ${config.displayName}, got ${reservation}`);
    }
    const memoryLimitMiB = props.memoryLimitMiB ?? this.defaultMemoryLimit(config, memoryReservationMiB);
    this.validateMemoryLimit(props.memoryLimitMiB, memoryLimitMiB, memoryReservationMiB);

    const essential = props.essential ?? false;
    const enableRestartPolicy = props.enableRestartPolicy ?? !essential;
    if (essential && props.enableRestartPolicy === true) {
      fail(this, 'enableRestartPolicy must not be true when essential is true: an essential container\'s exit stops the task, so ECS cannot restart it in place');
    }

    this.validateTaskRoom(knownNumber(cpu), reservation);
    this.agentReady = props.agentReady ?? AgentReadiness.STARTED;
    if (this.agentReady !== AgentReadiness.STARTED && this.agentReady !== AgentReadiness.HEALTHY) {
      fail(this, `agentReady must be AgentReadiness.STARTED or AgentReadiness.HEALTHY, got ${JSON.stringify(props.agentReady)}`);
    }
    if (this.agentReady === AgentReadiness.HEALTHY && config.healthCheckCommand === undefined) {
      fail(this,
        `agentReady must not be AgentReadiness.HEALTHY for the ${config.displayName}: its image has no shell and no health check binary, ` +
        'so ECS could never report it HEALTHY; use AgentReadiness.STARTED, or XRayAgent.adotCollector(), whose image ships /healthcheck');
    }

    // As aws-ecs adds a FireLens log router: check, then add under the task definition.
    const existing = XRaySidecar.of(taskDefinition);
    const other = existingAttachment(taskDefinition);
    if (existing === undefined && other !== undefined) {
      fail(this,
        `taskDefinition ${taskDefinition.node.path} is already traced collector-less (${other.node.path}): a task is traced one way, ` +
        'with an agent (XRaySidecar) or collector-less (XRayAgentless), never both');
    }
    if (existing) {
      fail(this,
        `taskDefinition ${taskDefinition.node.path} already has an XRaySidecar (${existing.node.path}); ` +
        'a task needs one agent: use XRaySidecar.of(taskDefinition) to reach it');
    }
    const at = attachTracing(taskDefinition, this);
    this.logGroup = props.logGroup ?? new logs.LogGroup(at, 'LogGroup', {
      retention: props.logRetention ?? XRaySidecar.DEFAULT_LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const portMappings: ecs.PortMapping[] = [
      { containerPort: AGENT_PORT, protocol: ecs.Protocol.UDP },
      { containerPort: AGENT_PORT, protocol: ecs.Protocol.TCP },
    ];
    if (config.acceptsOtlp) {
      portMappings.push(
        { containerPort: AGENT_OTLP_GRPC_PORT, protocol: ecs.Protocol.TCP },
        { containerPort: AGENT_OTLP_HTTP_PORT, protocol: ecs.Protocol.TCP },
      );
    }
    if (config.applicationSignals) {
      portMappings.push({ containerPort: AGENT_APPLICATION_SIGNALS_PORT, protocol: ecs.Protocol.TCP });
    }
    this.container = taskDefinition.addContainer(AGENT_CONTAINER_ID, {
      containerName,
      image: config.image,
      command: config.command,
      environment: config.environment,
      cpu,
      memoryReservationMiB,
      memoryLimitMiB,
      essential,
      user: config.user,
      readonlyRootFilesystem,
      privileged: false,
      portMappings,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: this.agent.kind }),
      enableRestartPolicy,
      restartAttemptPeriod: enableRestartPolicy ? Duration.seconds(60) : undefined,
      healthCheck: config.healthCheckCommand ? {
        command: config.healthCheckCommand,
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(10),
      } : undefined,
    });
    this.policy = addTracingPolicy(at, taskDefinition, [
      new iam.PolicyStatement({ actions: config.actions, resources: ['*'] }),
      ...(config.additionalStatements ?? []),
    ]);
    acknowledgeXRayPolicyWildcard(this.policy);
    if (config.additionalStatements !== undefined && config.additionalStatementsNagReason !== undefined) {
      acknowledgeScopedPolicyWildcards(this.policy, config.additionalStatements, config.additionalStatementsNagReason);
    }

    // One synth-time pass over the final containers: each is rendered once, for the size check
    // and for the ECS2 decision.
    const allowedEnvironment = new Set([...CONTRACT_VARIABLES, ...autoInstrumentationVariableNames(), ...Object.keys(config.environment ?? {})]);
    taskDefinition.node.addValidation({
      validate: () => {
        const containers = containerSizes(taskDefinition);
        acknowledgeContractEnvironment(taskDefinition, containers.flatMap((c) => c.environmentNames), allowedEnvironment);
        return validateContainersFit(taskDefinition, containers);
      },
    });
  }

  /**
   * Traces `container`: sets the `XRAY_*`, `AWS_XRAY_*` (and, for OTLP agents, `OTEL_*`) variables,
   * links it to the agent in bridge mode, and starts it after the agent. A variable the container
   * already sets to a different value is an error.
   */
  public instrument(container: ecs.ContainerDefinition, options: InstrumentOptions): void {
    if (container === this.container) {
      fail(this, `container ${container.containerName} is the tracing agent itself: instrument the app container instead`);
    }
    const auto = checkInstrumentTarget(this, this.instrumented, container, options, 'sidecar (XRaySidecar.of(taskDefinition))');
    if (auto !== undefined && !this.agentConfig.acceptsOtlp) {
      fail(this,
        `autoInstrumentation (${auto.language}) needs an agent that takes OTLP, and the ${this.agentConfig.displayName} takes only X-Ray segments: ` +
        'switch with one line, `agent: XRayAgent.cloudWatchAgent()` (or `XRayAgent.adotCollector()`), in the sidecar options');
    }

    const env = tracingEnvironment({
      serviceName: options.serviceName,
      enabled: options.enabled,
      samplingRate: options.samplingRate,
      contextMissing: options.contextMissing,
      address: this.address,
      otlpHttpPort: this.agentConfig.acceptsOtlp ? AGENT_OTLP_HTTP_PORT : undefined,
      autoInstrumented: auto !== undefined,
    });
    applyEnvironment(this, container, env);
    if (auto !== undefined && (options.enabled ?? true)) {
      this.addAutoInstrumentation(container, auto, options.serviceName);
      if (this.agent.kind === 'cloudwatch-agent') warnAnnotationsNotIndexed(container, CLOUDWATCH_AGENT_UNINDEXED);
    }
    if (this.address.needsLink) {
      container.addLink(this.container, BRIDGE_AGENT_HOST);
    }
    const condition = this.agentReady === AgentReadiness.HEALTHY ? ecs.ContainerDependencyCondition.HEALTHY : ecs.ContainerDependencyCondition.START;
    container.addContainerDependencies({ container: this.container, condition });
    this.instrumented.add(container);
  }

  /** The ADOT agent in the app container, sending to this sidecar; its init container logs to the agent's log group. */
  private addAutoInstrumentation(container: ecs.ContainerDefinition, auto: AutoInstrumentation, serviceName: string): void {
    attachAutoInstrumentation({
      owner: this,
      container,
      auto,
      input: {
        serviceName,
        address: this.address,
        otlpHttpPort: AGENT_OTLP_HTTP_PORT,
        applicationSignals: this.agentConfig.applicationSignals === true,
      },
      logging: (streamPrefix) => ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix }),
    });
  }

  /**
   * Grants `grantee` the X-Ray actions the agent uses (write traces, read sampling rules), on
   * `Resource: *` since X-Ray has no resource-level permissions for them. The task role already
   * has them through `policy`.
   */
  public grant(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: this.agentConfig.actions, resourceArns: ['*'] });
  }

  /**
   * Makes `dependent` (an ECS service, a scheduled task, a custom resource that runs tasks) wait
   * for the agent's IAM policy. The task definition already waits for it; this states it on the
   * dependent too.
   */
  public orderAfterIam(dependent: IConstruct): void {
    dependent.node.addDependency(this.policy);
  }

  /** Twice the reservation, capped at the task's memory where that is known. */
  private defaultMemoryLimit(config: XRayAgentConfig, memoryReservationMiB: number): number | undefined {
    const reservation = knownNumber(memoryReservationMiB);
    if (reservation === undefined) return undefined;
    const wanted = config.defaultMemoryLimitMiB ?? reservation * 2;
    const taskMemory = taskSize(this.taskDefinition).memoryMiB;
    const limit = taskMemory === undefined ? wanted : Math.min(wanted, taskMemory);
    return Math.max(limit, reservation);
  }

  private validateMemoryLimit(given: number | undefined, limit: number | undefined, memoryReservationMiB: number): void {
    const known = knownNumber(limit);
    const reservation = knownNumber(memoryReservationMiB);
    if (given === undefined || known === undefined) return;
    if (reservation !== undefined && known < reservation) {
      fail(this, `memoryLimitMiB must be at least memoryReservationMiB (${reservation}), got ${known}`);
    }
    const taskMemory = taskSize(this.taskDefinition).memoryMiB;
    if (taskMemory !== undefined && known > taskMemory) {
      fail(this, `memoryLimitMiB must be at most the task's memory (${taskMemory} MiB), got ${known}`);
    }
  }

  private validateTaskRoom(agentCpu: number | undefined, agentMemoryMiB: number | undefined): void {
    const td = this.taskDefinition;
    const size = taskSize(td);
    if (td.isFargateCompatible) {
      validateFargateSize(td.node.path, size);
    }
    const room = appRoom(td, agentCpu, agentMemoryMiB);
    if (room.error) fail(this, room.error);
    if (room.warning) Annotations.of(this).addWarningV2(WARNINGS.sidecarAppRoom, room.warning);
    if (size.cpu !== undefined && agentCpu !== undefined) {
      // Before the agent is added (aws-cdk-lib would throw its own, vaguer error): the containers'
      // public cpu is enough here, no rendering needed.
      const others = td.node.children
        .filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition)
        .map((c) => ({ name: c.containerName, cpu: knownNumber(c.cpu) ?? 0 }));
      const sum = others.reduce((a, c) => a + c.cpu, 0) + agentCpu;
      if (sum > size.cpu) {
        const parts = [...others.map((c) => `${c.name} ${c.cpu}`), `agent ${agentCpu}`].join(' + ');
        fail(this, cpuFitMessage(td, sum, parts, size.cpu));
      }
    }
  }
}
