import { Annotations as CoreAnnotations, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { parse as parseYaml } from 'yaml';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { createStack, loopbackContract, XRAY_ACTIONS } from '../helpers/app';
import { expectError, expectMessage, thrownMessage } from '../helpers/messages';
import { awsSolutionsFindings } from '../helpers/nag';

/** The rule every context boolean is read by (one reader for every key). */
const BOOLEAN_RULE = ['true or false', 'any letter case', '1, 0, yes and no are not accepted'];

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');
const REGIONAL = { env: { account: '111111111111', region: 'eu-west-1' } };

interface AgentCase {
  readonly name: string;
  readonly make: () => XRayAgent;
  readonly kind: string;
  readonly image: string;
  readonly configVariable: string;
  readonly cpu: number;
  readonly memoryReservation: number;
  /** The default hard limit in the 1024-MiB test task: twice the reservation, capped at 1024. */
  readonly memoryLimit: number;
  /** The default hard limit where the task sets no memory (EC2): twice the reservation. */
  readonly uncappedMemoryLimit: number;
  readonly minimum: number;
  readonly user: string;
  readonly readonlyRootFilesystem: boolean;
  readonly displayName: string;
}

const CLOUDWATCH: AgentCase = {
  name: 'CloudWatch agent',
  make: () => XRayAgent.cloudWatchAgent(),
  kind: 'cloudwatch-agent',
  image: `public.ecr.aws/cloudwatch-agent/cloudwatch-agent:${XRayAgent.DEFAULT_CLOUDWATCH_AGENT_VERSION}`,
  configVariable: 'CW_CONFIG_CONTENT',
  cpu: 128,
  memoryReservation: 128,
  memoryLimit: 256,
  uncappedMemoryLimit: 256,
  minimum: 64,
  user: '0',
  readonlyRootFilesystem: false,
  displayName: 'CloudWatch agent',
};

const ADOT: AgentCase = {
  name: 'ADOT collector',
  make: () => XRayAgent.adotCollector(),
  kind: 'adot-collector',
  image: `public.ecr.aws/aws-observability/aws-otel-collector:${XRayAgent.DEFAULT_ADOT_COLLECTOR_VERSION}`,
  configVariable: 'AOT_CONFIG_CONTENT',
  cpu: 256,
  memoryReservation: 512,
  memoryLimit: 1024,
  uncappedMemoryLimit: 1024,
  minimum: 128,
  user: '4317',
  readonlyRootFilesystem: true,
  displayName: 'ADOT collector',
};

type Def = Record<string, any>;

function containerDefs(stack: Stack): Def[] {
  const defs = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
  expect(defs).toHaveLength(1);
  return defs[0].Properties.ContainerDefinitions;
}

function envOf(def: Def): Record<string, unknown> {
  return Object.fromEntries((def.Environment ?? []).map((kv: { Name: string; Value: unknown }) => [kv.Name, kv.Value]));
}

function byName(stack: Stack, name: string): Def {
  const def = containerDefs(stack).find((d) => d.Name === name);
  expect(def).toBeDefined();
  return def!;
}

/** Every action of every IAM policy attached to the task role. */
function taskRoleActions(stack: Stack): string[] {
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes('TaskTaskRole'));
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()));
}

function fargateStack(agent: XRayAgent, stackProps = REGIONAL) {
  const { app, stack } = createStack(stackProps);
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
  const appContainer = taskDefinition.addContainer('App', {
    image: IMAGE, memoryLimitMiB: 256, logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app' }),
  });
  const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent });
  sidecar.instrument(appContainer, { serviceName: 'afirgen-main-backend' });
  return { app, stack, taskDefinition, sidecar };
}

function bridgeStack(agent: XRayAgent) {
  const { stack } = createStack(REGIONAL);
  const taskDefinition = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.BRIDGE });
  const appContainer = taskDefinition.addContainer('App', { image: IMAGE, memoryLimitMiB: 512 });
  const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent });
  sidecar.instrument(appContainer, { serviceName: 'afirgen-gguf-server' });
  return { stack, taskDefinition, sidecar };
}

