/**
 * The ids of the `XRayTracingChecks` rules, as cdk-nag reports them and as
 * `Validations.of(cfnResource).acknowledge({ id, reason })` takes them. String constants, not an
 * enum: `id` is typed string, and in Python, Java, C# and Go a jsii enum member is not its string.
 */
export class XRayTracingRule {
  /** An ECS task definition runs no tracing agent container. */
  public static readonly AGENT_MISSING: string = 'XRayTracing-AgentMissing';
  /** A tracing agent image has no tag or the `latest` tag. */
  public static readonly AGENT_IMAGE_UNPINNED: string = 'XRayTracing-AgentImageUnpinned';
  /** An instrumented container's daemon address does not reach the agent for the task's network mode. */
  public static readonly DAEMON_ADDRESS_UNREACHABLE: string = 'XRayTracing-DaemonAddressUnreachable';
  /** A task role may write traces but not read sampling rules (reported on the `AWS::IAM::Role`). */
  public static readonly SAMPLING_RULES_UNREADABLE: string = 'XRayTracing-SamplingRulesUnreadable';
  /** A sampling rule's `FixedRate` is above the pack's `maxFixedRate`. */
  public static readonly FIXED_RATE_TOO_HIGH: string = 'XRayTracing-FixedRateTooHigh';
  /** A task runs the X-Ray daemon, in maintenance mode until its end of support on 2027-02-25. */
  public static readonly DAEMON_MAINTENANCE: string = 'XRayTracing-DaemonMaintenance';
  /**
   * A container names its X-Ray service (`AWS_XRAY_TRACING_NAME`) but no sampling rule of the app
   * matches it, or the matching rule's `FixedRate` is not the container's `XRAY_SAMPLING_RATE`.
   */
  public static readonly SAMPLING_RULE_MISSING: string = 'XRayTracing-SamplingRuleMissing';
  /**
   * A collector-less service (its app exports straight to X-Ray's OTLP endpoint) runs in subnets
   * with no NAT route and no `com.amazonaws.<region>.xray` interface endpoint (reported on the
   * `AWS::ECS::Service`).
   */
  public static readonly AGENTLESS_NO_EGRESS: string = 'XRayTracing-AgentlessNoEgress';
  /**
   * A container loads an OpenTelemetry auto-instrumentation agent and leaves the X-Ray SDK on
   * (`AWS_XRAY_SDK_ENABLED` not `false`): a leftover X-Ray SDK records every request twice.
   */
  public static readonly XRAY_SDK_BESIDE_OTEL_AGENT: string = 'XRayTracing-XRaySdkBesideOtelAgent';

  private constructor() {}
}
