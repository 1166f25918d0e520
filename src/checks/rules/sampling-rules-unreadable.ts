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
 * `SamplingRulesUnreadable`, on the `AWS::IAM::Role`: an ECS task role may send traces but
 * certainly cannot read the sampling rules, so the SDKs fall back to local sampling. Read from
 * the policies of its stack; anything unknown is not reported.
 */
export const SamplingRulesUnreadable = namedRule('SamplingRulesUnreadable', (node: CfnResource) => {
  if (!(node instanceof iam.CfnRole) || !isTaskRole(node)) return NagRuleCompliance.NOT_APPLICABLE;
  const permissions = rolePermissions(node);
  if (isAllowed(permissions, WRITE_ACTION) !== Knowledge.YES) return NagRuleCompliance.NOT_APPLICABLE;
  return SAMPLING_READ_ACTIONS.some((action) => isAllowed(permissions, action) === Knowledge.NO)
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
});
