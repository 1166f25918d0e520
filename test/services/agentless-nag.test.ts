import * as ecs from 'aws-cdk-lib/aws-ecs';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { createCluster, createStack } from '../helpers/app';
import { awsSolutionsFindings } from '../helpers/nag';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim');

/** The AwsSolutions findings under the traced service, by rule id and path below it. */
function serviceFindings(agentless: boolean, auto: AutoInstrumentation): string[] {
  const { stack } = createStack();
  new TracedFargateService(stack, 'Api', {
    cluster: createCluster(stack),
    serviceName: 'svc',
    image: IMAGE,
    autoInstrumentation: auto,
    ...(agentless ? { agentless: true } : { sidecar: { agent: XRayAgent.adotCollector() } }),
  });
  return awsSolutionsFindings(stack)
    .filter((f) => f.path.startsWith('TestStack/Api/'))
    .map((f) => `${f.ruleId} ${f.path}`)
    .sort();
}

describe('cdk-nag on a collector-less traced service', () => {
  test.each([
    ['python', () => AutoInstrumentation.python()],
    ['dotnet', () => AutoInstrumentation.dotnet()],
  ])('agentless (%s): no AwsSolutions finding the agent-sidecar service does not also have (ECS2 and IAM5 acknowledged narrowly)', (_language, make) => {
    const agentless = serviceFindings(true, make());
    const sidecar = serviceFindings(false, make());
    expect(agentless.filter((f) => !sidecar.includes(f))).toEqual([]);
    expect(agentless.some((f) => f.startsWith('AwsSolutions-ECS2'))).toBe(false);
    expect(agentless.some((f) => f.startsWith('AwsSolutions-IAM5') && f.includes('XRayTracing'))).toBe(false);
  });
});
