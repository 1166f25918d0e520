import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TracingOptions } from '../core/tracing-options';
import { OTLP_GRPC_PORT, OTLP_HTTP_PORT, XRAY_AGENT_PORT, XRayAgent, XRayAgentConfig } from './xray-agent';
import { CONTRACT_VARIABLES, tracingEnvironment } from '../core/env-contract';
import { acknowledgeContractEnvironment, acknowledgeXRayPolicyWildcard } from './private/nag-acknowledgements';
import { AgentAddress, agentAddress, BRIDGE_AGENT_HOST } from '../core/agent-address';
import { containerSizes, taskSize, validateContainersFit, validateFargateSize } from './private/task-sizing';
import { ECS_NAME_CHARACTER, validateCharacters, validateIntegerInRange, validateLength, validateXRayServiceName } from '../core/validation';
import { validateContextMissing, validateSamplingRate } from '../core/validation-tracing';

/** The container name of the agent (and, in bridge mode, the link alias apps use). */
export const XRAY_SIDECAR_CONTAINER_NAME = 'xray-daemon';

/** How an app container is traced: `XRaySidecar.instrument`'s options. */
export interface InstrumentOptions extends TracingOptions {
  /**
   * The X-Ray service name the app records segments under (`AWS_XRAY_TRACING_NAME`), e.g.
   * `afirgen-main-backend`. 1 to 200 letters, numbers, whitespace or `_ . : / % & # = + \ - @`.
   */
  readonly serviceName: string;
}

/** Properties of an {@link XRaySidecar}. */
export interface XRaySidecarProps {
  /** The task definition to add the agent to: Fargate, EC2 (awsvpc, bridge or host) or External. */
  readonly taskDefinition: ecs.TaskDefinition;

  /**
   * The tracing agent to run.
   * @default XRayAgent.daemon()
   */
  readonly agent?: XRayAgent;

  /**
   * CPU units reserved for the agent container.
   * @default - the agent's own default: 32 for the X-Ray daemon, 128 for the CloudWatch agent, 256 for the ADOT collector
   */
  readonly cpu?: number;

  /**
   * Soft memory reservation of the agent container, in MiB. At least the agent's minimum: 32 for the
   * X-Ray daemon, 64 for the CloudWatch agent, 128 for the ADOT collector.
   * @default - the agent's own default: 256 for the X-Ray daemon, 128 for the CloudWatch agent, 512 for the ADOT collector
   */
  readonly memoryReservationMiB?: number;

  /**
   * Whether the task stops when the agent stops. When false (the default) a crashed agent is
   * restarted by the ECS container restart policy and the app keeps serving meanwhile (its
   * segments are dropped until the agent is back; the SDKs never block on the agent).
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
   * The agent's container name. In bridge mode apps reach the agent by the link alias
   * `xray-daemon` whatever this is.
   * @default 'xray-daemon'
   */
  readonly containerName?: string;
}

const SIDECARS = new WeakMap<ecs.TaskDefinition, XRaySidecar>();

/**
 * The X-Ray tracing agent beside the app containers of one ECS task definition.
 *
 * It adds the agent container (pinned image; non-root with a read-only root filesystem wherever the
 * agent's image allows it, which all but the CloudWatch agent do; its own log group; port 2000 UDP
 * for segments and TCP for the sampling proxy, plus 4317/4318 TCP for agents that take OTLP), gives
 * the task role exactly the X-Ray permissions the agent needs, and, through `instrument`, tells
 * each app container where the agent is.
 *
 * Start-up order: `instrument` makes the app container depend on the agent with condition
 * `START`, so ECS starts the agent first. There is no health check on purpose: the X-Ray daemon
 * image is built FROM scratch and has no shell, so a `CMD-SHELL` check could never pass. The SDKs
 * send segments over UDP and never block on the agent, so an app that starts first loses at most
 * the first segments.
 */
export class XRaySidecar extends Construct {
  /** The sidecar already attached to `taskDefinition`, if any (at most one per task definition). */
  public static of(taskDefinition: ecs.TaskDefinition): XRaySidecar | undefined {
    return SIDECARS.get(taskDefinition);
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

  private readonly address: AgentAddress;
  private readonly agentConfig: XRayAgentConfig;
  private readonly instrumented = new Set<ecs.ContainerDefinition>();

  constructor(scope: Construct, id: string, props: XRaySidecarProps) {
    super(scope, id);
    const taskDefinition = props.taskDefinition;
    const existing = SIDECARS.get(taskDefinition);
    if (existing) {
      throw new Error(
        `taskDefinition ${taskDefinition.node.path} already has an XRaySidecar (${existing.node.path}); ` +
        'a task needs one agent: use XRaySidecar.of(taskDefinition) to reach it',
      );
    }
    this.taskDefinition = taskDefinition;
    this.address = agentAddress(taskDefinition.networkMode, XRAY_AGENT_PORT);
    this.daemonAddress = this.address.daemonAddress;
    this.sdkDaemonAddress = this.address.sdkDaemonAddress;

    this.agent = props.agent ?? XRayAgent.daemon();
    const config = this.agent.bind(this, { taskDefinition });
    this.agentConfig = config;
    this.imageName = config.imageName;

    const cpu = props.cpu ?? config.defaultCpu;
    const memoryReservationMiB = props.memoryReservationMiB ?? config.defaultMemoryReservationMiB;
    validateIntegerInRange('cpu', cpu, 1, 10240);
    validateIntegerInRange('memoryReservationMiB', memoryReservationMiB, 1);
    if (memoryReservationMiB < config.minimumMemoryReservationMiB) {
      throw new Error(
        `memoryReservationMiB must be at least ${config.minimumMemoryReservationMiB} for the ${config.displayName}, got ${memoryReservationMiB}`,
      );
    }
    const containerName = props.containerName ?? XRAY_SIDECAR_CONTAINER_NAME;
    validateLength('containerName', containerName, 1, 255);
    validateCharacters('containerName', containerName, ECS_NAME_CHARACTER, 'letters, digits, _ and -');

    const essential = props.essential ?? false;
    const enableRestartPolicy = props.enableRestartPolicy ?? !essential;

    this.validateTaskRoom(cpu);

    this.logGroup = props.logGroup ?? new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const portMappings: ecs.PortMapping[] = [
      { containerPort: XRAY_AGENT_PORT, protocol: ecs.Protocol.UDP },
      { containerPort: XRAY_AGENT_PORT, protocol: ecs.Protocol.TCP },
    ];
    if (config.acceptsOtlp) {
      portMappings.push(
        { containerPort: OTLP_GRPC_PORT, protocol: ecs.Protocol.TCP },
        { containerPort: OTLP_HTTP_PORT, protocol: ecs.Protocol.TCP },
      );
    }

    this.container = taskDefinition.addContainer(`${id}Agent`, {
      containerName,
      image: config.image,
      command: config.command,
      environment: config.environment,
      cpu,
      memoryReservationMiB,
      essential,
      user: config.user,
      readonlyRootFilesystem: config.readonlyRootFilesystem,
      privileged: false,
      portMappings,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: this.agent.kind }),
      enableRestartPolicy,
      restartAttemptPeriod: enableRestartPolicy ? Duration.seconds(60) : undefined,
    });

