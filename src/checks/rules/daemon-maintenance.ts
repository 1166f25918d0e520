import { CfnResource } from 'aws-cdk-lib';
import { AgentKind } from '../private/agent-images';
import { NagRuleCompliance } from '../private/cdk-nag-core';
import { namedRule } from '../private/named-rule';
import { readTaskDefinition } from '../private/task-containers';

/** `DaemonMaintenance`: a task definition runs the X-Ray daemon image, which is in maintenance mode. */
export const DaemonMaintenance = namedRule('DaemonMaintenance', (node: CfnResource) => {
  const task = readTaskDefinition(node);
  if (task?.containers === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  return task.containers.some((c) => c.agentKind === AgentKind.XRAY_DAEMON)
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
});
