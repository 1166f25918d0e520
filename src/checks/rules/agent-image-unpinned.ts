import { CfnResource } from 'aws-cdk-lib';
import { imagePinned } from '../private/agent-images';
import { NagRuleCompliance } from '../private/cdk-nag-core';
import { Knowledge } from '../private/cfn-values';
import { namedRule } from '../private/named-rule';
import { isAgent, readTaskDefinition } from '../private/task-containers';

/**
 * `AgentImageUnpinned`: a tracing agent container of an `AWS::ECS::TaskDefinition` runs an image
 * with no tag or the `latest` tag. A version tag or a digest (`@sha256:...`) is pinned. A tag only
 * known at deploy time (e.g. a `Ref` to a parameter) is not reported.
 */
export const AgentImageUnpinned = namedRule('AgentImageUnpinned', (node: CfnResource) => {
  const task = readTaskDefinition(node);
  const agents = (task?.containers ?? []).filter(isAgent);
  if (agents.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const unpinned = agents.some((c) => c.image !== undefined && imagePinned(c.image) === Knowledge.NO);
  return unpinned ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
});