    this.policy = new iam.Policy(this, 'Policy', {
      statements: [new iam.PolicyStatement({ actions: config.actions, resources: ['*'] })],
    });
    this.policy.attachToRole(taskDefinition.taskRole);
    acknowledgeXRayPolicyWildcard(this.policy);

    // One synth-time pass over the final containers: each is rendered once, for the size check
    // and for the ECS2 decision.
    const allowedEnvironment = new Set([...CONTRACT_VARIABLES, ...Object.keys(config.environment ?? {})]);
    taskDefinition.node.addValidation({
      validate: () => {
        const containers = containerSizes(taskDefinition);
        acknowledgeContractEnvironment(taskDefinition, containers.flatMap((c) => c.environmentNames), allowedEnvironment);
        return validateContainersFit(taskDefinition, containers);
      },
    });
    SIDECARS.set(taskDefinition, this);
  }

  /**
   * Traces `container`: sets the runbook's `XRAY_*` variables and the SDKs' `AWS_XRAY_*` ones
   * (and OpenTelemetry's, for agents that speak OTLP), links it to the agent in bridge mode, and
   * makes it start after the agent.
   */
  public instrument(container: ecs.ContainerDefinition, options: InstrumentOptions): void {
    if (container.taskDefinition !== this.taskDefinition) {
      throw new Error(
        `container ${container.containerName} belongs to task ${container.taskDefinition.node.path}, not to ${this.taskDefinition.node.path}: ` +
        'instrument it with that task\'s sidecar (XRaySidecar.of(taskDefinition))',
      );
    }
    if (container === this.container) {
      throw new Error(`container ${container.containerName} is the tracing agent itself: instrument the app container instead`);
    }
    if (this.instrumented.has(container)) {
      throw new Error(`container ${container.containerName} is already instrumented by ${this.node.path}`);
    }
    validateXRayServiceName('serviceName', options.serviceName);
    validateSamplingRate('samplingRate', options.samplingRate);
    validateContextMissing('contextMissing', options.contextMissing);

    const env = tracingEnvironment({
      serviceName: options.serviceName,
      enabled: options.enabled,
      samplingRate: options.samplingRate,
      contextMissing: options.contextMissing,
      address: this.address,
      otlpHttpPort: this.agentConfig.acceptsOtlp ? OTLP_HTTP_PORT : undefined,
    });
    for (const [name, value] of Object.entries(env)) {
      container.addEnvironment(name, value);
    }
    if (this.address.needsLink) {
      container.addLink(this.container, BRIDGE_AGENT_HOST);
    }
    container.addContainerDependencies({ container: this.container, condition: ecs.ContainerDependencyCondition.START });
    this.instrumented.add(container);
  }

  /**
   * Grants `grantee` the X-Ray actions the agent uses (write traces, read sampling rules), on
   * `Resource: *` since X-Ray has no resource-level permissions for them. The task role already
   * has them through `policy`.
   */
  public grant(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: this.agentConfig.actions, resourceArns: ['*'] });
  }

  private validateTaskRoom(agentCpu: number): void {
    const td = this.taskDefinition;
    const size = taskSize(td);
    if (td.isFargateCompatible) {
      validateFargateSize(td.node.path, size);
    }
    if (size.cpu !== undefined) {
      // Before the agent is added (aws-cdk-lib would throw its own, vaguer error): the containers'
      // public cpu is enough here, no rendering needed.
      const others = td.node.children
        .filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition)
        .map((c) => ({ name: c.containerName, cpu: c.cpu !== undefined && !Token.isUnresolved(c.cpu) ? c.cpu : 0 }));
      const sum = others.reduce((a, c) => a + c.cpu, 0) + agentCpu;
      if (sum > size.cpu) {
        const parts = [...others.map((c) => `${c.name} ${c.cpu}`), `agent ${agentCpu}`].join(' + ');
        throw new Error(
          `task ${td.node.path} needs cpu ${sum} (${parts}) but the task has cpu ${size.cpu}: raise the task cpu or lower the containers'`,
        );
      }
    }
  }
}
