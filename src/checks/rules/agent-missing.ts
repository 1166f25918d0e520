import { CfnResource } from 'aws-cdk-lib';
import { couldBeAgentImage } from '../private/agent-images';
import { NagRuleCompliance } from '../private/cdk-nag-core';
import { namedRule } from '../private/named-rule';
import { isAgent, isAgentless, isInstrumented, readTaskDefinition } from '../private/task-containers';

/**
 * `AgentMissing`: an `AWS::ECS::TaskDefinition` runs no tracing agent.
 *
 * A container is taken for the agent when its image is one of the agents' (by the repository's
 * last path segment: `aws-xray-daemon`, `cloudwatch-agent`, `aws-otel-collector`, so mirrors and
 * pull-through caches count), when it is named `xray-daemon`, or when it maps UDP port 2000.
 *
 * Not reported for a collector-less task: a container exports straight to X-Ray's OTLP endpoint
 * (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is `https://xray.<region>.amazonaws.com/v1/traces`) and
 * none sets a daemon address.
 *
 * Not reported when it cannot be known: the container list is a token, or a container that is not
 * instrumented has an image whose repository name is only known at deploy time and could be a
 * mirror of an agent (e.g. `ContainerImage.fromEcrRepository`). Name such an agent `xray-daemon`
 * or map UDP 2000 to have it recognized either way.
 */
export const AgentMissing = namedRule('AgentMissing', (node: CfnResource) => {
  const task = readTaskDefinition(node);
  if (task?.containers === undefined || task.containers.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  if (task.containers.some(isAgent)) return NagRuleCompliance.COMPLIANT;
  // Collector-less: the app exports to X-Ray itself and needs no agent, unless another container
  // still sends segments to one.
  if (task.containers.some(isAgentless) && !task.containers.some(isInstrumented)) return NagRuleCompliance.COMPLIANT;
  const maybeAgent = task.containers.some((c) => !isInstrumented(c) && couldBeAgentImage(c.image));
  return maybeAgent ? NagRuleCompliance.NOT_APPLICABLE : NagRuleCompliance.NON_COMPLIANT;
});