/** The agent's config, read back from the synthesized template and parsed. */
function parsedConfig(c: AgentCase, stack: Stack): any {
  const text = envOf(byName(stack, 'xray-daemon'))[c.configVariable];
  expect(typeof text).toBe('string');
  return c.configVariable === 'CW_CONFIG_CONTENT' ? JSON.parse(text as string) : parseYaml(text as string);
}

/** The ports the agent's config listens on: X-Ray UDP, sampling proxy TCP, OTLP gRPC, OTLP HTTP. */
function listenAddresses(c: AgentCase, config: any): string[] {
  if (c.configVariable === 'CW_CONFIG_CONTENT') {
    const t = config.traces.traces_collected;
    return [t.xray.bind_address, t.xray.tcp_proxy.bind_address, t.otlp.grpc_endpoint, t.otlp.http_endpoint];
  }
  const r = config.receivers;
  return [r.awsxray.endpoint, r.awsxray.proxy_server.endpoint, r.otlp.protocols.grpc.endpoint, r.otlp.protocols.http.endpoint];
}

describe.each([CLOUDWATCH, ADOT])('XRayAgent: $name', (c) => {
  test('kind, image name and display name', () => {
    const agent = c.make();
    expect(agent.kind).toBe(c.kind);
    const { sidecar } = fargateStack(agent);
    expect(sidecar.imageName).toBe(c.image);
  });

  test('on Fargate: the pinned image, its own sizes and user, ports 2000 udp/tcp, its config in one variable', () => {
    // GIVEN / WHEN
    const { stack } = fargateStack(c.make());
    // THEN
    const agent = byName(stack, 'xray-daemon');
    expect(agent).toMatchObject({
      Image: c.image,
      Cpu: c.cpu,
      MemoryReservation: c.memoryReservation,
      Memory: c.memoryLimit,
      User: c.user,
      ReadonlyRootFilesystem: c.readonlyRootFilesystem,
      Privileged: false,
      Essential: false,
    });
    expect(agent.PortMappings).toEqual([
      { ContainerPort: 2000, Protocol: 'udp' },
      { ContainerPort: 2000, Protocol: 'tcp' },
      { ContainerPort: 4317, Protocol: 'tcp' },
      { ContainerPort: 4318, Protocol: 'tcp' },
    ]);
    expect(Object.keys(envOf(agent))).toEqual([c.configVariable]);
    expect(agent.Command).toBeUndefined();
    expect(agent.LogConfiguration).toMatchObject({ LogDriver: 'awslogs', Options: { 'awslogs-stream-prefix': c.kind } });
    // the ports in effect: what the config in the template listens on
    expect(listenAddresses(c, parsedConfig(c, stack))).toEqual(['0.0.0.0:2000', '0.0.0.0:2000', '0.0.0.0:4317', '0.0.0.0:4318']);
  });

  test('on Fargate: exactly the five X-Ray actions on Resource *, nothing else on the task role', () => {
    const { stack } = fargateStack(c.make());
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: XRAY_ACTIONS, Effect: 'Allow', Resource: '*' }] },
      Roles: [{ Ref: Match.stringLikeRegexp('TaskTaskRole') }],
    });
    expect(taskRoleActions(stack)).toEqual(XRAY_ACTIONS);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('CloudWatchAgentServerPolicy');
  });

  test('on Fargate: the app gets the X-Ray contract and the OpenTelemetry variables, on loopback', () => {
    const { stack } = fargateStack(c.make());
    const app = byName(stack, 'App');
    expect(envOf(app)).toEqual({
      ...loopbackContract('afirgen-main-backend'),
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_SERVICE_NAME: 'afirgen-main-backend',
      OTEL_TRACES_SAMPLER: 'xray',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://127.0.0.1:2000,polling_interval=300',
    });
    expect(app.DependsOn).toEqual([{ ContainerName: 'xray-daemon', Condition: 'START' }]);
    expect(app.Links).toBeUndefined();
  });

  test('on Fargate: tracing off reaches the OpenTelemetry SDK too', () => {
    const { stack } = createStack(REGIONAL);
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    const appContainer = taskDefinition.addContainer('App', { image: IMAGE, memoryLimitMiB: 256 });
    new XRaySidecar(stack, 'XRay', { taskDefinition, agent: c.make() }).instrument(appContainer, { serviceName: 's', enabled: false });
    const env = envOf(byName(stack, 'App'));
    expect(env).toMatchObject({ XRAY_ENABLED: 'false', AWS_XRAY_SDK_ENABLED: 'false', OTEL_SDK_DISABLED: 'true' });
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(env.OTEL_TRACES_SAMPLER).toBeUndefined();
  });

  test('on EC2 bridge: a link, and every address (segments, sampling, OTLP) on the alias xray-daemon', () => {
    // GIVEN / WHEN
    const { stack, sidecar } = bridgeStack(c.make());
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { NetworkMode: 'bridge', RequiresCompatibilities: ['EC2'] });
    const agent = byName(stack, 'xray-daemon');
    expect(agent).toMatchObject({
      Image: c.image, Cpu: c.cpu, MemoryReservation: c.memoryReservation, Memory: c.uncappedMemoryLimit, User: c.user,
    });
    expect(agent.PortMappings).toEqual(expect.arrayContaining([
      { ContainerPort: 2000, Protocol: 'udp', HostPort: 0 },
      { ContainerPort: 2000, Protocol: 'tcp', HostPort: 0 },
    ]));
    // bound on all interfaces of the agent's namespace, so the linked app container reaches it
    expect(listenAddresses(c, parsedConfig(c, stack))).toEqual(['0.0.0.0:2000', '0.0.0.0:2000', '0.0.0.0:4317', '0.0.0.0:4318']);
    const app = byName(stack, 'App');
    expect(app.Links).toEqual(['xray-daemon:xray-daemon']);
    expect(envOf(app)).toMatchObject({
      XRAY_DAEMON_ADDRESS: 'xray-daemon:2000',
      AWS_XRAY_DAEMON_ADDRESS: 'tcp:xray-daemon:2000 udp:xray-daemon:2000',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://xray-daemon:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_SERVICE_NAME: 'afirgen-gguf-server',
      OTEL_TRACES_SAMPLER: 'xray',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://xray-daemon:2000,polling_interval=300',
    });
    expect(sidecar.daemonAddress).toBe('xray-daemon:2000');
    expect(taskRoleActions(stack)).toEqual(XRAY_ACTIONS);
  });

  test('in an environment-agnostic stack the region in the config resolves at deploy time', () => {
    const { stack } = fargateStack(c.make(), {} as typeof REGIONAL);
    const value = envOf(byName(stack, 'xray-daemon'))[c.configVariable];
    expect(value).toEqual({ 'Fn::Join': ['', expect.arrayContaining([{ Ref: 'AWS::Region' }])] });
    expect(JSON.stringify(value)).not.toContain('${Token');
  });

  test('cdk-nag AwsSolutions: no finding for an instrumented task', () => {
    const { stack } = fargateStack(c.make());
    expect(awsSolutionsFindings(stack)).toEqual([]);
  });

  test('cdk-nag AwsSolutions: no finding on EC2 bridge either', () => {
    const { stack } = createStack(REGIONAL);
    const taskDefinition = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.BRIDGE });
    const appContainer = taskDefinition.addContainer('App', {
      image: IMAGE, memoryLimitMiB: 512, logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app' }),
    });
    new XRaySidecar(stack, 'XRay', { taskDefinition, agent: c.make() }).instrument(appContainer, { serviceName: 's' });
    expect(awsSolutionsFindings(stack)).toEqual([]);
  });

  test('no annotation of any level from a sidecar with this agent', () => {
    // (the clock is past the daemon's maintenance date: only the daemon would be noted)
    const { stack } = fargateStack(c.make());
    expect(Annotations.fromStack(stack).findInfo('*', Match.anyValue())).toEqual([]);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test(`throws for a memoryReservationMiB below what the ${c.name} runs with`, () => {
    const { stack } = createStack(REGIONAL);
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    expectError(() => new XRaySidecar(stack, 'XRay', { taskDefinition, agent: c.make(), memoryReservationMiB: c.minimum - 1 }), {
      path: 'TestStack/XRay', prop: 'memoryReservationMiB', value: c.minimum - 1, allowed: `at least ${c.minimum} for the ${c.displayName}`,
    });
    // the minimum itself is fine
    const other = new ecs.FargateTaskDefinition(stack, 'Other', { cpu: 512, memoryLimitMiB: 1024 });
    expect(() => new XRaySidecar(stack, 'XRay2', { taskDefinition: other, agent: c.make(), memoryReservationMiB: c.minimum })).not.toThrow();
  });

  test('own cpu and memory override the agent defaults', () => {
    const { stack } = createStack(REGIONAL);
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 1024, memoryLimitMiB: 2048 });
    new XRaySidecar(stack, 'XRay', { taskDefinition, agent: c.make(), cpu: 64, memoryReservationMiB: 1024 });
    // the hard limit follows: twice 1024, which is the task's 2048
    expect(byName(stack, 'xray-daemon')).toMatchObject({ Cpu: 64, MemoryReservation: 1024, Memory: 2048 });
  });
});

