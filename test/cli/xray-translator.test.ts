/**
 * local-agent shows an OTLP span as the collector's `awsxray` exporter would export it: each test
 * names the rule it follows, in opentelemetry-collector-contrib
 * `exporter/awsxrayexporter/internal/translator` at v0.156.0 (what the pinned ADOT collector
 * v0.49.0 vendors), and the agent configuration of the service that sent the span.
 *
 * Spans go in as OTLP JSON (`decodeJsonRequest`), the body an SDK posts to `/v1/traces`, and
 * traces come out of the agent's own `TraceStore`.
 */
import { agentConfigs, CLOUDWATCH_APPLICATION_SIGNALS_INDEXED, parseYaml } from '../../src/cli/agent-config';
import { Assembly, AssemblyStack } from '../../src/cli/assembly';
import { ConfigFor, decodeJsonRequest } from '../../src/cli/otlp';
import { parseDatagram, TraceNode } from '../../src/cli/trace-model';
import { TraceStore, TraceView } from '../../src/cli/trace-store';
import { DEFAULT_EXPORTER_CONFIG, ExporterConfig, fixAnnotationKey } from '../../src/cli/xray-translator';

const SERVICE = 'afirgen-main-backend';
const TRACE = '5f4e3d2c1b0a99887766554433221100';
const KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 };

type JsonValue = string | number | boolean | JsonValue[];
interface SpanSpec {
  readonly id: string;
  readonly parent?: string;
  readonly kind?: number;
  readonly name?: string;
  readonly attributes?: Record<string, JsonValue>;
  readonly status?: number;
  readonly service?: string;
  readonly ms?: number;
}

function anyValue(v: JsonValue): Record<string, unknown> {
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

/** An OTLP JSON ExportTraceServiceRequest with one resource per span. */
function body(spans: SpanSpec[]): Buffer {
  const start = 1_700_000_000_000_000_000n;
  return Buffer.from(JSON.stringify({
    resourceSpans: spans.map((s) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: s.service ?? SERVICE } }, { key: 'telemetry.sdk.language', value: { stringValue: 'nodejs' } }] },
      scopeSpans: [{
        spans: [{
          traceId: TRACE,
          spanId: s.id,
          parentSpanId: s.parent ?? '',
          name: s.name ?? 'GET /process',
          kind: s.kind ?? KIND.SERVER,
          startTimeUnixNano: String(start),
          endTimeUnixNano: String(start + BigInt((s.ms ?? 10) * 1_000_000)),
          attributes: Object.entries(s.attributes ?? {}).map(([key, value]) => ({ key, value: anyValue(value) })),
          status: { code: s.status ?? 0 },
        }],
      }],
    })),
  }));
}

function nodes(spans: SpanSpec[], configFor?: ConfigFor): TraceNode[] {
  return decodeJsonRequest(body(spans), configFor);
}

function trace(spans: SpanSpec[], configFor?: ConfigFor): TraceView {
  const store = new TraceStore({ maxTraces: 10, settleMs: 0, timeoutMs: 1000 });
  store.add(nodes(spans, configFor));
  return store.list()[0];
}

const withConfig = (config: Partial<ExporterConfig>): ConfigFor => () => ({ ...DEFAULT_EXPORTER_CONFIG, ...config });

/** An assembly holding one task definition with these containers. */
function assemblyOf(containers: Array<{ name: string; image?: string; environment: Record<string, unknown> }>): Assembly {
  const stack: AssemblyStack = {
    name: 'Stack',
    templateFile: 'Stack.template.json',
    resources: {
      Task: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: {
          ContainerDefinitions: containers.map((c) => ({
            Name: c.name,
            Image: c.image ?? 'public.ecr.aws/docker/library/node:20-slim',
            Environment: Object.entries(c.environment).map(([Name, Value]) => ({ Name, Value })),
          })),
        },
      },
    },
  };
  return { directory: '/nowhere', stacks: [stack], tracedContainers: [], samplingRules: [], skippedRules: [], traceGroups: [] };
}

