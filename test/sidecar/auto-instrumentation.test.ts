import { Aspects, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { XRayTracingAspect } from '../../src/aspects/xray-tracing-aspect';
import { TracedEc2Service } from '../../src/services/traced-ec2-service';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { AgentReadiness, XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { createCluster, createStack } from '../helpers/app';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');

type ContainerJson = Record<string, any>;

function containersOf(stack: Stack): { template: Template; task: Record<string, any>; byName: (name: string) => ContainerJson } {
  const template = Template.fromStack(stack);
  const defs = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  expect(defs).toHaveLength(1);
  const task = defs[0].Properties;
  const byName = (name: string) => {
    const found = (task.ContainerDefinitions as ContainerJson[]).find((c) => c.Name === name);
    if (!found) throw new Error(`no container ${name}: ${task.ContainerDefinitions.map((c: ContainerJson) => c.Name).join(', ')}`);
    return found;
  };
  return { template, task, byName };
}

function envOf(container: ContainerJson): Record<string, unknown> {
  return Object.fromEntries((container.Environment ?? []).map((kv: { Name: string; Value: unknown }) => [kv.Name, kv.Value]));
}

interface LanguageCase {
  readonly make: () => AutoInstrumentation;
  readonly language: string;
  readonly image: string;
  readonly mount: string;
  readonly command: string[];
  readonly memory: number;
  readonly loaderVariable?: string;
  readonly loaderValue?: string;
}

const LANGUAGES: readonly LanguageCase[] = [
  {
    make: () => AutoInstrumentation.python(),
    language: 'python',
    image: 'public.ecr.aws/aws-observability/adot-autoinstrumentation-python:v0.19.0',
    mount: '/otel-auto-instrumentation-python',
    command: ['cp', '-a', '/autoinstrumentation/.', '/otel-auto-instrumentation-python'],
    memory: 32,
    loaderVariable: 'PYTHONPATH',
    loaderValue: '/otel-auto-instrumentation-python/opentelemetry/instrumentation/auto_instrumentation:/otel-auto-instrumentation-python',
  },
  {
    make: () => AutoInstrumentation.node(),
    language: 'node',
    image: 'public.ecr.aws/aws-observability/adot-autoinstrumentation-node:v0.12.0',
    mount: '/otel-auto-instrumentation-nodejs',
    command: ['cp', '-a', '/autoinstrumentation/.', '/otel-auto-instrumentation-nodejs'],
    memory: 128,
    loaderVariable: 'NODE_OPTIONS',
    loaderValue: '--require /otel-auto-instrumentation-nodejs/autoinstrumentation.js',
  },
  {
    make: () => AutoInstrumentation.java(),
    language: 'java',
    image: 'public.ecr.aws/aws-observability/adot-autoinstrumentation-java:v2.29.0',
    mount: '/otel-auto-instrumentation',
    command: ['cp', '/javaagent.jar', '/otel-auto-instrumentation/javaagent.jar'],
    memory: 64,
    loaderVariable: 'JAVA_TOOL_OPTIONS',
    loaderValue: '-javaagent:/otel-auto-instrumentation/javaagent.jar',
  },
  {
    make: () => AutoInstrumentation.dotnet(),
    language: 'dotnet',
    image: 'public.ecr.aws/aws-observability/adot-autoinstrumentation-dotnet:v1.14.0',
    mount: '/otel-auto-instrumentation-dotnet',
    command: ['cp', '-a', '/autoinstrumentation/.', '/otel-auto-instrumentation-dotnet'],
    memory: 128,
  },
];

interface ShapeCase {
  readonly name: string;
  readonly host: string;
  readonly arch: 'X86_64' | 'ARM64';
  readonly build: (stack: Stack, auto: AutoInstrumentation) => void;
}

const SHAPES: readonly ShapeCase[] = [
  {
    name: 'Fargate x86_64',
    host: '127.0.0.1',
    arch: 'X86_64',
    build: (stack, auto) => new TracedFargateService(stack, 'Svc', {
      cluster: createCluster(stack),
      serviceName: 'afirgen-main-backend',
      image: IMAGE,
      sidecar: { agent: XRayAgent.cloudWatchAgent() },
      autoInstrumentation: auto,
    }),
  },
  {
    // runtimePlatform on the task definition itself: the traced services' pass-through props
    // (runtimePlatform among them) come with another change.
    name: 'Fargate ARM64',
    host: '127.0.0.1',
    arch: 'ARM64',
    build: (stack, auto) => {
      const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', {
        cpu: 512,
        memoryLimitMiB: 1024,
        runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      });
      const app = taskDefinition.addContainer('App', { containerName: 'app', image: IMAGE });
      const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.adotCollector() });
      sidecar.instrument(app, { serviceName: 'afirgen-main-backend', autoInstrumentation: auto });
    },
  },
  {
    name: 'EC2 bridge',
    host: 'xray-daemon',
    arch: 'X86_64',
    build: (stack, auto) => {
      const taskDefinition = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.BRIDGE });
      const app = taskDefinition.addContainer('App', { containerName: 'app', image: IMAGE, memoryLimitMiB: 512 });
      const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.cloudWatchAgent() });
      sidecar.instrument(app, { serviceName: 'afirgen-main-backend', autoInstrumentation: auto });
    },
  },
];