describe('the agents\' configurations, parsed', () => {
  /** The agent's config for a task in eu-west-1, its environment resolved as CloudFormation would see it. */
  function bound(agent: XRayAgent) {
    const { stack } = createStack(REGIONAL);
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    const config = agent.bind(stack, { taskDefinition });
    return { ...config, environment: stack.resolve(config.environment) as Record<string, string> };
  }

  test('CloudWatch agent: JSON with the region, the X-Ray receiver and its TCP proxy, OTLP, and nothing else', () => {
    // WHEN
    const config = bound(XRayAgent.cloudWatchAgent());
    const parsed = JSON.parse(config.environment!.CW_CONFIG_CONTENT);
    // THEN the whole document: traces only, no metrics, no logs
    expect(parsed).toEqual({
      agent: { region: 'eu-west-1' },
      traces: {
        traces_collected: {
          xray: { bind_address: '0.0.0.0:2000', tcp_proxy: { bind_address: '0.0.0.0:2000' } },
          otlp: { grpc_endpoint: '0.0.0.0:4317', http_endpoint: '0.0.0.0:4318' },
        },
      },
    });
    expect(config.acceptsOtlp).toBe(true);
    expect(config.actions).toEqual(XRAY_ACTIONS);
  });

  test('ADOT collector: YAML with awsxray (UDP + proxy), otlp (gRPC + HTTP), one traces pipeline (redact, batch) to awsxray', () => {
    // WHEN
    const config = bound(XRayAgent.adotCollector());
    const parsed = parseYaml(config.environment!.AOT_CONFIG_CONTENT);
    // THEN
    expect(parsed.receivers).toEqual({
      awsxray: { endpoint: '0.0.0.0:2000', transport: 'udp', proxy_server: { endpoint: '0.0.0.0:2000', region: 'eu-west-1' } },
      otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } },
    });
    expect(parsed.exporters).toEqual({ awsxray: { region: 'eu-west-1', telemetry: { enabled: true } } });
    expect(parsed.processors).toEqual({
      'attributes/redact': { actions: [{ key: 'aws.auth.account.access_key', action: 'delete' }] },
      'batch/traces': { timeout: '1s', send_batch_size: 50 },
    });
    expect(parsed.service).toEqual({
      extensions: ['health_check'],
      pipelines: { traces: { receivers: ['awsxray', 'otlp'], processors: ['attributes/redact', 'batch/traces'], exporters: ['awsxray'] } },
    });
    // The health extension the image's /healthcheck asks (the container's health check).
    expect(parsed.extensions).toEqual({ health_check: { endpoint: '0.0.0.0:13133' } });
    expect(Object.keys(parsed).sort()).toEqual(['exporters', 'extensions', 'processors', 'receivers', 'service']);
    expect(config.acceptsOtlp).toBe(true);
    expect(config.actions).toEqual(XRAY_ACTIONS);
  });

  test('each bind returns a fresh copy of the actions', () => {
    const { stack } = createStack(REGIONAL);
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    XRayAgent.adotCollector().bind(stack, { taskDefinition }).actions.push('xray:Other');
    expect(bound(XRayAgent.adotCollector()).actions).toEqual(XRAY_ACTIONS);
  });
});

