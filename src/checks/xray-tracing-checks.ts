import { Annotations, CfnResource, IAspect, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { AppSamplingRules } from './private/app-sampling-rules';
import { NagMessageLevel, NagPack, NagPackProps } from './private/cdk-nag-core';
import { NagRuleFunction } from './private/named-rule';
import { AgentImageUnpinned } from './rules/agent-image-unpinned';
import { AgentMissing } from './rules/agent-missing';
import { AgentlessNoEgress } from './rules/agentless-no-egress';
import { DaemonAddressUnreachable } from './rules/daemon-address-unreachable';
import { DaemonMaintenance } from './rules/daemon-maintenance';
import { DEFAULT_MAX_FIXED_RATE, fixedRateTooHigh } from './rules/fixed-rate-too-high';
import { samplingRuleMissing } from './rules/sampling-rule-missing';
import { SamplingRulesUnreadable } from './rules/sampling-rules-unreadable';
import { XRaySdkBesideOtelAgent } from './rules/xray-sdk-beside-otel-agent';
import { CONTEXT_KEYS, readContextBoolean } from '../core/context';
import { requireKnownNumber } from '../core/numbers';
import { validateNumberInRange } from '../core/validation';
import { validateBoolean } from '../core/validation-tracing';
import { checksFindingWarningId } from '../core/warnings';

/** Properties of {@link XRayTracingChecks}. */
export interface XRayTracingChecksProps extends NagPackProps {
  /**
   * The highest `FixedRate` (0 to 1) a sampling rule may set before `XRayTracing-FixedRateTooHigh` reports it.
   * @default 0.5
   */
  readonly maxFixedRate?: number;

  /**
   * Whether `XRayTracing-DaemonMaintenance` reports task definitions that run the X-Ray daemon.
   * @default - true, unless the cdk context key `xray:daemonEndOfLifeNotice` is `false`
   */
  readonly reportDaemonMaintenance?: boolean;

  /**
   * Whether warnings fail the synth too, not only error-level findings.
   * @default false
   */
  readonly failOnWarnings?: boolean;
}

/** Whether the app keeps the daemon's end-of-life notice on (the context key's default). */
function daemonNoticeWanted(scope: IConstruct): boolean {
  return readContextBoolean(scope, CONTEXT_KEYS.daemonEndOfLifeNotice) ?? true;
}

/** The severities that make a report a failure: errors, and warnings when asked. */
function failingSeverity(severity: string | undefined, failOnWarnings: boolean): boolean {
  return severity === 'error' || severity === 'fatal' || (failOnWarnings && severity === 'warning');
}

/**
 * A cdk-nag pack (`XRayTracing`) that checks X-Ray tracing on Amazon ECS is wired so it works.
 *
 * | id | level | reported on | finding |
 * | --- | --- | --- | --- |
 * | `XRayTracing-AgentMissing` | error | `AWS::ECS::TaskDefinition` | no tracing agent container |
 * | `XRayTracing-AgentImageUnpinned` | error | `AWS::ECS::TaskDefinition` | agent image untagged or `latest` |
 * | `XRayTracing-DaemonAddressUnreachable` | error | `AWS::ECS::TaskDefinition` | daemon address does not reach the agent |
 * | `XRayTracing-SamplingRulesUnreadable` | error | `AWS::IAM::Role` | task role writes traces, cannot read sampling rules |
 * | `XRayTracing-AgentlessNoEgress` | error | `AWS::ECS::Service` | collector-less service in subnets with no route to X-Ray's endpoint |
 * | `XRayTracing-FixedRateTooHigh` | warning | `AWS::XRay::SamplingRule` | `FixedRate` above `maxFixedRate` |
 * | `XRayTracing-DaemonMaintenance` | warning | `AWS::ECS::TaskDefinition` | runs the X-Ray daemon (in maintenance mode) |
 * | `XRayTracing-SamplingRuleMissing` | warning | `AWS::ECS::TaskDefinition` | no sampling rule of the app matches the service, or its `FixedRate` is not `XRAY_SAMPLING_RATE` |
 * | `XRayTracing-XRaySdkBesideOtelAgent` | warning | `AWS::ECS::TaskDefinition` | a container loads an OpenTelemetry agent and leaves the X-Ray SDK on |
 *
 * Add it as an aspect (`{ priority: AspectPriority.READONLY }`) or a validation plugin; only
 * error-level findings fail the synth. Tokens are never guessed: a rule that cannot tell does not report.
 */
export class XRayTracingChecks extends NagPack implements IAspect {
  /** The plugin name: `XRayTracing`. */
  public readonly name: string;

  private readonly maxFixedRate: number;
  private readonly fixedRateRule: NagRuleFunction;
  private readonly reportDaemonMaintenance?: boolean;
  private readonly failOnWarnings: boolean;
  private readonly samplingRules = new AppSamplingRules();
  private readonly samplingRuleMissingRule: NagRuleFunction;

  constructor(scope?: IConstruct, props: XRayTracingChecksProps = {}) {
    super(scope, props);
    this.name = 'XRayTracing';
    this.packName = 'XRayTracing';
    const owner = 'XRayTracingChecks';
    if (props.maxFixedRate !== undefined) {
      requireKnownNumber(owner, 'maxFixedRate', props.maxFixedRate, '(the pack compares it with each sampling rule\'s FixedRate)');
    }
    validateNumberInRange(owner, 'maxFixedRate', props.maxFixedRate, 0, 1);
    validateBoolean(owner, 'reportDaemonMaintenance', props.reportDaemonMaintenance);
    validateBoolean(owner, 'failOnWarnings', props.failOnWarnings);
    this.maxFixedRate = props.maxFixedRate ?? DEFAULT_MAX_FIXED_RATE;
    this.fixedRateRule = fixedRateTooHigh(this.maxFixedRate);
    this.reportDaemonMaintenance = props.reportDaemonMaintenance;
    this.failOnWarnings = props.failOnWarnings ?? false;
    this.samplingRuleMissingRule = samplingRuleMissing((node) => this.samplingRules.of(node));
  }

  /**
   * Checks every resource under `scope`; a failure only on error-level findings (unlike cdk-nag's report).
   * @param scope the construct tree to check
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.samplingRules.clear();
    const report = super.validateScope(scope);
    this.samplingRules.clear();
    return {
      ...report,
      success: !report.violations.some((v) => failingSeverity(v.severity, this.failOnWarnings)),
    };
  }

  /**
   * As an aspect: annotates each `CfnResource` with its findings (errors, or warnings `@cdk-xray-ecs/checks:<rule id>`).
   * @param node the construct the aspect visits
   */
  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    const report = this.validateScope(node);
    for (const violation of report.violations) {
      const message = `${violation.ruleName}: ${violation.description}`;
      if (failingSeverity(violation.severity, this.failOnWarnings)) {
        Annotations.of(node).addError(message);
      } else {
        Annotations.of(node).addWarningV2(checksFindingWarningId(violation.ruleName), message);
      }
    }
  }

  /**
   * Applies every rule of the pack to one resource.
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
      info: 'A collector-less ECS service (its app exports straight to X-Ray\'s OTLP endpoint) runs in subnets with no route to xray.<region>.amazonaws.com: ' +
        'no NAT gateway route, no internet gateway with a public IP, and no com.amazonaws.<region>.xray interface endpoint in the VPC.',
      explanation:
        'With no agent in the task, the ADOT SDK sends every span over HTTPS to X-Ray\'s endpoint itself; from an isolated subnet the export fails and the spans are dropped. ' +
        'Run the service in subnets with a NAT route, give it a public IP in a public subnet, or add the endpoint: ' +
        'vpc.addInterfaceEndpoint(\'XRay\', { service: ec2.InterfaceVpcEndpointAwsService.XRAY }).',
      level: NagMessageLevel.ERROR,
      rule: AgentlessNoEgress,
      node,
    });
    this.applyRule({
      info: `The X-Ray sampling rule's FixedRate is above ${this.maxFixedRate}: lower it, or raise the pack's maxFixedRate if that rate is intended.`,
      explanation:
        'X-Ray bills every recorded trace beyond a monthly free tier; the fixed rate is the fraction of requests recorded beyond the reservoir, ' +
        'so it is the cost lever.',
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
    this.applyRule({
      info: 'A container sets AWS_XRAY_TRACING_NAME to a service that no X-Ray sampling rule of this app matches, or the rule that matches all its requests ' +
        'sets a FixedRate other than the container\'s XRAY_SAMPLING_RATE: add a SamplingRule for the service (the traced services make one), or align the two rates.',
      explanation:
        'The X-Ray SDKs sample by the account\'s centralized rules, not by XRAY_SAMPLING_RATE: without a rule for the service they use the account\'s Default rule ' +
        '(1 request per second and 5 %), and with one they use its FixedRate, whatever the variable says. The account may hold rules this app does not define ' +
        '(made in the console, or by another app): then acknowledge the finding on the task definition, with that reason.',
      level: NagMessageLevel.WARN,
      rule: this.samplingRuleMissingRule,
      node,
    });
    this.applyRule({
      info: 'A container loads an OpenTelemetry auto-instrumentation agent and leaves the X-Ray SDK on (AWS_XRAY_SDK_ENABLED not false): ' +
        'set AWS_XRAY_SDK_ENABLED=false (and XRAY_ENABLED=false for an app\'s own tracing helper), or remove the X-Ray SDK from the app.',
      explanation:
        'An X-Ray SDK left in the app records every request as its own trace beside the OpenTelemetry one: two traces per request, twice the X-Ray bill, ' +
        'and the groups see whichever copy carries their annotations. XRaySidecar.instrument with autoInstrumentation sets the X-Ray switches off. ' +
        'The X-Ray SDK for Python reads AWS_XRAY_SDK_ENABLED; the SDKs for Node.js and Java have no switch (remove them from the app); the SDK for .NET reads XRay:DisableXRayTracing from its configuration.',
      level: NagMessageLevel.WARN,
      rule: XRaySdkBesideOtelAgent,
      node,
    });
  }
}
