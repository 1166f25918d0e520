import * as ecs from 'aws-cdk-lib/aws-ecs';
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
import { validateBoolean, validateContextMissing, validateSamplingRate } from '../core/validation-tracing';
import type * as costAnnotation from '../cost/cost-annotation';
import { SamplingRateBoost, SamplingRule } from '../sampling/sampling-rule';
import { AutoInstrumentation } from '../sidecar/auto-instrumentation';
import { XRaySidecar, XRaySidecarOptions } from '../sidecar/xray-sidecar';

/** Options of the sampling rule a traced service creates for itself, or uses. */
export interface TracedServiceSamplingRuleOptions {
  /**
   * Whether the service has a sampling rule at all. Turn it off only when rules are managed
   * outside this app; to share a rule made elsewhere in the app (e.g. by `AfirgenTracing`), pass
   * it as `existingRule` instead.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * A rule that already exists in this app for this service, e.g.
   * `afirgenTracing.samplingRuleFor(AfirgenServiceName.MAIN_BACKEND)`: the service creates no rule
   * of its own, its `XRAY_SAMPLING_RATE` is the rule's fixed rate (unless `tracing.samplingRate`
   * says the same), and the rule's `serviceName` must be the service's.
   * @default - the service creates its own rule
   */
  readonly existingRule?: SamplingRule;

  /**
   * The rule's priority, 1 (first) to 9999. Not allowed with `existingRule`.
   * @default 1000
   */
  readonly priority?: number;

  /**
   * Traces per second recorded before the fixed rate applies (for all tasks of the service
   * together). Not allowed with `existingRule`.
   * @default 1
   */
  readonly reservoirSize?: number;

  /**
   * The rule's name. Not allowed with `existingRule`.
   * @default - generated from the service name and a hash of the construct path: readable, unique, at most 32 characters
   */
  readonly ruleName?: string;

  /**
   * Adaptive sampling on the service's rule: X-Ray may raise its rate up to `maxRate` during
   * anomalies, once per `cooldown` (ADOT Java v2.11.5+ and Python v0.15.0+ only). Not allowed
   * with `existingRule`.
   * @default - no boost
   */
  readonly samplingRateBoost?: SamplingRateBoost;
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
   * runbook's variables and cdk context. `samplingRate` may be a token
   * (`CfnParameter.valueAsNumber`): the app's `XRAY_SAMPLING_RATE` and the rule's `FixedRate`
   * then both resolve to it at deploy time.
   * @default - enabled, sampling rate 0.1 (or `samplingRule.existingRule`'s), context missing LOG_ERROR
   */
  readonly tracing?: TracingOptions;

  /**
   * Zero-code tracing with the ADOT agent of the app's language, e.g. `AutoInstrumentation.python()`
   * (see `InstrumentOptions.autoInstrumentation`). Needs `sidecar.agent` to take OTLP:
   * `XRayAgent.cloudWatchAgent()` or `XRayAgent.adotCollector()`.
   * @default - none: the app traces itself with its own SDK or helper
   */
  readonly autoInstrumentation?: AutoInstrumentation;

  /**
   * Options of the tracing agent sidecar: the same options `XRaySidecar` takes.
   * @default - the X-Ray daemon with its default sizes
   */
  readonly sidecar?: XRaySidecarOptions;

  /**
   * Options of the service's X-Ray sampling rule (fixed rate = `tracing.samplingRate`).
   * @default - a rule at priority 1000 with reservoir 1
   */
  readonly samplingRule?: TracedServiceSamplingRuleOptions;

  /**
   * Expected requests a month, to add an info annotation with the estimated tracing cost: the
   * X-Ray charges plus, on Fargate, the compute the agent reserves in each of `desiredCount` tasks
   * (us-east-1 list prices; on EC2 stated as not estimated).
   * @default - no estimate
   */
  readonly expectedRequestsPerMonth?: number;

  /**
   * A monthly tracing budget in USD (X-Ray charges plus agent compute): an estimate above it
   * becomes a warning. Needs
   * `expectedRequestsPerMonth`.
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
}

/**
 * What `TracedFargateService` and `TracedEc2Service` share, as aws-ecs-patterns shares its base
 * classes: the validation of the common props, the app container with its log group, the
 * sidecar and `instrument` (or, tracing off, the contract saying so), the sampling rule, the
 * cost annotation, and the service's wait for the agent's IAM policy.
 */
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

  /**
   * Adds the app container, and (tracing on) the sidecar, `instrument` and the service's sampling
   * rule; (tracing off) only the contract saying so.
   */
  protected addTracedApp(taskDefinition: ecs.TaskDefinition, options: TracedAppContainerOptions): TracedApp {
    const props = this.baseProps;
    const enabled = props.tracing?.enabled ?? true;
    const samplingRate = this.samplingRate;
    const contextMissing = props.tracing?.contextMissing ?? DEFAULT_CONTEXT_MISSING;

    const logGroup = new logs.LogGroup(this, 'AppLogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
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
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'app' }),
      portMappings: props.containerPort !== undefined ? [{ containerPort: props.containerPort, protocol: ecs.Protocol.TCP }] : undefined,
    });

    if (!enabled) {
      applyEnvironment(this, container, tracingEnvironment({ serviceName: props.serviceName, enabled: false, samplingRate, contextMissing }));
      return { container };
    }

    const sidecar = new XRaySidecar(this, 'XRay', { ...props.sidecar, taskDefinition });
    sidecar.instrument(container, {
      serviceName: props.serviceName, enabled, samplingRate, contextMissing, autoInstrumentation: props.autoInstrumentation,
    });

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
        // The agent (and any other tracing container already in the task) for every task.
        agentCompute: agentComputeOf(taskDefinition, container, props.desiredCount ?? 1),
      });
    }
    return { container, sidecar, samplingRule };
  }

  /** Makes `service` wait for the agent's IAM policy (the task definition already does). */
  protected orderServiceAfterIam(service: ecs.BaseService, sidecar: XRaySidecar | undefined): void {
    sidecar?.orderAfterIam(service);
  }

  private validateBaseProps(props: TracedServiceBaseProps): void {
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

  /** The rate the app is told: `tracing.samplingRate`, else the existing rule's, else 0.1. */
  private resolveSamplingRate(props: TracedServiceBaseProps): number {
    const existing = props.samplingRule?.existingRule;
    const asked = props.tracing?.samplingRate;
    if (existing === undefined) return asked ?? DEFAULT_SAMPLING_RATE;
    if (existing.serviceName !== props.serviceName) {
      fail(this,
        `samplingRule.existingRule ${existing.node.path} matches serviceName ${JSON.stringify(existing.serviceName)}, ` +
        `not this service's ${JSON.stringify(props.serviceName)}: pass the rule made for ${JSON.stringify(props.serviceName)}`);
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
}