describe('pinned versions and repositories', () => {
  test('a pinned CloudWatch agent version and a mirror', () => {
    const { stack } = fargateStack(XRayAgent.cloudWatchAgent({ version: '1.300025.0b100', repository: 'mirror.example/cwagent' }));
    expect(byName(stack, 'xray-daemon').Image).toBe('mirror.example/cwagent:1.300025.0b100');
  });

  test('a pinned ADOT collector version and a mirror that tags without v', () => {
    const { stack } = fargateStack(XRayAgent.adotCollector({ version: '0.48.0', repository: 'mirror.example/adot' }));
    expect(byName(stack, 'xray-daemon').Image).toBe('mirror.example/adot:0.48.0');
  });

  test('a tag with a digest is accepted', () => {
    const version = `${XRayAgent.DEFAULT_CLOUDWATCH_AGENT_VERSION}@sha256:${'a'.repeat(64)}`;
    expect(XRayAgent.cloudWatchAgent({ version })).toBeDefined();
  });

  test('the default repositories', () => {
    expect(XRayAgent.CLOUDWATCH_AGENT_REPOSITORY).toBe('public.ecr.aws/cloudwatch-agent/cloudwatch-agent');
    expect(XRayAgent.ADOT_COLLECTOR_REPOSITORY).toBe('public.ecr.aws/aws-observability/aws-otel-collector');
  });
});

