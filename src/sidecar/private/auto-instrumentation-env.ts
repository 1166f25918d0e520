import { Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AgentAddress } from '../../core/agent-address';
import { AGENT_APPLICATION_SIGNALS_PORT } from '../../core/agent-facts';
import { AUTO_INSTRUMENTATION_MARKERS, containerEnvironment } from '../../core/env-contract';
import { fail, Owner } from '../../core/errors';
import { AutoInstrumentation } from '../auto-instrumentation';

/** The variables the library appends to, keeping what the app set. */
export const APPENDED_VARIABLES: readonly string[] = ['PYTHONPATH', 'NODE_OPTIONS', 'JAVA_TOOL_OPTIONS', 'OTEL_RESOURCE_ATTRIBUTES'];

/** The CoreCLR profiler the OpenTelemetry .NET auto-instrumentation registers. */
const DOTNET_PROFILER_GUID = '{918728DD-259F-4A6A-AC2B-B85E1B658318}';

/** What the app container is told, besides the contract's OTLP variables. */
export interface AutoInstrumentationInput {
  readonly auto: AutoInstrumentation;
  readonly serviceName: string;
  /** Where the agent is; absent collector-less (then `agentlessEndpoint` is set). */
  readonly address?: AgentAddress;
  /** The agent's OTLP/HTTP port for traces (4318), used when Application Signals is off. */
  readonly otlpHttpPort: number;
  readonly applicationSignals: boolean;
  /** Collector-less: X-Ray's OTLP traces endpoint, which the SDK signs its export to. */
  readonly agentlessEndpoint?: string;
  /** `ARM64` or `X86_64`: the .NET profiler's directory. */
  readonly cpuArchitecture: string;
}

/** The variables set outright (refused when the app already sets them to something else). */
export function autoInstrumentationFixedEnvironment(input: AutoInstrumentationInput): { [name: string]: string } {
  if (input.agentlessEndpoint !== undefined) return agentlessFixedEnvironment(input, input.agentlessEndpoint);
  const host = input.address?.host ?? '127.0.0.1';
  const tracesPort = input.applicationSignals ? AGENT_APPLICATION_SIGNALS_PORT : input.otlpHttpPort;
  const env: { [name: string]: string } = {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://${host}:${tracesPort}/v1/traces`,
    OTEL_PROPAGATORS: 'tracecontext,baggage,xray',
    // Metrics and logs have no pipeline in the agent's trace-only configuration. With Application
    // Signals the ADOT SDKs send their service metrics through their own exporter
    // (OTEL_AWS_APPLICATION_SIGNALS_EXPORTER_ENDPOINT), not the OTel metrics exporter: AWS's own
    // Application Signals set-up for ECS turns both off as well.
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_AWS_APPLICATION_SIGNALS_ENABLED: String(input.applicationSignals),
  };
  if (input.applicationSignals) {
    env.OTEL_AWS_APPLICATION_SIGNALS_EXPORTER_ENDPOINT = `http://${host}:${AGENT_APPLICATION_SIGNALS_PORT}/v1/metrics`;
  }
  return { ...env, ...languageEnvironment(input) };
}

/**
 * Collector-less: the SDK exports OTLP/HTTP straight to X-Ray's endpoint, signed with SigV4 (the
 * ADOT SDKs pick their signing exporter for that endpoint), with no metrics or logs pipeline and
 * no Application Signals (which would bill the spans twice).
 */
function agentlessFixedEnvironment(input: AutoInstrumentationInput, endpoint: string): { [name: string]: string } {
  const env: { [name: string]: string } = {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint,
    OTEL_PROPAGATORS: 'tracecontext,baggage,xray',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_AWS_APPLICATION_SIGNALS_ENABLED: 'false',
  };
  if (input.auto.language === 'dotnet') {
    // The .NET plugin signs only with OTEL_AWS_SIG_V4_ENABLED=true, and only with the OTel traces
    // exporter off: it adds its own signing exporter, and `otlp` would send every span twice, unsigned.
    env.OTEL_AWS_SIG_V4_ENABLED = 'true';
    env.OTEL_TRACES_EXPORTER = 'none';
  }
  return { ...env, ...languageEnvironment(input) };
}

