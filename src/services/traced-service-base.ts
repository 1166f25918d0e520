import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { annotateCost } from '../cost/private/cost-annotation';
import { CONTRACT_VARIABLES, tracingEnvironment } from '../core/env-contract';
import {
  ECS_NAME_CHARACTER, validateCharacters, validateIntegerInRange, validateLength, validateXRayServiceName, XRAY_SAMPLING_RULE_SERVICE_NAME_MAX,
} from '../core/validation';
import { validateContextMissing, validateSamplingRate } from '../core/validation-tracing';
import { SamplingRule } from '../sampling/sampling-rule';
import { TracedServiceBaseProps } from './traced-service-options';
import { DEFAULT_CONTEXT_MISSING, DEFAULT_SAMPLING_RATE } from '../core/tracing-options';
import { XRaySidecar } from '../sidecar/xray-sidecar';

/** Checks the props both traced services share, before anything is built. */
export function validateTracedServiceProps(props: TracedServiceBaseProps): void {
  validateXRayServiceName('serviceName', props.serviceName, XRAY_SAMPLING_RULE_SERVICE_NAME_MAX);
  if (props.ecsServiceName === undefined) {
    // serviceName doubles as the ECS service name, which ECS restricts further.
    validateCharacters('serviceName', props.serviceName, ECS_NAME_CHARACTER,
      'letters, digits, _ and - when it is also the ECS service name (set ecsServiceName to use other characters in the X-Ray name)');
  } else {
    validateLength('ecsServiceName', props.ecsServiceName, 1, 255);
    validateCharacters('ecsServiceName', props.ecsServiceName, ECS_NAME_CHARACTER, 'letters, digits, _ and -');
  }
  validateIntegerInRange('containerPort', props.containerPort, 1, 65535);
  validateIntegerInRange('desiredCount', props.desiredCount, 0);
  validateSamplingRate('tracing.samplingRate', props.tracing?.samplingRate);
  validateContextMissing('tracing.contextMissing', props.tracing?.contextMissing);
  for (const name of Object.keys(props.environment ?? {})) {
    if (CONTRACT_VARIABLES.includes(name)) {
      throw new Error(
        `environment must not set ${name}: the tracing contract sets it from tracing.* (got ${JSON.stringify(props.environment![name])})`,
      );
    }
  }
}

/** What {@link addTracedApp} built. */
export interface TracedApp {
  readonly container: ecs.ContainerDefinition;
  readonly sidecar?: XRaySidecar;
  readonly samplingRule?: SamplingRule;
}

/** Extra container options that differ between launch types. */
export interface AppContainerExtras {
  readonly cpu?: number;
  readonly memoryLimitMiB?: number;
  readonly gpuCount?: number;
}

/**
 * Adds the app container, and (tracing on) the sidecar, `instrument` and the service's sampling
 * rule; (tracing off) only the contract saying so. Shared by both traced services.
 */
export function addTracedApp(
  scope: Construct,
  taskDefinition: ecs.TaskDefinition,
  props: TracedServiceBaseProps,
  extras: AppContainerExtras,
): TracedApp {
  const enabled = props.tracing?.enabled ?? true;
  const samplingRate = props.tracing?.samplingRate ?? DEFAULT_SAMPLING_RATE;
  const contextMissing = props.tracing?.contextMissing ?? DEFAULT_CONTEXT_MISSING;

  const logGroup = new logs.LogGroup(scope, 'AppLogGroup', {
    retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
  });
  const container = taskDefinition.addContainer('App', {
    containerName: props.containerName ?? 'app',
    image: props.image,
    cpu: extras.cpu,
    memoryLimitMiB: extras.memoryLimitMiB,
    gpuCount: extras.gpuCount || undefined,
    environment: props.environment,
    secrets: props.secrets,
    essential: true,
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'app' }),
    portMappings: props.containerPort !== undefined ? [{ containerPort: props.containerPort, protocol: ecs.Protocol.TCP }] : undefined,
  });

  if (!enabled) {
    const env = tracingEnvironment({ serviceName: props.serviceName, enabled: false, samplingRate, contextMissing });
    for (const [name, value] of Object.entries(env)) container.addEnvironment(name, value);
    return { container };
  }

  const sidecar = new XRaySidecar(scope, 'XRay', { taskDefinition, ...props.sidecar });
  sidecar.instrument(container, { serviceName: props.serviceName, enabled, samplingRate, contextMissing });

  let samplingRule: SamplingRule | undefined;
  const ruleOptions = props.samplingRule ?? {};
  if (ruleOptions.enabled ?? true) {
    samplingRule = new SamplingRule(scope, 'SamplingRule', {
      ruleName: ruleOptions.ruleName,
      priority: ruleOptions.priority ?? 1000,
      fixedRate: samplingRate,
      reservoirSize: ruleOptions.reservoirSize ?? 1,
      serviceName: props.serviceName,
    });
  }

  if (props.monthlyBudgetUsd !== undefined && props.expectedRequestsPerMonth === undefined) {
    throw new Error(`monthlyBudgetUsd needs expectedRequestsPerMonth to estimate against, got monthlyBudgetUsd ${props.monthlyBudgetUsd} alone`);
  }
  if (props.expectedRequestsPerMonth !== undefined) {
    annotateCost(scope, {
      requestsPerMonth: props.expectedRequestsPerMonth,
      samplingRate,
      reservoirPerSecond: samplingRule ? ruleOptions.reservoirSize ?? 1 : 0,
      monthlyBudgetUsd: props.monthlyBudgetUsd,
    });
  }
  return { container, sidecar, samplingRule };
}
