import { CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagRuleCompliance } from '../private/cdk-nag-core';
import { Knowledge } from '../private/cfn-values';
import { isAllowed } from '../private/iam-access';
import { namedRule } from '../private/named-rule';
import { isTaskRole, rolePermissions } from '../private/role-permissions';

/** The action that sends trace segments. */
export const WRITE_ACTION = 'xray:PutTraceSegments';

/** The actions the SDKs' centralized sampling needs, through the agent's proxy. */
export const SAMPLING_READ_ACTIONS: readonly string[] = ['xray:GetSamplingRules', 'xray:GetSamplingTargets'];

/**
 * `SamplingRulesUnreadable`, reported on the `AWS::IAM::Role`: an ECS task role (it trusts
 * `ecs-tasks.amazonaws.com`, or a task definition of its stack uses it as `TaskRoleArn`) may send
 * traces (`xray:PutTraceSegments`) but not read the sampling rules (`xray:GetSamplingRules`,
 * `xray:GetSamplingTargets`), so every SDK silently falls back to its local default sampling.
 *
 * The role's permissions are gathered from its inline `Policies` and from every
 * `AWS::IAM::Policy`, `AWS::IAM::RolePolicy` and `AWS::IAM::ManagedPolicy` of its stack attached
 * to it, plus the AWS managed X-Ray policies whose content is known. Wildcards (`xray:*`,
 * `xray:Get*`, `NotAction`) and `Deny` statements count; only statements on `Resource: *` grant
 * these actions (X-Ray has no resource-level permissions for them).
 *
 * Reported only when the write is certainly allowed and a sampling read certainly is not: a
 * condition, a token, or a managed policy of unknown content makes the answer unknown, and unknown
 * is not reported. Permissions boundaries and policies in other stacks are not seen.
 */
export const SamplingRulesUnreadable = namedRule('SamplingRulesUnreadable', (node: CfnResource) => {
  if (!(node instanceof iam.CfnRole) || !isTaskRole(node)) return NagRuleCompliance.NOT_APPLICABLE;
  const permissions = rolePermissions(node);
  if (isAllowed(permissions, WRITE_ACTION) !== Knowledge.YES) return NagRuleCompliance.NOT_APPLICABLE;
  return SAMPLING_READ_ACTIONS.some((action) => isAllowed(permissions, action) === Knowledge.NO)
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
});
