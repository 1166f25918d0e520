import { Annotations, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { CONTRACT_VARIABLES } from '../core/env-contract';
import { validateIntegerInRange, validateXRayServiceName, XRAY_SEGMENT_NAME_MAX } from '../core/validation';
import { validateContextMissing, validateSamplingRate } from '../core/validation-tracing';
import { TracingOptions } from '../core/tracing-options';
import { XRayAgent } from '../sidecar/xray-agent';
import { XRaySidecar } from '../sidecar/xray-sidecar';
import { isDict } from '../checks/private/cfn-values';
import { ContainerView, isAgent, readContainer } from '../checks/private/task-containers';

/** Properties of an {@link XRayTracingAspect}. */
export interface XRayTracingAspectProps extends TracingOptions {
  /**
   * The tracing agent every sidecar runs.
   * @default XRayAgent.daemon()
   */
  readonly agent?: XRayAgent;

  /**
   * CPU units reserved for each agent container.
   * @default - the agent's own default: 32 for the X-Ray daemon
   */
  readonly cpu?: number;

  /**
   * Soft memory reservation of each agent container, in MiB.
   * @default - the agent's own default: 256 for the X-Ray daemon
   */
  readonly memoryReservationMiB?: number;

  /**
   * Retention of each agent's log group.
   * @default logs.RetentionDays.ONE_WEEK
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Prepended to each task definition's family to make the X-Ray service name of its default
   * container (`AWS_XRAY_TRACING_NAME`), e.g. `afirgen-`. Letters, numbers, whitespace and
   * `_ . : / % & # = + \ - @`.
   * @default - no prefix: the service name is the family
   */
  readonly serviceNamePrefix?: string;

  /**
   * Construct paths to leave alone: a task definition whose path is one of these, or lies under
   * one of them, gets no sidecar. `XRayTracingAspect.skip(taskDefinition)` does the same for one
   * task definition.
   * @default - none
   */
  readonly excludePaths?: string[];
}

const SKIPPED = new WeakSet<ecs.TaskDefinition>();

/** Warning ids of the aspect (acknowledgeable as `annotation::<id>`). */
const WARNING_NO_DEFAULT_CONTAINER = '@cdk-xray-ecs/checks:tracingNoDefaultContainer';
const WARNING_NETWORK_MODE = '@cdk-xray-ecs/checks:tracingUnreachableNetworkMode';
const WARNING_AGENT_PRESENT = '@cdk-xray-ecs/checks:tracingAgentPresent';
const WARNING_OWN_TRACING = '@cdk-xray-ecs/checks:tracingConfiguredByHand';

/** Variables that turn tracing off when `false`. */
const DISABLED_VARIABLES: readonly string[] = ['XRAY_ENABLED', 'AWS_XRAY_SDK_ENABLED'];

/**
 * Traces every ECS task definition in a scope: `Aspects.of(app).add(new XRayTracingAspect())`.
 *
 * For each `ecs.TaskDefinition` (Fargate, EC2, External) that has no `XRaySidecar` yet, it adds one
 * (construct id `XRayTracing` under the task definition) and instruments the task definition's
 * default container (`taskDefinition.defaultContainer`, its first essential container) with the
 * service name `serviceNamePrefix + family` (the family's tail is kept when the name would be
 * longer than X-Ray's 200 characters).
 *
 * Left alone:
 * - task definitions that already have an `XRaySidecar` (they are traced the way their author chose);
 * - task definitions passed to `XRayTracingAspect.skip`, or under one of `excludePaths`;
 * - task definitions whose default container turns tracing off (`XRAY_ENABLED` or
 *   `AWS_XRAY_SDK_ENABLED` set to `false`, as `TracedFargateService` with `tracing.enabled: false`);
 * - with a warning annotation instead of a failed synth: task definitions with no default
 *   container, with a network mode in which no agent can be reached (`none`, `nat`), that
 *   already run a tracing agent container of their own (an agent image, a container named
 *   `xray-daemon`, or one mapping UDP 2000), or whose default container already sets tracing
 *   variables (`XRAY_*`, `AWS_XRAY_*`) the aspect would overwrite.
 *
 * Errors of the sidecar itself still fail the synth, e.g. a task whose cpu has no room for the
 * agent: raise the task's cpu or skip it.
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

  private readonly props: XRayTracingAspectProps;
  private readonly excludePaths: string[];

  constructor(props: XRayTracingAspectProps = {}) {
    validateSamplingRate('samplingRate', props.samplingRate);
    validateContextMissing('contextMissing', props.contextMissing);
    validateIntegerInRange('cpu', props.cpu, 1, 10240);
    validateIntegerInRange('memoryReservationMiB', props.memoryReservationMiB, 1);
    validateXRayServiceName('serviceNamePrefix', props.serviceNamePrefix, XRAY_SEGMENT_NAME_MAX - 1);
    this.props = props;
    this.excludePaths = (props.excludePaths ?? []).map((p) => p.replace(/\/+$/, ''));
  }

  /** Adds the sidecar to `node` when it is a task definition that needs one. */
  public visit(node: IConstruct): void {
    if (!(node instanceof ecs.TaskDefinition)) return;
    if (SKIPPED.has(node) || this.isExcluded(node.node.path) || XRaySidecar.of(node) !== undefined) return;

    const container = node.defaultContainer;
    if (container === undefined) {
      Annotations.of(node).addWarningV2(WARNING_NO_DEFAULT_CONTAINER,
        `XRayTracingAspect left ${node.node.path} untraced: it has no default (essential) container to instrument. ` +
        'Add an XRaySidecar and instrument the app container yourself, or XRayTracingAspect.skip(taskDefinition) to silence this.');
      return;
    }
    const mode = node.networkMode;
    if (mode !== ecs.NetworkMode.AWS_VPC && mode !== ecs.NetworkMode.BRIDGE && mode !== ecs.NetworkMode.HOST) {
      Annotations.of(node).addWarningV2(WARNING_NETWORK_MODE,
        `XRayTracingAspect left ${node.node.path} untraced: in network mode ${JSON.stringify(mode)} the app cannot reach a tracing agent ` +
        '(use awsvpc, bridge or host), or XRayTracingAspect.skip(taskDefinition) to silence this.');
      return;
    }
    const containers = node.node.children.filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition);
    const agent = containers.find((c) => {
      const view = this.view(c);
      return view !== undefined && isAgent(view);
    });
    if (agent !== undefined) {
      Annotations.of(node).addWarningV2(WARNING_AGENT_PRESENT,
        `XRayTracingAspect left ${node.node.path} untraced: container ${agent.containerName} already looks like a tracing agent ` +
        '(an agent image, the name xray-daemon, or UDP port 2000). Replace it with an XRaySidecar, or XRayTracingAspect.skip(taskDefinition) to silence this.');
      return;
    }
    const environment = this.view(container)?.environment ?? new Map<string, string | undefined>();
    if (DISABLED_VARIABLES.some((v) => environment.get(v) === 'false')) {
      return; // tracing turned off on purpose, e.g. TracedFargateService with tracing.enabled false
    }
    // The contract's variables (`env-contract.ts`) are what instrument would set, and so overwrite.
    const own = CONTRACT_VARIABLES.filter((v) => environment.has(v));
    if (own.length > 0) {
      Annotations.of(node).addWarningV2(WARNING_OWN_TRACING,
        `XRayTracingAspect left ${node.node.path} untraced: its default container ${container.containerName} already sets ${own.join(', ')}, ` +
        'which the aspect would overwrite. Trace it with an XRaySidecar (XRaySidecar.instrument), or XRayTracingAspect.skip(taskDefinition) to silence this.');
      return;
    }

    const sidecar = new XRaySidecar(node, 'XRayTracing', {
      taskDefinition: node,
      agent: this.props.agent,
      cpu: this.props.cpu,
      memoryReservationMiB: this.props.memoryReservationMiB,
      logRetention: this.props.logRetention,
    });
    sidecar.instrument(container, {
      serviceName: this.serviceName(node),
      samplingRate: this.props.samplingRate,
      enabled: this.props.enabled,
      contextMissing: this.props.contextMissing,
    });
  }

  private isExcluded(path: string): boolean {
    return this.excludePaths.some((p) => path === p || path.startsWith(`${p}/`));
  }

  /** `serviceNamePrefix + family`, keeping the family's tail when that is longer than X-Ray allows. */
  private serviceName(taskDefinition: ecs.TaskDefinition): string {
    const prefix = this.props.serviceNamePrefix ?? '';
    const family = taskDefinition.family;
    if (Token.isUnresolved(family)) return `${prefix}${family}`;
    const room = XRAY_SEGMENT_NAME_MAX - prefix.length;
    return `${prefix}${family.length > room ? family.slice(family.length - room) : family}`;
  }

  /** What the checks see of `container`, read the same way as from the synthesized task definition. */
  private view(container: ecs.ContainerDefinition): ContainerView | undefined {
    const rendered: unknown = Stack.of(container).resolve(container.renderContainerDefinition());
    return isDict(rendered) ? readContainer(rendered) : undefined;
  }
}
