import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CONTRACT_VARIABLES, applyEnvironment, tracingEnvironment } from '../core/env-contract';
import { fail } from '../core/errors';
import { knownNumber } from '../core/numbers';
import { DEFAULT_CONTEXT_MISSING, DEFAULT_SAMPLING_RATE, TracingOptions } from '../core/tracing-options';
import {
  ECS_NAME_CHARACTER, validateCharacters, validateIntegerInRange, validateLength, validateNumberInRange, validateXRayServiceName,
  XRAY_SAMPLING_RULE_SERVICE_NAME_MAX,
} from '../core/validation';
import { validateAgentlessAutoInstrumentation } from '../core/validation-agentless';
import { validateBoolean, validateContextMissing, validateSamplingRate } from '../core/validation-tracing';
import type { XRayEc2InstanceProps } from '../cost/agent-compute-props';
import type * as costAnnotation from '../cost/cost-annotation';
import type { XRayHostAgent } from '../host-agent/xray-host-agent';
import { SamplingRateBoost, SamplingRule } from '../sampling/sampling-rule';
import { AutoInstrumentation } from '../sidecar/auto-instrumentation';
import { XRayAgentless } from '../sidecar/xray-agentless';
import { XRaySidecar, XRaySidecarOptions } from '../sidecar/xray-sidecar';

/** Options of the sampling rule a traced service creates for itself, or uses. */
export interface TracedServiceSamplingRuleOptions {
  /**
   * Whether the service has a sampling rule; to share a rule made elsewhere in the app, use `existingRule`.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * A rule of this app for this service (its `serviceName` must match), e.g. one a preset made; the
   * service creates none and tells the app the rule's fixed rate.
   * @default - the service creates its own rule
   */
  readonly existingRule?: SamplingRule;

  /**
   * The rule's priority, 1 (first) to 9999. Not allowed with `existingRule`.
   * @default 1000
   */
  readonly priority?: number;

  /**
   * Traces per second recorded before the fixed rate applies, for all tasks together. Not allowed with `existingRule`.
   * @default 1
   */
  readonly reservoirSize?: number;

  /**
   * The rule's name. Not allowed with `existingRule`.
   * @default - generated from the service name and a hash of the construct path: readable, unique, at most 32 characters
   */
  readonly ruleName?: string;

  /**
   * Adaptive sampling on the service's rule (see `SamplingRateBoost`). Not allowed with `existingRule`.
   * @default - no boost
   */
  readonly samplingRateBoost?: SamplingRateBoost;
}

/** Properties shared by `TracedFargateService` and `TracedEc2Service`. */
export interface TracedServiceBaseProps extends TracedServicePassThrough {
  /** The ECS cluster to run the service in. */
  readonly cluster: ecs.ICluster;

  /**
   * The X-Ray service name (`AWS_XRAY_TRACING_NAME`, matched by the sampling rule), and the ECS
   * service name unless `ecsServiceName` is set. 1 to 64 characters.
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
   * Environment variables of the app; the tracing variables are set through `tracing`, not here.
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
   * How the app is traced (`TracingConfig.fromEnvironment` reads it from context and environment).
   * @default - enabled, sampling rate 0.1 (or `samplingRule.existingRule`'s), context missing LOG_ERROR
   */
  readonly tracing?: TracingOptions;

  /**
   * Zero-code tracing with the ADOT agent of the app's language; needs an agent that takes OTLP.
   * @default - none: the app traces itself with its own SDK or helper
   */
  readonly autoInstrumentation?: AutoInstrumentation;

  /**
   * Options of the tracing agent sidecar, as `XRaySidecar` takes them.
   * @default - the X-Ray daemon with its default sizes
   */
  readonly sidecar?: XRaySidecarOptions;

  /**
   * Collector-less tracing (`XRayAgentless`): no agent, no sampling rule; needs `autoInstrumentation`.
   * @default false
   */
  readonly agentless?: boolean;

  /**
   * Options of the service's X-Ray sampling rule (fixed rate = `tracing.samplingRate`).
   * @default - a rule at priority 1000 with reservoir 1
   */
  readonly samplingRule?: TracedServiceSamplingRuleOptions;

