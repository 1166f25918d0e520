import { CfnResource, IPolicyValidationContext, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { NagMessageLevel, NagPack, NagPackProps } from './private/cdk-nag-core';
import { DAEMON_NOTICE_CONTEXT_KEY } from '../sidecar/private/agent-end-of-life';
import { validateNumberInRange } from '../core/validation';
import { NagRuleFunction } from './private/named-rule';
import { AgentImageUnpinned } from './rules/agent-image-unpinned';
import { AgentMissing } from './rules/agent-missing';
import { DaemonAddressUnreachable } from './rules/daemon-address-unreachable';
import { DaemonMaintenance } from './rules/daemon-maintenance';
import { DEFAULT_MAX_FIXED_RATE, fixedRateTooHigh } from './rules/fixed-rate-too-high';
import { SamplingRulesUnreadable } from './rules/sampling-rules-unreadable';

/** Properties of {@link XRayTracingChecks}. */
export interface XRayTracingChecksProps extends NagPackProps {
  /**
   * The highest `FixedRate` (0 to 1) an `AWS::XRay::SamplingRule` may set before
   * `XRayTracing-FixedRateTooHigh` reports it.
   * @default 0.5
   */
  readonly maxFixedRate?: number;

  /**
   * Whether `XRayTracing-DaemonMaintenance` reports task definitions that run the X-Ray daemon
   * (maintenance mode since 2026-02-25, end of support 2027-02-25). Turn it off once the move to
   * another agent is planned; until then it is a warning on every such task definition.
   * @default - true, unless the cdk context key `xray:daemonEndOfLifeNotice` is `false` (the key
   * that also silences the daemon's end-of-life notice at synth)
   */
  readonly reportDaemonMaintenance?: boolean;
}

/** Whether the app keeps the daemon's end-of-life notice on (the context key's default). */
function daemonNoticeWanted(scope: IConstruct): boolean {
  const value: unknown = scope.node.tryGetContext(DAEMON_NOTICE_CONTEXT_KEY);
  return value !== false && value !== 'false';
}

/** The context CDK hands a validation plugin, with the construct tree when CDK provides it. */
interface ValidationContextWithTree extends IPolicyValidationContext {
  readonly appConstruct?: IConstruct;
}

/**
 * A cdk-nag pack (`XRayTracing`) that checks X-Ray tracing on Amazon ECS is wired so it works:
 *
 * | id | level | reported on | finding |
 * | --- | --- | --- | --- |
 * | `XRayTracing-AgentMissing` | error | `AWS::ECS::TaskDefinition` | no tracing agent container |
 * | `XRayTracing-AgentImageUnpinned` | error | `AWS::ECS::TaskDefinition` | agent image untagged or `latest` |
 * | `XRayTracing-DaemonAddressUnreachable` | error | `AWS::ECS::TaskDefinition` | daemon address does not reach the agent |
 * | `XRayTracing-SamplingRulesUnreadable` | error | `AWS::IAM::Role` | task role writes traces, cannot read sampling rules |
 * | `XRayTracing-FixedRateTooHigh` | warning | `AWS::XRay::SamplingRule` | `FixedRate` above `maxFixedRate` |
 * | `XRayTracing-DaemonMaintenance` | warning | `AWS::ECS::TaskDefinition` | runs the X-Ray daemon (end of support 2027-02-25) |
 *
 * Values only known at deploy time (tokens) are never guessed: a rule that cannot tell does not
 * report. Run it with `new XRayTracingChecks().validateScope(app)` after `app.synth()`, or register
 * it with `Validations.of(app).addPlugins(new XRayTracingChecks(app))`. Acknowledge a finding on
 * the resource it is reported on: `Validations.of(cfnResource).acknowledge({ id, reason })`.
 */
export class XRayTracingChecks extends NagPack {
  /** The plugin name: `XRayTracing`. */
  public readonly name: string;

  private readonly scope?: IConstruct;
  private readonly maxFixedRate: number;
  private readonly fixedRateRule: NagRuleFunction;
  private readonly reportDaemonMaintenance?: boolean;

  constructor(scope?: IConstruct, props: XRayTracingChecksProps = {}) {
    super(scope, props);
    this.name = 'XRayTracing';
    this.packName = 'XRayTracing';
    this.scope = scope;
    validateNumberInRange('maxFixedRate', props.maxFixedRate, 0, 1);
    this.maxFixedRate = props.maxFixedRate ?? DEFAULT_MAX_FIXED_RATE;
    this.fixedRateRule = fixedRateTooHigh(this.maxFixedRate);
    this.reportDaemonMaintenance = props.reportDaemonMaintenance;
  }

  /**
   * Called by CDK's validation framework. When CDK does not hand over the construct tree (it does
   * not in aws-cdk-lib 2.257), the scope given to the constructor is checked instead.
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const tree = (context as ValidationContextWithTree).appConstruct;
    if (tree === undefined && this.scope !== undefined) {
      return this.validateScope(this.scope);
    }
    return super.validate(context);
  }

  /**
   * Applies every rule of the pack to one resource (cdk-nag calls it for each `CfnResource` in
   * the scope it validates).
   * @param node the resource to check
   */
  protected checkResource(node: CfnResource): void {
    this.applyRule({
      info: 'The ECS task definition runs no tracing agent, so its traces go nowhere: add one with `new XRaySidecar(this, \'XRay\', { taskDefinition })`.',
      explanation:
        'The X-Ray SDKs send segments over UDP to an agent beside the app (the X-Ray daemon, the CloudWatch agent or the ADOT collector) and never fail when none listens: ' +
        'a task without an agent silently records nothing. A container counts as the agent when its image is public.ecr.aws/xray/aws-xray-daemon, amazon/aws-xray-daemon, ' +
        'public.ecr.aws/cloudwatch-agent/cloudwatch-agent or public.ecr.aws/aws-observability/aws-otel-collector (or a mirror keeping that image name), ' +
        'when it is named xray-daemon, or when it maps UDP port 2000.',
      level: NagMessageLevel.ERROR,
      rule: AgentMissing,
      node,
    });
    this.applyRule({
      info: 'A tracing agent container runs an image with no tag or the `latest` tag: pin a version tag or a digest.',
      explanation:
        'An unpinned agent changes under a running service at the next deployment or task restart; X-Ray daemon 3.3.0 broke every stack that pulled `latest`.',
      level: NagMessageLevel.ERROR,
      rule: AgentImageUnpinned,
      node,
    });
    this.applyRule({
      info: 'An instrumented container\'s AWS_XRAY_DAEMON_ADDRESS / XRAY_DAEMON_ADDRESS does not reach the task\'s tracing agent, or the two disagree.',
      explanation:
        'In awsvpc and host network modes the agent is on 127.0.0.1:2000; in bridge mode the app needs a container link to the agent and its alias as host ' +
        '(xray-daemon:2000, and tcp:xray-daemon:2000 udp:xray-daemon:2000 for the SDKs); in none mode nothing is reachable. ' +
        'Segments sent anywhere else are dropped without an error. XRaySidecar.instrument sets both variables and the link.',
      level: NagMessageLevel.ERROR,
      rule: DaemonAddressUnreachable,
      node,
    });
    this.applyRule({
      info: 'The ECS task role may write traces (xray:PutTraceSegments) but not read sampling rules (xray:GetSamplingRules, xray:GetSamplingTargets).',
      explanation:
        'Without the sampling reads the agent cannot fetch centralized sampling rules, and every SDK silently falls back to its local default (1 request per second and 5 %). ' +
        'Grant them on Resource "*" (X-Ray has no resource-level permissions for them), e.g. with XRaySidecar or XRaySidecar.grant.',
      level: NagMessageLevel.ERROR,
      rule: SamplingRulesUnreadable,
      node,
    });
    this.applyRule({
      info: `The X-Ray sampling rule's FixedRate is above ${this.maxFixedRate}: lower it, or raise the pack's maxFixedRate if that rate is intended.`,
      explanation:
        'X-Ray bills every recorded trace ($5.00 per million after the first 100,000 a month); the fixed rate is the fraction of requests recorded beyond the reservoir, ' +
        'so it is the cost lever. The runbook samples 10 % (5 % under cost pressure).',
      level: NagMessageLevel.WARN,
      rule: this.fixedRateRule,
      node,
    });
    if (this.reportDaemonMaintenance ?? daemonNoticeWanted(node)) {
      this.applyRule({
        info: 'The task runs the AWS X-Ray daemon, in maintenance mode since 2026-02-25 with end of support on 2027-02-25: ' +
          'switch the agent with `agent: XRayAgent.cloudWatchAgent()` (XRaySidecar, XRayTracingAspect, the traced services).',
        explanation:
          'The CloudWatch agent (1.300025.0 or later) and the ADOT collector take the same X-Ray segments on UDP 2000 and proxy sampling on TCP 2000, ' +
          'so the app contract (AWS_XRAY_DAEMON_ADDRESS, XRAY_*) does not change. Set the pack\'s reportDaemonMaintenance to false once the move is planned.',
        level: NagMessageLevel.WARN,
        rule: DaemonMaintenance,
        node,
      });
    }
  }
}
