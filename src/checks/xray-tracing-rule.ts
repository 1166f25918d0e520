/**
 * The ids of the `XRayTracingChecks` rules, as cdk-nag reports them and as
 * `Validations.of(cfnResource).acknowledge({ id, reason })` takes them.
 */
export enum XRayTracingRule {
  /** An ECS task definition runs no tracing agent container. */
  AGENT_MISSING = 'XRayTracing-AgentMissing',
  /** A tracing agent image has no tag or the `latest` tag. */
  AGENT_IMAGE_UNPINNED = 'XRayTracing-AgentImageUnpinned',
  /** An instrumented container's daemon address does not reach the agent for the task's network mode. */
  DAEMON_ADDRESS_UNREACHABLE = 'XRayTracing-DaemonAddressUnreachable',
  /** A task role may write traces but not read sampling rules (reported on the `AWS::IAM::Role`). */
  SAMPLING_RULES_UNREADABLE = 'XRayTracing-SamplingRulesUnreadable',
  /** A sampling rule's `FixedRate` is above the pack's `maxFixedRate`. */
  FIXED_RATE_TOO_HIGH = 'XRayTracing-FixedRateTooHigh',
  /** A task runs the X-Ray daemon, in maintenance mode until its end of support on 2027-02-25. */
  DAEMON_MAINTENANCE = 'XRayTracing-DaemonMaintenance',
  /**
   * A container names its X-Ray service (`AWS_XRAY_TRACING_NAME`) but no sampling rule of the app
   * matches it, or the matching rule's `FixedRate` is not the container's `XRAY_SAMPLING_RATE`.
   */
  SAMPLING_RULE_MISSING = 'XRayTracing-SamplingRuleMissing',
  /**
   * A collector-less service (its app exports straight to X-Ray's OTLP endpoint) runs in subnets
   * with no NAT route and no `com.amazonaws.<region>.xray` interface endpoint (reported on the
   * `AWS::ECS::Service`).
   */
  AGENTLESS_NO_EGRESS = 'XRayTracing-AgentlessNoEgress',
  /**
   * A container loads an OpenTelemetry auto-instrumentation agent and leaves the X-Ray SDK on
   * (`AWS_XRAY_SDK_ENABLED` not `false`): a leftover X-Ray SDK records every request twice.
   */
  XRAY_SDK_BESIDE_OTEL_AGENT = 'XRayTracing-XRaySdkBesideOtelAgent',
}
