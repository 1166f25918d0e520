import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as xray from 'aws-cdk-lib/aws-xray';
import { Construct, IConstruct } from 'constructs';
import { XRayTracingChecks, XRayTracingChecksProps } from '../../src/checks/xray-tracing-checks';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { NagFinding, nagFindings } from '../helpers/nag';

/** An app image that is not a tracing agent. */
export const APP_IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');

/** The X-Ray daemon image, pinned. */
export const DAEMON_IMAGE = 'public.ecr.aws/xray/aws-xray-daemon:3.6.6';

/** A Fargate task definition (512 cpu, 1024 MiB) with one app container. */
export function fargateTask(scope: Construct, id = 'Task'): { taskDefinition: ecs.FargateTaskDefinition; app: ecs.ContainerDefinition } {
  const taskDefinition = new ecs.FargateTaskDefinition(scope, id, { cpu: 512, memoryLimitMiB: 1024 });
  const app = taskDefinition.addContainer('App', { image: APP_IMAGE, memoryLimitMiB: 512 });
  return { taskDefinition, app };
}

/** An EC2 task definition in `networkMode` with one app container. */
export function ec2Task(scope: Construct, networkMode: ecs.NetworkMode, id = 'Task'): { taskDefinition: ecs.Ec2TaskDefinition; app: ecs.ContainerDefinition } {
  const taskDefinition = new ecs.Ec2TaskDefinition(scope, id, { networkMode });
  const app = taskDefinition.addContainer('App', { image: APP_IMAGE, memoryLimitMiB: 512 });
  return { taskDefinition, app };
}

/** Attaches an `XRaySidecar` to `taskDefinition` and instruments `app`. */
export function trace(taskDefinition: ecs.TaskDefinition, app: ecs.ContainerDefinition, agent?: XRayAgent): XRaySidecar {
  const sidecar = new XRaySidecar(Stack.of(taskDefinition), `${taskDefinition.node.id}XRay`, { taskDefinition, agent });
  sidecar.instrument(app, { serviceName: 'afirgen-main-backend' });
  return sidecar;
}

/** All `XRayTracing` findings in `scope`. */
export function tracingFindings(scope: IConstruct, props?: XRayTracingChecksProps): NagFinding[] {
  return nagFindings(scope, new XRayTracingChecks(undefined, props));
}

/** The construct paths `rule` reports in `scope`. */
export function pathsOf(scope: IConstruct, rule: string, props?: XRayTracingChecksProps): string[] {
  return tracingFindings(scope, props).filter((f) => f.ruleId === rule).map((f) => f.path);
}

/** An L1 `AWS::XRay::SamplingRule` for `afirgen-main-backend` with `fixedRate`, catch-all elsewhere unless `fields` say otherwise. */
export function samplingRule(
  scope: Construct, id: string, fixedRate: number, fields: Partial<xray.CfnSamplingRule.SamplingRuleProperty> = {},
): xray.CfnSamplingRule {
  return new xray.CfnSamplingRule(scope, id, {
    samplingRule: {
      ruleName: id,
      priority: 100,
      fixedRate,
      reservoirSize: 1,
      serviceName: 'afirgen-main-backend',
      serviceType: '*',
      host: '*',
      httpMethod: '*',
      urlPath: '*',
      resourceArn: '*',
      version: 1,
      ...fields,
    },
  });
}
