import { CfnParameter, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { XRayTracingRule } from '../../../src/checks/xray-tracing-rule';
import { createStack } from '../../helpers/app';
import { fargateTask, pathsOf, trace } from '../fixtures';

const RULE = XRayTracingRule.AGENT_IMAGE_UNPINNED;

function taskWithAgent(image: string, options: Partial<ecs.ContainerDefinitionOptions> = {}) {
  const { stack } = createStack();
  const { taskDefinition } = fargateTask(stack);
  const agent = taskDefinition.addContainer('Agent', { image: ecs.ContainerImage.fromRegistry(image), essential: false, ...options });
  return { stack, taskDefinition, agent };
}

describe('XRayTracing-AgentImageUnpinned', () => {
  test.each([
    ['no tag', 'public.ecr.aws/xray/aws-xray-daemon'],
    ['latest', 'public.ecr.aws/xray/aws-xray-daemon:latest'],
    ['LATEST on Docker Hub', 'amazon/aws-xray-daemon:LATEST'],
    ['no tag behind a registry port', 'localhost:5000/aws-xray-daemon'],
    ['latest of the CloudWatch agent', 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest'],
  ])('fires for an agent image with %s', (_what, image) => {
    const { stack } = taskWithAgent(image);
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
  });

  test('fires for an untagged image of a container recognized by its name', () => {
    const { stack } = taskWithAgent('registry.example.com/tracing/agent', { containerName: 'xray-daemon' });
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
  });

  test('does not fire for an XRaySidecar (pinned by construction)', () => {
    const { stack } = createStack();
    const { taskDefinition, app } = fargateTask(stack);
    trace(taskDefinition, app);
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test.each([
    ['a version tag', 'public.ecr.aws/xray/aws-xray-daemon:3.6.6'],
    ['a digest', `public.ecr.aws/xray/aws-xray-daemon@sha256:${'a'.repeat(64)}`],
    ['a tag and a digest', `public.ecr.aws/xray/aws-xray-daemon:latest@sha256:${'b'.repeat(64)}`],
    ['a tag behind a registry port', 'localhost:5000/aws-xray-daemon:3.6.6'],
  ])('does not fire for an agent image pinned by %s', (_what, image) => {
    const { stack } = taskWithAgent(image);
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('does not report a tag only known at deploy time', () => {
    const { stack } = createStack();
    const { taskDefinition } = fargateTask(stack);
    const version = new CfnParameter(stack, 'DaemonVersion', { type: 'String' });
    taskDefinition.addContainer('Agent', {
      image: ecs.ContainerImage.fromRegistry(`public.ecr.aws/xray/aws-xray-daemon:${version.valueAsString}`), essential: false,
    });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('does not look at app images (nginx:latest is not an agent)', () => {
    const { stack } = createStack();
    const { taskDefinition } = fargateTask(stack);
    taskDefinition.addContainer('Web', { image: ecs.ContainerImage.fromRegistry('nginx:latest'), essential: false });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('an acknowledgement on the task definition resource suppresses it', () => {
    const { stack, taskDefinition } = taskWithAgent('public.ecr.aws/xray/aws-xray-daemon:latest');
    Validations.of(taskDefinition.node.defaultChild!).acknowledge({ id: RULE, reason: 'sandbox account, rebuilt nightly' });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });
});
