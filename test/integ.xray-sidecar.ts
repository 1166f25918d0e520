import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { XRaySidecar } from '../src';
import { integApp } from './helpers/integ-app';

// A minimal instrumented Fargate task: the app container and the X-Ray daemon beside it.
const app = integApp();
const stack = new Stack(app, 'XRaySidecarInteg');
const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
const appContainer = taskDefinition.addContainer('App', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim'),
  memoryLimitMiB: 512,
  logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app' }),
});
const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
sidecar.instrument(appContainer, { serviceName: 'afirgen-main-backend' });

new IntegTest(app, 'XRaySidecarTest', { testCases: [stack] });
