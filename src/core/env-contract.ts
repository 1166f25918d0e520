import { AgentAddress } from './agent-address';
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
}

/** Renders a sampling rate without float noise: 0.1 stays "0.1". */
export function formatRate(rate: number): string {
  return String(Number(rate.toPrecision(12)));
}

/**
 * The app-side tracing contract: the runbook's `XRAY_*` variables and the SDKs' `AWS_XRAY_*`
 * ones, always derived from the same values so they cannot disagree.
 */
export function tracingEnvironment(input: ContractInput): { [name: string]: string } {
  const enabled = input.enabled ?? true;
  const rate = formatRate(input.samplingRate ?? DEFAULT_SAMPLING_RATE);
  const contextMissing = input.contextMissing ?? DEFAULT_CONTEXT_MISSING;
  const env: { [name: string]: string } = {
    XRAY_ENABLED: String(enabled),
    XRAY_SAMPLING_RATE: rate,
    XRAY_CONTEXT_MISSING: contextMissing,
    AWS_XRAY_CONTEXT_MISSING: contextMissing,
    AWS_XRAY_TRACING_NAME: input.serviceName,
    AWS_XRAY_SDK_ENABLED: String(enabled),
  };
  if (!enabled && input.otlpHttpPort !== undefined) {
    // An OpenTelemetry SDK reads none of the X-Ray variables: `enabled: false` must reach it too.
    env.OTEL_SDK_DISABLED = 'true';
  }
  if (enabled && input.address) {
    env.XRAY_DAEMON_ADDRESS = input.address.daemonAddress;
    env.AWS_XRAY_DAEMON_ADDRESS = input.address.sdkDaemonAddress;
    if (input.otlpHttpPort !== undefined) {
      env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://${input.address.host}:${input.otlpHttpPort}`;
      // The endpoint is the agent's OTLP/HTTP port: say so, since SDKs differ in their default
      // protocol (some default to gRPC, which that port does not speak).
      env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/protobuf';
      env.OTEL_SERVICE_NAME = input.serviceName;
      // The X-Ray remote sampler (the ADOT SDKs' `xray`) polls the agent's sampling proxy for the
      // centralized rules every `polling_interval` seconds (300 is its own default). Until it has
      // rules, and if the proxy is unreachable, it falls back to 1 request/s plus 5 %, not to
      // XRAY_SAMPLING_RATE.
      env.OTEL_TRACES_SAMPLER = 'xray';
      env.OTEL_TRACES_SAMPLER_ARG = `endpoint=http://${input.address.host}:2000,polling_interval=300`;
    }
  }
  return env;
}