/** The YAML shape of the library's ADOT collector configuration, with the exporter's and a processor's settings. */
function collectorYaml(extraExporter: string[], processorLines: string[] = [], pipelineProcessors = '[batch/traces]'): string {
  return [
    'receivers:',
    '  otlp:',
    '    protocols:',
    '      http:',
    '        endpoint: 0.0.0.0:4318  # the app contract',
    'processors:',
    '  batch/traces:',
    '    timeout: 1s',
    ...processorLines,
    'exporters:',
    '  awsxray:',
    '    region: "eu-west-1"',
    ...extraExporter,
    'service:',
    '  pipelines:',
    '    traces:',
    '      receivers: [otlp]',
    `      processors: ${pipelineProcessors}`,
    '      exporters: [awsxray]',
    '',
  ].join('\n');
}

const APP = { name: 'app', environment: { OTEL_SERVICE_NAME: SERVICE, AWS_XRAY_TRACING_NAME: SERVICE, OTEL_RESOURCE_ATTRIBUTES: `service.name=${SERVICE}` } };
const PLAIN = { model_name: 'summariser', endpoint: '/process' };

describe('annotations (segment.go makeXRayAttributes)', () => {
  test('annotations: a plain-string aws.xray.annotations is ignored, as the exporter\'s makeXRayAttributes does (it reads only a slice)', () => {
    const [span] = nodes([{ id: 'a000000000000001', attributes: { ...PLAIN, 'aws.xray.annotations': 'model_name,endpoint' } }]);
    expect(span.annotations).toEqual({});
    // The attributes are metadata instead (the "default" namespace), the plain string among them.
    expect(span.metadata?.default).toMatchObject({ ...PLAIN, 'aws.xray.annotations': 'model_name,endpoint' });
  });

  test('annotations: an array aws.xray.annotations makes the listed attributes annotations, its non-string elements skipped (makeXRayAttributes)', () => {
    const [span] = nodes([{ id: 'a000000000000001', attributes: { ...PLAIN, '7': 'seven', 'aws.xray.annotations': ['model_name', 7, true, 'endpoint'] } }]);
    expect(span.annotations).toEqual(PLAIN);
    // The list itself is consumed: it is neither annotation nor metadata.
    expect(span.metadata?.default).not.toHaveProperty('aws.xray.annotations');
    expect(span.metadata?.default).toMatchObject({ 7: 'seven' });
  });

  test('annotations: only string, int, double and bool values become annotations, as annotationValue does; a listed array value is dropped', () => {
    const attributes = { 's': 'x', 'i': 3, 'd': 0.5, 'b': false, 'list': ['a', 'b'], 'aws.xray.annotations': ['s', 'i', 'd', 'b', 'list'] };
    const [span] = nodes([{ id: 'a000000000000001', attributes }]);
    expect(span.annotations).toEqual({ s: 'x', i: 3, d: 0.5, b: false });
    expect(span.metadata?.default).not.toHaveProperty('list');
  });

  test('annotations: listed keys are sanitised as fixAnnotationKey does (outside [0-9A-Za-z] → _, "." kept: exporter.xray.allowDot is beta, on, since v0.97.0)', () => {
    const [span] = nodes([{ id: 'a000000000000001', attributes: { 'model-name': 'm', 'app.tier': 'web', 'größe': 1, 'aws.xray.annotations': ['model-name', 'app.tier', 'größe'] } }]);
    expect(span.annotations).toEqual({ 'model_name': 'm', 'app.tier': 'web', 'gr__e': 1 });
    // With the gate off, "." would become "_" too.
    expect(fixAnnotationKey('app.tier', false)).toBe('app_tier');
  });

  test('annotations: the exporter\'s indexed_attributes make plain attributes annotations, even keys a block consumed (addSpecialAttributes)', () => {
    const [span] = nodes([{ id: 'a000000000000001', attributes: { ...PLAIN, 'other': 'x', 'http.method': 'GET' } }], withConfig({ indexedAttributes: ['model_name', 'endpoint', 'http.method'] }));
    expect(span.annotations).toEqual({ ...PLAIN, 'http.method': 'GET' });
    expect(span.metadata?.default).toMatchObject({ other: 'x' });
  });

  test('annotations: a key the http block consumes is not annotated from aws.xray.annotations (makeHTTP filters it first)', () => {
    const [span] = nodes([{ id: 'a000000000000001', attributes: { 'http.method': 'GET', 'aws.xray.annotations': ['http.method'] } }]);
    expect(span.annotations).toEqual({});
    expect(span.httpMethod).toBe('GET');
  });

  test('annotations: index_all_attributes annotates every attribute and, on a segment, the resource as otel.resource.*', () => {
    const [segment, sub] = nodes([
      { id: 'a000000000000001', attributes: PLAIN },
      { id: 'a000000000000002', parent: 'a000000000000001', kind: KIND.INTERNAL, attributes: { step: 'load' } },
    ], withConfig({ indexAllAttributes: true }));
    expect(segment.annotations).toEqual({ ...PLAIN, 'otel.resource.service.name': SERVICE, 'otel.resource.telemetry.sdk.language': 'nodejs' });
    // A subsegment stores no resource (storeResource is false).
    expect(sub.annotations).toEqual({ step: 'load' });
  });
});

