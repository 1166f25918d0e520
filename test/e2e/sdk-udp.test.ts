/**
 * End to end, against real peers: the environment the constructs write into the app container is
 * handed (exactly, nothing added) to a Node process running the real `aws-xray-sdk-core`, which
 * emits a segment over UDP to wherever the SDK parsed `AWS_XRAY_DAEMON_ADDRESS` to be. The shipped
 * `cdk-xray-ecs local-agent` (bin/cdk-xray-ecs.js, from lib/) on 127.0.0.1:2000 plays the tracing
 * agent and prints what arrives (`--json`). It takes a datagram only in the daemon's wire format
 * (a `{"format":"json","version":1}` line, a newline, one segment document) and counts anything
 * else as malformed, so a printed trace and no malformed line mean the SDK spoke that format.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  AGENT_PORT, AppDescription, AppProcess, AppProcessOptions, BRIDGE_PRELOAD, containerEnvironment, findContainer,
  LOOPBACK, PORT_WAIT_MS, TemplateJson, templateSamplingRules,
} from './peers';
import { ContextMissingStrategy } from '../../src/core/tracing-options';
import { TracedEc2Service } from '../../src/services/traced-ec2-service';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { ensureBuiltCli, RunningAgent, synthExample } from '../cli/cli';
import { createCluster, createStack } from '../helpers/app';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');
/** How long a disabled app is watched for a datagram it must not send. */
const SILENCE_WINDOW_MS = 1500;
/** How long an enabled app's segment may take to arrive (it takes milliseconds). */
const ARRIVAL_TIMEOUT_MS = 5000;

let agent: RunningAgent;
const apps: AppProcess[] = [];

beforeAll(async () => {
  ensureBuiltCli();
  // The agent needs an assembly with a traced service: the example app's (its sampling rules are
  // served on TCP 2000; these tests do not sample, they send segments directly).
  agent = await RunningAgent.startOnAgentPort(['--app', synthExample(), '--no-otlp', '--json', '--settle-ms', '100'], PORT_WAIT_MS);
}, PORT_WAIT_MS + 300_000);

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
});

afterAll(async () => {
  const done = await agent?.interrupt();
  expect(done?.code).toBe(0);
});

async function startApp(env: Record<string, string>, options: AppProcessOptions = {}): Promise<AppProcess> {
  const app = await AppProcess.start(env, options);
  apps.push(app);
  return app;
}

function ec2Cluster(stack: Stack): ecs.Cluster {
  const cluster = createCluster(stack);
  cluster.addCapacity('Capacity', {
    instanceType: new ec2.InstanceType('m6i.large'),
    machineImage: ecs.EcsOptimizedImage.amazonLinux2(),
    minCapacity: 1,
  });
  return cluster;
}

function templateOf(stack: Stack): TemplateJson {
  return Template.fromStack(stack).toJSON() as TemplateJson;
}

interface SentSegment {
  readonly sent: boolean;
  readonly name?: string;
  readonly traceId?: string;
  readonly segmentId?: string;
}

/**
 * THEN-part shared by every enabled app: the child saw exactly the template's environment, the
 * SDK's UDP target is the runbook's `XRAY_DAEMON_ADDRESS`, and one unit of work becomes one
 * datagram on 127.0.0.1:2000 with the X-Ray header line and a segment named `serviceName`.
 */
async function expectSegmentArrives(app: AppProcess, env: Record<string, string>, serviceName: string): Promise<AppDescription> {
  const described = await app.describe();
  expect(described.env).toEqual(env);
  expect(described.enabled).toBe(true);
  expect(described.segmentName).toBe(serviceName);
  // The SDK's parsed UDP target is the runbook's XRAY_DAEMON_ADDRESS (host:port).
  expect(`${described.emitter.ip}:${described.emitter.port}`).toBe(env.XRAY_DAEMON_ADDRESS);

  const requestId = `req-${Date.now()}`;
  const sent = await app.request<SentSegment>('segment', { requestId });
  expect(sent).toMatchObject({ sent: true, name: serviceName });

  const trace = await agent.waitForTrace(sent.traceId!, ARRIVAL_TIMEOUT_MS);
  // The daemon protocol (a JSON header line, a newline, the segment document): nothing malformed.
  expect(agent.stderr).not.toContain('malformed');
  expect(trace).toMatchObject({ traceId: sent.traceId, complete: true, services: [serviceName] });
  expect(trace.roots).toHaveLength(1);
  expect(trace.roots[0]).toMatchObject({
    kind: 'segment',
    name: serviceName,
    id: sent.segmentId,
    annotations: { e2e_request: requestId },
  });
  expect(typeof trace.roots[0].start).toBe('number');
  expect(typeof trace.roots[0].end).toBe('number');
  expect(trace.roots[0].inProgress).toBeUndefined();
  return described;
}

