import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgentless } from '../../src/sidecar/xray-agentless';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { createStack } from '../helpers/app';
import { awsSolutionsFindings } from '../helpers/nag';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');

function task() {
  const { app, stack } = createStack({ env: { region: 'ap-south-1', account: '123456789012' } });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
  const container = taskDefinition.addContainer('App', {
    image: IMAGE, logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app' }),
  });
  return { app, stack, taskDefinition, container };
}

describe('XRayAgentless (collector-less on any task definition)', () => {
  test('any task definition: instrument adds the ADOT agent and the X-Ray endpoint contract; policy under <taskDefinition>/XRayTracing', () => {
    // GIVEN
    const { stack, taskDefinition, container } = task();

    // WHEN
    const agentless = new XRayAgentless(stack, 'Tracing', { taskDefinition });
    agentless.instrument(container, { serviceName: 'afirgen-asr-ocr-server', samplingRate: 0.2, autoInstrumentation: AutoInstrumentation.python() });

    // THEN
    expect(XRayAgentless.of(taskDefinition)).toBe(agentless);
    expect(XRaySidecar.of(taskDefinition)).toBeUndefined();
    expect(agentless.policy.node.path).toEqual('TestStack/Task/XRayTracing/Policy');
    expect(agentless.tracesEndpoint).toEqual('https://xray.ap-south-1.amazonaws.com/v1/traces');
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([Match.objectLike({
        Name: 'App',
        Environment: Match.arrayWith([
          { Name: 'OTEL_TRACES_SAMPLER', Value: 'parentbased_traceidratio' },
          { Name: 'OTEL_TRACES_SAMPLER_ARG', Value: '0.2' },
          { Name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', Value: 'https://xray.ap-south-1.amazonaws.com/v1/traces' },
          { Name: 'OTEL_PYTHON_DISTRO', Value: 'aws_distro' },
        ]),
      })]),
    });
  });

  test('grant gives another principal exactly the span actions', () => {
    const { stack, taskDefinition } = task();
    const agentless = new XRayAgentless(stack, 'Tracing', { taskDefinition });
    const role = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    agentless.grant(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Other') }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['xray:PutSpans', 'xray:PutSpansForIndexing'], Resource: '*' }] },
    });
  });

  test('cdk-nag: no unacknowledged AwsSolutions finding on the collector-less policy (IAM5 on Resource * acknowledged narrowly)', () => {
    const { stack, taskDefinition, container } = task();
    new XRayAgentless(stack, 'Tracing', { taskDefinition }).instrument(container, { serviceName: 'svc', autoInstrumentation: AutoInstrumentation.node() });
    const findings = awsSolutionsFindings(stack).filter((f) => f.path.startsWith('TestStack/Task/XRayTracing'));
    expect(findings).toEqual([]);
  });

  test('throws when instrument has no autoInstrumentation, naming the prop', () => {
    const { stack, taskDefinition, container } = task();
    const agentless = new XRayAgentless(stack, 'Tracing', { taskDefinition });
    expect(() => agentless.instrument(container, { serviceName: 'svc' })).toThrow(/autoInstrumentation is required with agentless/);
  });

  test('throws when the task already has an XRaySidecar, and a sidecar on a collector-less task', () => {
    const one = task();
    new XRaySidecar(one.stack, 'Sidecar', { taskDefinition: one.taskDefinition });
    expect(() => new XRayAgentless(one.stack, 'Tracing', { taskDefinition: one.taskDefinition })).toThrow(/already traced .*never both/);

    const two = task();
    new XRayAgentless(two.stack, 'Tracing', { taskDefinition: two.taskDefinition });
    expect(() => new XRaySidecar(two.stack, 'Sidecar', { taskDefinition: two.taskDefinition })).toThrow(/already traced collector-less .*never both/);
  });

  test('throws on network mode none (no way to the endpoint)', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.NONE });
    expect(() => new XRayAgentless(stack, 'Tracing', { taskDefinition })).toThrow(/networkMode must give the app network access/);
  });
});
