import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AGENT_CONTAINER_NAME, AGENT_PORT } from './agent-facts';
import { fail, Owner } from './errors';

/** The host name an app uses for the agent in bridge mode: the container link's alias. */
export const BRIDGE_AGENT_HOST = AGENT_CONTAINER_NAME;

/** Where an app container reaches the agent sidecar, by the task's network mode. */
export interface AgentAddress {
  /** `host:port` for the app contract's `XRAY_DAEMON_ADDRESS`. */
  readonly daemonAddress: string;
  /** The SDKs' `AWS_XRAY_DAEMON_ADDRESS`: the same, or the `tcp:… udp:…` two-address form. */
  readonly sdkDaemonAddress: string;
  /** Whether the app container needs a link to the agent container. */
  readonly needsLink: boolean;
  /** The host an OTLP exporter uses. */
  readonly host: string;
}

/**
 * awsvpc and host tasks share one network namespace (the task's ENI, or the instance's): the
 * agent is on loopback. Bridge tasks get a container per namespace: the app reaches the agent
 * through a container link, by its alias, for UDP segments and the TCP sampling proxy alike.
 */
export function agentAddress(owner: Owner, networkMode: ecs.NetworkMode, port: number = AGENT_PORT): AgentAddress {
  switch (networkMode) {
    case ecs.NetworkMode.AWS_VPC:
    case ecs.NetworkMode.HOST:
      return { daemonAddress: `127.0.0.1:${port}`, sdkDaemonAddress: `127.0.0.1:${port}`, needsLink: false, host: '127.0.0.1' };
    case ecs.NetworkMode.BRIDGE:
      return {
        daemonAddress: `${BRIDGE_AGENT_HOST}:${port}`,
        sdkDaemonAddress: `tcp:${BRIDGE_AGENT_HOST}:${port} udp:${BRIDGE_AGENT_HOST}:${port}`,
        needsLink: true,
        host: BRIDGE_AGENT_HOST,
      };
    default:
      return fail(owner,
        `taskDefinition networkMode must be awsvpc, bridge or host for the app to reach a tracing agent, got ${JSON.stringify(networkMode)}`,
      );
  }
}
