import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { createStack } from '../helpers/app';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');

function appEnvironment(autoInstrumentation?: AutoInstrumentation, environment: Record<string, string> = {}): Record<string, string> {
  const { stack } = createStack({ env: { account: '111111111111', region: 'eu-west-1' } });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 1024, memoryLimitMiB: 2048 });
  const app = taskDefinition.addContainer('App', { containerName: 'app', image: IMAGE, environment });
  new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.cloudWatchAgent() })
    .instrument(app, { serviceName: 'afirgen-main-backend', autoInstrumentation });
  return envOf(stack, 'app');
}

function envOf(stack: Stack, name: string): Record<string, string> {
  const defs = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions;
  const def = defs.find((d: { Name: string }) => d.Name === name);
  return Object.fromEntries((def.Environment ?? []).map((kv: { Name: string; Value: string }) => [kv.Name, kv.Value]));
}

describe('issue 24 item 4: one trace per request', () => {
  test.each([
    ['python', AutoInstrumentation.python()],
    ['node', AutoInstrumentation.node()],
    ['java', AutoInstrumentation.java()],
    ['dotnet', AutoInstrumentation.dotnet()],
  ])('AWS_XRAY_SDK_ENABLED and XRAY_ENABLED are false under %s auto-instrumentation', (_language, auto) => {
    const env = appEnvironment(auto);
    expect(env.AWS_XRAY_SDK_ENABLED).toBe('false');
    expect(env.XRAY_ENABLED).toBe('false');
    // still traced: the OpenTelemetry side is on, and the sampling proxy is still where it was
    expect(env.OTEL_SDK_DISABLED).toBeUndefined();
    expect(env.OTEL_TRACES_SAMPLER).toBe('xray');
    expect(env.AWS_XRAY_DAEMON_ADDRESS).toBe('127.0.0.1:2000');
  });

  test('without auto-instrumentation the X-Ray SDK stays on', () => {
    const env = appEnvironment();
    expect(env.AWS_XRAY_SDK_ENABLED).toBe('true');
    expect(env.XRAY_ENABLED).toBe('true');
    expect(env.XRay__DisableXRayTracing).toBeUndefined();
  });

  test('.NET also gets XRay__DisableXRayTracing, the X-Ray SDK for .NET\'s own switch; the others do not', () => {
    expect(appEnvironment(AutoInstrumentation.dotnet()).XRay__DisableXRayTracing).toBe('true');
    for (const auto of [AutoInstrumentation.python(), AutoInstrumentation.node(), AutoInstrumentation.java()]) {
      expect(appEnvironment(auto).XRay__DisableXRayTracing).toBeUndefined();
    }
  });

  test('throws when the container turns the X-Ray SDK on itself', () => {
    expect(() => appEnvironment(AutoInstrumentation.python(), { AWS_XRAY_SDK_ENABLED: 'true' }))
      .toThrow(/container app already sets tracing variables to other values \(AWS_XRAY_SDK_ENABLED is "true", tracing would set "false"\)/);
  });
});
