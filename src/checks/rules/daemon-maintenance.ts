import { CfnResource } from 'aws-cdk-lib';
import { AgentKind } from '../private/agent-images';
import { NagRuleCompliance } from '../private/cdk-nag-core';
import { namedRule } from '../private/named-rule';
import { readTaskDefinition } from '../private/task-containers';

/**
 * `DaemonMaintenance`: an `AWS::ECS::TaskDefinition` runs the X-Ray daemon image
 * (`aws-xray-daemon`), in maintenance mode since 2026-02-25 with end of support on 2027-02-25.
 * An agent recognized only by its name or port, with an image only known at deploy time, is not
 * reported.
 */
export const DaemonMaintenance = namedRule('DaemonMaintenance', (node: CfnResource) => {
  const task = readTaskDefinition(node);
  if (task?.containers === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  return task.containers.some((c) => c.agentKind === AgentKind.XRAY_DAEMON)
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
});
