import { CfnParameter, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { XRayTracingRule } from '../../../src/checks/xray-tracing-rule';
import { XRaySidecar } from '../../../src/sidecar/xray-sidecar';
import { createStack } from '../../helpers/app';
import { APP_IMAGE, DAEMON_IMAGE, ec2Task, fargateTask, pathsOf, trace } from '../fixtures';

const RULE = XRayTracingRule.DAEMON_ADDRESS_UNREACHABLE;

/** A task in `networkMode` with an XRaySidecar that does NOT instrument the app: the test sets the app's env by hand. */
function handWired(networkMode: ecs.NetworkMode | 'fargate') {
  const { stack } = createStack();
  const { taskDefinition, app } = networkMode === 'fargate' ? fargateTask(stack) : ec2Task(stack, networkMode);
  const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
  return { stack, taskDefinition, app, sidecar };
}

describe('XRayTracing-DaemonAddressUnreachable', () => {
  describe('does not fire for XRaySidecar.instrument', () => {
    test.each([
      ['Fargate', 'fargate'],
      ['EC2 awsvpc', ecs.NetworkMode.AWS_VPC],
      ['EC2 host', ecs.NetworkMode.HOST],
      ['EC2 bridge', ecs.NetworkMode.BRIDGE],
    ] as const)('%s', (_what, mode) => {
      const { stack, sidecar, app } = handWired(mode);
      sidecar.instrument(app, { serviceName: 'afirgen-gguf-server' });
      expect(pathsOf(stack, RULE)).toEqual([]);
    });

    test('External (bridge by default)', () => {
      const { stack } = createStack();
      const taskDefinition = new ecs.ExternalTaskDefinition(stack, 'Task');
      const app = taskDefinition.addContainer('App', { image: APP_IMAGE, memoryLimitMiB: 256 });
      trace(taskDefinition, app);
      expect(pathsOf(stack, RULE)).toEqual([]);
    });
  });

  test.each([
    ['the bridge alias on Fargate', 'fargate', { AWS_XRAY_DAEMON_ADDRESS: 'xray-daemon:2000' }],
    ['another port', 'fargate', { AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:3000' }],
    ['another host', ecs.NetworkMode.HOST, { XRAY_DAEMON_ADDRESS: '10.0.0.12:2000' }],
    ['a malformed address', 'fargate', { AWS_XRAY_DAEMON_ADDRESS: 'localhost' }],
    ['two addresses of one protocol', 'fargate', { AWS_XRAY_DAEMON_ADDRESS: 'udp:127.0.0.1:2000 udp:127.0.0.1:2000' }],
    ['loopback in bridge mode', ecs.NetworkMode.BRIDGE, { AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000' }],
  ] as const)('fires for %s', (_what, mode, environment) => {
    const { stack, app } = handWired(mode);
    for (const [name, value] of Object.entries(environment)) app.addEnvironment(name, value);
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
  });

  test.each([
    ['localhost', { AWS_XRAY_DAEMON_ADDRESS: 'localhost:2000', XRAY_DAEMON_ADDRESS: '127.0.0.1:2000' }],
    ['the SDK two-address form', { AWS_XRAY_DAEMON_ADDRESS: 'udp:127.0.0.1:2000 tcp:127.0.0.1:2000' }],
    ['only the runbook variable', { XRAY_DAEMON_ADDRESS: '127.0.0.1:2000' }],
  ])('does not fire on Fargate for %s', (_what, environment) => {
    const { stack, app } = handWired('fargate');
    for (const [name, value] of Object.entries(environment)) app.addEnvironment(name, value);
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('bridge: fires without a link, and not once the app links to the agent under that alias', () => {
    const unlinked = handWired(ecs.NetworkMode.BRIDGE);
    unlinked.app.addEnvironment('AWS_XRAY_DAEMON_ADDRESS', 'tcp:xray-daemon:2000 udp:xray-daemon:2000');
    expect(pathsOf(unlinked.stack, RULE)).toEqual(['TestStack/Task/Resource']);

    const linked = handWired(ecs.NetworkMode.BRIDGE);
    linked.app.addEnvironment('AWS_XRAY_DAEMON_ADDRESS', 'tcp:tracing:2000 udp:tracing:2000');
    linked.app.addEnvironment('XRAY_DAEMON_ADDRESS', 'tracing:2000');
    linked.app.addLink(linked.sidecar.container, 'tracing');
    expect(pathsOf(linked.stack, RULE)).toEqual([]);
  });

  test('bridge: fires when the families name two different aliases of the agent', () => {
    const { stack, app, sidecar } = handWired(ecs.NetworkMode.BRIDGE);
    app.addLink(sidecar.container, 'xray-daemon');
    app.addLink(sidecar.container, 'tracing');
    app.addEnvironment('AWS_XRAY_DAEMON_ADDRESS', 'tcp:xray-daemon:2000 udp:xray-daemon:2000');
    app.addEnvironment('XRAY_DAEMON_ADDRESS', 'tracing:2000');
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
  });

  test('bridge: fires when the host is a link alias of another container, not of the agent', () => {
    const { stack, taskDefinition, app } = handWired(ecs.NetworkMode.BRIDGE);
    const cache = taskDefinition.addContainer('Cache', { image: APP_IMAGE, memoryLimitMiB: 128, essential: false });
    app.addLink(cache, 'xray-daemon');
    app.addEnvironment('AWS_XRAY_DAEMON_ADDRESS', 'xray-daemon:2000');
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
  });

  describe('ports: 2000, or the agent\'s own mapping of that protocol', () => {
    function taskWithMappedAgent(environment: { [name: string]: string }) {
      const { stack } = createStack();
      const { taskDefinition, app } = fargateTask(stack);
      taskDefinition.addContainer('Agent', {
        image: ecs.ContainerImage.fromRegistry(DAEMON_IMAGE),
        essential: false,
        portMappings: [{ containerPort: 2001, protocol: ecs.Protocol.UDP }, { containerPort: 2002, protocol: ecs.Protocol.TCP }],
      });
      for (const [name, value] of Object.entries(environment)) app.addEnvironment(name, value);
      return stack;
    }

    test('accepts the agent\'s UDP and TCP mappings for their protocols', () => {
      const stack = taskWithMappedAgent({ AWS_XRAY_DAEMON_ADDRESS: 'udp:127.0.0.1:2001 tcp:127.0.0.1:2002' });
      expect(pathsOf(stack, RULE)).toEqual([]);
    });

    test('fires when the two families name different endpoints, each reachable on its own', () => {
      const stack = taskWithMappedAgent({ AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000', XRAY_DAEMON_ADDRESS: '127.0.0.1:2001' });
      expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
    });

    test('accepts each family alone on either UDP port', () => {
      expect(pathsOf(taskWithMappedAgent({ AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000' }), RULE)).toEqual([]);
      expect(pathsOf(taskWithMappedAgent({ XRAY_DAEMON_ADDRESS: '127.0.0.1:2001' }), RULE)).toEqual([]);
    });

    test('fires for segments sent to the agent\'s TCP-only port', () => {
      const stack = taskWithMappedAgent({ XRAY_DAEMON_ADDRESS: '127.0.0.1:2002' });
      expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
    });
  });

  test('fires for an instrumented container in network mode none', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.NONE });
    taskDefinition.addContainer('App', { image: APP_IMAGE, memoryLimitMiB: 256, environment: { AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000' } });
    taskDefinition.addContainer('Agent', { image: ecs.ContainerImage.fromRegistry(DAEMON_IMAGE), memoryLimitMiB: 256, essential: false });
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
  });

  test('does not report an address only known at deploy time', () => {
    const { stack, app } = handWired('fargate');
    const address = new CfnParameter(stack, 'DaemonAddress', { type: 'String' });
    app.addEnvironment('AWS_XRAY_DAEMON_ADDRESS', address.valueAsString);
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('does not apply to a task with no agent (AgentMissing reports that)', () => {
    const { stack } = createStack();
    const { app } = fargateTask(stack);
    app.addEnvironment('AWS_XRAY_DAEMON_ADDRESS', 'xray-daemon:2000');
    const findings = pathsOf(stack, RULE);
    expect(findings).toEqual([]);
    expect(pathsOf(stack, XRayTracingRule.AGENT_MISSING)).toEqual(['TestStack/Task/Resource']);
  });

  test('an acknowledgement on the task definition resource suppresses it', () => {
    const { stack, taskDefinition, app } = handWired('fargate');
    app.addEnvironment('AWS_XRAY_DAEMON_ADDRESS', '127.0.0.1:3000');
    Validations.of(taskDefinition.node.defaultChild!).acknowledge({ id: RULE, reason: 'the app forwards to a proxy on 3000' });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });
});
