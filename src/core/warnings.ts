/** Every warning id the library adds, `@cdk-xray-ecs/<module>:<id>`, as aws-cdk-lib writes `@aws-cdk/aws-ecs:...`. */
export const WARNINGS = {
  /** A sampling rule with a resource ARN other than `*`, which the SDKs skip. */
  samplingResourceArnIgnored: '@cdk-xray-ecs/sampling:resourceArnIgnoredBySdks',
  /** A sampling rule with attributes, which the SDKs skip. */
  samplingAttributesIgnored: '@cdk-xray-ecs/sampling:attributesIgnoredBySdks',
  /** An estimate above `monthlyBudgetUsd`. */
  costOverBudget: '@cdk-xray-ecs/cost:overBudget',
  /** An estimate that cannot be made because an input is a token. */
  costNotEstimated: '@cdk-xray-ecs/cost:notEstimated',
  /** The aspect found no default container. */
  aspectNoDefaultContainer: '@cdk-xray-ecs/aspects:noDefaultContainer',
  /** The aspect found a network mode in which no agent is reachable. */
  aspectNetworkMode: '@cdk-xray-ecs/aspects:unreachableNetworkMode',
  /** The aspect found a tracing agent container the user added by hand. */
  aspectAgentPresent: '@cdk-xray-ecs/aspects:agentPresent',
  /** The agent leaves the app containers little room in the task. */
  sidecarAppRoom: '@cdk-xray-ecs/sidecar:littleRoomForApp',
  /** An alarm on a group's trace count, or a group with Insights, under Transaction Search below 100 %. */
  transactionSearchIndexedShare: '@cdk-xray-ecs/transaction-search:groupSeesIndexedShareOnly',
  /** Two host-mode traced services with their own sidecars in one cluster (both bind host port 2000). */
  hostPortConflict: '@cdk-xray-ecs/services:hostPort2000Shared',
  /** A collector-less service samples locally: X-Ray's centralized rules and `samplingRateBoost` do not apply. */
  agentlessLocalSampling: '@cdk-xray-ecs/sidecar:agentlessLocalSampling',
  /** An app with collector-less services and no `TransactionSearch`: X-Ray's OTLP endpoint needs it in the account. */
  agentlessTransactionSearch: '@cdk-xray-ecs/sidecar:agentlessNeedsTransactionSearch',
  /** Spans reach X-Ray through an agent that cannot index the annotations the app's groups filter on. */
  annotationsNotIndexed: '@cdk-xray-ecs/sidecar:annotationsNotIndexed',
  /** An agent asked to index more annotation keys than X-Ray keeps per trace (50). */
  annotationKeysOverLimit: '@cdk-xray-ecs/sidecar:annotationKeysOverLimit',
} as const;

/** The warning id of a warning-level `XRayTracingChecks` finding: `@cdk-xray-ecs/checks:<rule id>`. */
export function checksFindingWarningId(ruleName: string): string {
  return `@cdk-xray-ecs/checks:${ruleName}`;
}