describe('AutoInstrumentation: every language on Fargate x86_64, Fargate ARM64 and EC2 bridge', () => {
  const rows = SHAPES.flatMap((shape) => LANGUAGES.map((lang) => [shape.name, lang.language, shape, lang] as const));

  test.each(rows)('%s, %s', (_s, _l, shape, lang) => {
    // GIVEN / WHEN
    const { stack } = createStack();
    shape.build(stack, lang.make());
    const { task, byName } = containersOf(stack);

    // THEN the init container copies the agent, exec form, non-essential, sized
    const init = byName('app-adot-init');
    expect(init).toMatchObject({
      Image: lang.image,
      Command: lang.command,
      Essential: false,
      Memory: lang.memory,
      ReadonlyRootFilesystem: true,
      Privileged: false,
      MountPoints: [{ SourceVolume: `app-adot-${lang.language}`, ContainerPath: lang.mount, ReadOnly: false }],
    });
    expect(init.EntryPoint).toBeUndefined();
    expect(task.Volumes).toEqual(expect.arrayContaining([{ Name: `app-adot-${lang.language}` }]));

    // ... the app mounts it read-only and waits for the copy's SUCCESS (and for the agent)
    const app = byName('app');
    expect(app.MountPoints).toEqual([{ SourceVolume: `app-adot-${lang.language}`, ContainerPath: lang.mount, ReadOnly: true }]);
    expect(app.DependsOn).toEqual(expect.arrayContaining([
      { ContainerName: 'app-adot-init', Condition: 'SUCCESS' },
      { ContainerName: 'xray-daemon', Condition: 'START' },
    ]));

    // ... and its variables load the agent and point it at the sidecar
    const env = envOf(app);
    expect(env).toMatchObject({
      OTEL_SERVICE_NAME: 'afirgen-main-backend',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://${shape.host}:4318/v1/traces`,
      OTEL_TRACES_SAMPLER: 'xray',
      OTEL_TRACES_SAMPLER_ARG: `endpoint=http://${shape.host}:2000,polling_interval=300`,
      OTEL_PROPAGATORS: 'tracecontext,baggage,xray',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_AWS_APPLICATION_SIGNALS_ENABLED: 'false',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=afirgen-main-backend',
    });
    if (lang.loaderVariable) expect(env[lang.loaderVariable]).toBe(lang.loaderValue);
    if (lang.language === 'python') {
      expect(env).toMatchObject({ OTEL_PYTHON_DISTRO: 'aws_distro', OTEL_PYTHON_CONFIGURATOR: 'aws_configurator' });
    }
    if (lang.language === 'dotnet') {
      expect(env).toMatchObject({
        CORECLR_ENABLE_PROFILING: '1',
        CORECLR_PROFILER: '{918728DD-259F-4A6A-AC2B-B85E1B658318}',
        CORECLR_PROFILER_PATH: `/otel-auto-instrumentation-dotnet/${shape.arch === 'ARM64' ? 'linux-arm64' : 'linux-x64'}/OpenTelemetry.AutoInstrumentation.Native.so`,
        DOTNET_STARTUP_HOOKS: '/otel-auto-instrumentation-dotnet/net/OpenTelemetry.AutoInstrumentation.StartupHook.dll',
        DOTNET_ADDITIONAL_DEPS: '/otel-auto-instrumentation-dotnet/AdditionalDeps',
        DOTNET_SHARED_STORE: '/otel-auto-instrumentation-dotnet/store',
        OTEL_DOTNET_AUTO_HOME: '/otel-auto-instrumentation-dotnet',
        OTEL_DOTNET_DISTRO: 'aws_distro',
        OTEL_DOTNET_CONFIGURATOR: 'aws_configurator',
      });
    }
    if (shape.host === 'xray-daemon') {
      expect(app.Links).toEqual(['xray-daemon:xray-daemon']);
    }
  });
});

