import { Stack, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** The reason the X-Ray policy's `Resource: *` is acknowledged, and nothing else. */
export const XRAY_IAM5_REASON =
  'AWS X-Ray has no resource-level permissions for PutTraceSegments, PutTelemetryRecords, GetSamplingRules, ' +
  'GetSamplingTargets and GetSamplingStatisticSummaries: the actions only accept Resource "*".';

/** Acknowledges `AwsSolutions-IAM5[Resource::*]` on the X-Ray policy's own `AWS::IAM::Policy`. */
export function acknowledgeXRayPolicyWildcard(policy: iam.Policy): void {
  const cfn = policy.node.defaultChild;
  if (cfn) {
    Validations.of(cfn).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: XRAY_IAM5_REASON });
  }
}

/**
 * Acknowledges `AwsSolutions-IAM5[Resource::<arn>]` for exactly the wildcard resources of
 * `statements` (each a scoped ARN such as one log group's `:*` streams), on `policy` only.
 */
export function acknowledgeScopedPolicyWildcards(policy: iam.Policy, statements: iam.PolicyStatement[], reason: string): void {
  const cfn = policy.node.defaultChild;
  if (!cfn) return;
  const stack = Stack.of(policy);
  for (const statement of statements) {
    for (const resource of statement.resources) {
      if (resource === '*') continue;
      // cdk-nag names a finding by the resource as it resolves, with pseudo parameters as <Name>.
      const shown = nagResourceName(stack.resolve(resource));
      if (shown === undefined) continue;
      recordAcknowledgment(cfn, `AwsSolutions-IAM5[Resource::${shown}]`, reason);
    }
  }
}

/**
 * Records an acknowledgement the way `Validations.acknowledge` does (the metadata cdk-nag reads),
 * for an id that method refuses: it splits ids on `::`, and an ARN with pseudo parameters
 * (`arn:<AWS::Partition>:...`) has several.
 */
function recordAcknowledgment(scope: IConstruct, id: string, reason: string): void {
  const key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;
  const entries = scope.node.metadata.filter((m) => m.type === key);
  const last = entries.length > 0 ? (entries[entries.length - 1].data as Record<string, string>) : undefined;
  scope.node.addMetadata(key, { ...(last ?? {}), [id]: reason });
}

/** A resolved `Fn::Join` of strings and `Ref`s as cdk-nag shows it, or undefined for another shape. */
function nagResourceName(resolved: unknown): string | undefined {
  if (typeof resolved === 'string') return resolved;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!Array.isArray(join) || !Array.isArray(join[1])) return undefined;
  const parts = join[1].map((p) => {
    if (typeof p === 'string') return p;
    const ref = (p as { Ref?: unknown }).Ref;
    return typeof ref === 'string' ? `<${ref}>` : undefined;
  });
  return parts.every((p) => p !== undefined) ? parts.join(join[0]) : undefined;
}

/**
 * Acknowledges `AwsSolutions-ECS2` ("environment variables set directly") on a task definition
 * only when every variable of every container is one of `allowed` — the tracing contract and the
 * agent's own configuration, none of them secret. A variable the user adds makes the finding
 * stand, exactly as without this library. Called from the sidecar's synth-time validation, when
 * the containers are final.
 */
export function acknowledgeContractEnvironment(taskDefinition: ecs.TaskDefinition, names: string[], allowed: ReadonlySet<string>): void {
  const cfn = taskDefinition.node.defaultChild;
  if (!cfn || names.length === 0 || !names.every((n) => allowed.has(n))) return;
  Validations.of(cfn).acknowledge({
    id: 'AwsSolutions-ECS2',
    reason: 'The only environment variables are the X-Ray tracing contract and the tracing agent\'s configuration ' +
      '(addresses, sampling rate, service name): configuration, not secrets.',
  });
}
