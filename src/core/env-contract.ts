import { Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AgentAddress } from './agent-address';
import { AGENT_PORT } from './agent-facts';
import { fail, Owner } from './errors';
import { renderNumber } from './numbers';
import { ContextMissingStrategy, DEFAULT_CONTEXT_MISSING, DEFAULT_SAMPLING_RATE } from './tracing-options';

/** The environment variables this library owns on an instrumented container. */
export const CONTRACT_VARIABLES: readonly string[] = [
  'XRAY_ENABLED',
  'XRAY_SAMPLING_RATE',
  'XRAY_DAEMON_ADDRESS',
  'XRAY_CONTEXT_MISSING',
  'AWS_XRAY_DAEMON_ADDRESS',
  'AWS_XRAY_CONTEXT_MISSING',
  'AWS_XRAY_TRACING_NAME',
  'AWS_XRAY_SDK_ENABLED',
  'OTEL_SDK_DISABLED',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_SERVICE_NAME',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
];

/** Resolved inputs of the contract. */
export interface ContractInput {
  readonly serviceName: string;
  readonly enabled?: boolean;
  readonly samplingRate?: number;
  readonly contextMissing?: ContextMissingStrategy;
  /** Where the agent is; absent when no agent runs (tracing off). */
  readonly address?: AgentAddress;
  /** The agent's OTLP/HTTP port, when it speaks OTLP. */
  readonly otlpHttpPort?: number;
  /** Collector-less: the SDK exports straight to X-Ray and samples locally at `samplingRate`. */
  readonly agentless?: boolean;
  /** An OpenTelemetry agent traces the container: the X-Ray switches are set off, so no request is traced twice. */
  readonly autoInstrumented?: boolean;
}

/** The app-side tracing contract: `XRAY_*` and the SDKs' `AWS_XRAY_*` variables, from the same values. */
export function tracingEnvironment(input: ContractInput): { [name: string]: string } {
  const enabled = input.enabled ?? true;
  const rate = renderNumber(input.samplingRate ?? DEFAULT_SAMPLING_RATE);
  const contextMissing = input.contextMissing ?? DEFAULT_CONTEXT_MISSING;
  // Under auto-instrumentation the OpenTelemetry agent traces; the X-Ray switches are off.
  const xraySdkEnabled = enabled && !(input.autoInstrumented ?? false);
  const env: { [name: string]: string } = {
    XRAY_ENABLED: String(xraySdkEnabled),
    XRAY_SAMPLING_RATE: rate,
    XRAY_CONTEXT_MISSING: contextMissing,
    AWS_XRAY_CONTEXT_MISSING: contextMissing,
    AWS_XRAY_TRACING_NAME: input.serviceName,
    AWS_XRAY_SDK_ENABLED: String(xraySdkEnabled),
  };
  if (!enabled && (input.otlpHttpPort !== undefined || input.agentless === true)) {
    // An OpenTelemetry SDK reads none of the X-Ray variables: `enabled: false` must reach it too.
    env.OTEL_SDK_DISABLED = 'true';
  }
  if (enabled && input.address) {
    env.XRAY_DAEMON_ADDRESS = input.address.daemonAddress;
    env.AWS_XRAY_DAEMON_ADDRESS = input.address.sdkDaemonAddress;
    if (input.otlpHttpPort !== undefined) {
      env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://${input.address.host}:${input.otlpHttpPort}`;
      // Some SDKs default to gRPC, which the agent's OTLP/HTTP port does not speak.
      env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/protobuf';
      env.OTEL_SERVICE_NAME = input.serviceName;
      // The ADOT `xray` sampler polls the agent's sampling proxy for the account's rules.
      env.OTEL_TRACES_SAMPLER = 'xray';
      env.OTEL_TRACES_SAMPLER_ARG = `endpoint=http://${input.address.host}:${AGENT_PORT},polling_interval=300`;
    }
  }
  if (enabled && input.agentless === true) {
    env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/protobuf';
    env.OTEL_SERVICE_NAME = input.serviceName;
    // No agent to poll for rules: the SDK samples locally at the service's rate.
    env.OTEL_TRACES_SAMPLER = 'parentbased_traceidratio';
    env.OTEL_TRACES_SAMPLER_ARG = rate;
  }
  return env;
}

/** The variables and values that load an OpenTelemetry auto-instrumentation agent into a container. */
export const AUTO_INSTRUMENTATION_MARKERS: ReadonlyArray<{ readonly name: string; readonly test: (value: string) => boolean }> = [
  { name: 'PYTHONPATH', test: (v) => v.includes('opentelemetry/instrumentation/auto_instrumentation') },
  { name: 'NODE_OPTIONS', test: (v) => v.includes('autoinstrumentation.js') || v.includes('aws-distro-opentelemetry-node-autoinstrumentation') },
  { name: 'JAVA_TOOL_OPTIONS', test: (v) => v.includes('-javaagent:') },
  { name: 'CORECLR_ENABLE_PROFILING', test: (v) => v === '1' },
];

/** The first variable of `environment` that loads an auto-instrumentation agent, as `NAME=value`; tokens never count. */
export function autoInstrumentationMarker(environment: ReadonlyMap<string, string | undefined>): string | undefined {
  for (const marker of AUTO_INSTRUMENTATION_MARKERS) {
    const value = environment.get(marker.name);
    if (value !== undefined && !Token.isUnresolved(value) && marker.test(value)) return `${marker.name}=${value}`;
  }
  return undefined;
}

/** The environment a container already has, as rendered (name to value; tokens stay tokens). */
export function containerEnvironment(container: ecs.ContainerDefinition): Map<string, string> {
  const rendered = container.renderContainerDefinition();
  const list = (rendered.environment ?? []) as ecs.CfnTaskDefinition.KeyValuePairProperty[];
  const out = new Map<string, string>();
  if (Array.isArray(list)) {
    for (const kv of list) {
      if (kv.name !== undefined && kv.value !== undefined) out.set(kv.name, kv.value);
    }
  }
  return out;
}

/** The variables of `env` that `container` already sets to another value, as one message (tokens compare by text). */
export function environmentConflicts(container: ecs.ContainerDefinition, env: { [name: string]: string }): string | undefined {
  const existing = containerEnvironment(container);
  const clashes = Object.entries(env)
    .filter(([name, value]) => existing.has(name) && existing.get(name) !== value)
    .map(([name, value]) => `${name} is ${JSON.stringify(existing.get(name))}, tracing would set ${JSON.stringify(value)}`);
  if (clashes.length === 0) return undefined;
  return `container ${container.containerName} already sets tracing variables to other values (${clashes.join('; ')}): ` +
    'remove them from the container and set them through the tracing options (serviceName, samplingRate, enabled, contextMissing), ' +
    'or set the same values';
}

/** Sets `env` on `container`, refusing to overwrite a different value the container already has. */
export function applyEnvironment(owner: Owner, container: ecs.ContainerDefinition, env: { [name: string]: string }): void {
  const conflict = environmentConflicts(container, env);
  if (conflict !== undefined) fail(owner, conflict);
  const existing = containerEnvironment(container);
  for (const [name, value] of Object.entries(env)) {
    if (!existing.has(name)) container.addEnvironment(name, value);
  }
}