/** The variables that load and configure the language's distro. */
function languageEnvironment(input: AutoInstrumentationInput): { [name: string]: string } {
  const env: { [name: string]: string } = {};
  const mount = input.auto.mountPath;
  switch (input.auto.language) {
    case 'python':
      env.OTEL_PYTHON_DISTRO = 'aws_distro';
      env.OTEL_PYTHON_CONFIGURATOR = 'aws_configurator';
      break;
    case 'dotnet': {
      const dir = input.cpuArchitecture === 'ARM64' ? 'linux-arm64' : 'linux-x64';
      env.CORECLR_ENABLE_PROFILING = '1';
      env.CORECLR_PROFILER = DOTNET_PROFILER_GUID;
      env.CORECLR_PROFILER_PATH = `${mount}/${dir}/OpenTelemetry.AutoInstrumentation.Native.so`;
      env.DOTNET_STARTUP_HOOKS = `${mount}/net/OpenTelemetry.AutoInstrumentation.StartupHook.dll`;
      env.DOTNET_ADDITIONAL_DEPS = `${mount}/AdditionalDeps`;
      env.DOTNET_SHARED_STORE = `${mount}/store`;
      env.OTEL_DOTNET_AUTO_HOME = mount;
      env.OTEL_DOTNET_DISTRO = 'aws_distro';
      env.OTEL_DOTNET_CONFIGURATOR = 'aws_configurator';
      env.OTEL_DOTNET_AUTO_PLUGINS = 'AWS.Distro.OpenTelemetry.AutoInstrumentation.Plugin, AWS.Distro.OpenTelemetry.AutoInstrumentation';
      // The X-Ray SDK for .NET has no environment switch of its own: it reads DisableXRayTracing
      // from the "XRay" section of the configuration the app hands it, which in ASP.NET Core
      // includes the environment (`XRay__DisableXRayTracing`). AWS_XRAY_SDK_ENABLED is Python's.
      env.XRay__DisableXRayTracing = 'true';
      break;
    }
    default:
      break;
  }
  return env;
}

/** Every variable name an auto-instrumentation of `language` may set, appended ones included. */
export function autoInstrumentationVariableNames(): string[] {
  const any = autoInstrumentationFixedEnvironment({
    auto: AutoInstrumentation.dotnet(),
    serviceName: 'x',
    address: { daemonAddress: '', sdkDaemonAddress: '', needsLink: false, host: 'h' },
    otlpHttpPort: 1,
    applicationSignals: true,
    cpuArchitecture: 'X86_64',
  });
  return [...Object.keys(any), 'OTEL_PYTHON_DISTRO', 'OTEL_PYTHON_CONFIGURATOR', 'OTEL_TRACES_EXPORTER', 'OTEL_AWS_SIG_V4_ENABLED', ...APPENDED_VARIABLES];
}

/** The variable that loads the language's agent, and the text appended to it. */
function loader(auto: AutoInstrumentation): { name: string; join: string; add: (existing: string | undefined) => string } | undefined {
  const mount = auto.mountPath;
  switch (auto.language) {
    case 'python': {
      const first = `${mount}/opentelemetry/instrumentation/auto_instrumentation`;
      // The distro's sitecustomize comes first, the app's own path next, the copied packages last
      // (so the app's pinned libraries win over the agent's copies).
      return { name: 'PYTHONPATH', join: ':', add: (e) => (e === undefined || e === '' ? `${first}:${mount}` : `${first}:${e}:${mount}`) };
    }
    case 'node': {
      const opt = `--require ${mount}/autoinstrumentation.js`;
      return { name: 'NODE_OPTIONS', join: ' ', add: (e) => (e === undefined || e === '' ? opt : `${e} ${opt}`) };
    }
    case 'java': {
      const opt = `-javaagent:${mount}/javaagent.jar`;
      return { name: 'JAVA_TOOL_OPTIONS', join: ' ', add: (e) => (e === undefined || e === '' ? opt : `${e} ${opt}`) };
    }
    default:
      return undefined;
  }
}