describe('agent bad input', () => {
  test.each([['latest'], ['LATEST'], ['']])('throws for a CloudWatch agent image tagged %p', (version) => {
    expectError(() => XRayAgent.cloudWatchAgent({ version }), {
      path: 'XRayAgent.cloudWatchAgent',
      prop: 'version',
      value: `public.ecr.aws/cloudwatch-agent/cloudwatch-agent:${version}`,
      allowed: 'pinned to a version tag or digest',
    });
  });

  test.each([['latest'], ['Latest'], ['']])('throws for an ADOT collector image tagged %p', (version) => {
    expectError(() => XRayAgent.adotCollector({ version }), {
      path: 'XRayAgent.adotCollector',
      prop: 'version',
      value: `public.ecr.aws/aws-observability/aws-otel-collector:${version}`,
      allowed: 'pinned to a version tag or digest',
    });
  });

  test('throws for a CloudWatch agent too old to collect traces', () => {
    expectError(() => XRayAgent.cloudWatchAgent({ version: '1.300024.0b999' }), {
      path: 'XRayAgent.cloudWatchAgent', prop: 'version', value: '1.300024.0b999', allowed: '1.300025.0 or later',
    });
    expectError(() => XRayAgent.cloudWatchAgent({ version: '1.247360.0b252689', repository: 'mirror.example/cwagent' }), {
      path: 'XRayAgent.cloudWatchAgent', prop: 'version', value: '1.247360.0b252689', allowed: '1.300025.0 or later',
    });
    expect(() => XRayAgent.cloudWatchAgent({ version: '1.300025.0' })).not.toThrow();
  });

  test('throws for a CloudWatch agent tag with a v prefix, which its repository does not publish', () => {
    expectError(() => XRayAgent.cloudWatchAgent({ version: 'v1.300071.0' }), {
      path: 'XRayAgent.cloudWatchAgent', prop: 'version', value: 'v1.300071.0', allowed: 'no "v" prefix in this repository',
    });
  });

  test('throws for an ADOT collector tag without the v its repository always has', () => {
    expectError(() => XRayAgent.adotCollector({ version: '0.49.0' }), {
      path: 'XRayAgent.adotCollector', prop: 'version', value: '0.49.0', allowed: 'start with "v" in this repository (e.g. "v0.49.0")',
    });
  });
});