  /**
   * The IAM role the app runs as (`TaskDefinitionProps.taskRole`); must trust `ecs-tasks.amazonaws.com`.
   * @default - a new role
   */
  readonly taskRole?: iam.IRole;

  /**
   * The role ECS pulls images and writes logs with (`TaskDefinitionProps.executionRole`).
   * @default - a new role, created when something needs it
   */
  readonly executionRole?: iam.IRole;

  /**
   * The task definition's family (`TaskDefinitionProps.family`).
   * @default - generated from the construct path
   */
  readonly family?: string;

  /**
   * Volumes of the task (`TaskDefinitionProps.volumes`); mount them with `container.addMountPoints`.
   * @default - none
   */
  readonly volumes?: ecs.Volume[];

  /**
   * The app's command (`ContainerDefinitionOptions.command`).
   * @default - the image's CMD
   */
  readonly command?: string[];

  /**
   * The app's entry point (`ContainerDefinitionOptions.entryPoint`).
   * @default - the image's ENTRYPOINT
   */
  readonly entryPoint?: string[];

  /**
   * The app container's health check (`ContainerDefinitionOptions.healthCheck`).
   * @default - none (the image's HEALTHCHECK is not used by ECS)
   */
  readonly healthCheck?: ecs.HealthCheck;

  /**
   * The app container's port mappings (`ContainerDefinitionOptions.portMappings`); not with `containerPort`.
   * @default - one TCP mapping of `containerPort`, or none
   */
  readonly portMappings?: ecs.PortMapping[];

  /**
   * The user the app runs as (`ContainerDefinitionOptions.user`).
   * @default - the image's USER
   */
  readonly user?: string;

  /**
   * Whether the app's root filesystem is read-only (`ContainerDefinitionOptions.readonlyRootFilesystem`).
   * @default false
   */
  readonly readonlyRootFilesystem?: boolean;

  /**
   * The app's working directory (`ContainerDefinitionOptions.workingDirectory`).
   * @default - the image's WORKDIR
   */
  readonly workingDirectory?: string;

  /**
   * Docker labels of the app container (`ContainerDefinitionOptions.dockerLabels`).
   * @default - none
   */
  readonly dockerLabels?: { [key: string]: string };

  /**
   * Linux parameters of the app container (`ContainerDefinitionOptions.linuxParameters`).
   * @default - none
   */
  readonly linuxParameters?: ecs.LinuxParameters;

  /**
   * Ulimits of the app container (`ContainerDefinitionOptions.ulimits`).
   * @default - none
   */
  readonly ulimits?: ecs.Ulimit[];

  /**
   * Where the app's output goes (`ContainerDefinitionOptions.logging`); not with `logRetention`.
   * @default - awslogs to a new log group with `logRetention`, stream prefix `app`
   */
  readonly logging?: ecs.LogDriver;

  /**
   * How long ECS waits after SIGTERM before it kills the app (`ContainerDefinitionOptions.stopTimeout`).
   * @default - ECS's default (30 seconds)
   */
  readonly stopTimeout?: Duration;

  /**
   * Environment files of the app (`ContainerDefinitionOptions.environmentFiles`), not checked at synth.
   * @default - none
   */
  readonly environmentFiles?: ecs.EnvironmentFile[];

  /**
   * Expected requests a month: adds an info annotation with the estimated tracing cost (X-Ray and agent compute).
   * @default - no estimate
   */
  readonly expectedRequestsPerMonth?: number;

  /**
   * A monthly tracing budget in USD: an estimate above it is a warning. Needs `expectedRequestsPerMonth`.
   * @default - no budget
   */
  readonly monthlyBudgetUsd?: number;
}

/** Container options that differ between launch types, for {@link TracedServiceBase.addTracedApp}. */
export interface TracedAppContainerOptions {
  /**
   * CPU units of the app container.
   * @default - none
   */
  readonly cpu?: number;

  /**
   * Hard memory limit of the app container, in MiB.
   * @default - none
   */
  readonly memoryLimitMiB?: number;

  /**
   * GPUs of the app container.
   * @default - none
   */
  readonly gpuCount?: number;

  /**
   * Traces the app through the per-instance agent instead of a sidecar in the task.
   * @default - a sidecar in the task
   */
  readonly hostAgent?: XRayHostAgent;