/**
 * The appended variables' new values, after checking that each can be read: a variable that
 * comes from `secrets`, or may come from `environmentFiles` (not set in `environment`), is an
 * error naming it. Also refuses a container that already loads an agent.
 */
export function autoInstrumentationAppendedEnvironment(
  owner: Owner, container: ecs.ContainerDefinition, input: AutoInstrumentationInput,
): { [name: string]: string } {
  const rendered = container.renderContainerDefinition();
  const existing = containerEnvironment(container);
  const secretNames = new Set(((rendered.secrets ?? []) as ecs.CfnTaskDefinition.SecretProperty[]).map((s) => s.name));
  const hasEnvironmentFiles = Array.isArray(rendered.environmentFiles) && rendered.environmentFiles.length > 0;

  for (const marker of AUTO_INSTRUMENTATION_MARKERS) {
    const value = existing.get(marker.name);
    if (value !== undefined && !Token.isUnresolved(value) && marker.test(value)) {
      fail(owner,
        `container ${container.containerName} already loads an auto-instrumentation agent (${marker.name}=${JSON.stringify(value)}): ` +
        'one agent per container (two would record every request twice); remove it, or leave out autoInstrumentation');
    }
  }
  const mounted = (rendered.mountPoints ?? []) as ecs.CfnTaskDefinition.MountPointProperty[];
  const clash = Array.isArray(mounted) ? mounted.find((m) => typeof m.containerPath === 'string' && m.containerPath.startsWith('/otel-auto-instrumentation')) : undefined;
  if (clash) {
    fail(owner,
      `container ${container.containerName} already mounts an auto-instrumentation agent at ${clash.containerPath}: ` +
      'one agent per container (two would record every request twice)');
  }

  const wanted: { [name: string]: string } = {};
  const load = loader(input.auto);
  if (load) wanted[load.name] = load.add(existing.get(load.name));
  const attributes = existing.get('OTEL_RESOURCE_ATTRIBUTES');
  wanted.OTEL_RESOURCE_ATTRIBUTES = resourceAttributes(owner, container, attributes, input.serviceName);

  const fixed = Object.keys(autoInstrumentationFixedEnvironment(input));
  for (const name of [...Object.keys(wanted), ...fixed]) {
    if (secretNames.has(name)) {
      fail(owner,
        `container ${container.containerName} sets ${name} from secrets, which auto-instrumentation must ${APPENDED_VARIABLES.includes(name) ? 'append to' : 'set'} ` +
        'but cannot read at synth time: move it to environment, or leave out autoInstrumentation');
    }
    if (APPENDED_VARIABLES.includes(name) && hasEnvironmentFiles && !existing.has(name)) {
      fail(owner,
        `container ${container.containerName} reads environmentFiles, which may set ${name}; auto-instrumentation must append to it ` +
        `but cannot read a file at synth time (and environment would replace the file's value): set ${name} in environment ` +
        '(an empty string if the app has none), or leave out autoInstrumentation');
    }
  }
  return wanted;
}

/** The app's resource attributes with `service.name`; a different `service.name` is an error. */
function resourceAttributes(owner: Owner, container: ecs.ContainerDefinition, existing: string | undefined, serviceName: string): string {
  const own = `service.name=${serviceName}`;
  if (existing === undefined || existing === '') return own;
  if (Token.isUnresolved(existing)) return `${existing},${own}`;
  const pairs = existing.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const named = pairs.find((p) => p.startsWith('service.name='));
  if (named !== undefined) {
    if (named === own) return existing;
    fail(owner,
      `container ${container.containerName} sets OTEL_RESOURCE_ATTRIBUTES with ${named}, but the service is ${JSON.stringify(serviceName)}: ` +
      'remove service.name from OTEL_RESOURCE_ATTRIBUTES (the library sets it from serviceName)');
  }
  return `${existing},${own}`;
}
