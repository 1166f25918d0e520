import { AspectPriority, Aspects, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import { XRayTracingAspect } from '../../src/aspects/xray-tracing-aspect';
import { TracedEc2Service } from '../../src/services/traced-ec2-service';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { createCluster, createStack } from '../helpers/app';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');

type Resources = Record<string, { Type: string; Properties?: unknown; DependsOn?: string | string[] }>;

/** Every logical id `value` refers to through `Ref` or `Fn::GetAtt` (pseudo parameters left out). */
function references(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) references(v, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string' && !v.startsWith('AWS::')) into.add(v);
      else if (key === 'Fn::GetAtt') into.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]);
      else references(v, into);
    }
  }
  return into;
}

/**
 * The template's dependency graph: an edge from each resource to each resource it must wait for in
 * CloudFormation (what it refers to with `Ref` / `Fn::GetAtt`, and its `DependsOn`).
 */
function dependencyGraph(resources: Resources): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    const edges = references(resource.Properties, new Set<string>());
    for (const d of [resource.DependsOn ?? []].flat()) edges.add(d);
    graph.set(id, new Set([...edges].filter((e) => e in resources)));
  }
  return graph;
}

/** Whether `from` reaches `to` in `graph`. */
function reaches(graph: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...(graph.get(id) ?? []));
  }
  return false;
}

/** The logical ids of the `AWS::IAM::Policy` resources that grant the agent's X-Ray actions. */
function xrayPolicies(resources: Resources): string[] {
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes('xray:PutTraceSegments'))
    .map(([id]) => id);
}

/**
 * Asserts that every ECS service and every task definition of `stack` waits for an X-Ray policy,
 * and that there is one of each at least.
 */
function expectIamBeforeTasks(stack: Stack): void {
  const resources = Template.fromStack(stack).toJSON().Resources as Resources;
  const graph = dependencyGraph(resources);
  const policies = xrayPolicies(resources);
  expect(policies).toHaveLength(1);
  const [policy] = policies;
  const waiting = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::ECS::Service' || r.Type === 'AWS::ECS::TaskDefinition')
    .map(([id, r]) => [id, r.Type] as const);
  expect(waiting.map(([, type]) => type).sort()).toEqual(['AWS::ECS::Service', 'AWS::ECS::TaskDefinition']);
  for (const [id] of waiting) {
    expect({ id, reachesXRayPolicy: reaches(graph, id, policy) }).toEqual({ id, reachesXRayPolicy: true });
  }
  // and the policy does not wait for them (no cycle)
  for (const [id] of waiting) expect(reaches(graph, policy, id)).toBe(false);
}

function ec2Cluster(stack: Stack): ecs.Cluster {
  const cluster = createCluster(stack);
  cluster.addCapacity('Capacity', {
    instanceType: new ec2.InstanceType('m6i.large'),
    machineImage: ecs.EcsOptimizedImage.amazonLinux2(),
    minCapacity: 1,
  });
  return cluster;
}

describe('IAM before tasks', () => {
  test('TracedFargateService: the service and the task definition reach the X-Ray policy', () => {
    const { stack } = createStack();
    new TracedFargateService(stack, 'Svc', { cluster: createCluster(stack), serviceName: 'afirgen-main-backend', image: IMAGE });
    expectIamBeforeTasks(stack);
  });

  test('TracedEc2Service: the service and the task definition reach the X-Ray policy', () => {
    const { stack } = createStack();
    new TracedEc2Service(stack, 'Svc', {
      cluster: ec2Cluster(stack), serviceName: 'afirgen-gguf-server', image: IMAGE, networkMode: ecs.NetworkMode.BRIDGE,
    });
    expectIamBeforeTasks(stack);
  });

  test('XRaySidecar on an ecs_patterns service: the service and the task definition reach the X-Ray policy', () => {
    const { stack } = createStack();
    const service = new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Web', {
      cluster: createCluster(stack), cpu: 512, memoryLimitMiB: 1024, taskImageOptions: { image: IMAGE },
    });
    new XRaySidecar(stack, 'XRay', { taskDefinition: service.taskDefinition })
      .instrument(service.taskDefinition.defaultContainer!, { serviceName: 'web' });
    expectIamBeforeTasks(stack);
  });

  test('XRayTracingAspect: the service and the task definition reach the X-Ray policy', () => {
    const { app, stack } = createStack();
    Aspects.of(app).add(new XRayTracingAspect(), { priority: AspectPriority.MUTATING });
    new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Web', {
      cluster: createCluster(stack), cpu: 512, memoryLimitMiB: 1024, taskImageOptions: { image: IMAGE },
    });
    app.synth();
    expectIamBeforeTasks(stack);
  });

  test('the graph walk sees a missing edge: a task definition without a sidecar does not reach a policy', () => {
    // GIVEN a policy granting X-Ray actions that nothing waits for
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    taskDefinition.addContainer('App', { image: IMAGE, memoryLimitMiB: 512 });
    const other = new ecs.FargateTaskDefinition(stack, 'Other', { cpu: 512, memoryLimitMiB: 1024 });
    other.addContainer('App', { image: IMAGE, memoryLimitMiB: 512 });
    new XRaySidecar(stack, 'XRay', { taskDefinition: other });
    const resources = Template.fromStack(stack).toJSON().Resources as Resources;
    const graph = dependencyGraph(resources);
    const [policy] = xrayPolicies(resources);
    const id = stack.getLogicalId(taskDefinition.node.defaultChild as ecs.CfnTaskDefinition);
    expect(reaches(graph, id, policy)).toBe(false);
    // while the traced one does
    expect(reaches(graph, stack.getLogicalId(other.node.defaultChild as ecs.CfnTaskDefinition), policy)).toBe(true);
  });
});
