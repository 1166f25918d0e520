import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AgentAddress } from '../core/agent-address';
import { AGENT_OTLP_HTTP_PORT, AGENT_PORT } from '../core/agent-facts';
import { applyEnvironment, tracingEnvironment } from '../core/env-contract';
import { fail } from '../core/errors';
import { claimHostPortForHostAgent } from '../core/host-port';
import { validateInstrumentOptions } from '../core/validation-tracing';
import { XRayAgent } from '../sidecar/xray-agent';
import { InstrumentOptions, XRaySidecar } from '../sidecar/xray-sidecar';

/** Properties of an {@link XRayHostAgent}. */
export interface XRayHostAgentProps {
  /** The cluster whose EC2 container instances each get one agent. It must have EC2 capacity. */
  readonly cluster: ecs.ICluster;

  /**
   * The tracing agent to run on every instance.
   * @default XRayAgent.daemon()
   */
  readonly agent?: XRayAgent;

  /**
   * CPU units reserved for the agent on each instance, 1 to 10240.
   * @default - the agent's own default: 32 for the X-Ray daemon, 128 for the CloudWatch agent, 256 for the ADOT collector
   */
  readonly cpu?: number;

  /**
   * Soft memory reservation of the agent on each instance, in MiB.
   * @default - the agent's own default: 256 for the X-Ray daemon, 128 for the CloudWatch agent, 512 for the ADOT collector
   */
  readonly memoryReservationMiB?: number;

  /**
   * Hard memory limit of the agent on each instance, in MiB.
   * @default - twice the memory reservation
   */
  readonly memoryLimitMiB?: number;

  /**
   * Retention of the agent's log group. Ignored when `logGroup` is given.
   * @default logs.RetentionDays.ONE_WEEK
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The log group the agent's output goes to.
   * @default - a new log group with `logRetention`, destroyed with the stack
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * The address at which a bridge-mode container reaches its instance: the gateway of Docker's
   * default `bridge` network. Set it when your instances give Docker another `bip`.
   * @default XRayHostAgent.DEFAULT_BRIDGE_GATEWAY_ADDRESS
   */
  readonly bridgeGatewayAddress?: string;
}

/**
 * One tracing agent per EC2 container instance: a `DAEMON` service running an `XRaySidecar` in
 * host network mode on port 2000. Apps in host mode reach it at `127.0.0.1:2000`, in bridge mode
 * at the Docker bridge gateway; `awsvpc` tasks cannot. The agent listens on all the instance's
 * addresses: keep port 2000 closed in the instances' security groups.
 */
export class XRayHostAgent extends Construct {
  /** The gateway of Docker's default bridge network, which bridge-mode apps use to reach the instance. */
  public static readonly DEFAULT_BRIDGE_GATEWAY_ADDRESS: string = '172.17.0.1';

  /** The cluster the agent runs on. */
  public readonly cluster: ecs.ICluster;

  /** The agent's task definition (host network mode). */
  public readonly taskDefinition: ecs.Ec2TaskDefinition;

  /** The agent container, its log group and IAM, built as a sidecar of the agent's own task. */
  public readonly agentSidecar: XRaySidecar;

  /** The `DAEMON` service that runs one agent task per container instance. */
  public readonly service: ecs.Ec2Service;

  /** The agent that runs. */
  public readonly agent: XRayAgent;

  /** The address bridge-mode apps use for the instance (`bridgeGatewayAddress`). */
  public readonly bridgeGatewayAddress: string;

  private readonly instrumented = new Set<ecs.ContainerDefinition>();

  constructor(scope: Construct, id: string, props: XRayHostAgentProps) {
    super(scope, id);
    this.cluster = props.cluster;
    if (!props.cluster.hasEc2Capacity) {
      fail(this,
        `cluster ${props.cluster.node.path} has no EC2 capacity for an XRayHostAgent (one agent per EC2 container instance): ` +
        'add it first with cluster.addCapacity(...) or cluster.addAsgCapacityProvider(...); on Fargate use a sidecar');
    }
    this.bridgeGatewayAddress = props.bridgeGatewayAddress ?? XRayHostAgent.DEFAULT_BRIDGE_GATEWAY_ADDRESS;
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(this.bridgeGatewayAddress)) {
      fail(this, `bridgeGatewayAddress must be an IPv4 address such as 172.17.0.1, got ${JSON.stringify(this.bridgeGatewayAddress)}`);
    }
    claimHostPortForHostAgent(this, props.cluster);