describe('the X-Ray daemon end-of-life notice', () => {
  function daemonStack(context: Record<string, unknown>, agent?: XRayAgent) {
    const { stack } = createStack();
    for (const [key, value] of Object.entries(context)) stack.node.setContext(key, value);
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    new XRaySidecar(stack, 'XRay', { taskDefinition, agent });
    return stack;
  }

  function infos(stack: Stack): string[] {
    return Annotations.fromStack(stack).findInfo('*', Match.anyValue()).map((m) => String(m.entry.data));
  }

  test('none the day before the maintenance date', () => {
    expect(infos(daemonStack({ 'xray:now': '2026-02-24' }))).toEqual([]);
  });

  test('an INFO on the stack from the maintenance date on: end of support and the one-line change', () => {
    // GIVEN the day the library is used (2026-11-27)
    const stack = daemonStack({ 'xray:now': '2026-11-27' });
    // THEN
    const messages = infos(stack);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('in maintenance mode since 2026-02-25');
    expect(messages[0]).toContain('reaches end of support on 2027-02-25');
    expect(messages[0]).toContain('`agent: XRayAgent.cloudWatchAgent()`');
    expect(messages[0]).toContain('xray:daemonEndOfLifeNotice=false');
    Annotations.fromStack(stack).hasInfo('/TestStack', Match.stringLikeRegexp('end of support'));
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('once per stack, however many sidecars run the daemon', () => {
    const { stack } = createStack({ stackName: 'Many' });
    for (const id of ['A', 'B', 'C']) {
      const taskDefinition = new ecs.FargateTaskDefinition(stack, `${id}Task`);
      new XRaySidecar(stack, `${id}XRay`, { taskDefinition });
    }
    expect(Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('end of support'))).toHaveLength(1);
  });

  test('on the maintenance date itself', () => {
    expect(infos(daemonStack({ 'xray:now': '2026-02-25' }))).toHaveLength(1);
  });

  test('after end of support it says so', () => {
    const [message] = infos(daemonStack({ 'xray:now': '2027-02-25' }));
    expect(message).toContain('reached end of support on 2027-02-25 and gets no more releases');
    expect(message).toContain('`agent: XRayAgent.cloudWatchAgent()`');
  });

  test('silenced by the agent option', () => {
    expect(infos(daemonStack({ 'xray:now': '2026-11-27' }, XRayAgent.daemon({ endOfLifeNotice: false })))).toEqual([]);
  });

  test.each([[false], ['false']])('silenced app-wide by the context key (%p)', (value) => {
    expect(infos(daemonStack({ 'xray:now': '2026-11-27', 'xray:daemonEndOfLifeNotice': value }))).toEqual([]);
  });

  test('the agent option wins over the context key', () => {
    const stack = daemonStack(
      { 'xray:now': '2026-11-27', 'xray:daemonEndOfLifeNotice': false }, XRayAgent.daemon({ endOfLifeNotice: true }),
    );
    expect(infos(stack)).toHaveLength(1);
  });

  test('an ISO date-time works as xray:now too', () => {
    expect(infos(daemonStack({ 'xray:now': '2026-02-24T23:59:59Z' }))).toEqual([]);
    expect(infos(daemonStack({ 'xray:now': '2026-02-25T00:00:00Z' }))).toHaveLength(1);
  });

  test('throws for an xray:now that is not a date', () => {
    expectError(() => daemonStack({ 'xray:now': 'tomorrow' }), {
      prop: 'xray:now', value: 'tomorrow', allowed: 'ISO 8601 date such as "2026-11-27"',
    });
    expectError(() => daemonStack({ 'xray:now': 20261127 }), { prop: 'xray:now', value: 20261127, allowed: 'ISO 8601 date such as "2026-11-27"' });
  });

  test('throws for an xray:daemonEndOfLifeNotice that is not a boolean', () => {
    expectError(() => daemonStack({ 'xray:now': '2026-11-27', 'xray:daemonEndOfLifeNotice': 'no' }),
      { prop: 'xray:daemonEndOfLifeNotice', value: 'no', allowed: BOOLEAN_RULE });
  });
});

describe('one reader for context booleans', () => {
  function daemonStack(notice: unknown) {
    const { stack } = createStack();
    stack.node.setContext('xray:now', '2026-11-27');
    stack.node.setContext('xray:daemonEndOfLifeNotice', notice);
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    new XRaySidecar(stack, 'XRay', { taskDefinition });
    return stack;
  }

  function notices(stack: Stack): number {
    return Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('end of support')).length;
  }

  test.each([
    ['the -c style string "FALSE"', 'FALSE'],
    ['the string "False"', 'False'],
    ['the string "false"', 'false'],
    ['the JSON boolean false', false],
  ])('xray:daemonEndOfLifeNotice = %s silences the daemon notice', (_name, value) => {
    expect(notices(daemonStack(value))).toBe(0);
  });

  test.each([
    ['the -c style string "TRUE"', 'TRUE'],
    ['the JSON boolean true', true],
  ])('xray:daemonEndOfLifeNotice = %s keeps it', (_name, value) => {
    expect(notices(daemonStack(value))).toBe(1);
  });

  test.each([['maybe'], ['1'], ['0'], ['yes'], [''], [1]])('throws context key xray:daemonEndOfLifeNotice must be true or false for %j', (value) => {
    expectError(() => daemonStack(value), { prop: 'xray:daemonEndOfLifeNotice', value, allowed: BOOLEAN_RULE });
  });
});

