import { Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { XRayTracingRule } from '../../../src/checks/xray-tracing-rule';
import { createStack } from '../../helpers/app';
import { fargateTask, pathsOf, trace } from '../fixtures';

const RULE = XRayTracingRule.SAMPLING_RULES_UNREADABLE;
const ROLE_PATH = 'TestStack/Task/TaskRole/Resource';
const WRITE = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
const READ = ['xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:GetSamplingStatisticSummaries'];

function allow(actions: string[], resources = ['*']): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions, resources });
}

/** A Fargate task whose task role gets `statements` through a separate `iam.Policy` attached with `Roles: [{ Ref }]`. */
function taskWithPolicy(...statements: iam.PolicyStatement[]) {
  const { stack } = createStack();
  const { taskDefinition } = fargateTask(stack);
  new iam.Policy(stack, 'Tracing', { statements }).attachToRole(taskDefinition.taskRole);
  return { stack, taskDefinition };
}

describe('XRayTracing-SamplingRulesUnreadable', () => {
  test('fires on the task role when an attached iam.Policy may write but not read sampling rules', () => {
    const { stack } = taskWithPolicy(allow(WRITE));
    expect(pathsOf(stack, RULE)).toEqual([ROLE_PATH]);
  });

  test('fires for write-only grants in the role\'s default policy (addToTaskRolePolicy)', () => {
    const { stack } = createStack();
    const { taskDefinition } = fargateTask(stack);
    taskDefinition.addToTaskRolePolicy(allow(WRITE));
    expect(pathsOf(stack, RULE)).toEqual([ROLE_PATH]);
  });

  test('fires when only one of the two sampling reads is granted', () => {
    const { stack } = taskWithPolicy(allow([...WRITE, 'xray:GetSamplingRules']));
    expect(pathsOf(stack, RULE)).toEqual([ROLE_PATH]);
  });

  test('fires for xray:Put* without reads', () => {
    const { stack } = taskWithPolicy(allow(['xray:Put*']));
    expect(pathsOf(stack, RULE)).toEqual([ROLE_PATH]);
  });

  test('fires when the reads are granted on a resource ARN (X-Ray only grants them on *)', () => {
    const { stack } = taskWithPolicy(allow(WRITE), allow(READ, ['arn:aws:xray:eu-west-1:123456789012:sampling-rule/*']));
    expect(pathsOf(stack, RULE)).toEqual([ROLE_PATH]);
  });

  test('fires when a Deny takes the reads away', () => {
    const { stack } = taskWithPolicy(
      allow(['xray:*']),
      new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['xray:GetSampling*'], resources: ['*'] }),
    );
    expect(pathsOf(stack, RULE)).toEqual([ROLE_PATH]);
  });

  test('fires for inline Policies of an L1 role trusted by ecs-tasks', () => {
    const { stack } = createStack();
    new iam.CfnRole(stack, 'Role', {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      policies: [{
        policyName: 'xray',
        policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'xray:PutTraceSegments', Resource: '*' }] },
      }],
    });
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Role']);
  });

  test('fires for a role used as TaskRoleArn even when it trusts another principal', () => {
    const { stack } = createStack();
    const taskRole = new iam.Role(stack, 'Shared', { assumedBy: new iam.AccountRootPrincipal() });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { taskRole });
    taskDefinition.addContainer('App', { image: ecs.ContainerImage.fromRegistry('nginx:1.27') });
    taskRole.addToPrincipalPolicy(allow(WRITE));
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Shared/Resource']);
  });

  test('fires when an in-stack managed policy grants only the write', () => {
    const { stack } = createStack();
    const { taskDefinition } = fargateTask(stack);
    taskDefinition.taskRole.addManagedPolicy(new iam.ManagedPolicy(stack, 'Write', { statements: [allow(WRITE)] }));
    expect(pathsOf(stack, RULE)).toEqual([ROLE_PATH]);
  });

  test('does not fire for XRaySidecar\'s policy', () => {
    const { stack } = createStack();
    const { taskDefinition, app } = fargateTask(stack);
    trace(taskDefinition, app);
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test.each([
    ['xray:*', [allow(['xray:*'])]],
    ['xray:Get* beside the write', [allow(['xray:PutTraceSegments', 'xray:Get*'])]],
    ['the reads in a second policy statement', [allow(WRITE), allow(READ)]],
    ['NotAction that spares the reads', [new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['*'] })]],
  ])('does not fire for %s', (_what, statements) => {
    const { stack } = taskWithPolicy(...statements);
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('does not fire when an in-stack managed policy grants the reads', () => {
    const { stack } = createStack();
    const { taskDefinition } = fargateTask(stack);
    taskDefinition.addToTaskRolePolicy(allow(WRITE));
    taskDefinition.taskRole.addManagedPolicy(new iam.ManagedPolicy(stack, 'Read', { statements: [allow(READ)] }));
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('does not fire when the AWS managed AWSXRayDaemonWriteAccess is attached', () => {
    const { stack } = createStack();
    const { taskDefinition } = fargateTask(stack);
    taskDefinition.addToTaskRolePolicy(allow(['xray:PutTraceSegments']));
    taskDefinition.taskRole.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AWSXRayDaemonWriteAccess'));
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('does not report when an AWS managed policy of unknown content could grant the reads', () => {
    const { stack } = createStack();
    const { taskDefinition } = fargateTask(stack);
    taskDefinition.addToTaskRolePolicy(allow(WRITE));
    taskDefinition.taskRole.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy'));
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('does not report when the Deny is conditional', () => {
    const { stack } = taskWithPolicy(
      allow(['xray:*']),
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['xray:GetSamplingRules'],
        resources: ['*'],
        conditions: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
      }),
    );
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('does not apply to roles of other services (e.g. a Lambda function with active tracing)', () => {
    const { stack } = createStack();
    const role = new iam.Role(stack, 'FunctionRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPrincipalPolicy(allow(WRITE));
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('an acknowledgement on the role resource suppresses it', () => {
    const { stack, taskDefinition } = taskWithPolicy(allow(WRITE));
    Validations.of(taskDefinition.taskRole.node.defaultChild!).acknowledge({ id: RULE, reason: 'the service sets sampling in code' });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });
});
