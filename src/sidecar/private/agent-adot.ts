import { AgentListenPorts } from './agent-cloudwatch';

/** The span attributes the collector indexes and deletes. */
export interface AdotAttributeOptions {
  /** Made X-Ray annotations by the exporter (`indexed_attributes`); rendered sorted. */
  readonly indexedAttributes: readonly string[];
  /** Deleted before export (`attributes/redact`), in this order. */
  readonly redactAttributes: readonly string[];
}

/**
 * The ADOT collector's trace-only configuration (`AOT_CONFIG_CONTENT`): the `awsxray` receiver
 * (UDP segments, and the sampling proxy bound beyond localhost so bridge-mode apps reach it), the
 * `otlp` receiver, `attributes/redact` before export, the `awsxray` exporter with
 * `indexed_attributes` and `telemetry` (the daemon's PutTelemetryRecords), one `traces` pipeline
 * (so no CloudWatch permission), and the `health_check` extension `/healthcheck` asks.
 *
 * Rendered by hand (no YAML dependency at run time); the Region and attribute names are
 * double-quoted JSON strings so a token or any name stays one YAML string. `local-agent` reads
 * `indexed_attributes` back in this shape: one `      - "key"` line per key.
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
