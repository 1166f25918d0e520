import { Aspects, AspectPriority } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { XRayTracingAspect } from '../../src/aspects/xray-tracing-aspect';
import { WARNINGS } from '../../src/core/warnings';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRayAgentless } from '../../src/sidecar/xray-agentless';
import { createStack } from '../helpers/app';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim');

describe('XRayTracingAspect with agentless', () => {
  test('agentless: each task definition traced collector-less: no agent container, no sampling rule, the X-Ray endpoint contract', () => {
    // GIVEN
    const { app, stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Orders', { family: 'orders', cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('App', { image: IMAGE });

    // WHEN
    Aspects.of(app).add(new XRayTracingAspect({ agentless: true, autoInstrumentation: AutoInstrumentation.node(), samplingRate: 0.25 }),
      { priority: AspectPriority.MUTATING });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::XRay::SamplingRule', 0);
    expect(XRayAgentless.of(taskDefinition)).toBeDefined();
    const containers = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions as Record<string, any>[];
    expect(containers.map((c) => c.Name).sort()).toEqual(['App', 'App-adot-init']);
    const env = Object.fromEntries(containers.find((c) => c.Name === 'App')!.Environment.map((kv: any) => [kv.Name, kv.Value]));
    expect(env).toMatchObject({
      OTEL_SERVICE_NAME: 'orders',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: { 'Fn::Join': ['', ['https://xray.', { Ref: 'AWS::Region' }, '.amazonaws.com/v1/traces']] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['xray:PutSpans', 'xray:PutSpansForIndexing'], Resource: '*' }] },
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(WARNINGS.agentlessLocalSampling))).toHaveLength(1);
    // The app-wide Transaction Search note is added from inside an aspect too, once.
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(WARNINGS.agentlessTransactionSearch))).toHaveLength(1);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('Aspect'))).toEqual([]);
  });

  test('throws when the aspect has agentless without autoInstrumentation, naming the prop', () => {
    expect(() => new XRayTracingAspect({ agentless: true })).toThrow(/autoInstrumentation is required with agentless/);
  });

  test('throws when the aspect pins a too-old release with agentless, naming the minimum', () => {
    expect(() => new XRayTracingAspect({ agentless: true, autoInstrumentation: AutoInstrumentation.python({ version: 'v0.8.0' }) }))
      .toThrow(/version must be at least v0\.9\.0/);
  });

  test('throws when the aspect has agentless with sidecar options (agent, cpu), naming both', () => {
    const auto = AutoInstrumentation.node();
    expect(() => new XRayTracingAspect({ agentless: true, autoInstrumentation: auto, agent: XRayAgent.adotCollector(), cpu: 64 }))
      .toThrow(/agentless and the sidecar options \(agent, cpu\) must not both be set/);
  });

  test('throws when the aspect has agentless with samplingRule options', () => {
    expect(() => new XRayTracingAspect({ agentless: true, autoInstrumentation: AutoInstrumentation.node(), samplingRule: { priority: 5 } }))
      .toThrow(/samplingRule must not be set with agentless/);
  });
});
