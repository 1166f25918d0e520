import { Annotations, Stack, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { addTracingPolicy, attachedTracing, attachTracing, checkInstrumentTarget, existingAttachment, requireTaskDefinition } from './private/attachment';
import { autoInstrumentationVariableNames } from './private/auto-instrumentation-env';
import { validateAgentlessAutoInstrumentation } from '../core/validation-agentless';
import { attachAutoInstrumentation } from './private/auto-instrumentation-init';
import { acknowledgeContractEnvironment } from './private/nag-acknowledgements';
import { noteTransactionSearchNeeded } from './private/transaction-search-note';
import { InstrumentOptions } from './xray-sidecar';
import { AGENT_OTLP_HTTP_PORT, AGENTLESS_ACTIONS, xrayOtlpTracesEndpoint } from '../core/agent-facts';
import { warnAnnotationsNotIndexed } from '../core/annotation-keys';
import { applyEnvironment, CONTRACT_VARIABLES, tracingEnvironment } from '../core/env-contract';
import { fail } from '../core/errors';
import { renderNumber } from '../core/numbers';
import { containerSizes } from '../core/task-sizing';
import { DEFAULT_SAMPLING_RATE } from '../core/tracing-options';
import { WARNINGS } from '../core/warnings';

/** Properties of an {@link XRayAgentless}. */
export interface XRayAgentlessProps {
  /** The task definition whose app containers export straight to X-Ray: Fargate, EC2 (awsvpc, bridge or host) or External. */
  readonly taskDefinition: ecs.TaskDefinition;
}

/** The reason the collector-less policy's `Resource: *` is acknowledged, and nothing else. */
const AGENTLESS_IAM5_REASON =
  'AWS X-Ray has no resource-level permissions for PutSpans and PutSpansForIndexing: the actions only accept Resource "*".';

/** Why collector-less spans carry only the annotations the app asks for. */
const AGENTLESS_UNINDEXED = {
  reason: 'collector-less tracing has no agent to index span attributes (X-Ray\'s OTLP endpoint makes an attribute an annotation only when the span lists it)',
  alternative: 'or trace this service through XRayAgent.adotCollector(), which indexes the groups\' keys',
};

/**
 * Collector-less tracing on one ECS task definition: no agent container. The app's ADOT SDK
 * (`autoInstrumentation`, required) exports OTLP/HTTP straight to X-Ray's endpoint
 * (`https://xray.<region>.amazonaws.com/v1/traces`), signed with SigV4 by the task role, which
 * gets `xray:PutSpans` and `xray:PutSpansForIndexing` (the task definition waits for that policy).
 *
 * It needs Transaction Search in the account and Region, HTTPS egress to the endpoint (a NAT
 * route or the `com.amazonaws.<region>.xray` interface endpoint), and samples locally
 * (`parentbased_traceidratio` at the service's rate): X-Ray's centralized sampling rules and
 * `samplingRateBoost` do not apply. Like `XRaySidecar`, it sits at `<taskDefinition>/XRayTracing`:
 * one per task definition, and never beside a sidecar.
 */
export class XRayAgentless extends Construct {
  /** The collector-less tracing attached to `taskDefinition`, if any. */
  public static of(taskDefinition: ecs.TaskDefinition): XRayAgentless | undefined {
    const tracing = attachedTracing(taskDefinition);
    return tracing instanceof XRayAgentless ? tracing : undefined;
  }

  /** The task definition this belongs to. */
  public readonly taskDefinition: ecs.TaskDefinition;

  /** The inline policy on the task role with the X-Ray span actions. */
  public readonly policy: iam.Policy;

  /** X-Ray's OTLP traces endpoint in the stack's Region (a token when the Region is one). */
  public readonly tracesEndpoint: string;

  private readonly instrumented = new Set<ecs.ContainerDefinition>();

  constructor(scope: Construct, id: string, props: XRayAgentlessProps) {
    super(scope, id);
    const taskDefinition = requireTaskDefinition(this, props.taskDefinition);
    this.taskDefinition = taskDefinition;
    const existing = existingAttachment(taskDefinition);
    if (existing !== undefined) {
      fail(this,
        `taskDefinition ${taskDefinition.node.path} is already traced (${existing.node.path}): a task is traced one way, ` +
        'with an agent (XRaySidecar) or collector-less (XRayAgentless), never both');
    }
    if (taskDefinition.networkMode === ecs.NetworkMode.NONE) {
      fail(this, 'taskDefinition networkMode must give the app network access to X-Ray\'s endpoint (awsvpc, bridge or host), got "none"');
    }
    this.tracesEndpoint = xrayOtlpTracesEndpoint(Stack.of(taskDefinition).region);

    const at = attachTracing(taskDefinition, this);
    this.policy = addTracingPolicy(at, taskDefinition, [new iam.PolicyStatement({ actions: [...AGENTLESS_ACTIONS], resources: ['*'] })]);
    const cfnPolicy = this.policy.node.defaultChild;
    if (cfnPolicy) Validations.of(cfnPolicy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: AGENTLESS_IAM5_REASON });

    noteTransactionSearchNeeded(this);
    const allowedEnvironment = new Set([...CONTRACT_VARIABLES, ...autoInstrumentationVariableNames()]);
    taskDefinition.node.addValidation({
      validate: () => {
        acknowledgeContractEnvironment(taskDefinition, containerSizes(taskDefinition).flatMap((c) => c.environmentNames), allowedEnvironment);
        return [];
      },
    });
  }

  /**
   * Traces `container` collector-less: adds the ADOT agent of `autoInstrumentation` (required) and
   * the variables that make it export to X-Ray's endpoint with local sampling at `samplingRate`.
   * A variable the container already sets to a different value is an error.
   */
  public instrument(container: ecs.ContainerDefinition, options: InstrumentOptions): void {
    const auto = checkInstrumentTarget(this, this.instrumented, container, options, 'XRayAgentless (XRayAgentless.of(taskDefinition))');
    validateAgentlessAutoInstrumentation(this, auto);

    const enabled = options.enabled ?? true;
    applyEnvironment(this, container, tracingEnvironment({
      serviceName: options.serviceName,
      enabled,
      samplingRate: options.samplingRate,
      contextMissing: options.contextMissing,
      agentless: true,
      autoInstrumented: true,
    }));
    if (enabled) {
      attachAutoInstrumentation({
        owner: this,
        container,
        auto: auto!,
        input: {
          serviceName: options.serviceName,
          otlpHttpPort: AGENT_OTLP_HTTP_PORT,
          applicationSignals: false,
          agentlessEndpoint: this.tracesEndpoint,
        },
        logging: (streamPrefix) => initLogging(container, streamPrefix),
      });
      warnAnnotationsNotIndexed(container, AGENTLESS_UNINDEXED);
      Annotations.of(this).addWarningV2(WARNINGS.agentlessLocalSampling,
        `collector-less tracing samples ${options.serviceName} locally (parentbased_traceidratio at ${renderNumber(options.samplingRate ?? DEFAULT_SAMPLING_RATE)}): ` +
        'X-Ray\'s centralized sampling rules and samplingRateBoost do not apply (the ADOT xray sampler reads them only through an agent). ' +
        'Change the rate with tracing.samplingRate and a deployment.');
    }
    this.instrumented.add(container);
  }

  /**
   * Grants `grantee` the span actions of collector-less tracing on `Resource: *` (X-Ray has no
   * resource-level permissions for them). The task role already has them through `policy`.
   */
  public grant(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: [...AGENTLESS_ACTIONS], resourceArns: ['*'] });
  }

  /** Makes `dependent` (an ECS service, a scheduled task) wait for the span policy. */
  public orderAfterIam(dependent: IConstruct): void {
    dependent.node.addDependency(this.policy);
  }
}

/** The app container's log configuration with the init container's stream prefix (awslogs), or as it is. */
function initLogging(container: ecs.ContainerDefinition, streamPrefix: string): ecs.LogDriver | undefined {
  const config = container.logDriverConfig;
  if (config === undefined) return undefined;
  const options = { ...(config.options ?? {}) };
  if (config.logDriver === 'awslogs') options['awslogs-stream-prefix'] = streamPrefix;
  return new ecs.GenericLogDriver({ logDriver: config.logDriver, options, secretOptions: undefined });
}
