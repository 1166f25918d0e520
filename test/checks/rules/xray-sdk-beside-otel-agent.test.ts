import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { XRayTracingRule } from '../../../src/checks/xray-tracing-rule';
import { AutoInstrumentation } from '../../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../../src/sidecar/xray-sidecar';
import { createStack } from '../../helpers/app';
import { APP_IMAGE, pathsOf } from '../fixtures';

const RULE = XRayTracingRule.XRAY_SDK_BESIDE_OTEL_AGENT;
const TASK = 'TestStack/Task/Resource';

/** A hand-written task: an agent container and an app container with `environment`. */
function handWritten(stack: Stack, environment: Record<string, string>): void {
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
  taskDefinition.addContainer('Agent', {
    containerName: 'xray-daemon',
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0'),
    portMappings: [{ containerPort: 2000, protocol: ecs.Protocol.UDP }],
  });
  taskDefinition.addContainer('App', { image: APP_IMAGE, memoryLimitMiB: 512, environment });
}

describe('issue 24 item 4: XRayTracing-XRaySdkBesideOtelAgent', () => {
  test.each([
    ['Python', { PYTHONPATH: '/otel-auto-instrumentation-python/opentelemetry/instrumentation/auto_instrumentation:/app', AWS_XRAY_SDK_ENABLED: 'true' }],
    ['Node.js', { NODE_OPTIONS: '--require /otel/autoinstrumentation.js', AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000' }],
    ['Java', { JAVA_TOOL_OPTIONS: '-javaagent:/otel/javaagent.jar', XRAY_ENABLED: 'true' }],
    ['.NET', { CORECLR_ENABLE_PROFILING: '1', AWS_XRAY_SDK_ENABLED: 'True' }],
  ])('fires for a hand-written %s container with both contracts on', (_language, environment) => {
    const { stack } = createStack();
    handWritten(stack, environment);
    expect(pathsOf(stack, RULE)).toEqual([TASK]);
  });

  test('does not fire when the X-Ray SDK is off, or the OpenTelemetry agent is', () => {
    const environments: Array<Record<string, string>> = [
      { PYTHONPATH: '/otel/opentelemetry/instrumentation/auto_instrumentation', AWS_XRAY_SDK_ENABLED: 'false', AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000' },
      { JAVA_TOOL_OPTIONS: '-javaagent:/otel/javaagent.jar', AWS_XRAY_SDK_ENABLED: 'true', OTEL_SDK_DISABLED: 'true' },
      { JAVA_TOOL_OPTIONS: '-javaagent:/otel/javaagent.jar' },
    ];
    for (const environment of environments) {
      const { stack } = createStack();
      handWritten(stack, environment);
      expect(pathsOf(stack, RULE)).toEqual([]);
    }
  });

  test('does not fire for a normal instrumented container, with or without auto-instrumentation', () => {
    for (const autoInstrumentation of [undefined, AutoInstrumentation.python(), AutoInstrumentation.java()]) {
      const { stack } = createStack();
      const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 1024, memoryLimitMiB: 2048 });
      const app = taskDefinition.addContainer('App', { image: APP_IMAGE, memoryLimitMiB: 512 });
      new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.adotCollector() })
        .instrument(app, { serviceName: 'afirgen-main-backend', autoInstrumentation });
      expect(pathsOf(stack, RULE)).toEqual([]);
    }
  });

  test('does not report a switch only known at deploy time', () => {
    const { stack } = createStack();
    const sdkSwitch = new CfnParameter(stack, 'Sdk', { default: 'true' }).valueAsString;
    handWritten(stack, { NODE_OPTIONS: '--require /otel/autoinstrumentation.js', AWS_XRAY_SDK_ENABLED: sdkSwitch });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });
});
