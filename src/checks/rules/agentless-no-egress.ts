import { CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { NagRuleCompliance } from '../private/cdk-nag-core';
import { Knowledge, asArray, asString, flattenToText, isDict, prop, referencedLogicalId, resolveValue } from '../private/cfn-values';
import { namedRule } from '../private/named-rule';
import { isAgentless, readTaskDefinition } from '../private/task-containers';

/** The interface endpoint of X-Ray's API, in any Region: `com.amazonaws.<region>.xray`. */
const XRAY_ENDPOINT_SERVICE = /^com\.amazonaws\.[^.]+\.xray$/;

/** Route targets that carry traffic out of the VPC with no public IP on the task. */
const PRIVATE_EGRESS_TARGETS = ['natGatewayId', 'transitGatewayId', 'networkInterfaceId', 'instanceId', 'vpcPeeringConnectionId', 'vpcEndpointId', 'coreNetworkArn'];

/** The resources of `stack` of one L1 type, by logical id. */
function byLogicalId<T extends CfnResource>(stack: Stack, type: new (...args: never[]) => T): Map<string, T> {
  const out = new Map<string, T>();
  for (const c of stack.node.findAll()) {
    if (c instanceof type) {
      const id = asString(stack.resolve(c.logicalId));
      if (id !== undefined) out.set(id, c);
    }
  }
  return out;
}

/** Whether a subnet's route table sends `0.0.0.0/0` somewhere the task can reach the internet through. */
function subnetEgress(stack: Stack, subnetId: string, publicIp: Knowledge): Knowledge {
  const associations = [...byLogicalId(stack, ec2.CfnSubnetRouteTableAssociation).values()]
    .filter((a) => referencedLogicalId(resolveValue(a, a.subnetId)) === subnetId);
  if (associations.length !== 1) return Knowledge.UNKNOWN; // the VPC's main route table, not in the template
  const table = referencedLogicalId(resolveValue(associations[0], associations[0].routeTableId));
  if (table === undefined) return Knowledge.UNKNOWN;
  let answer = Knowledge.NO;
  for (const route of byLogicalId(stack, ec2.CfnRoute).values()) {
    if (referencedLogicalId(resolveValue(route, route.routeTableId)) !== table) continue;
    const destination = resolveValue(route, route.destinationCidrBlock);
    if (destination !== '0.0.0.0/0') {
      if (destination === undefined || typeof destination === 'string') continue;
      answer = Knowledge.UNKNOWN;
      continue;
    }
    const targets: { [name: string]: unknown } = {
      natGatewayId: route.natGatewayId,
      transitGatewayId: route.transitGatewayId,
      networkInterfaceId: route.networkInterfaceId,
      instanceId: route.instanceId,
      vpcPeeringConnectionId: route.vpcPeeringConnectionId,
      vpcEndpointId: route.vpcEndpointId,
      coreNetworkArn: route.coreNetworkArn,
      gatewayId: route.gatewayId,
    };
    const has = (name: string) => targets[name] !== undefined;
    if (PRIVATE_EGRESS_TARGETS.some(has)) return Knowledge.YES;
    if (has('gatewayId')) {
      // An internet gateway reaches the internet only from a public IP.
      if (publicIp === Knowledge.YES) return Knowledge.YES;
      if (publicIp === Knowledge.UNKNOWN) answer = Knowledge.UNKNOWN;
      continue;
    }
    answer = Knowledge.UNKNOWN;
  }
  return answer;
}

/** Whether the VPC `vpcId` (a logical id) has an interface endpoint for X-Ray in the stack. */
function hasXRayEndpoint(stack: Stack, vpcId: string | undefined): Knowledge {
  let answer = Knowledge.NO;
  for (const endpoint of byLogicalId(stack, ec2.CfnVPCEndpoint).values()) {
    const service = flattenToText(resolveValue(endpoint, endpoint.serviceName));
    if (service === undefined) {
      answer = Knowledge.UNKNOWN;
      continue;
    }
    if (!XRAY_ENDPOINT_SERVICE.test(service)) continue;
    const type = asString(resolveValue(endpoint, endpoint.vpcEndpointType));
    if (type !== undefined && type !== 'Interface') continue;
    const vpc = referencedLogicalId(resolveValue(endpoint, endpoint.vpcId));
    if (vpcId !== undefined && vpc === vpcId) return Knowledge.YES;
    answer = Knowledge.UNKNOWN;
  }
  return answer;
}

/**
 * `AgentlessNoEgress`, on the `AWS::ECS::Service`: a collector-less service runs in a subnet with
 * no default route (NAT, or an internet gateway with a public IP) and no X-Ray interface endpoint
 * in its VPC, so every span is dropped. What the stack cannot see is not reported.
 */
export const AgentlessNoEgress = namedRule('AgentlessNoEgress', (node: CfnResource) => {
  if (!(node instanceof ecs.CfnService)) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const taskId = referencedLogicalId(resolveValue(node, node.taskDefinition));
  const task = taskId === undefined ? undefined : byLogicalId(stack, ecs.CfnTaskDefinition).get(taskId);
  const containers = task === undefined ? undefined : readTaskDefinition(task)?.containers;
  if (containers === undefined || !containers.some(isAgentless)) return NagRuleCompliance.NOT_APPLICABLE;

  const network = resolveValue(node, node.networkConfiguration);
  const awsvpc = isDict(network) ? prop(network, 'awsvpcConfiguration') : undefined;
  if (!isDict(awsvpc)) return NagRuleCompliance.NOT_APPLICABLE;
  const assign = prop(awsvpc, 'assignPublicIp');
  const publicIp = assign === undefined || assign === 'DISABLED' ? Knowledge.NO : assign === 'ENABLED' ? Knowledge.YES : Knowledge.UNKNOWN;
  const subnets = asArray(prop(awsvpc, 'subnets')) ?? [];
  const knownSubnets = byLogicalId(stack, ec2.CfnSubnet);

  let stranded = false;
  let vpcId: string | undefined;
  for (const subnet of subnets) {
    const id = referencedLogicalId(subnet);
    const resource = id === undefined ? undefined : knownSubnets.get(id);
    if (id === undefined || resource === undefined) continue;
    vpcId = referencedLogicalId(resolveValue(resource, resource.vpcId)) ?? vpcId;
    if (subnetEgress(stack, id, publicIp) === Knowledge.NO) stranded = true;
  }
  if (!stranded) return NagRuleCompliance.COMPLIANT;
  const endpoint = hasXRayEndpoint(stack, vpcId);
  if (endpoint === Knowledge.YES) return NagRuleCompliance.COMPLIANT;
  return endpoint === Knowledge.NO ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
});