  /**
   * The EC2 instance that prices the tracing containers' reservation in the cost note.
   * @default - agent compute on EC2 not estimated
   */
  readonly costEc2Instance?: XRayEc2InstanceProps;
}

/** The task definition props every traced service passes through as they are. */
export interface TracedTaskPassThrough {
  /**
   * See `TracedServiceBaseProps.taskRole`.
   * @default - none
   */
  readonly taskRole?: iam.IRole;
  /**
   * See `TracedServiceBaseProps.executionRole`.
   * @default - none
   */
  readonly executionRole?: iam.IRole;
  /**
   * See `TracedServiceBaseProps.family`.
   * @default - none
   */
  readonly family?: string;
  /**
   * See `TracedServiceBaseProps.volumes`.
   * @default - none
   */
  readonly volumes?: ecs.Volume[];
}

/** The service props every traced service passes through as they are. */
export interface TracedServicePassThrough {
  /**
   * Capacity providers to run on (`BaseServiceOptions.capacityProviderStrategies`).
   * @default - the launch type (FARGATE or EC2)
   */
  readonly capacityProviderStrategies?: ecs.CapacityProviderStrategy[];

  /**
   * Whether ECS Exec is on (`BaseServiceOptions.enableExecuteCommand`).
   * @default false
   */
  readonly enableExecuteCommand?: boolean;

  /**
   * How long ECS ignores failing load-balancer health checks of a new task (`BaseServiceOptions.healthCheckGracePeriod`).
   * @default - aws-cdk-lib's: 60 seconds with a load balancer, none without
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * Service Connect (`BaseServiceOptions.serviceConnectConfiguration`), naming the app's `portMappings`.
   * @default - no Service Connect
   */
  readonly serviceConnectConfiguration?: ecs.ServiceConnectProps;

  /**
   * Cloud Map service discovery (`BaseServiceOptions.cloudMapOptions`).
   * @default - none
   */
  readonly cloudMapOptions?: ecs.CloudMapOptions;

  /**
   * The deployment circuit breaker (`BaseServiceOptions.circuitBreaker`).
   * @default { rollback: true }
   */
  readonly circuitBreaker?: ecs.DeploymentCircuitBreaker;

  /**
   * CloudWatch alarms that stop a deployment (`BaseServiceOptions.deploymentAlarms`).
   * @default - none
   */
  readonly deploymentAlarms?: ecs.DeploymentAlarmConfig;

  /**
   * Where the tasks' tags come from (`BaseServiceOptions.propagateTags`).
   * @default - none
   */
  readonly propagateTags?: ecs.PropagatedTagSource;
}

/** The app container, tracing, sampling rule and cost note that the traced services share. */
export abstract class TracedServiceBase extends Construct {
  /** The app container. */
  public abstract readonly container: ecs.ContainerDefinition;

  /** The tracing agent sidecar; undefined when `tracing.enabled` is false. */
  public abstract readonly sidecar?: XRaySidecar;

  /** The service's sampling rule (its own, or `samplingRule.existingRule`); undefined when tracing or the rule is off. */
  public abstract readonly samplingRule?: SamplingRule;

  /** The sampling rate the app is told (`XRAY_SAMPLING_RATE`); may be a token. */
  public readonly samplingRate: number;

  private readonly baseProps: TracedServiceBaseProps;

  constructor(scope: Construct, id: string, props: TracedServiceBaseProps) {
    super(scope, id);
    this.baseProps = props;
    this.validateBaseProps(props);
    this.samplingRate = this.resolveSamplingRate(props);
  }