describe('TracedFargateService app → real X-Ray SDK → UDP 127.0.0.1:2000', () => {
  test('the segment arrives, named as the template\'s service', async () => {
    // GIVEN a traced Fargate service, synthesized
    const { stack } = createStack();
    new TracedFargateService(stack, 'Backend', {
      cluster: createCluster(stack), serviceName: 'afirgen-main-backend', image: IMAGE, containerPort: 8000,
    });
    const template = templateOf(stack);
    const env = containerEnvironment(template, 'app');
    // The service name as the template says it three times: the ECS service, the sampling rule, the env.
    const ecsService = Object.values(template.Resources!).find((r) => r.Type === 'AWS::ECS::Service')!;
    const [{ rule }] = templateSamplingRules(template);
    expect(env.AWS_XRAY_TRACING_NAME).toBe(rule.ServiceName);
    expect(ecsService.Properties!.ServiceName).toBe(rule.ServiceName);
    expect(env.AWS_XRAY_DAEMON_ADDRESS).toBe(`${LOOPBACK}:${AGENT_PORT}`);

    // WHEN the app runs with exactly that environment
    const app = await startApp(env);

    // THEN the SDK parsed the single-address form (it keeps the port as the string it read)
    const described = await expectSegmentArrives(app, env, rule.ServiceName);
    expect(described.daemon).toEqual({ udp_ip: LOOPBACK, udp_port: String(AGENT_PORT), tcp_ip: LOOPBACK, tcp_port: String(AGENT_PORT) });
    expect(rule.ServiceName).toBe('afirgen-main-backend');
  });

  test('a disabled app sends nothing', async () => {
    // GIVEN a service with tracing off
    const { stack } = createStack();
    new TracedFargateService(stack, 'Quiet', {
      cluster: createCluster(stack), serviceName: 'afirgen-asr-ocr-server', image: IMAGE, tracing: { enabled: false },
    });
    const template = templateOf(stack);
    const env = containerEnvironment(template, 'app');
    expect(env).toMatchObject({ XRAY_ENABLED: 'false', AWS_XRAY_SDK_ENABLED: 'false' });
    expect(env.AWS_XRAY_DAEMON_ADDRESS).toBeUndefined();
    const taskDefinition = Object.values(template.Resources!).find((r) => r.Type === 'AWS::ECS::TaskDefinition')!;
    expect((taskDefinition.Properties!.ContainerDefinitions as Array<{ Name: string }>).map((c) => c.Name)).toEqual(['app']);
    expect(templateSamplingRules(template)).toEqual([]);

    // WHEN the app handles a unit of work
    const app = await startApp(env);
    const described = await app.describe();
    expect(described.env).toEqual(env);
    expect(described.enabled).toBe(false);
    // (Had the helper traced anyway, the SDK's default address IS this listener: silence is meaningful.)
    expect(`${described.emitter.ip}:${described.emitter.port}`).toBe(`${LOOPBACK}:${AGENT_PORT}`);
    const sent = await app.request<SentSegment>('segment', { requestId: 'disabled' });

    // THEN nothing arrives within the window
    expect(sent).toEqual({ sent: false });
    expect(await agent.collectFor(SILENCE_WINDOW_MS)).toEqual({ traces: [], problems: [] });
  });
});

