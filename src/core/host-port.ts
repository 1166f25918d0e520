import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import { AGENT_PORT } from './agent-facts';
import { fail } from './errors';

/** Who holds host port 2000 on a cluster's instances: a host agent, or host-mode tasks with their own sidecar. */
interface HostPortUsers {
  hostAgent?: IConstruct;
  readonly hostModeSidecars: IConstruct[];
}

const USERS = new WeakMap<ecs.ICluster, HostPortUsers>();

function usersOf(cluster: ecs.ICluster): HostPortUsers {
  let users = USERS.get(cluster);
  if (!users) {
    users = { hostModeSidecars: [] };
    USERS.set(cluster, users);
  }
  return users;
}

/** Records `agent` as the cluster's per-instance agent; throws when host port 2000 is taken. */
export function claimHostPortForHostAgent(agent: IConstruct, cluster: ecs.ICluster): void {
  const users = usersOf(cluster);
  if (users.hostAgent) {
    fail(agent, `cluster ${cluster.node.path} already has an XRayHostAgent (${users.hostAgent.node.path}): one per cluster runs on every instance`);
  }
  if (users.hostModeSidecars.length > 0) {
    fail(agent,
      `cluster ${cluster.node.path} already runs host-mode services with their own agent sidecar on host port ${AGENT_PORT} ` +
      `(${users.hostModeSidecars.map((s) => s.node.path).join(', ')}): give them hostAgent instead of a sidecar`);
  }
  users.hostAgent = agent;
}

/** Records a host-mode service with its own sidecar (an error beside a host agent); returns those recorded before. */
export function claimHostPortForSidecar(service: IConstruct, cluster: ecs.ICluster): IConstruct[] {
  const users = usersOf(cluster);
  if (users.hostAgent) {
    fail(service,
      `a host-mode task with its own agent sidecar binds host port ${AGENT_PORT}, which the cluster's XRayHostAgent ` +
      `(${users.hostAgent.node.path}) already holds on every instance: pass hostAgent instead of a sidecar`);
  }
  const before = [...users.hostModeSidecars];
  users.hostModeSidecars.push(service);
  return before;
}