describe('the sending service\'s agent configuration, from the assembly', () => {
  test('annotations: the ADOT collector\'s indexed_attributes apply to the service whose container names it (OTEL_SERVICE_NAME / AWS_XRAY_TRACING_NAME / service.name)', () => {
    const configs = agentConfigs(assemblyOf([APP, {
      name: 'xray-daemon', environment: { AOT_CONFIG_CONTENT: collectorYaml(['    indexed_attributes:', '      - "model_name"', '      - "endpoint"']) },
    }]));
    expect(configs.problems).toEqual([]);
    const configFor: ConfigFor = (s) => configs.byService.get(s) ?? DEFAULT_EXPORTER_CONFIG;
    expect(configFor(SERVICE)).toMatchObject({ agent: 'adot-collector', indexedAttributes: ['model_name', 'endpoint'], indexAllAttributes: false });
    // In production these match annotation.model_name / annotation.endpoint; another service's spans do not.
    const [mine, theirs] = nodes([{ id: 'a000000000000001', attributes: PLAIN }, { id: 'a000000000000002', attributes: PLAIN, service: 'afirgen-gguf-server' }], configFor);
    expect(mine.annotations).toEqual(PLAIN);
    expect(theirs.annotations).toEqual({});
  });

  test('a task with no agent of its own takes the stack\'s host agent, but a collector-less task (X-Ray\'s OTLP endpoint) takes none', () => {
    const task = (containers: Array<{ name: string; environment: Record<string, unknown> }>, hostMode: boolean) => ({
      Type: 'AWS::ECS::TaskDefinition',
      Properties: {
        NetworkMode: hostMode ? 'host' : 'bridge',
        ContainerDefinitions: containers.map((c) => ({ Name: c.name, Image: 'img:1', Environment: Object.entries(c.environment).map(([Name, Value]) => ({ Name, Value })) })),
      },
    });
    const empty = assemblyOf([]);
    const assembly: Assembly = {
      ...empty,
      stacks: [{
        ...empty.stacks[0],
        resources: {
          HostAgent: task([{ name: 'xray-daemon', environment: { AOT_CONFIG_CONTENT: collectorYaml(['    indexed_attributes:', '      - "model_name"']) } }], true),
          Bridged: task([{ name: 'app', environment: { OTEL_SERVICE_NAME: 'bridged' } }], false),
          CollectorLess: task([{ name: 'app', environment: { OTEL_SERVICE_NAME: 'direct', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: { 'Fn::Join': ['', ['https://xray.', { Ref: 'AWS::Region' }, '.amazonaws.com/v1/traces']] } } }], false),
        },
      }],
    };
    const configs = agentConfigs(assembly);
    expect(configs.byService.get('bridged')).toMatchObject({ agent: 'adot-collector', indexedAttributes: ['model_name'] });
    expect(configs.byService.has('direct')).toBe(false);
  });

  test('annotations: a collector config whose region is a deploy-time token (Fn::Join) is read, and index_all_attributes: true applies', () => {
    const yaml = collectorYaml(['    index_all_attributes: true']);
    const [before, after] = yaml.split('"eu-west-1"');
    const configs = agentConfigs(assemblyOf([APP, { name: 'agent', environment: { AOT_CONFIG_CONTENT: { 'Fn::Join': ['', [`${before}"`, { Ref: 'AWS::Region' }, `"${after}`]] } } }]));
    expect(configs.byService.get(SERVICE)).toMatchObject({ agent: 'adot-collector', indexAllAttributes: true });
  });

  test('redaction: a key the collector\'s attributes processor deletes is neither annotation nor metadata ("local-agent shows what would be exported")', () => {
    const processor = ['  attributes/redact:', '    actions:', '      - key: "aws.auth.account.access_key"', '        action: delete', '      - pattern: ^secret\\..*', '        action: delete'];
    const configs = agentConfigs(assemblyOf([APP, {
      name: 'xray-daemon',
      environment: { AOT_CONFIG_CONTENT: collectorYaml(['    indexed_attributes:', '      - "aws.auth.account.access_key"'], processor, '[attributes/redact, batch/traces]') },
    }]));
    const config = configs.byService.get(SERVICE)!;
    expect(config.deletedKeys).toEqual(['aws.auth.account.access_key']);
    const [span] = nodes([{
      id: 'a000000000000001',
      kind: KIND.CLIENT,
      parent: 'a0000000000000ff',
      attributes: { 'rpc.system': 'aws-api', 'rpc.service': 'S3', 'aws.auth.account.access_key': 'AKIAEXAMPLE', 'secret.token': 't', 'kept': 'k', 'aws.xray.annotations': ['aws.auth.account.access_key'] },
    }], () => config);
    expect(span.annotations).toEqual({});
    expect(JSON.stringify(span)).not.toContain('AKIAEXAMPLE');
    expect(span.metadata?.default).toEqual({ 'rpc.system': 'aws-api', 'rpc.service': 'S3', 'kept': 'k' });
  });

  test('redaction: a processor that is not in the traces pipeline deletes nothing (the collector runs only what a pipeline lists)', () => {
    const processor = ['  attributes/redact:', '    actions:', '      - key: "aws.auth.account.access_key"', '        action: delete'];
    const configs = agentConfigs(assemblyOf([APP, { name: 'xray-daemon', environment: { AOT_CONFIG_CONTENT: collectorYaml([], processor) } }]));
    expect(configs.byService.get(SERVICE)?.deletedKeys).toEqual([]);
  });

  test('annotations: a CloudWatch agent indexes nothing beyond aws.xray.annotations; with Application Signals, its translator\'s fixed aws.local.*/aws.remote.* list', () => {
    const plain = agentConfigs(assemblyOf([APP, { name: 'xray-daemon', environment: { CW_CONFIG_CONTENT: JSON.stringify({ traces: { traces_collected: { xray: {}, otlp: {} } } }) } }]));
    expect(plain.byService.get(SERVICE)).toMatchObject({ agent: 'cloudwatch-agent', indexedAttributes: [] });
    const [span] = nodes([{ id: 'a000000000000001', attributes: PLAIN }], (s) => plain.byService.get(s)!);
    expect(span.annotations).toEqual({});

    const signals = agentConfigs(assemblyOf([APP, { name: 'xray-daemon', environment: { CW_CONFIG_CONTENT: JSON.stringify({ traces: { traces_collected: { application_signals: {} } } }) } }]));
    expect(signals.byService.get(SERVICE)?.indexedAttributes).toEqual(CLOUDWATCH_APPLICATION_SIGNALS_INDEXED);
    const [local] = nodes([{ id: 'a000000000000001', attributes: { ...PLAIN, 'aws.local.service': SERVICE } }], (s) => signals.byService.get(s)!);
    expect(local.annotations).toEqual({ 'aws.local.service': SERVICE });
  });

  test('the YAML reader reads the collector configuration the library writes as the yaml package does', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { adotCollectorTraceConfigYaml } = require('../../src/sidecar/private/agent-adot') as typeof import('../../src/sidecar/private/agent-adot');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const yaml = require('yaml') as { parse: (s: string) => unknown };
    const text = adotCollectorTraceConfigYaml('eu-west-1', { xrayPort: 2000, otlpGrpcPort: 4317, otlpHttpPort: 4318 }, { indexedAttributes: ['model_name', 'endpoint'], redactAttributes: ['aws.auth.account.access_key'] });
    expect(parseYaml(text)).toEqual(yaml.parse(text));
    const mine = collectorYaml(['    indexed_attributes:', '      - "model_name"'], ['  attributes/redact:', '    actions:', '      - key: "k"', '        action: delete'], '[attributes/redact]');
    expect(parseYaml(mine)).toEqual(yaml.parse(mine));
  });
});

