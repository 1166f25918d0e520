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
    };
  };
}

/** What the config is built from. */
export interface AgentListenPorts {
  readonly xrayPort: number;
  readonly otlpGrpcPort: number;
  readonly otlpHttpPort: number;
}

/** The CloudWatch agent's trace-only configuration for `region`. */
export function cloudWatchAgentTraceConfig(region: string, ports: AgentListenPorts): CloudWatchAgentTraceConfig {
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
