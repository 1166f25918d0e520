/**
 * The stack-level scaffolding both benchmark apps share: a stack with an imported VPC (so no VPC
 * resources are synthesized) and one new ECS cluster. Only aws-cdk-lib is used here, so the
 * hand-written app (B) never loads a file of the library.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { StackPlan } from './layout';

/** A stack of the benchmark app and its cluster. */
export interface BenchStack {
  readonly stack: Stack;
  readonly cluster: ecs.Cluster;
}

/** A stack with an imported two-AZ VPC and a new ECS cluster. */
export function createStackWithCluster(app: App, plan: StackPlan): BenchStack {
  const stack = new Stack(app, plan.stackId);
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  return { stack, cluster };
}