  /** Adds the app container and, with tracing on, its agent and sampling rule. */
  protected addTracedApp(taskDefinition: ecs.TaskDefinition, options: TracedAppContainerOptions): TracedApp {
    const props = this.baseProps;
    const enabled = props.tracing?.enabled ?? true;
    const samplingRate = this.samplingRate;
    const contextMissing = props.tracing?.contextMissing ?? DEFAULT_CONTEXT_MISSING;

    const logging = props.logging ?? ecs.LogDrivers.awsLogs({
      logGroup: new logs.LogGroup(this, 'AppLogGroup', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH }),
      streamPrefix: 'app',
    });
    const container = taskDefinition.addContainer('App', {
      containerName: props.containerName ?? 'app',
      image: props.image,
      cpu: options.cpu,
      memoryLimitMiB: options.memoryLimitMiB,
      gpuCount: options.gpuCount || undefined,
      environment: props.environment,
      secrets: props.secrets,
      essential: true,
      logging,
      portMappings: props.portMappings
        ?? (props.containerPort !== undefined ? [{ containerPort: props.containerPort, protocol: ecs.Protocol.TCP }] : undefined),
      command: props.command,
      entryPoint: props.entryPoint,
      healthCheck: props.healthCheck,
      user: props.user,
      readonlyRootFilesystem: props.readonlyRootFilesystem,
      workingDirectory: props.workingDirectory,
      dockerLabels: props.dockerLabels,
      linuxParameters: props.linuxParameters,
      ulimits: props.ulimits,
      stopTimeout: props.stopTimeout,
      environmentFiles: props.environmentFiles,
    });

    if (!enabled) {
      applyEnvironment(this, container, tracingEnvironment({ serviceName: props.serviceName, enabled: false, samplingRate, contextMissing }));
      return { container };
    }

