import { Annotations, IAspect, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import { agentAddress } from '../core/agent-address';
import { ADOT_REPOSITORY, AGENT_CONTAINER_NAME, AGENT_OTLP_HTTP_PORT, AGENT_PORT, CLOUDWATCH_REPOSITORY, DAEMON_REPOSITORY } from '../core/agent-facts';
import { applyEnvironment, autoInstrumentationMarker, containerEnvironment, environmentConflicts, tracingEnvironment } from '../core/env-contract';
import { fail } from '../core/errors';
import { DEFAULT_SAMPLING_RATE, TracingOptions } from '../core/tracing-options';
import { validateIntegerInRange, validateXRayServiceName, XRAY_SAMPLING_RULE_SERVICE_NAME_MAX, XRAY_SEGMENT_NAME_MAX } from '../core/validation';
import { validateAgentlessAutoInstrumentation } from '../core/validation-agentless';
import { validateBoolean, validateContextMissing, validateSamplingRate } from '../core/validation-tracing';
import { WARNINGS } from '../core/warnings';
import { SamplingRule } from '../sampling/sampling-rule';
import { AutoInstrumentation } from '../sidecar/auto-instrumentation';
import { XRayAgent } from '../sidecar/xray-agent';
import { XRayAgentless } from '../sidecar/xray-agentless';
import { XRaySidecar, XRaySidecarOptions } from '../sidecar/xray-sidecar';

/** The sampling rule the aspect creates for each task definition it traces. */
export interface XRayTracingAspectSamplingRuleOptions {
  /**
   * Whether each traced task definition gets a sampling rule for its service name at `samplingRate`.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The rules' priority, 1 (first) to 9999.
   * @default 1000
   */
  readonly priority?: number;

  /**
   * Traces per second each rule records before the fixed rate applies.
   * @default 1
   */
  readonly reservoirSize?: number;
}

/** Properties of an {@link XRayTracingAspect}: the sidecar's options, the tracing options and what to trace. */
export interface XRayTracingAspectProps extends XRaySidecarOptions, TracingOptions {
  /**
   * Zero-code tracing of every instrumented container with the ADOT agent of its language; needs an OTLP agent.
   * @default - none: the apps trace themselves
   */
  readonly autoInstrumentation?: AutoInstrumentation;

  /**
   * Collector-less tracing (`XRayAgentless`) instead of a sidecar: no agent, no sampling rule; needs `autoInstrumentation`.
   * @default false
   */
  readonly agentless?: boolean;

  /**
   * Prepended to each task definition's family to make its X-Ray service name, e.g. `shop-`.
   * @default - no prefix: the service name is the family
   */
  readonly serviceNamePrefix?: string;

  /**
   * Construct paths whose task definitions (at or under them) get no sidecar.
   * @default - none
   */
  readonly excludePaths?: string[];

  /**
   * The sampling rule made for each traced task definition.
   * @default - a rule per traced task definition at priority 1000 with reservoir 1
   */
  readonly samplingRule?: XRayTracingAspectSamplingRuleOptions;
}

const SKIPPED = new WeakSet<ecs.TaskDefinition>();

/** The sidecar options, none of which applies with `agentless`. */
const SIDECAR_OPTION_NAMES = [
  'agent', 'cpu', 'memoryReservationMiB', 'memoryLimitMiB', 'essential', 'enableRestartPolicy', 'logRetention', 'logGroup',
  'readonlyRootFilesystem', 'containerName', 'agentReady',
] as const;

/** Variables that turn tracing off when `false`. */
const DISABLED_VARIABLES: readonly string[] = ['XRAY_ENABLED', 'AWS_XRAY_SDK_ENABLED'];

/** The agents' images, by repository (a mirror keeping the image name counts too). */
const AGENT_IMAGE_NAMES: readonly string[] = [DAEMON_REPOSITORY, CLOUDWATCH_REPOSITORY, ADOT_REPOSITORY, 'amazon/aws-xray-daemon']
  .map((r) => r.slice(r.lastIndexOf('/') + 1));

/** Whether `container` looks like a tracing agent someone added by hand. */
function looksLikeAgent(container: ecs.ContainerDefinition): boolean {
  if (container.containerName === AGENT_CONTAINER_NAME) return true;
  if (!Token.isUnresolved(container.imageName)) {
    const withoutTag = container.imageName.split('@')[0].replace(/:[^/:]*$/, '');
    const name = withoutTag.slice(withoutTag.lastIndexOf('/') + 1);
    if (AGENT_IMAGE_NAMES.includes(name)) return true;
  }
  return container.portMappings.some((p) => p.containerPort === AGENT_PORT && p.protocol === ecs.Protocol.UDP);
}

/** The construct id, under a traced task definition, of the sampling rule the aspect adds. */
const RULE_ID = 'XRayTracingSamplingRule';

/**
 * Traces every ECS task definition in a scope: adds an `XRaySidecar` (or collector-less tracing),
 * instruments the default container as `serviceNamePrefix + family`, and adds a sampling rule.
 * Task definitions already traced, skipped, or with tracing turned off are left alone.
 *
 * Add it with `{ priority: AspectPriority.MUTATING }` so that it runs before read-only aspects.
 */
export class XRayTracingAspect implements IAspect {
  /** Keeps the aspect away from `taskDefinition`. */
  public static skip(taskDefinition: ecs.TaskDefinition): void {
    SKIPPED.add(taskDefinition);
  }

  /** Whether `XRayTracingAspect.skip` was called for `taskDefinition`. */
  public static isSkipped(taskDefinition: ecs.TaskDefinition): boolean {
    return SKIPPED.has(taskDefinition);
  }

  /** agentless: an ADOT auto-instrumentation recent enough, no sidecar option, no sampling rule. */
  private static validateAgentless(props: XRayTracingAspectProps): void {
    const owner = 'XRayTracingAspect';
    const sidecarOptions = SIDECAR_OPTION_NAMES.filter((name) => props[name] !== undefined);
    if (sidecarOptions.length > 0) {
      fail(owner, `agentless and the sidecar options (${sidecarOptions.join(', ')}) must not both be set: agentless runs no agent; leave them out, or agentless`);
    }
    if (props.autoInstrumentation !== undefined && !(props.autoInstrumentation instanceof AutoInstrumentation)) {
      fail(owner, `autoInstrumentation must be made with AutoInstrumentation.python(), .node(), .java() or .dotnet(), got ${String(props.autoInstrumentation)}`);
    }
    validateAgentlessAutoInstrumentation(owner, props.autoInstrumentation);
    if (props.samplingRule !== undefined) {
      fail(owner, `samplingRule must not be set with agentless: the SDK samples locally at samplingRate and reads no X-Ray sampling rule, got samplingRule ${JSON.stringify(Object.keys(props.samplingRule))}`);
    }
  }

  private readonly props: XRayTracingAspectProps;
  private readonly excludePaths: string[];

  constructor(props: XRayTracingAspectProps = {}) {
    const owner = 'XRayTracingAspect';
    validateBoolean(owner, 'enabled', props.enabled);
    validateSamplingRate(owner, 'samplingRate', props.samplingRate);
    validateContextMissing(owner, 'contextMissing', props.contextMissing);
    validateIntegerInRange(owner, 'cpu', props.cpu, 1, 10240);
    validateIntegerInRange(owner, 'memoryReservationMiB', props.memoryReservationMiB, 1);
    validateIntegerInRange(owner, 'memoryLimitMiB', props.memoryLimitMiB, 1);
    validateXRayServiceName(owner, 'serviceNamePrefix', props.serviceNamePrefix, this.nameMax(props) - 1);
    validateIntegerInRange(owner, 'samplingRule.priority', props.samplingRule?.priority, 1, 9999);
    validateIntegerInRange(owner, 'samplingRule.reservoirSize', props.samplingRule?.reservoirSize, 0);
    const otlpAgent = props.agentless === true || (props.agent ?? XRayAgent.daemon({ endOfLifeNotice: false })).acceptsOtlp;
    if (props.autoInstrumentation !== undefined && !otlpAgent) {
      fail(owner,
        `autoInstrumentation (${props.autoInstrumentation.language}) needs an agent that takes OTLP, and the X-Ray daemon takes only X-Ray segments: ` +
        'switch with one line, `agent: XRayAgent.cloudWatchAgent()` (or `XRayAgent.adotCollector()`)');
    }
    validateBoolean(owner, 'agentless', props.agentless);
    if (props.agentless === true) XRayTracingAspect.validateAgentless(props);
    this.props = props;
    this.excludePaths = (props.excludePaths ?? []).map((p) => p.replace(/\/+$/, ''));
  }

  /** Traces `node` when it is a task definition that needs it. */
  public visit(node: IConstruct): void {
    if (!(node instanceof ecs.TaskDefinition)) return;
    if (SKIPPED.has(node) || this.isExcluded(node.node.path) || XRaySidecar.of(node) !== undefined || XRayAgentless.of(node) !== undefined) return;

    const container = node.defaultContainer;
    if (container === undefined) {
      Annotations.of(node).addWarningV2(WARNINGS.aspectNoDefaultContainer,
        `XRayTracingAspect left ${node.node.path} untraced: it has no default (essential) container to instrument. ` +
        'Add an XRaySidecar and instrument the app container yourself, or XRayTracingAspect.skip(taskDefinition) to silence this.');
      return;
    }
    const existing = containerEnvironment(container);
    // X-Ray switches off with an OpenTelemetry agent loaded is tracing by OTel, not tracing off.
    if (DISABLED_VARIABLES.some((v) => existing.get(v) === 'false') && autoInstrumentationMarker(existing) === undefined) {
      return; // tracing turned off on purpose, e.g. TracedFargateService with tracing.enabled false
    }
    const serviceName = this.serviceName(node);
    const enabled = this.props.enabled ?? true;
    if (!enabled) {
      applyEnvironment(node, container, tracingEnvironment({
        serviceName, enabled: false, samplingRate: this.props.samplingRate, contextMissing: this.props.contextMissing,
      }));
      return;
    }

    const mode = node.networkMode;
    if (mode !== ecs.NetworkMode.AWS_VPC && mode !== ecs.NetworkMode.BRIDGE && mode !== ecs.NetworkMode.HOST) {
      Annotations.of(node).addWarningV2(WARNINGS.aspectNetworkMode,
        `XRayTracingAspect left ${node.node.path} untraced: in network mode ${JSON.stringify(mode)} the app cannot reach a tracing agent ` +
        '(use awsvpc, bridge or host), or XRayTracingAspect.skip(taskDefinition) to silence this.');
      return;
    }
    const containers = node.node.children.filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition);
    const handMade = containers.find(looksLikeAgent);
    if (handMade !== undefined) {
      Annotations.of(node).addWarningV2(WARNINGS.aspectAgentPresent,
        `XRayTracingAspect left ${node.node.path} untraced: container ${handMade.containerName} already looks like a tracing agent ` +
        '(an agent image, the name xray-daemon, or UDP port 2000). Replace it with an XRaySidecar, or XRayTracingAspect.skip(taskDefinition) to silence this.');
      return;
    }

    if (this.props.agentless === true) {
      this.traceAgentless(node, container, serviceName);
      return;
    }

    // The same conflict instrument refuses, found before anything is attached.
    const agent = this.props.agent ?? XRayAgent.daemon();
    const wanted = tracingEnvironment({
      serviceName,
      enabled,
      samplingRate: this.props.samplingRate,
      contextMissing: this.props.contextMissing,
      address: agentAddress(node, mode),
      otlpHttpPort: agent.acceptsOtlp ? AGENT_OTLP_HTTP_PORT : undefined,
    });
    const conflict = environmentConflicts(container, wanted);
    if (conflict !== undefined) {
      Annotations.of(node).addError(`XRayTracingAspect cannot trace ${node.node.path}: ${conflict}; or XRayTracingAspect.skip(taskDefinition)`);
      return;
    }

    const sidecar = new XRaySidecar(node, 'XRaySidecar', { ...this.props, agent, taskDefinition: node });
    sidecar.instrument(container, {
      serviceName,
      samplingRate: this.props.samplingRate,
      enabled,
      contextMissing: this.props.contextMissing,
      autoInstrumentation: this.props.autoInstrumentation,
    });
    const rule = this.props.samplingRule ?? {};
    if ((rule.enabled ?? true) && node.node.tryFindChild(RULE_ID) === undefined) {
      new SamplingRule(node, RULE_ID, {
        priority: rule.priority ?? 1000,
        fixedRate: this.props.samplingRate ?? DEFAULT_SAMPLING_RATE,
        reservoirSize: rule.reservoirSize ?? 1,
        serviceName,
      });
    }
  }

  /** Collector-less: no agent and no sampling rule; the default container exports to X-Ray's endpoint. */
  private traceAgentless(node: ecs.TaskDefinition, container: ecs.ContainerDefinition, serviceName: string): void {
    const wanted = tracingEnvironment({
      serviceName,
      samplingRate: this.props.samplingRate,
      contextMissing: this.props.contextMissing,
      agentless: true,
      autoInstrumented: true,
    });
    const conflict = environmentConflicts(container, wanted);
    if (conflict !== undefined) {
      Annotations.of(node).addError(`XRayTracingAspect cannot trace ${node.node.path}: ${conflict}; or XRayTracingAspect.skip(taskDefinition)`);
      return;
    }
    const agentless = new XRayAgentless(node, 'XRayAgentless', { taskDefinition: node });
    agentless.instrument(container, {
      serviceName,
      samplingRate: this.props.samplingRate,
      contextMissing: this.props.contextMissing,
      autoInstrumentation: this.props.autoInstrumentation,
    });
  }

  /** The longest service name: 64 when a rule must match it, else X-Ray's 200. */
  private nameMax(props: XRayTracingAspectProps): number {
    return (props.agentless !== true && (props.samplingRule?.enabled ?? true)) ? XRAY_SAMPLING_RULE_SERVICE_NAME_MAX : XRAY_SEGMENT_NAME_MAX;
  }

  private isExcluded(path: string): boolean {
    return this.excludePaths.some((p) => path === p || path.startsWith(`${p}/`));
  }

  /** `serviceNamePrefix + family`, keeping the family's tail when that is longer than X-Ray allows. */
  private serviceName(taskDefinition: ecs.TaskDefinition): string {
    const prefix = this.props.serviceNamePrefix ?? '';
    const family = taskDefinition.family;
    if (Token.isUnresolved(family)) return `${prefix}${family}`;
    const room = this.nameMax(this.props) - prefix.length;
    return `${prefix}${family.length > room ? family.slice(family.length - room) : family}`;
  }
}
