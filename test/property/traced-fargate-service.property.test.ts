import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { TRACED_FARGATE_SERVICE } from './constructs';
import { propertyTest } from './jest-property';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { createStack } from '../helpers/app';

describe('TracedFargateService property (random cpu, memory, containerPort, desiredCount, serviceName, samplingRate, ...)', () => {
  propertyTest(TRACED_FARGATE_SERVICE);
});

describe('TracedFargateService regressions found by fuzzing (fixed in src)', () => {
  // serviceName is validated as an X-Ray service name (letters, numbers, whitespace and
  // `_ . : / % & # = + \ - @`) and then also used as the ECS service name, which ECS allows only
  // letters, digits, `_` and `-`: `afirgen.main-backend` synthesizes and CreateService fails.
  // Proposed fix (validateTracedServiceProps): when ecsServiceName is not set, check serviceName
  // against /^[A-Za-z0-9_-]{1,255}$/ with a message that says to set ecsServiceName; and check
  // ecsServiceName itself the same way.
  test('throws when serviceName cannot be the ECS service name and ecsServiceName is not set', () => {
    const { stack } = createStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-1'] });
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'c', vpc });
    expect(() => new TracedFargateService(stack, 'Svc', {
      cluster, serviceName: 'afirgen.main-backend', image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim'),
    })).toThrow(/ecsServiceName|serviceName/);
  });
});

describe('TracedFargateService regressions found by fuzzing: task size (fixed in src)', () => {
  // cpu / memoryLimitMiB are validated only by the sidecar (XRaySidecar.validateTaskRoom ->
  // validateFargateSize), and task-sizing.ts `known()` treats a non-finite number like an
  // unresolved token (skips it). Proposed fix (traced-fargate-service.ts, before creating the task
  // definition): validateIntegerInRange('cpu', cpu, 1) and ('memoryLimitMiB', memory, 1), then
  // validateFargateSize(path, { cpu, memoryMiB }) whether or not tracing is enabled.
  function cluster(stack: import('aws-cdk-lib').Stack): ecs.ICluster {
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-1'] });
    return ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'c', vpc });
  }
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');

  test('throws for a size Fargate does not run when tracing is off', () => {
    const { stack } = createStack();
    expect(() => new TracedFargateService(stack, 'Svc', {
      cluster: cluster(stack), serviceName: 'afirgen-asr-ocr-server', image, cpu: 2048, memoryLimitMiB: 129992, tracing: { enabled: false },
    })).toThrow(/cpu|memoryLimitMiB/);
  });

  test.each([NaN, Infinity, -Infinity, -15])('throws a library error for cpu %p', (cpu) => {
    const { stack } = createStack();
    let caught: unknown;
    try {
      new TracedFargateService(stack, 'Svc', { cluster: cluster(stack), serviceName: 'afirgen-main-backend', image, cpu });
    } catch (err) {
      caught = err;
    }
    expect((caught as Error | undefined)?.constructor).toBe(Error);
    expect((caught as Error).message).toMatch(/^TestStack\/Svc: (cpu|fargate task)/);
  });
});