    const instrumentOptions = {
      serviceName: props.serviceName, enabled, samplingRate, contextMissing, autoInstrumentation: props.autoInstrumentation,
    };
    if (props.agentless === true) {
      const agentless = new XRayAgentless(this, 'XRay', { taskDefinition });
      agentless.instrument(container, instrumentOptions);
      if (props.expectedRequestsPerMonth !== undefined) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { annotateCost } = require('../cost/cost-annotation') as typeof costAnnotation;
        annotateCost(this, {
          requestsPerMonth: props.expectedRequestsPerMonth,
          samplingRate,
          reservoirPerSecond: 0,
          monthlyBudgetUsd: props.monthlyBudgetUsd,
          agentless: true,
        });
      }
      return { container, agentless };
    }
    let sidecar: XRaySidecar | undefined;
    if (options.hostAgent) {
      options.hostAgent.instrument(container, instrumentOptions);
    } else {
      sidecar = new XRaySidecar(this, 'XRay', { ...props.sidecar, taskDefinition });
      sidecar.instrument(container, instrumentOptions);
    }

    const ruleOptions = props.samplingRule ?? {};
    let samplingRule: SamplingRule | undefined = ruleOptions.existingRule;
    if (samplingRule === undefined && (ruleOptions.enabled ?? true)) {
      samplingRule = new SamplingRule(this, 'SamplingRule', {
        ruleName: ruleOptions.ruleName,
        priority: ruleOptions.priority ?? 1000,
        fixedRate: samplingRate,
        reservoirSize: ruleOptions.reservoirSize ?? 1,
        serviceName: props.serviceName,
        samplingRateBoost: ruleOptions.samplingRateBoost,
      });
    }

    if (props.expectedRequestsPerMonth !== undefined) {
      // Loaded here, not at the top: an app that asks for no estimate never loads the estimator.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { annotateCost, agentComputeOf } = require('../cost/cost-annotation') as typeof costAnnotation;
      annotateCost(this, {
        requestsPerMonth: props.expectedRequestsPerMonth,
        samplingRate,
        reservoirPerSecond: samplingRule ? ruleOptions.reservoirSize ?? 1 : 0,
        monthlyBudgetUsd: props.monthlyBudgetUsd,
        agentCompute: { ...agentComputeOf(taskDefinition, container, props.desiredCount ?? 1), ec2Instance: options.costEc2Instance },
      });
    }
    return { container, sidecar, samplingRule };
  }

  /** Makes `service` wait for the agent's (or collector-less) IAM policy (the task definition already does). */
  protected orderServiceAfterIam(service: ecs.BaseService, sidecar: XRaySidecar | undefined, agentless?: XRayAgentless): void {
    sidecar?.orderAfterIam(service);
    agentless?.orderAfterIam(service);
  }

  /** The task definition props passed through from the traced service's props. */
  protected taskPassThrough(): TracedTaskPassThrough {
    const p = this.baseProps;
    return { taskRole: p.taskRole, executionRole: p.executionRole, family: p.family, volumes: p.volumes };
  }

  /** The service props passed through from the traced service's props. */
  protected servicePassThrough(): TracedServicePassThrough {
    const p = this.baseProps;
    return {
      capacityProviderStrategies: p.capacityProviderStrategies,
      enableExecuteCommand: p.enableExecuteCommand,
      healthCheckGracePeriod: p.healthCheckGracePeriod,
      serviceConnectConfiguration: p.serviceConnectConfiguration,
      cloudMapOptions: p.cloudMapOptions,
      circuitBreaker: p.circuitBreaker ?? { rollback: true },
      deploymentAlarms: p.deploymentAlarms,
      propagateTags: p.propagateTags,
    };
  }

  private validatePassThrough(props: TracedServiceBaseProps): void {
    if (props.portMappings !== undefined && props.containerPort !== undefined) {
      fail(this,
        `containerPort and portMappings must not both be set (containerPort is the short form of one TCP mapping), got containerPort ${props.containerPort} ` +
        `and ${props.portMappings.length} portMappings`);
    }
    if (props.logging !== undefined && props.logRetention !== undefined) {
      fail(this, `logRetention applies only to the default log group and must not be set with logging, got logRetention ${props.logRetention}`);
    }
    validateBoolean(this, 'enableExecuteCommand', props.enableExecuteCommand);
    validateBoolean(this, 'readonlyRootFilesystem', props.readonlyRootFilesystem);
    for (const [prop, role] of [['taskRole', props.taskRole], ['executionRole', props.executionRole]] as const) {
      if (role !== undefined) this.validateEcsTasksTrust(prop, role);
    }
    const names = new Set((props.portMappings ?? []).map((m) => m.name).filter((n): n is string => n !== undefined));
    for (const [i, entry] of (props.serviceConnectConfiguration?.services ?? []).entries()) {
      if (!names.has(entry.portMappingName)) {
        const have = names.size === 0 ? 'no named port mappings' : `port mappings named ${[...names].map((n) => JSON.stringify(n)).join(', ')}`;
        fail(this,
          `serviceConnectConfiguration.services[${i}].portMappingName must name a port mapping of the app container, got ` +
          `${JSON.stringify(entry.portMappingName)} and the app container has ${have}: add portMappings: [{ name: ${JSON.stringify(entry.portMappingName)}, containerPort: ... }]`);
      }
    }
  }

  /** Throws when `role` is a role of this app whose trust policy does not let ECS tasks assume it. */
  private validateEcsTasksTrust(prop: string, role: iam.IRole): void {
    if (!(role instanceof iam.Role) || role.assumeRolePolicy === undefined) return; // imported: its trust is not known here
    const rendered = JSON.stringify(Stack.of(this).resolve(role.assumeRolePolicy.toJSON()));
    if (!rendered.includes('ecs-tasks.amazonaws.com')) {
      fail(this,
        `${prop} must be assumable by ECS tasks (a trust policy for the service principal ecs-tasks.amazonaws.com), got ${role.node.path}, ` +
        `which trusts ${rendered}: create it with assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com')`);
    }
  }

  private validateBaseProps(props: TracedServiceBaseProps): void {
    this.validatePassThrough(props);
    validateXRayServiceName(this, 'serviceName', props.serviceName, XRAY_SAMPLING_RULE_SERVICE_NAME_MAX);
    if (props.ecsServiceName === undefined) {
      // serviceName doubles as the ECS service name, which ECS restricts further.
      validateCharacters(this, 'serviceName', props.serviceName, ECS_NAME_CHARACTER,
        'letters, digits, _ and - when it is also the ECS service name (set ecsServiceName to use other characters in the X-Ray name)');
    } else {
      validateLength(this, 'ecsServiceName', props.ecsServiceName, 1, 255);
      validateCharacters(this, 'ecsServiceName', props.ecsServiceName, ECS_NAME_CHARACTER, 'letters, digits, _ and -');
    }
    validateIntegerInRange(this, 'containerPort', props.containerPort, 1, 65535);
    validateIntegerInRange(this, 'desiredCount', props.desiredCount, 0);
    validateBoolean(this, 'tracing.enabled', props.tracing?.enabled);
    validateSamplingRate(this, 'tracing.samplingRate', props.tracing?.samplingRate);
    validateContextMissing(this, 'tracing.contextMissing', props.tracing?.contextMissing);
    validateNumberInRange(this, 'expectedRequestsPerMonth', props.expectedRequestsPerMonth, 0, Number.MAX_SAFE_INTEGER);
    validateNumberInRange(this, 'monthlyBudgetUsd', props.monthlyBudgetUsd, 0, Number.MAX_SAFE_INTEGER);
    if (props.monthlyBudgetUsd !== undefined && props.expectedRequestsPerMonth === undefined) {
      fail(this, `monthlyBudgetUsd needs expectedRequestsPerMonth to estimate against, got monthlyBudgetUsd ${props.monthlyBudgetUsd} alone`);
    }
    for (const name of Object.keys(props.environment ?? {})) {
      if (CONTRACT_VARIABLES.includes(name)) {
        fail(this, `environment must not set ${name}: the tracing contract sets it from tracing.* (got ${JSON.stringify(props.environment![name])})`);
      }
    }
    validateBoolean(this, 'agentless', props.agentless);
    if (props.agentless === true) this.validateAgentless(props);
    const rule = props.samplingRule;
    if (rule?.existingRule !== undefined) {
      for (const key of ['priority', 'reservoirSize', 'ruleName', 'samplingRateBoost'] as const) {
        if (rule[key] !== undefined) {
          fail(this, `samplingRule.${key} must not be set with samplingRule.existingRule (the rule already has one), got ${JSON.stringify(rule[key])}`);
        }
      }
      if (rule.enabled === false) {
        fail(this, 'samplingRule.enabled must not be false with samplingRule.existingRule: leave existingRule out to have no rule');
      }
    }
  }

  /** agentless: an ADOT auto-instrumentation recent enough, no agent options, no sampling rule. */
  private validateAgentless(props: TracedServiceBaseProps): void {
    if (props.sidecar !== undefined) {
      fail(this,
        `agentless and sidecar must not both be set: agentless runs no agent in the task, got sidecar ${JSON.stringify(Object.keys(props.sidecar))}; ` +
        'leave sidecar out, or agentless');
    }
    validateAgentlessAutoInstrumentation(this, props.autoInstrumentation);
    if (props.samplingRule !== undefined) {
      fail(this,
        `samplingRule must not be set with agentless: the SDK samples locally at tracing.samplingRate and reads no X-Ray sampling rule, got samplingRule ${JSON.stringify(Object.keys(props.samplingRule))}`);
    }
  }

  /** The rate the app is told: `tracing.samplingRate`, else the existing rule's, else 0.1. */
  private resolveSamplingRate(props: TracedServiceBaseProps): number {
    const existing = props.samplingRule?.existingRule;
    const asked = props.tracing?.samplingRate;
    if (existing === undefined) return asked ?? DEFAULT_SAMPLING_RATE;
    if (existing.serviceName !== props.serviceName) {
      fail(this,
        `samplingRule.existingRule ${existing.node.path} matches serviceName ${JSON.stringify(existing.serviceName)}, ` +
        `not this service's ${JSON.stringify(props.serviceName)}: pass the rule made for ${JSON.stringify(props.serviceName)}, `
        + `or name the service as the rule matches it (${JSON.stringify(existing.serviceName)}; a stage-prefixed preset gives it with serviceNameFor(...))`);
    }
    const ruleRate = knownNumber(existing.fixedRate);
    const askedRate = knownNumber(asked);
    if (ruleRate !== undefined && askedRate !== undefined && ruleRate !== askedRate) {
      fail(this,
        `tracing.samplingRate must equal samplingRule.existingRule's fixedRate (${ruleRate}) so the app and the rule agree, got ${askedRate}: ` +
        'leave tracing.samplingRate out to take the rule\'s');
    }
    return asked ?? existing.fixedRate;
  }
}

/** What {@link TracedServiceBase.addTracedApp} built. */
export interface TracedApp {
  /** The app container. */
  readonly container: ecs.ContainerDefinition;

  /**
   * The sidecar.
   * @default - none (tracing off)
   */
  readonly sidecar?: XRaySidecar;

  /**
   * The sampling rule.
   * @default - none
   */
  readonly samplingRule?: SamplingRule;

  /**
   * Collector-less tracing, with `agentless`.
   * @default - none
   */
  readonly agentless?: XRayAgentless;
}
