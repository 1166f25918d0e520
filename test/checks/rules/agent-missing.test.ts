import { Fn, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { XRayTracingRule } from '../../../src/checks/xray-tracing-rule';
import { XRayAgent } from '../../../src/sidecar/xray-agent';
import { createStack } from '../../helpers/app';
import { APP_IMAGE, DAEMON_IMAGE, ec2Task, fargateTask, pathsOf, trace } from '../fixtures';

const RULE = XRayTracingRule.AGENT_MISSING;

describe('XRayTracing-AgentMissing', () => {
  test('fires on a Fargate task definition with no agent', () => {
    // GIVEN
    const { stack } = createStack();
    fargateTask(stack);
    // THEN
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
  });

  test('fires on an EC2 bridge task definition with no agent', () => {
    const { stack } = createStack();
    ec2Task(stack, ecs.NetworkMode.BRIDGE);
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
  });

  test('fires when the app image is a CDK asset-style image whose name cannot be an agent', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('App', {
      image: ecs.ContainerImage.fromRegistry(Fn.sub(
        '${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}:0123abcd',
      )),
    });
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
  });

  test('fires when an instrumented app image is only known at deploy time (the app is not the agent)', () => {
    const { stack } = createStack();
    const repository = new ecr.Repository(stack, 'Repo');
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('App', {
      image: ecs.ContainerImage.fromEcrRepository(repository, '1.0.0'),
      environment: { AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000' },
    });
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
  });

  test('does not fire with an XRaySidecar (daemon or another agent), Fargate or EC2', () => {
    const { stack } = createStack();
    const fargate = fargateTask(stack, 'Fargate');
    trace(fargate.taskDefinition, fargate.app);
    const bridge = ec2Task(stack, ecs.NetworkMode.BRIDGE, 'Bridge');
    trace(bridge.taskDefinition, bridge.app, XRayAgent.cloudWatchAgent());
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test.each([
    ['the daemon image', DAEMON_IMAGE],
    ['the Docker Hub daemon image', 'amazon/aws-xray-daemon:3.6.6'],
    ['the CloudWatch agent image', 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300062.0'],
    ['the ADOT collector image', 'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3'],
    ['an ECR pull-through cache of the daemon', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/xray/aws-xray-daemon:3.6.6'],
  ])('does not fire for a hand-made agent container running %s', (_what, image) => {
    const { stack } = createStack();
    const { taskDefinition } = fargateTask(stack);
    taskDefinition.addContainer('Tracing', { image: ecs.ContainerImage.fromRegistry(image), essential: false });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('does not fire for a mirror whose repository is a token, when it is named xray-daemon', () => {
    const { stack } = createStack();
    const { taskDefinition } = fargateTask(stack);
    const mirror = new ecr.Repository(stack, 'Mirror');
    taskDefinition.addContainer('Agent', {
      containerName: 'xray-daemon', image: ecs.ContainerImage.fromEcrRepository(mirror, '3.6.6'), essential: false,
    });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('does not fire for a container of any image that maps UDP 2000', () => {
    const { stack } = createStack();
    const { taskDefinition } = fargateTask(stack);
    taskDefinition.addContainer('Agent', {
      image: ecs.ContainerImage.fromRegistry('registry.example.com/tracing/agent:1.0'),
      portMappings: [{ containerPort: 2000, protocol: ecs.Protocol.UDP }],
      essential: false,
    });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('a TCP 2000 mapping alone does not make an agent', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('App', { image: APP_IMAGE, portMappings: [{ containerPort: 2000 }] });
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
  });

  test('is not reported when an uninstrumented image is only known at deploy time (it could be a mirrored agent)', () => {
    const { stack } = createStack();
    const repository = new ecr.Repository(stack, 'Repo');
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('App', { image: ecs.ContainerImage.fromEcrRepository(repository, '1.0.0') });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('an acknowledgement on the task definition resource suppresses it, one on the L2 does not', () => {
    const { stack } = createStack();
    const acknowledged = fargateTask(stack, 'Batch').taskDefinition;
    Validations.of(acknowledged.node.defaultChild!).acknowledge({ id: RULE, reason: 'batch job, traced by its caller' });
    const onL2 = fargateTask(stack, 'Other').taskDefinition;
    Validations.of(onL2).acknowledge({ id: RULE, reason: 'on the wrong construct' });
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Other/Resource']);
  });
});