describe('error, fault, throttle (cause.go makeCause)', () => {
  const flagsOf = (attributes: Record<string, JsonValue>, status = 0) => {
    const [n] = nodes([{ id: 'a000000000000001', attributes, status }]);
    return { error: n.error, fault: n.fault, throttle: n.throttle };
  };

  test('flags: 4xx is error, 5xx is fault, 429 is throttle and error, as makeCause does for OTLP spans', () => {
    expect(flagsOf({ 'http.response.status_code': 404 })).toEqual({ error: true, fault: false, throttle: false });
    expect(flagsOf({ 'http.status_code': 500 })).toEqual({ error: false, fault: true, throttle: false });
    expect(flagsOf({ 'http.response.status_code': 429 })).toEqual({ error: true, fault: false, throttle: true });
    expect(flagsOf({ 'http.response.status_code': 200 })).toEqual({ error: false, fault: false, throttle: false });
  });

  test('flags: an error status with no HTTP code (or one outside 400..599) is a fault, as makeCause does', () => {
    expect(flagsOf({}, 2)).toEqual({ error: false, fault: true, throttle: false });
    expect(flagsOf({ 'http.response.status_code': 200 }, 2)).toEqual({ error: false, fault: true, throttle: false });
    // A 4xx decides even with an error status.
    expect(flagsOf({ 'http.response.status_code': 404 }, 2)).toEqual({ error: true, fault: false, throttle: false });
  });

  test('flags: a status code that is not an int counts as none (makeCause reads it with Int())', () => {
    expect(flagsOf({ 'http.response.status_code': '500' })).toEqual({ error: false, fault: false, throttle: false });
  });
});