describe('TracedEc2Service in bridge mode → the two-address form, through the container link name', () => {
  test('the SDK parses tcp:xray-daemon:2000 udp:xray-daemon:2000 and the segment arrives', async () => {
    // GIVEN a bridge-mode EC2 service on a cluster with EC2 capacity
    const { stack } = createStack();
    new TracedEc2Service(stack, 'Inference', {
      cluster: ec2Cluster(stack), serviceName: 'afirgen-gguf-server', image: IMAGE, networkMode: ecs.NetworkMode.BRIDGE,
    });
    const template = templateOf(stack);
    const env = containerEnvironment(template, 'app');
    expect(env.AWS_XRAY_DAEMON_ADDRESS).toBe('tcp:xray-daemon:2000 udp:xray-daemon:2000');
    expect(env.XRAY_DAEMON_ADDRESS).toBe('xray-daemon:2000');
    // The name resolves in ECS because of the link the construct adds.
    expect(findContainer(template, 'app').Links).toEqual(['xray-daemon:xray-daemon']);
    expect(findContainer(template, 'xray-daemon').PortMappings).toEqual(expect.arrayContaining([
      expect.objectContaining({ ContainerPort: AGENT_PORT, Protocol: 'udp' }),
      expect.objectContaining({ ContainerPort: AGENT_PORT, Protocol: 'tcp' }),
    ]));

    // WHEN the app runs with that environment, `xray-daemon` mapped to loopback in the child only
    const app = await startApp(env, { preload: BRIDGE_PRELOAD });

    // THEN the SDK's own parser produced host xray-daemon, numeric port 2000, for UDP and TCP
    const described = await expectSegmentArrives(app, env, 'afirgen-gguf-server');
    expect(described.daemon).toEqual({ udp_ip: 'xray-daemon', udp_port: AGENT_PORT, tcp_ip: 'xray-daemon', tcp_port: AGENT_PORT });
    // ... and the UDP socket asked for the name `xray-daemon` (IPv4), which only the link resolves.
    const after = await app.describe();
    expect(after.lookups).toContainEqual({ hostname: 'xray-daemon', options: 4 });
  });
});

interface BareCase {
  readonly label: string;
  readonly build: (stack: Stack) => ecs.TaskDefinition;
  readonly networkMode: string;
  readonly preload?: string;
}

const BARE_CASES: BareCase[] = [
  {
    label: 'Fargate task definition (awsvpc)',
    build: (stack) => new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 }),
    networkMode: 'awsvpc',
  },
  {
    label: 'EC2 task definition, awsvpc',
    build: (stack) => new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.AWS_VPC }),
    networkMode: 'awsvpc',
  },
  {
    label: 'EC2 task definition, host',
    build: (stack) => new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.HOST }),
    networkMode: 'host',
  },
  {
    label: 'EC2 task definition, bridge',
    build: (stack) => new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.BRIDGE }),
    networkMode: 'bridge',
    preload: BRIDGE_PRELOAD,
  },
  {
    label: 'External task definition (bridge)',
    build: (stack) => new ecs.ExternalTaskDefinition(stack, 'Task'),
    networkMode: 'bridge',
    preload: BRIDGE_PRELOAD,
  },
];

describe('bare XRaySidecar + instrument → real X-Ray SDK → UDP 127.0.0.1:2000', () => {
  test.each(BARE_CASES)('$label', async ({ build, networkMode, preload }) => {
    // GIVEN a task definition with an app container, a sidecar, and the app instrumented
    const { stack } = createStack();
    const taskDefinition = build(stack);
    const app = taskDefinition.addContainer('App', { containerName: 'worker', image: IMAGE, memoryLimitMiB: 256 });
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition });
    sidecar.instrument(app, { serviceName: `bare-${networkMode}` });
    const template = templateOf(stack);
    const env = containerEnvironment(template, 'worker');
    expect(Object.values(template.Resources!).find((r) => r.Type === 'AWS::ECS::TaskDefinition')!.Properties!.NetworkMode).toBe(networkMode);
    expect(env.AWS_XRAY_DAEMON_ADDRESS).toBe(sidecar.sdkDaemonAddress);
    expect(env.XRAY_DAEMON_ADDRESS).toBe(sidecar.daemonAddress);

    // WHEN the app runs with that environment
    const child = await startApp(env, { preload });

    // THEN the segment reaches the agent at the address the SDK parsed
    const described = await expectSegmentArrives(child, env, `bare-${networkMode}`);
    const host = networkMode === 'bridge' ? 'xray-daemon' : LOOPBACK;
    expect(described.daemon.udp_ip).toBe(host);
    expect(Number(described.daemon.udp_port)).toBe(AGENT_PORT);
    expect(described.daemon.tcp_ip).toBe(host);
    expect(Number(described.daemon.tcp_port)).toBe(AGENT_PORT);
  });
});

