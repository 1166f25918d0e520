import { CfnResource } from 'aws-cdk-lib';
import { couldBeAgentImage } from '../private/agent-images';
import { NagRuleCompliance } from '../private/cdk-nag-core';
import { namedRule } from '../private/named-rule';
import { isAgent, isAgentless, isInstrumented, readTaskDefinition } from '../private/task-containers';

/**
 * `AgentMissing`: a task definition runs no tracing agent (an agent image, a container named
 * `xray-daemon`, or one mapping UDP 2000). Collector-less tasks, and images that could be an agent
 * only known at deploy time, are not reported.
 */
export const AgentMissing = namedRule('AgentMissing', (node: CfnResource) => {
  const task = readTaskDefinition(node);
  if (task?.containers === undefined || task.containers.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  if (task.containers.some(isAgent)) return NagRuleCompliance.COMPLIANT;
  // Collector-less needs no agent, unless another container still sends segments to one.
  if (task.containers.some(isAgentless) && !task.containers.some(isInstrumented)) return NagRuleCompliance.COMPLIANT;
  const maybeAgent = task.containers.some((c) => !isInstrumented(c) && couldBeAgentImage(c.image));
  return maybeAgent ? NagRuleCompliance.NOT_APPLICABLE : NagRuleCompliance.NON_COMPLIANT;
});
