import { AgentListenPorts } from './agent-cloudwatch';

/** The span attributes the collector indexes and deletes. */
export interface AdotAttributeOptions {
  /** Made X-Ray annotations by the exporter (`indexed_attributes`); rendered sorted. */
  readonly indexedAttributes: readonly string[];
  /** Deleted before export (`attributes/redact`), in this order. */
  readonly redactAttributes: readonly string[];
}

/**
 * The ADOT collector's configuration for trace collection only, as the YAML its
 * `AOT_CONFIG_CONTENT` variable carries (the collector reads the variable instead of its baked-in
 * `--config` file whenever it is set).
 *
 * - `awsxray` receiver: X-Ray segments on UDP (`endpoint`, `transport: udp`) and the sampling
 *   proxy on TCP (`proxy_server.endpoint`, which otherwise defaults to localhost and so is out of
 *   reach of a bridge-mode app). The proxy signs its calls to X-Ray for `region`.
 * - `otlp` receiver: gRPC 4317 and HTTP 4318.
 * - `attributes/redact` processor: deletes span attributes that must not leave the task, first
 *   `aws.auth.account.access_key` (the access key ID the ADOT SDKs' botocore instrumentation puts
 *   on every AWS SDK span), before anything is exported.
 * - `batch/traces` processor: small, short batches, as the collector's own ECS X-Ray config has.
 * - `awsxray` exporter in `region`, with `indexed_attributes` (the span attributes it makes X-Ray
 *   annotations, so that trace groups filtering on them match; all others become metadata) and
 *   `telemetry` on so that it reports the same PutTelemetryRecords the X-Ray daemon sends (the one
 *   X-Ray action it would not use otherwise).
 * - one `traces` pipeline; no metrics or logs pipeline, so no CloudWatch permission is needed.
 * - `health_check` extension on 13133, which the image's `/healthcheck` binary asks (the
 *   container's health check, and `agentReady: AgentReadiness.HEALTHY`).
 *
 * Rendered by hand (the library has no YAML dependency at run time); every value is a plain
 * scalar except `region` and the attribute names, which are double-quoted (JSON strings are YAML
 * double-quoted scalars) so that any region string (or the deploy-time token of an
 * environment-agnostic stack) and any attribute name stays one YAML string. `local-agent` reads
 * `indexed_attributes` back in exactly this shape: one `      - "key"` line per key.
 */
export function adotCollectorTraceConfigYaml(region: string, ports: AgentListenPorts, attributes: AdotAttributeOptions): string {
  const quotedRegion = JSON.stringify(region);
  const indexed = [...new Set(attributes.indexedAttributes)].sort();
  const redacted = [...new Set(attributes.redactAttributes)];
  return [
    'receivers:',
    '  awsxray:',
    `    endpoint: 0.0.0.0:${ports.xrayPort}`,
    '    transport: udp',
    '    proxy_server:',
    `      endpoint: 0.0.0.0:${ports.xrayPort}`,
    `      region: ${quotedRegion}`,
    '  otlp:',
    '    protocols:',
    '      grpc:',
    `        endpoint: 0.0.0.0:${ports.otlpGrpcPort}`,
    '      http:',
    `        endpoint: 0.0.0.0:${ports.otlpHttpPort}`,
    'processors:',
    ...(redacted.length === 0 ? [] : [
      '  attributes/redact:',
      '    actions:',
      ...redacted.flatMap((key) => [`      - key: ${JSON.stringify(key)}`, '        action: delete']),
    ]),
    '  batch/traces:',
    '    timeout: 1s',
    '    send_batch_size: 50',
    'exporters:',
    '  awsxray:',
    `    region: ${quotedRegion}`,
    ...(indexed.length === 0 ? [] : ['    indexed_attributes:', ...indexed.map((key) => `      - ${JSON.stringify(key)}`)]),
    '    telemetry:',
    '      enabled: true',
    'extensions:',
    '  health_check:',
    '    endpoint: 0.0.0.0:13133',
    'service:',
    '  extensions: [health_check]',
    '  pipelines:',
    '    traces:',
    '      receivers: [awsxray, otlp]',
    `      processors: [${redacted.length === 0 ? '' : 'attributes/redact, '}batch/traces]`,
    '      exporters: [awsxray]',
    '',
  ].join('\n');
}
