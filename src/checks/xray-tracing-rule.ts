/** The ids of the `XRayTracingChecks` rules, as findings report them and acknowledgements take them. */
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
  /** A task runs the X-Ray daemon, which is in maintenance mode. */
  public static readonly DAEMON_MAINTENANCE: string = 'XRayTracing-DaemonMaintenance';
  /** No sampling rule of the app matches a container's X-Ray service, or its `FixedRate` is not `XRAY_SAMPLING_RATE`. */
  public static readonly SAMPLING_RULE_MISSING: string = 'XRayTracing-SamplingRuleMissing';
  /** A collector-less service runs in subnets with no route to X-Ray's endpoint. */
  public static readonly AGENTLESS_NO_EGRESS: string = 'XRayTracing-AgentlessNoEgress';
  /** A container loads an OpenTelemetry agent and leaves the X-Ray SDK on, tracing every request twice. */
  public static readonly XRAY_SDK_BESIDE_OTEL_AGENT: string = 'XRayTracing-XRaySdkBesideOtelAgent';

  private constructor() {}
}