const ARM64_LINUX: ecs.RuntimePlatform = { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX };
const X86_64_LINUX: ecs.RuntimePlatform = { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX };

/** A Fargate task with `runtimePlatform`, instrumented by hand. */
function fargateTask(stack: Stack, platform: ecs.RuntimePlatform, auto: AutoInstrumentation, agent = XRayAgent.cloudWatchAgent()) {
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 1024, memoryLimitMiB: 2048, runtimePlatform: platform });
  const app = taskDefinition.addContainer('App', { containerName: 'app', image: IMAGE });
  const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent });
  sidecar.instrument(app, { serviceName: 'afirgen-main-backend', autoInstrumentation: auto });
  return { taskDefinition, app, sidecar };
}

describe('the task\'s CPU architecture and OS (runtimePlatform)', () => {
  test('.NET on ARM64: the profiler comes from linux-arm64', () => {
    const { stack } = createStack();
    fargateTask(stack, ARM64_LINUX, AutoInstrumentation.dotnet());
    const { byName } = containersOf(stack);
    expect(envOf(byName('app')).CORECLR_PROFILER_PATH).toBe('/otel-auto-instrumentation-dotnet/linux-arm64/OpenTelemetry.AutoInstrumentation.Native.so');
  });

  test('.NET on X86_64 set explicitly: linux-x64', () => {
    const { stack } = createStack();
    fargateTask(stack, X86_64_LINUX, AutoInstrumentation.dotnet());
    const { byName } = containersOf(stack);
    expect(envOf(byName('app')).CORECLR_PROFILER_PATH).toBe('/otel-auto-instrumentation-dotnet/linux-x64/OpenTelemetry.AutoInstrumentation.Native.so');
  });

  test('Python on ARM64 Fargate: the same init container (the images are multi-arch)', () => {
    const { stack } = createStack();
    fargateTask(stack, ARM64_LINUX, AutoInstrumentation.python());
    const { byName, task } = containersOf(stack);
    expect(task.RuntimePlatform).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
    expect(byName('app-adot-init').Image).toBe('public.ecr.aws/aws-observability/adot-autoinstrumentation-python:v0.19.0');
  });

  test('throws for a Windows task, naming the OS', () => {
    const { stack } = createStack();
    expect(() => fargateTask(stack, {
      cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE,
    }, AutoInstrumentation.dotnet())).toThrow(
      /TestStack\/XRay: autoInstrumentation \(dotnet\) needs a Linux task: .*linux\/amd64 and linux\/arm64, got runtimePlatform operatingSystemFamily "WINDOWS_SERVER_2022_CORE"/);
  });
});

