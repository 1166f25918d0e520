import { CfnResource } from 'aws-cdk-lib';
import { imagePinned } from '../private/agent-images';
import { NagRuleCompliance } from '../private/cdk-nag-core';
import { Knowledge } from '../private/cfn-values';
import { namedRule } from '../private/named-rule';
import { isAgent, readTaskDefinition } from '../private/task-containers';

/** `AgentImageUnpinned`: a tracing agent container runs an image with no tag or `latest` (deploy-time tags pass). */
export const AgentImageUnpinned = namedRule('AgentImageUnpinned', (node: CfnResource) => {
  const task = readTaskDefinition(node);
  const agents = (task?.containers ?? []).filter(isAgent);
  if (agents.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const unpinned = agents.some((c) => c.image !== undefined && imagePinned(c.image) === Knowledge.NO);
  return unpinned ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
});
