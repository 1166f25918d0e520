import { Annotations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { TracedServiceBase, TracedServiceBaseProps } from './traced-service-base';
import { fail } from '../core/errors';
import { claimHostPortForSidecar } from '../core/host-port';
import { validateIntegerInRange, validateNumberInRange } from '../core/validation';
import { WARNINGS } from '../core/warnings';
import type { XRayEc2InstanceProps } from '../cost/agent-compute-props';
import type { XRayHostAgent } from '../host-agent/xray-host-agent';
import { SamplingRule } from '../sampling/sampling-rule';
import { XRayAgentless } from '../sidecar/xray-agentless';
import { XRaySidecar } from '../sidecar/xray-sidecar';

/** Properties of a {@link TracedEc2Service}. */
export interface TracedEc2ServiceProps extends TracedServiceBaseProps {
  /**
   * The task's network mode: awsvpc, bridge or host.
   * @default ecs.NetworkMode.AWS_VPC
   */
  readonly networkMode?: ecs.NetworkMode;

  /**
   * CPU units reserved for the app container.
   * @default - no reservation (the container shares the instance's CPU)
   */
  readonly cpu?: number;

  /**
   * Hard memory limit of the app container, in MiB.
   * @default 512
   */
  readonly memoryLimitMiB?: number;

  /**
   * GPUs reserved for the app container.
   * @default 0
   */
  readonly gpuCount?: number;

  /**
   * The instance the tasks run on, to price the agent's share of it in the cost note. Needs `expectedRequestsPerMonth`.
   * @default - agent compute on EC2 is stated as not estimated
   */
  readonly costEc2Instance?: XRayEc2InstanceProps;

  /**
   * Where the tasks run (awsvpc only).
   * @default - the cluster VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the tasks (awsvpc only).
   * @default - a new security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The lowest share of `desiredCount` kept running during a deployment, in percent.
   * @default 50
   */
  readonly minHealthyPercent?: number;

  /**
   * The highest share of `desiredCount` running during a deployment, in percent.
   * @default 200
   */
  readonly maxHealthyPercent?: number;

  /**
   * How tasks are spread over instances (`Ec2ServiceProps.placementStrategies`).
   * @default - ECS's default
   */
  readonly placementStrategies?: ecs.PlacementStrategy[];

  /**
   * Where tasks may be placed (`Ec2ServiceProps.placementConstraints`).
   * @default - anywhere in the cluster
   */
  readonly placementConstraints?: ecs.PlacementConstraint[];

  /**
   * Whether ECS rebalances tasks across Availability Zones (`Ec2ServiceProps.availabilityZoneRebalancing`).
   * @default - aws-cdk-lib's default
   */
  readonly availabilityZoneRebalancing?: ecs.AvailabilityZoneRebalancing;

  /**
   * Send traces to the cluster's per-instance agent instead of a sidecar; host or bridge mode only.
   * @default - a sidecar in the task
   */
  readonly hostAgent?: XRayHostAgent;
}

/** An EC2 service whose app is traced with AWS X-Ray: app container, agent sidecar (or host agent) and sampling rule. */
export class TracedEc2Service extends TracedServiceBase {
  /** The ECS service. */
  public readonly service: ecs.Ec2Service;

  /** The task definition. */
  public readonly taskDefinition: ecs.Ec2TaskDefinition;

  /** The app container. */
  public readonly container: ecs.ContainerDefinition;

  /** The tracing agent sidecar; undefined when `tracing.enabled` is false. */
  public readonly sidecar?: XRaySidecar;

  /** The service's sampling rule; undefined when tracing or the rule is off, and collector-less. */
  public readonly samplingRule?: SamplingRule;

  /** Collector-less tracing (`agentless: true`); undefined otherwise. */
  public readonly agentlessTracing?: XRayAgentless;

  constructor(scope: Construct, id: string, props: TracedEc2ServiceProps) {
    super(scope, id, props);
    validateIntegerInRange(this, 'gpuCount', props.gpuCount, 0);
    validateIntegerInRange(this, 'cpu', props.cpu, 1);
    validateIntegerInRange(this, 'memoryLimitMiB', props.memoryLimitMiB, 1);
    validateIntegerInRange(this, 'minHealthyPercent', props.minHealthyPercent, 0, 100);
    validateIntegerInRange(this, 'maxHealthyPercent', props.maxHealthyPercent, 100, 200);
    this.validateCostEc2Instance(props);
    if (!props.cluster.hasEc2Capacity) {
      fail(this,
        `cluster ${props.cluster.node.path} has no EC2 capacity for TracedEc2Service ${this.node.path}: ` +
        'add it first with cluster.addCapacity(...) or cluster.addAsgCapacityProvider(...), or use TracedFargateService');
    }
    const networkMode = props.networkMode ?? ecs.NetworkMode.AWS_VPC;
    const awsvpc = networkMode === ecs.NetworkMode.AWS_VPC;
    if (!awsvpc && (props.vpcSubnets || props.securityGroups)) {
      fail(this, `vpcSubnets and securityGroups need networkMode awsvpc, got networkMode ${networkMode}`);
    }

    const tracing = props.tracing?.enabled ?? true;
    if (props.hostAgent && props.agentless === true) {
      fail(this,
        `agentless and hostAgent must not both be set: agentless runs no agent, and hostAgent (${props.hostAgent.node.path}) is one; leave one out`);
    }
    if (props.hostAgent) this.validateHostAgent(props, networkMode);
    if (tracing && !props.hostAgent && props.agentless !== true && networkMode === ecs.NetworkMode.HOST) this.flagHostPort(props.cluster);

    this.taskDefinition = new ecs.Ec2TaskDefinition(this, 'TaskDefinition', { ...this.taskPassThrough(), networkMode });
    const parts = this.addTracedApp(this.taskDefinition, {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryLimitMiB ?? 512,
      gpuCount: props.gpuCount,
      hostAgent: props.hostAgent,
      costEc2Instance: props.costEc2Instance,
    });
    this.container = parts.container;
    this.sidecar = parts.sidecar;
    this.samplingRule = parts.samplingRule;
    this.agentlessTracing = parts.agentless;

    this.service = new ecs.Ec2Service(this, 'Service', {
      ...this.servicePassThrough(),
      placementStrategies: props.placementStrategies,
      placementConstraints: props.placementConstraints,
      availabilityZoneRebalancing: props.availabilityZoneRebalancing,
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      serviceName: props.ecsServiceName ?? props.serviceName,
      desiredCount: props.desiredCount ?? 1,
      minHealthyPercent: props.minHealthyPercent ?? 50,
      maxHealthyPercent: props.maxHealthyPercent ?? 200,
      vpcSubnets: awsvpc ? props.vpcSubnets : undefined,
      securityGroups: awsvpc ? props.securityGroups : undefined,
    });
    this.orderServiceAfterIam(this.service, this.sidecar, this.agentlessTracing);
    // The first tasks find their instance's agent running: the app's service waits for the agent's.
    if (props.hostAgent && tracing) this.service.node.addDependency(props.hostAgent.service);
  }

  /** costEc2Instance: whole positive sizes, a price of 0 or more, and a cost note to count it in. */
  private validateCostEc2Instance(props: TracedEc2ServiceProps): void {
    const instance = props.costEc2Instance;
    if (instance === undefined) return;
    if (props.expectedRequestsPerMonth === undefined) {
      fail(this, 'costEc2Instance prices the agent in the cost note of expectedRequestsPerMonth: set expectedRequestsPerMonth too, ' +
        'or price the agent with XRayCostEstimator.estimate({ agentCompute: { ..., ec2Instance } })');
    }
    if (props.hostAgent) {
      fail(this, `costEc2Instance prices an agent in each task, and with hostAgent (${props.hostAgent.node.path}) the tasks have none: ` +
        'price the host agent once per instance with XRayCostEstimator.estimate({ agentCompute: { ..., tasks: <instances>, ec2Instance } })');
    }
    validateNumberInRange(this, 'costEc2Instance.hourlyPriceUsd', instance.hourlyPriceUsd, 0, Number.MAX_SAFE_INTEGER, ' (US dollars an hour)');
    validateIntegerInRange(this, 'costEc2Instance.cpu', instance.cpu, 1);
    validateIntegerInRange(this, 'costEc2Instance.memoryMiB', instance.memoryMiB, 1);
  }

  private validateHostAgent(props: TracedEc2ServiceProps, networkMode: ecs.NetworkMode): void {
    const agent = props.hostAgent!;
    if (props.sidecar !== undefined) {
      fail(this, `sidecar must not be set with hostAgent (the app sends to ${agent.node.path}, no agent runs in the task), got sidecar ${JSON.stringify(Object.keys(props.sidecar))}`);
    }
    if (agent.cluster !== props.cluster) {
      fail(this, `hostAgent ${agent.node.path} runs on cluster ${agent.cluster.node.path}, not on this service's cluster ${props.cluster.node.path}`);
    }
    if (networkMode === ecs.NetworkMode.AWS_VPC) {
      fail(this,
        'networkMode awsvpc cannot reach hostAgent: an awsvpc task has its own network interface and loopback, not the instance\'s; ' +
        'set networkMode to ecs.NetworkMode.HOST or ecs.NetworkMode.BRIDGE, or leave hostAgent out to get a sidecar');
    }
  }

  /** Two host-mode tasks with their own sidecar both bind host port 2000: they never share an instance. */
  private flagHostPort(cluster: ecs.ICluster): void {
    const others = claimHostPortForSidecar(this, cluster);
    if (others.length > 0) {
      Annotations.of(this).addWarningV2(WARNINGS.hostPortConflict,
        `host network mode: this service's agent sidecar binds host port 2000 on its instance, as do those of ${others.map((o) => o.node.path).join(', ')} ` +
        `in cluster ${cluster.node.path}; their tasks can never share an instance. Run one XRayHostAgent on the cluster and pass it as hostAgent to each.`);
    }
  }
}
