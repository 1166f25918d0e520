import { CfnResource } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AGENT_PORT } from '../../core/agent-facts';
import { NagRuleCompliance } from '../private/cdk-nag-core';
import { DaemonEndpoint, parseDaemonAddress, sameEndpoint, segmentEndpoint } from '../private/daemon-address';
import { namedRule } from '../private/named-rule';
import { ContainerView, isAgent, isInstrumented, readTaskDefinition } from '../private/task-containers';

const LOOPBACK = '127.0.0.1';

/** The ports an agent takes `protocol` traffic on: 2000, and any port it maps for that protocol. */
function agentPorts(agent: ContainerView, protocol: string): Set<number> {
  const ports = new Set<number>([AGENT_PORT]);
  for (const mapping of agent.portMappings) {
    if (mapping.containerPort !== undefined && mapping.protocol === protocol) ports.add(mapping.containerPort);
  }
  return ports;
}

/**
 * The host names `app` reaches `agent` by in bridge mode: the aliases of its links to the agent
 * (`name:alias`, or `name` alone). Undefined when that cannot be known.
 */
function linkAliases(app: ContainerView, agent: ContainerView): Set<string> | undefined {
  if (app.links === undefined || agent.name === undefined) return undefined;
  const aliases = new Set<string>();
  for (const link of app.links) {
    const [name, alias] = link.split(':');
    if (name === agent.name) aliases.add((alias ?? name).toLowerCase());
  }
  return aliases;
}

function reaches(endpoint: DaemonEndpoint, app: ContainerView, agent: ContainerView, networkMode: string): boolean {
  // The plain `host:port` form carries segments over UDP (and the sampling proxy over TCP on the same port).
  const ports = agentPorts(agent, endpoint.protocol ?? 'udp');
  if (!ports.has(endpoint.port)) return false;
  if (networkMode === ecs.NetworkMode.AWS_VPC || networkMode === ecs.NetworkMode.HOST) return endpoint.host === LOOPBACK;
  const aliases = linkAliases(app, agent);
  return aliases === undefined || aliases.has(endpoint.host);
}

/** Whether an instrumented container's addresses reach one of the agents, and agree with each other. */
function appReachesAgent(app: ContainerView, agents: readonly ContainerView[], networkMode: string): boolean {
  const sdk = app.environment.get('AWS_XRAY_DAEMON_ADDRESS');
  const plain = app.environment.get('XRAY_DAEMON_ADDRESS');
  const segmentEndpoints: (DaemonEndpoint | undefined)[] = [];
  for (const value of [sdk, plain]) {
    if (value === undefined) continue; // not set, or only known at deploy time
    const endpoints = parseDaemonAddress(value);
    if (endpoints === undefined) return false;
    if (!endpoints.every((e) => agents.some((agent) => reaches(e, app, agent, networkMode)))) return false;
    segmentEndpoints.push(segmentEndpoint(endpoints));
  }
  if (segmentEndpoints.length === 2) {
    return sameEndpoint(segmentEndpoints[0], segmentEndpoints[1]);
  }
  return true;
}

/**
 * `DaemonAddressUnreachable`: a container's daemon address does not reach the task's agent
 * (loopback in awsvpc and host mode, a link alias in bridge mode, an agent port), or its two
 * address variables disagree. Tasks without an agent and deploy-time values are not reported.
 */
export const DaemonAddressUnreachable = namedRule('DaemonAddressUnreachable', (node: CfnResource) => {
  const task = readTaskDefinition(node);
  const networkMode = task?.networkMode;
  if (task?.containers === undefined || networkMode === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const apps = task.containers.filter((c) => !isAgent(c) && isInstrumented(c));
  if (apps.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  if (networkMode === ecs.NetworkMode.NONE) return NagRuleCompliance.NON_COMPLIANT;
  const known = [ecs.NetworkMode.AWS_VPC, ecs.NetworkMode.HOST, ecs.NetworkMode.BRIDGE] as string[];
  if (!known.includes(networkMode)) return NagRuleCompliance.NOT_APPLICABLE;
  const agents = task.containers.filter(isAgent);
  if (agents.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  return apps.every((app) => appReachesAgent(app, agents, networkMode))
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
});