describe('room for the app', () => {
  test('throws when the ADOT collector\'s default (256 cpu, 512 MiB) fills a Fargate 256/512 task', () => {
    const { stack } = createStack(REGIONAL);
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    expectError(() => new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.adotCollector() }), {
      path: 'TestStack/XRay',
      says: ['TestStack/Task has no room for its app', '256 of the task\'s 256 cpu', '512 MiB of the task\'s 512 MiB memory'],
      fix: ['raise the task\'s cpu / memoryLimitMiB', 'lower the agent\'s cpu / memoryReservationMiB'],
    });
  });

  test('throws when the agent takes all of one resource only', () => {
    const { stack } = createStack(REGIONAL);
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 1024 });
    const message = thrownMessage(() => new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.adotCollector() }));
    expectMessage(message, {
      path: 'TestStack/XRay',
      says: ['TestStack/Task has no room for its app', '256 of the task\'s 256 cpu'],
      fix: ['raise the task\'s cpu / memoryLimitMiB', 'lower the agent\'s cpu / memoryReservationMiB'],
    });
    expect(message).not.toContain('MiB memory');
  });

  test('an agent that takes more than half of the task gets the littleRoomForApp warning with the numbers', () => {
    // GIVEN the ADOT collector with 384 cpu and 768 MiB in a 512/1024 task
    const { stack } = createStack(REGIONAL);
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    taskDefinition.addContainer('App', { image: IMAGE, cpu: 128, memoryLimitMiB: 256 });
    new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.adotCollector(), cpu: 384, memoryReservationMiB: 768 });
    // THEN
    Annotations.fromStack(stack).hasWarning('/TestStack/XRay',
      'task TestStack/Task leaves its app little room: ' +
      'the agent takes 384 of the task\'s 512 cpu, leaving the app 128; ' +
      'the agent takes 768 MiB of the task\'s 1024 MiB memory, leaving the app 256 MiB: ' +
      'raise the task\'s cpu / memoryLimitMiB, or lower the agent\'s cpu / memoryReservationMiB ' +
      '[ack: @cdk-xray-ecs/sidecar:littleRoomForApp]');
  });

  test('exactly half is no warning', () => {
    const { stack } = createStack(REGIONAL);
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.adotCollector() });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('littleRoomForApp'));
  });

  test('the warning can be acknowledged by its id', () => {
    const { stack } = createStack(REGIONAL);
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    const holder = new Construct(stack, 'Holder');
    CoreAnnotations.of(holder).acknowledgeWarning('@cdk-xray-ecs/sidecar:littleRoomForApp', 'a batch task with a tiny app');
    new XRaySidecar(holder, 'XRay', { taskDefinition, cpu: 200 });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});