describe('the app\'s own values are kept', () => {
  function withEnv(environment: Record<string, string>, auto: AutoInstrumentation) {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    const app = taskDefinition.addContainer('App', { containerName: 'app', image: IMAGE, environment });
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.adotCollector() });
    sidecar.instrument(app, { serviceName: 'svc', autoInstrumentation: auto });
    return envOf(containersOf(stack).byName('app'));
  }

  test('PYTHONPATH: the distro first, the app\'s path next, the copied packages last', () => {
    expect(withEnv({ PYTHONPATH: '/app/src' }, AutoInstrumentation.python()).PYTHONPATH).toBe(
      '/otel-auto-instrumentation-python/opentelemetry/instrumentation/auto_instrumentation:/app/src:/otel-auto-instrumentation-python');
  });

  test('NODE_OPTIONS keeps the app\'s options before --require', () => {
    expect(withEnv({ NODE_OPTIONS: '--max-old-space-size=512' }, AutoInstrumentation.node()).NODE_OPTIONS).toBe(
      '--max-old-space-size=512 --require /otel-auto-instrumentation-nodejs/autoinstrumentation.js');
  });

  test('JAVA_TOOL_OPTIONS keeps the app\'s options before -javaagent', () => {
    expect(withEnv({ JAVA_TOOL_OPTIONS: '-Xmx512m' }, AutoInstrumentation.java()).JAVA_TOOL_OPTIONS).toBe(
      '-Xmx512m -javaagent:/otel-auto-instrumentation/javaagent.jar');
  });

  test('OTEL_RESOURCE_ATTRIBUTES keeps the app\'s attributes and adds service.name', () => {
    expect(withEnv({ OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod' }, AutoInstrumentation.python()).OTEL_RESOURCE_ATTRIBUTES).toBe(
      'deployment.environment=prod,service.name=svc');
  });

  test('throws when OTEL_RESOURCE_ATTRIBUTES names another service', () => {
    expect(() => withEnv({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=other' }, AutoInstrumentation.python())).toThrow(
      /TestStack\/XRay: container app sets OTEL_RESOURCE_ATTRIBUTES with service.name=other, but the service is "svc"/);
  });

  test('throws when the app already sets a fixed variable to another value (never overwritten)', () => {
    expect(() => withEnv({ OTEL_PROPAGATORS: 'b3' }, AutoInstrumentation.python())).toThrow(
      /container app already sets tracing variables to other values \(OTEL_PROPAGATORS is "b3", tracing would set "tracecontext,baggage,xray"\)/);
  });
});

describe('bad input throws', () => {
  test('throws for version latest', () => {
    expect(() => AutoInstrumentation.python({ version: 'latest' })).toThrow(
      /AutoInstrumentation.python: version must be pinned to a version tag or digest \(never "latest"/);
  });

  test('throws for an unparseable version', () => {
    expect(() => AutoInstrumentation.node({ version: '0.12' })).toThrow(
      'AutoInstrumentation.node: version must be an ADOT release tag v<major>.<minor>.<patch> (optionally @sha256:<digest>) or a digest sha256:<digest>, e.g. "v0.12.0", got "0.12"');
  });

  test('a mirror and a digest-pinned version are accepted', () => {
    const auto = AutoInstrumentation.java({ repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/adot-java', version: `v2.29.0@sha256:${'a'.repeat(64)}` });
    expect(auto.imageName).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/adot-java:v2.29.0@sha256:${'a'.repeat(64)}`);
  });

  test('throws for auto-instrumentation with the X-Ray daemon, naming the agents that take OTLP and the switch', () => {
    const { stack } = createStack();
    expect(() => new TracedFargateService(stack, 'Svc', {
      cluster: createCluster(stack), serviceName: 'svc', image: IMAGE, autoInstrumentation: AutoInstrumentation.python(),
    })).toThrow(
      /TestStack\/Svc\/XRay: autoInstrumentation \(python\) needs an agent that takes OTLP, and the X-Ray daemon takes only X-Ray segments: switch with one line, `agent: XRayAgent.cloudWatchAgent\(\)` \(or `XRayAgent.adotCollector\(\)`\)/);
  });

  test('throws in the aspect for auto-instrumentation with the daemon', () => {
    expect(() => new XRayTracingAspect({ autoInstrumentation: AutoInstrumentation.java() })).toThrow(
      /XRayTracingAspect: autoInstrumentation \(java\) needs an agent that takes OTLP/);
  });

  test('throws for applicationSignals on the ADOT collector and the daemon', () => {
    expect(() => XRayAgent.adotCollector({ applicationSignals: true } as any)).toThrow(
      'XRayAgent.adotCollector: applicationSignals must not be set: only the CloudWatch agent collects Application Signals, got true; use XRayAgent.cloudWatchAgent({ applicationSignals: true })');
    expect(() => XRayAgent.daemon({ applicationSignals: true } as any)).toThrow(/XRayAgent.daemon: applicationSignals must not be set/);
  });

  test('throws when a variable to append to comes from secrets', () => {
    const { stack } = createStack();
    const secret = new secretsmanager.Secret(stack, 'Secret');
    expect(() => new TracedFargateService(stack, 'Svc', {
      cluster: createCluster(stack),
      serviceName: 'svc',
      image: IMAGE,
      secrets: { NODE_OPTIONS: ecs.Secret.fromSecretsManager(secret) },
      sidecar: { agent: XRayAgent.cloudWatchAgent() },
      autoInstrumentation: AutoInstrumentation.node(),
    })).toThrow(
      'TestStack/Svc/XRay: container app sets NODE_OPTIONS from secrets, which auto-instrumentation must append to but cannot read at synth time: move it to environment, or leave out autoInstrumentation');
  });

  test('throws when a variable to append to may come from environmentFiles', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    const bucket = new s3.Bucket(stack, 'Bucket');
    const app = taskDefinition.addContainer('App', {
      containerName: 'app', image: IMAGE, environmentFiles: [ecs.EnvironmentFile.fromBucket(bucket, 'app.env')],
    });
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.cloudWatchAgent() });
    expect(() => sidecar.instrument(app, { serviceName: 'svc', autoInstrumentation: AutoInstrumentation.java() })).toThrow(
      /container app reads environmentFiles, which may set JAVA_TOOL_OPTIONS; .* set JAVA_TOOL_OPTIONS in environment \(an empty string if the app has none\)/);
  });

  test('with environmentFiles and the variable in environment, it is appended to', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    const bucket = new s3.Bucket(stack, 'Bucket');
    const app = taskDefinition.addContainer('App', {
      containerName: 'app',
      image: IMAGE,
      environmentFiles: [ecs.EnvironmentFile.fromBucket(bucket, 'app.env')],
      environment: { JAVA_TOOL_OPTIONS: '-Xss1m', OTEL_RESOURCE_ATTRIBUTES: '' },
    });
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.cloudWatchAgent() });
    sidecar.instrument(app, { serviceName: 'svc', autoInstrumentation: AutoInstrumentation.java() });
    expect(envOf(containersOf(stack).byName('app')).JAVA_TOOL_OPTIONS).toBe('-Xss1m -javaagent:/otel-auto-instrumentation/javaagent.jar');
  });

  test('throws for two auto-instrumentations on one container', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    const app = taskDefinition.addContainer('App', {
      containerName: 'app', image: IMAGE, environment: { NODE_OPTIONS: '--require /otel-auto-instrumentation-nodejs/autoinstrumentation.js' },
    });
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.cloudWatchAgent() });
    expect(() => sidecar.instrument(app, { serviceName: 'svc', autoInstrumentation: AutoInstrumentation.node() })).toThrow(
      new RegExp('TestStack/XRay: container app already loads an auto-instrumentation agent ' +
        '\\(NODE_OPTIONS="--require /otel-auto-instrumentation-nodejs/autoinstrumentation.js"\\): one agent per container'));
  });

  test('throws for a second auto-instrumentation through a second instrument call', () => {
    const { stack } = createStack();
    const { app, sidecar } = fargateTask(stack, X86_64_LINUX, AutoInstrumentation.python());
    expect(() => sidecar.instrument(app, { serviceName: 'svc', autoInstrumentation: AutoInstrumentation.java() })).toThrow(
      /container app is already instrumented by TestStack\/XRay/);
  });

  test('throws for agentReady HEALTHY on an agent without a health check', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    expect(() => new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.cloudWatchAgent(), agentReady: AgentReadiness.HEALTHY })).toThrow(
      /TestStack\/XRay: agentReady must not be AgentReadiness.HEALTHY for the CloudWatch agent: its image has no shell and no health check binary/);
    const other = createStack().stack;
    expect(() => new XRaySidecar(other, 'XRay', { taskDefinition: new ecs.FargateTaskDefinition(other, 'Task'), agentReady: AgentReadiness.HEALTHY })).toThrow(
      /agentReady must not be AgentReadiness.HEALTHY for the X-Ray daemon/);
  });
});

describe('sizes, tracing off, the aspect', () => {
  test('the init container counts in the task-fit check', () => {
    const { app, stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    const container = taskDefinition.addContainer('App', { containerName: 'app', image: IMAGE, memoryReservationMiB: 300 });
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.cloudWatchAgent() });
    sidecar.instrument(container, { serviceName: 'svc', autoInstrumentation: AutoInstrumentation.node() });
    // 300 (app) + 128 (agent) + 128 (init) = 556 > 512; without the init container it would fit.
    expect(() => app.synth()).toThrow(/needs 556 MiB of memory \(app 300 \+ xray-daemon 128 \+ app-adot-init 128\) but the task has 512 MiB/);
  });

  test('tracing enabled false: no init container, no agent loaded', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    const container = taskDefinition.addContainer('App', { containerName: 'app', image: IMAGE });
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.cloudWatchAgent() });
    sidecar.instrument(container, { serviceName: 'svc', enabled: false, autoInstrumentation: AutoInstrumentation.node() });
    const { task } = containersOf(stack);
    expect(task.ContainerDefinitions.map((c: ContainerJson) => c.Name).sort()).toEqual(['app', 'xray-daemon']);
    expect(envOf(task.ContainerDefinitions.find((c: ContainerJson) => c.Name === 'app')).NODE_OPTIONS).toBeUndefined();
  });

  test('TracedEc2Service and the aspect take autoInstrumentation too', () => {
    const { stack } = createStack();
    const cluster = createCluster(stack);
    cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('t3.medium') });
    new TracedEc2Service(stack, 'Gguf', {
      cluster,
      serviceName: 'afirgen-gguf-server',
      image: IMAGE,
      memoryLimitMiB: 1024,
      sidecar: { agent: XRayAgent.cloudWatchAgent() },
      autoInstrumentation: AutoInstrumentation.python(),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([Match.objectLike({ Name: 'app-adot-init', Image: Match.stringLikeRegexp('adot-autoinstrumentation-python') })]),
    });

    const other = createStack().stack;
    const td = new ecs.FargateTaskDefinition(other, 'Legacy', { cpu: 512, memoryLimitMiB: 1024 });
    td.addContainer('Web', { containerName: 'web', image: IMAGE });
    Aspects.of(other).add(new XRayTracingAspect({ agent: XRayAgent.adotCollector(), autoInstrumentation: AutoInstrumentation.java() }));
    Template.fromStack(other).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Name: 'web',
          Environment: Match.arrayWith([{ Name: 'JAVA_TOOL_OPTIONS', Value: '-javaagent:/otel-auto-instrumentation/javaagent.jar' }]),
        }),
        Match.objectLike({ Name: 'web-adot-init', Command: ['cp', '/javaagent.jar', '/otel-auto-instrumentation/javaagent.jar'] }),
      ]),
    });
  });
});

describe('the ADOT collector\'s health check and agentReady', () => {
  test('the collector gets /healthcheck (exec form) and its health extension; apps wait for HEALTHY on request', () => {
    const { stack } = createStack({ env: { account: '111111111111', region: 'eu-west-1' } });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    const app = taskDefinition.addContainer('App', { containerName: 'app', image: IMAGE });
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.adotCollector(), agentReady: AgentReadiness.HEALTHY });
    sidecar.instrument(app, { serviceName: 'svc' });
    const { byName } = containersOf(stack);
    const agent = byName('xray-daemon');
    expect(agent.HealthCheck).toEqual({ Command: ['CMD', '/healthcheck'], Interval: 10, Timeout: 5, Retries: 3, StartPeriod: 10 });
    const yaml = envOf(agent).AOT_CONFIG_CONTENT as string;
    expect(yaml).toContain('extensions:\n  health_check:\n    endpoint: 0.0.0.0:13133\n');
    expect(yaml).toContain('  extensions: [health_check]\n');
    expect(byName('app').DependsOn).toEqual([{ ContainerName: 'xray-daemon', Condition: 'HEALTHY' }]);
  });

  test('by default the collector has the health check and apps still wait only for START', () => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    const app = taskDefinition.addContainer('App', { containerName: 'app', image: IMAGE });
    new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.adotCollector() }).instrument(app, { serviceName: 'svc' });
    const { byName } = containersOf(stack);
    expect(byName('xray-daemon').HealthCheck.Command).toEqual(['CMD', '/healthcheck']);
    expect(byName('app').DependsOn).toEqual([{ ContainerName: 'xray-daemon', Condition: 'START' }]);
  });

  test('the daemon and the CloudWatch agent get no health check', () => {
    for (const agent of [XRayAgent.daemon(), XRayAgent.cloudWatchAgent()]) {
      const { stack } = createStack();
      new XRaySidecar(stack, 'XRay', { taskDefinition: new ecs.FargateTaskDefinition(stack, 'Task'), agent });
      expect(containersOf(stack).byName('xray-daemon').HealthCheck).toBeUndefined();
    }
  });
});