describe('service map: nodes and edges as the exporter names them (segment.go MakeSegment)', () => {
  const root: SpanSpec = { id: 'b000000000000001', attributes: { 'http.method': 'GET' } };
  const client = (id: string, attributes: Record<string, JsonValue>, name = 'call'): SpanSpec => ({ id, parent: root.id, kind: KIND.CLIENT, name, attributes });

  test('map: AWS SDK spans (rpc.system aws-api) are aws-namespace nodes named for the service: aws.remote.service without AWS::, else rpc.service', () => {
    const t = trace([
      root,
      client('b000000000000002', { 'rpc.system': 'aws-api', 'rpc.service': 'S3', 'rpc.method': 'ListBuckets', 'server.address': '127.0.0.1' }, 'S3.ListBuckets'),
      client('b000000000000003', { 'rpc.system': 'aws-api', 'aws.remote.service': 'AWS::DynamoDB', 'rpc.service': 'DynamoDB', 'server.address': '127.0.0.1' }, 'DynamoDB.ListTables'),
    ]);
    expect(t.services).toEqual([SERVICE]);
    expect(t.inferred).toEqual([{ name: 'S3', namespace: 'aws' }, { name: 'DynamoDB', namespace: 'aws' }]);
    expect(t.edges).toEqual([{ from: SERVICE, to: 'S3' }, { from: SERVICE, to: 'DynamoDB' }]);
  });

  test('map: X-Ray SDK subsegments with namespace aws are the AWS service\'s nodes (S3, DynamoDB)', () => {
    const segment = {
      trace_id: '1-5f4e3d2c-1b0a99887766554433221100',
      id: 'c000000000000001',
      name: SERVICE,
      start_time: 1,
      end_time: 2,
      subsegments: [
        { id: 'c000000000000002', name: 'S3', namespace: 'aws', start_time: 1.1, end_time: 1.2, aws: { operation: 'ListBuckets' } },
        { id: 'c000000000000003', name: 'DynamoDB', namespace: 'aws', start_time: 1.3, end_time: 1.4 },
        { id: 'c000000000000004', name: 'db@127.0.0.1', namespace: 'remote', start_time: 1.5, end_time: 1.6, sql: { database_type: 'mysql' } },
      ],
    };
    const store = new TraceStore({ maxTraces: 10, settleMs: 0, timeoutMs: 1000 });
    store.add(parseDatagram(Buffer.from(`{"format":"json","version":1}\n${JSON.stringify(segment)}`)));
    const t = store.list()[0];
    expect(t.inferred).toEqual([{ name: 'S3', namespace: 'aws' }, { name: 'DynamoDB', namespace: 'aws' }, { name: 'db@127.0.0.1', namespace: 'remote', sql: true }]);
    expect(t.edges.map((e) => e.to)).toEqual(['S3', 'DynamoDB', 'db@127.0.0.1']);
  });

  test('map: an SQL database call is a remote node named <db.name>@<host of db.connection_string>, with an sql block (sql.go makeSQL)', () => {
    const t = trace([root, client('b000000000000002', {
      'db.system': 'mysql', 'db.name': 'afirgen', 'db.connection_string': 'jdbc:mysql://127.0.0.1:3306', 'db.statement': 'SELECT 1', 'db.user': 'app', 'server.address': '127.0.0.1',
    }, 'SELECT')]);
    expect(t.inferred).toEqual([{ name: 'afirgen@127.0.0.1', namespace: 'remote', sql: true }]);
    const sub = t.roots[0].children[0].node;
    expect(sub.sql).toEqual({ url: 'SELECT', connectionString: 'jdbc:mysql://127.0.0.1:3306/afirgen', databaseType: 'mysql', user: 'app', sanitizedQuery: 'SELECT 1' });
    // The sql block's attributes are not metadata.
    expect(JSON.stringify(sub.metadata ?? {})).not.toContain('SELECT 1');
  });

  test('map: an HTTP client span with only http.host draws an edge to that host; peer.service wins over it (the exporter\'s name order)', () => {
    const t = trace([
      root,
      client('b000000000000002', { 'http.method': 'GET', 'http.host': 'gguf.internal:8080' }),
      client('b000000000000003', { 'http.method': 'GET', 'http.host': 'ocr.internal', 'peer.service': 'afirgen-asr-ocr-server', 'net.peer.name': 'ocr.internal' }),
      client('b000000000000004', { 'http.method': 'GET', 'net.peer.name': 'other.internal' }),
    ]);
    expect(t.edges.map((e) => e.to)).toEqual(['gguf.internal:8080', 'afirgen-asr-ocr-server', 'other.internal']);
    expect(t.inferred.every((n) => n.namespace === 'remote')).toBe(true);
  });

  test('map: a call to a service that sends its own segment draws that service, not an inferred node (X-Ray concepts: its segment replaces the inferred one)', () => {
    const t = trace([
      root,
      client('b000000000000002', { 'http.method': 'GET', 'http.host': 'gguf.internal:8080' }),
      { id: 'b000000000000003', parent: 'b000000000000002', kind: KIND.SERVER, service: 'afirgen-gguf-server', attributes: { 'http.method': 'POST' } },
    ]);
    expect(t.services).toEqual([SERVICE, 'afirgen-gguf-server']);
    expect(t.edges).toEqual([{ from: SERVICE, to: 'afirgen-gguf-server' }]);
    expect(t.inferred).toEqual([]);
  });

  test('map: a server span is the segment of its resource service.name; a CLIENT span under it is a subsegment of that service', () => {
    const [server, call] = nodes([root, client('b000000000000002', { 'http.host': 'h' })]);
    expect(server).toMatchObject({ service: SERVICE, subsegment: undefined });
    expect(call).toMatchObject({ service: SERVICE, subsegment: true, namespace: 'remote', remote: 'h' });
  });
});
