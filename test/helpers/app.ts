import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/** What {@link createStack} returns: a fresh app and one stack in it. */
export interface TestStack {
  readonly app: App;
  readonly stack: Stack;
}

/**
 * A fresh `App` with one `Stack` for a test. The stack is environment-agnostic unless `props.env`
 * says otherwise; no test needs (or has) credentials.
 */
export function createStack(props: StackProps & { readonly stackName?: string } = {}): TestStack {
  const app = new App();
  const stack = new Stack(app, props.stackName ?? 'TestStack', props);
  return { app, stack };
}

/** What a traced task's role may do in X-Ray: send segments and telemetry, read sampling rules and targets. */
export const XRAY_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:GetSamplingStatisticSummaries',
];

/** A VPC and an ECS cluster in `stack`, for service tests. */
export function createCluster(stack: Stack, id = 'Cluster'): ecs.Cluster {
  const vpc = new ec2.Vpc(stack, `${id}Vpc`, { maxAzs: 2, natGateways: 1 });
  return new ecs.Cluster(stack, id, { vpc });
}

/**
 * The tracing contract an app container gets from a default `instrument` with the agent on
 * loopback (awsvpc): the runbook's four variables and the X-Ray SDK's own.
 */
export function loopbackContract(serviceName: string): Record<string, string> {
  return {
    XRAY_ENABLED: 'true',
    XRAY_SAMPLING_RATE: '0.1',
    XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
    XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_TRACING_NAME: serviceName,
    AWS_XRAY_SDK_ENABLED: 'true',
  };
}
