/**
 * The CloudWatch agent's configuration for trace collection only, as the JSON object its
 * `CW_CONFIG_CONTENT` variable carries (read by the agent's start-up when `RUN_IN_CONTAINER` is
 * `True`, which its image sets).
 *
 * - `agent.region`: the agent otherwise detects the region from instance metadata, which a
 *   Fargate task does not have; the X-Ray exporter and the sampling proxy sign with it.
 * - `traces.traces_collected.xray`: the `awsxray` receiver. `bind_address` is the UDP listener for
 *   X-Ray segments; `tcp_proxy.bind_address` the sampling proxy the SDKs poll. Both default to
 *   127.0.0.1:2000, which a bridge-mode app (another network namespace) cannot reach: bind all
 *   interfaces of the agent's own namespace instead.
 * - `traces.traces_collected.otlp`: OTLP over gRPC (4317) and HTTP (4318), same reason for 0.0.0.0.
 *
 * No `metrics` or `logs` section: the agent collects nothing else, and needs no CloudWatch or
 * CloudWatch Logs permission.
 */
export interface CloudWatchAgentTraceConfig {
  readonly agent: { readonly region: string };
  readonly traces: {
    readonly traces_collected: {
      readonly xray: { readonly bind_address: string; readonly tcp_proxy: { readonly bind_address: string } };
      readonly otlp: { readonly grpc_endpoint: string; readonly http_endpoint: string };
      /** Application Signals: the agent's OTLP receivers on 4315 (gRPC) and 4316 (HTTP). */
      readonly application_signals?: Record<string, never>;
    };
  };
  /** Application Signals: the service metrics, written as EMF to `/aws/application-signals/data`. */
  readonly logs?: { readonly metrics_collected: { readonly application_signals: Record<string, never> } };
}

/** What the config is built from. */
export interface AgentListenPorts {
  readonly xrayPort: number;
  readonly otlpGrpcPort: number;
  readonly otlpHttpPort: number;
}

/**
 * The CloudWatch agent's trace-only configuration for `region`; with `applicationSignals`, also
 * the two `application_signals` sections AWS's ECS guide for Application Signals writes.
 */
export function cloudWatchAgentTraceConfig(region: string, ports: AgentListenPorts, applicationSignals = false): CloudWatchAgentTraceConfig {
  const config = cloudWatchAgentTracesOnly(region, ports);
  if (!applicationSignals) return config;
  return {
    ...config,
    traces: { traces_collected: { ...config.traces.traces_collected, application_signals: {} } },
    logs: { metrics_collected: { application_signals: {} } },
  };
}

function cloudWatchAgentTracesOnly(region: string, ports: AgentListenPorts): CloudWatchAgentTraceConfig {
  return {
    agent: { region },
    traces: {
      traces_collected: {
        xray: {
          bind_address: `0.0.0.0:${ports.xrayPort}`,
          tcp_proxy: { bind_address: `0.0.0.0:${ports.xrayPort}` },
        },
        otlp: {
          grpc_endpoint: `0.0.0.0:${ports.otlpGrpcPort}`,
          http_endpoint: `0.0.0.0:${ports.otlpHttpPort}`,
        },
      },
    },
  };
}
