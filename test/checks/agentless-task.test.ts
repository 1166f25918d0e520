import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ec2Task, fargateTask, pathsOf, tracingFindings } from './fixtures';
import { XRayTracingRule } from '../../src/checks/xray-tracing-rule';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgentless } from '../../src/sidecar/xray-agentless';
import { createStack } from '../helpers/app';

function agentless(taskDefinition: ecs.TaskDefinition, app: ecs.ContainerDefinition): XRayAgentless {
  const tracing = new XRayAgentless(Stack.of(taskDefinition), `${taskDefinition.node.id}Agentless`, { taskDefinition });
  tracing.instrument(app, { serviceName: 'afirgen-main-backend', autoInstrumentation: AutoInstrumentation.python() });
  return tracing;
}

describe('the checks understand a collector-less task', () => {
  test('AgentMissing, SamplingRuleMissing, DaemonAddressUnreachable, SamplingRulesUnreadable: nothing reported for a collector-less task with no sampling rule', () => {
    // GIVEN
    const { stack } = createStack();
    const fargate = fargateTask(stack, 'Api');
    agentless(fargate.taskDefinition, fargate.app);
    const bridge = ec2Task(stack, ecs.NetworkMode.BRIDGE, 'Gguf');
    agentless(bridge.taskDefinition, bridge.app);

    // THEN
    expect(tracingFindings(stack)).toEqual([]);
  });

  test('AgentMissing: still reported when another container of the collector-less task sends segments to an agent', () => {
    // GIVEN
    const { stack } = createStack();
    const { taskDefinition, app } = fargateTask(stack, 'Api');
    agentless(taskDefinition, app);
    const worker = taskDefinition.addContainer('Worker', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12'), memoryLimitMiB: 128 });
    worker.addEnvironment('AWS_XRAY_DAEMON_ADDRESS', '127.0.0.1:2000');

    // THEN
    expect(pathsOf(stack, XRayTracingRule.AGENT_MISSING)).toEqual(['TestStack/Api/Resource']);
  });

  test('AgentMissing: an endpoint that is not X-Ray\'s (a collector elsewhere) is not collector-less', () => {
    const { stack } = createStack();
    const { app } = fargateTask(stack, 'Api');
    app.addEnvironment('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'https://collector.example.com/v1/traces');
    expect(pathsOf(stack, XRayTracingRule.AGENT_MISSING)).toEqual(['TestStack/Api/Resource']);
  });
});