describe('AWS_XRAY_CONTEXT_MISSING from the template drives the SDK', () => {
  test.each([
    [ContextMissingStrategy.LOG_ERROR, false, true],
    [ContextMissingStrategy.RUNTIME_ERROR, true, false],
    [ContextMissingStrategy.IGNORE_ERROR, false, false],
  ])('%s: throws %s, logs %s', async (contextMissing, throws, logs) => {
    // GIVEN a service with that strategy
    const { stack } = createStack();
    new TracedFargateService(stack, 'Svc', {
      cluster: createCluster(stack), serviceName: 'afirgen-main-backend', image: IMAGE, tracing: { contextMissing },
    });
    const env = containerEnvironment(templateOf(stack), 'app');
    expect(env.AWS_XRAY_CONTEXT_MISSING).toBe(contextMissing);
    expect(env.XRAY_CONTEXT_MISSING).toBe(contextMissing);

    // WHEN instrumented code asks for the current segment with none open
    const app = await startApp(env);
    const result = await app.request<{ threw: boolean; message?: string }>('contextMissing');

    // THEN the SDK does what the strategy says
    expect(result.threw).toBe(throws);
    if (throws) expect(result.message).toMatch(/Failed to get the current sub\/segment from the context/);
    await app.stop();
    expect(app.output.includes('Failed to get the current sub/segment from the context')).toBe(logs);
  });
});

describe('every agent publishes an address the real SDK reaches (Fargate and EC2 bridge)', () => {
  const AGENTS: Array<[string, () => XRayAgent]> = [
    ['X-Ray daemon', () => XRayAgent.daemon()],
    ['CloudWatch agent', () => XRayAgent.cloudWatchAgent()],
    ['ADOT collector', () => XRayAgent.adotCollector()],
  ];

  test.each(AGENTS)('%s on Fargate', async (_label, agentOf) => {
    const { stack } = createStack();
    new TracedFargateService(stack, 'Backend', {
      cluster: createCluster(stack), serviceName: 'afirgen-main-backend', image: IMAGE, sidecar: { agent: agentOf() },
    });
    const env = containerEnvironment(templateOf(stack), 'app');
    expect(env.AWS_XRAY_DAEMON_ADDRESS).toBe(`${LOOPBACK}:${AGENT_PORT}`);
    const app = await startApp(env);
    await expectSegmentArrives(app, env, 'afirgen-main-backend');
  });

  test.each(AGENTS)('%s on EC2 in bridge mode', async (_label, agentOf) => {
    const { stack } = createStack();
    new TracedEc2Service(stack, 'Inference', {
      cluster: ec2Cluster(stack),
      serviceName: 'afirgen-gguf-server',
      image: IMAGE,
      networkMode: ecs.NetworkMode.BRIDGE,
      sidecar: { agent: agentOf() },
    });
    const template = templateOf(stack);
    const env = containerEnvironment(template, 'app');
    expect(env.AWS_XRAY_DAEMON_ADDRESS).toBe('tcp:xray-daemon:2000 udp:xray-daemon:2000');
    expect(findContainer(template, 'app').Links).toEqual(['xray-daemon:xray-daemon']);
    const app = await startApp(env, { preload: BRIDGE_PRELOAD });
    const described = await expectSegmentArrives(app, env, 'afirgen-gguf-server');
    expect(described.daemon).toEqual({ udp_ip: 'xray-daemon', udp_port: AGENT_PORT, tcp_ip: 'xray-daemon', tcp_port: AGENT_PORT });
  });
});