    this.agent = props.agent ?? XRayAgent.daemon();
    this.taskDefinition = new ecs.Ec2TaskDefinition(this, 'TaskDefinition', { networkMode: ecs.NetworkMode.HOST });
    this.agentSidecar = new XRaySidecar(this, 'Agent', {
      taskDefinition: this.taskDefinition,
      agent: this.agent,
      cpu: props.cpu,
      memoryReservationMiB: props.memoryReservationMiB,
      memoryLimitMiB: props.memoryLimitMiB,
      logRetention: props.logRetention,
      logGroup: props.logGroup,
      // The agent is the task: its exit stops the task, and ECS's DAEMON scheduler starts a new one.
      essential: true,
    });
    this.service = new ecs.Ec2Service(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      daemon: true,
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
    });
    this.agentSidecar.orderAfterIam(this.service);
  }

  /** The agent container. */
  public get container(): ecs.ContainerDefinition {
    return this.agentSidecar.container;
  }

  /**
   * Where a container of a task in `networkMode` sends segments: `127.0.0.1:2000` (host),
   * `<bridgeGatewayAddress>:2000` (bridge). Throws for awsvpc and the other modes.
   */
  public daemonAddressFor(networkMode: ecs.NetworkMode): string {
    return `${this.hostFor(this, networkMode)}:${AGENT_PORT}`;
  }

  /**
   * Traces `container` (an EC2 task in host or bridge mode) through this agent: the variables a
   * sidecar would set, with the instance's address. A different value already set is an error.
   */
  public instrument(container: ecs.ContainerDefinition, options: InstrumentOptions): void {
    const td = container.taskDefinition;
    if (this.instrumented.has(container)) {
      fail(this, `container ${container.containerName} is already instrumented by ${this.node.path}`);
    }
    if (td === this.taskDefinition) {
      fail(this, `container ${container.containerName} is the tracing agent's own: instrument an app container instead`);
    }
    const sidecar = XRaySidecar.of(td);
    if (sidecar) {
      fail(this,
        `taskDefinition ${td.node.path} already has an agent sidecar (${sidecar.node.path}): a task sends to one agent, ` +
        'use the sidecar or the host agent, not both');
    }
    if (!td.isEc2Compatible) {
      fail(this, `taskDefinition ${td.node.path} is not EC2-compatible: an XRayHostAgent runs on EC2 container instances; on Fargate use a sidecar`);
    }
    validateInstrumentOptions(this, options);
    if (options.autoInstrumentation !== undefined) {
      fail(this,
        `autoInstrumentation (${options.autoInstrumentation.language}) is not supported with an XRayHostAgent yet: ` +
        'trace this task with a sidecar (`sidecar: { agent: XRayAgent.adotCollector() }`), or instrument the app with the ADOT SDK in its image');
    }
    const host = this.hostFor(this, td.networkMode);
    const address: AgentAddress = { daemonAddress: `${host}:${AGENT_PORT}`, sdkDaemonAddress: `${host}:${AGENT_PORT}`, needsLink: false, host };
    applyEnvironment(this, container, tracingEnvironment({
      serviceName: options.serviceName,
      enabled: options.enabled,
      samplingRate: options.samplingRate,
      contextMissing: options.contextMissing,
      address,
      otlpHttpPort: this.agent.acceptsOtlp ? AGENT_OTLP_HTTP_PORT : undefined,
    }));
    this.instrumented.add(container);
  }

  private hostFor(owner: Construct, networkMode: ecs.NetworkMode): string {
    switch (networkMode) {
      case ecs.NetworkMode.HOST:
        return '127.0.0.1';
      case ecs.NetworkMode.BRIDGE:
        return this.bridgeGatewayAddress;
      case ecs.NetworkMode.AWS_VPC:
        return fail(owner,
          'networkMode awsvpc cannot reach an XRayHostAgent: an awsvpc task has its own network interface and loopback, ' +
          'not the instance\'s; use networkMode host or bridge, or a sidecar (the default without hostAgent)');
      default:
        return fail(owner, `networkMode must be host or bridge to reach an XRayHostAgent, got ${JSON.stringify(networkMode)}`);
    }
  }
}
