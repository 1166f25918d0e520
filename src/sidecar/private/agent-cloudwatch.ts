/**
 * The CloudWatch agent's trace-only configuration (`CW_CONFIG_CONTENT`). `agent.region` is set
 * because a Fargate task has no instance metadata to detect it; the X-Ray and OTLP receivers bind
 * 0.0.0.0, as their 127.0.0.1 default is out of reach of bridge-mode apps. No `metrics` or `logs`
 * section, so no CloudWatch permission is needed.
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
