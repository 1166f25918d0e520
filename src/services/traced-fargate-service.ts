import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { TracedServiceBase, TracedServiceBaseProps } from './traced-service-base';
import { knownNumber } from '../core/numbers';
import { validateFargateSize } from '../core/task-sizing';
import { validateIntegerInRange } from '../core/validation';
import { SamplingRule } from '../sampling/sampling-rule';
import { XRayAgentless } from '../sidecar/xray-agentless';
import { XRaySidecar } from '../sidecar/xray-sidecar';

/** Properties of a {@link TracedFargateService}. */
export interface TracedFargateServiceProps extends TracedServiceBaseProps {
  /**
   * Task CPU units, a Fargate size (256 to 16384).
   * @default 512
   */
  readonly cpu?: number;

  /**
   * Task memory in MiB, valid for `cpu` on Fargate; the app gets what the agent leaves.
   * @default 1024
   */
  readonly memoryLimitMiB?: number;

  /**
   * Whether tasks get a public IP.
   * @default false
   */
  readonly assignPublicIp?: boolean;

  /**
   * Where the tasks run.
   * @default - the cluster VPC's private subnets (public if there are none)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the tasks.
   * @default - a new security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The lowest share of `desiredCount` kept running during a deployment, in percent.
   * @default 100
   */
  readonly minHealthyPercent?: number;

  /**
   * The highest share of `desiredCount` running during a deployment, in percent.
   * @default 200
   */
  readonly maxHealthyPercent?: number;

  /**
   * The task's OS and CPU architecture (`FargateTaskDefinitionProps.runtimePlatform`); the agent image must have a build for it.
   * @default - Linux on x86-64 (Fargate's default)
   */
  readonly runtimePlatform?: ecs.RuntimePlatform;

  /**
   * Ephemeral storage of the task in GiB, 21 to 200 (`FargateTaskDefinitionProps.ephemeralStorageGiB`).
   * @default - Fargate's 20 GiB
   */
  readonly ephemeralStorageGiB?: number;

  /**
   * The Fargate platform version (`FargateServiceProps.platformVersion`).
   * @default - LATEST
   */
  readonly platformVersion?: ecs.FargatePlatformVersion;

  /**
   * Whether ECS rebalances tasks across Availability Zones (`FargateServiceProps.availabilityZoneRebalancing`).
   * @default - aws-cdk-lib's default
   */
  readonly availabilityZoneRebalancing?: ecs.AvailabilityZoneRebalancing;
}

/** A Fargate service whose app is traced with AWS X-Ray: app container, agent sidecar and sampling rule. */
export class TracedFargateService extends TracedServiceBase {
  /** The ECS service. */
  public readonly service: ecs.FargateService;

  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;

  /** The app container. */
  public readonly container: ecs.ContainerDefinition;

  /** The tracing agent sidecar; undefined when `tracing.enabled` is false. */
  public readonly sidecar?: XRaySidecar;

  /** The service's sampling rule; undefined when tracing or the rule is off, and collector-less. */
  public readonly samplingRule?: SamplingRule;

  /** Collector-less tracing (`agentless: true`); undefined otherwise. */
  public readonly agentlessTracing?: XRayAgentless;

  constructor(scope: Construct, id: string, props: TracedFargateServiceProps) {
    super(scope, id, props);
    validateIntegerInRange(this, 'minHealthyPercent', props.minHealthyPercent, 0, 100);
    validateIntegerInRange(this, 'maxHealthyPercent', props.maxHealthyPercent, 100, 200);
    const cpu = props.cpu ?? 512;
    const memoryLimitMiB = props.memoryLimitMiB ?? 1024;
    validateIntegerInRange(this, 'cpu', cpu, 1);
    validateIntegerInRange(this, 'memoryLimitMiB', memoryLimitMiB, 1);
    validateFargateSize(this, {
      cpu: knownNumber(cpu),
      memoryMiB: knownNumber(memoryLimitMiB),
    });

    validateIntegerInRange(this, 'ephemeralStorageGiB', props.ephemeralStorageGiB, 21, 200);
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      ...this.taskPassThrough(),
      cpu,
      memoryLimitMiB,
      runtimePlatform: props.runtimePlatform,
      ephemeralStorageGiB: props.ephemeralStorageGiB,
    });
    const parts = this.addTracedApp(this.taskDefinition, {});
    this.container = parts.container;
    this.sidecar = parts.sidecar;
    this.samplingRule = parts.samplingRule;
    this.agentlessTracing = parts.agentless;

    this.service = new ecs.FargateService(this, 'Service', {
      ...this.servicePassThrough(),
      platformVersion: props.platformVersion,
      availabilityZoneRebalancing: props.availabilityZoneRebalancing,
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      serviceName: props.ecsServiceName ?? props.serviceName,
      desiredCount: props.desiredCount ?? 1,
      minHealthyPercent: props.minHealthyPercent ?? 100,
      maxHealthyPercent: props.maxHealthyPercent ?? 200,
      assignPublicIp: props.assignPublicIp ?? false,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
    });
    this.orderServiceAfterIam(this.service, this.sidecar, this.agentlessTracing);
  }
}
