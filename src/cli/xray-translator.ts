/**
 * What the collector's `awsxray` exporter makes of an OpenTelemetry span (segment or subsegment,
 * annotations, metadata, cause, http, aws, sql), given the agent's {@link ExporterConfig}.
 * The exporter's source files and version: docs/local-agent.md.
 */
import { AnnotationValue } from './trace-model';

/** An attribute value as OTLP carries it (maps and bytes are not kept). */
export type AttributeValue = string | number | boolean | readonly AttributeValue[] | undefined;

/** How the agent that exports a service's spans is configured. */
export interface ExporterConfig {
  /** Which agent (for messages): `adot-collector`, `cloudwatch-agent`, ... */
  readonly agent: string;
  /** The exporter's `indexed_attributes`. */
  readonly indexedAttributes: readonly string[];
  /** The exporter's `index_all_attributes`. */
  readonly indexAllAttributes: boolean;
  /** Span attribute keys an attributes processor deletes before the exporter sees them. */
  readonly deletedKeys: readonly string[];
  /** Span attribute key patterns (the processor's `pattern`) deleted likewise. */
  readonly deletedPatterns: readonly RegExp[];
}

/** The exporter with its defaults: nothing indexed, nothing deleted. */
export const DEFAULT_EXPORTER_CONFIG: ExporterConfig = {
  agent: 'default', indexedAttributes: [], indexAllAttributes: false, deletedKeys: [], deletedPatterns: [],
};

/** OTLP span kinds. */
export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
/** OTLP status code ERROR. */
const STATUS_ERROR = 2;

/** The span as the translator reads it. */
export interface SpanInput {
  readonly name: string;
  readonly kind: number;
  readonly hasParent: boolean;
  readonly attributes: ReadonlyMap<string, AttributeValue>;
  readonly resource: ReadonlyMap<string, AttributeValue>;
  readonly statusCode: number;
}

/** The `sql` block of a segment (`sql.go`). */
export interface SqlBlock {
  readonly url: string;
  readonly connectionString: string;
  readonly databaseType: string;
  readonly user?: string;
  readonly sanitizedQuery?: string;
}

/** What the exporter writes for a span. */
export interface Translated {
  /** `subsegment` when the span is not SERVER or CONSUMER and has a parent; `segment` otherwise. */
  readonly type: 'segment' | 'subsegment';
  /** The segment's name (for a segment, the X-Ray service name). */
  readonly name: string;
  readonly namespace?: 'aws' | 'remote';
  readonly error: boolean;
  readonly fault: boolean;
  readonly throttle: boolean;
  readonly httpStatus?: number;
  readonly annotations: Record<string, AnnotationValue>;
  readonly metadata: Record<string, Record<string, unknown>>;
  readonly sql?: SqlBlock;
}

// The exporter's attribute names (semantic conventions v1.12 and v1.40, internal/aws/xray/awsxray.go).
const ANNOTATIONS_ATTRIBUTE = 'aws.xray.annotations';
const METADATA_PREFIX = 'aws.xray.metadata.';
const AWS_REMOTE_SERVICE = 'aws.remote.service';
const AWS_LOCAL_SERVICE = 'aws.local.service';
const AWS_SPAN_KIND = 'aws.span.kind';

/** `http.go` `makeHTTP`: the span attributes it turns into the `http` block. */
const HTTP_KEYS = new Set([
  'http.method', 'http.request.method', 'http.client_ip', 'http.user_agent', 'user_agent.original',
  'http.status_code', 'http.response.status_code', 'http.url', 'url.full', 'http.scheme', 'url.scheme',
  'http.host', 'http.target', 'http.server_name', 'net.host.port', 'host.name', 'net.host.name',
  'net.peer.name', 'net.peer.port', 'net.peer.ip', 'network.peer.address', 'client.address',
  'url.path', 'url.query', 'server.address', 'server.port',
]);
/** `aws.go` `makeAws`: the span attributes it turns into the `aws` block. */
const AWS_KEYS = new Set([
  'rpc.method', 'aws.operation', 'aws.account_id', 'aws.region', 'aws.request_id', 'aws.requestId',
  'aws.queue_url', 'aws.queue.url', 'aws.table_name', 'aws.table.name',
]);
/** `sql.go` `makeSQL`: the span attributes it turns into the `sql` block (SQL databases only). */
const SQL_KEYS = new Set(['db.connection_string', 'db.system', 'db.name', 'db.statement', 'db.user']);
/** `sql.go` `isSQL`. */
const SQL_SYSTEMS = new Set(['db2', 'derby', 'hive', 'mariadb', 'mssql', 'mysql', 'oracle', 'postgresql', 'sqlite', 'teradata', 'other_sql']);

/**
 * `segment.go` `fixAnnotationKey`: characters outside [0-9A-Za-z] become `_`; `.` is kept while
 * the feature gate `exporter.xray.allowDot` is on (stage beta, so on by default, since v0.97.0).
 */
export function fixAnnotationKey(key: string, allowDot = true): string {
  return [...key].map((c) => (/^[0-9A-Za-z]$/.test(c) || (allowDot && c === '.') ? c : '_')).join('');
}

/** `segment.go` `annotationValue`: only string, int, double and bool values can be annotations. */
function annotationValue(value: AttributeValue): AnnotationValue | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

interface Flags {
  readonly error: boolean;
  readonly fault: boolean;
  readonly throttle: boolean;
  readonly code?: number;
}

/** `cause.go` `makeCause`: the HTTP status code decides; without one in 400..599, an error status is a fault. */
function flags(attributes: ReadonlyMap<string, AttributeValue>, statusCode: number): Flags {
  const raw = attributes.has('http.status_code') ? attributes.get('http.status_code') : attributes.get('http.response.status_code');
  // `val.Int()`: a value that is not an int reads as 0.
  const code = typeof raw === 'number' && Number.isInteger(raw) ? raw : raw === undefined ? undefined : 0;
  if (code === undefined || code < 400 || code > 599) return { error: false, fault: statusCode === STATUS_ERROR, throttle: false, code };
  if (code <= 499) return { error: true, fault: false, throttle: code === 429, code };
  return { error: false, fault: true, throttle: false, code };
}

function str(value: AttributeValue): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? '' : String(value);
}

/** `segment.go` `isAwsSdkSpan`: `rpc.system` is `aws-api`. */
function isAwsSdkSpan(attributes: ReadonlyMap<string, AttributeValue>): boolean {
  return attributes.get('rpc.system') === 'aws-api';
}

/** `segment.go` `trimAwsSdkPrefix`: `AWS.SDK.S3` and `AWS::S3` name the node `S3` on an AWS SDK span. */
function trimAwsSdkPrefix(name: string, attributes: ReadonlyMap<string, AttributeValue>): string {
  if (!isAwsSdkSpan(attributes)) return name;
  if (name.startsWith('AWS.SDK.')) return name.slice('AWS.SDK.'.length);
  if (name.startsWith('AWS::')) return name.slice('AWS::'.length);
  return name;
}

/** `segment.go` `fixSegmentName`: characters X-Ray refuses in a name are dropped; at most 200; `span` if none is left. */
function fixSegmentName(name: string): string {
  const fixed = name.replace(/[^ 0-9\p{L}N_.:/%&#=+\-@]/gu, '').slice(0, 200);
  return fixed === '' ? 'span' : fixed;
}

/** `segment.go` `MakeSegment`: the name and namespace of the node the span becomes. */
function nameAndNamespace(span: SpanInput): { name: string; namespace?: 'aws' | 'remote' } {
  const a = span.attributes;
  const get = (k: string) => (a.has(k) ? str(a.get(k)) : undefined);
  let name = '';
  let namespace: 'aws' | 'remote' | undefined;
  if (span.kind === SPAN_KIND.SERVER) name = get(AWS_LOCAL_SERVICE) ?? '';
  if (span.kind === SPAN_KIND.INTERNAL && a.get(AWS_SPAN_KIND) === 'LOCAL_ROOT') name = get(AWS_LOCAL_SERVICE) ?? name;
  if (span.kind === SPAN_KIND.CLIENT || span.kind === SPAN_KIND.PRODUCER || span.kind === SPAN_KIND.CONSUMER) {
    const remote = get(AWS_REMOTE_SERVICE);
    if (remote !== undefined) name = trimAwsSdkPrefix(remote, a);
  }
  if (name === '') name = get('peer.service') ?? '';
  if (isAwsSdkSpan(a)) namespace = 'aws';
  if (name === '' && a.has('aws.service')) {
    // AWS spans are named for the service ("S3"), not the method.
    name = str(a.get('aws.service'));
    namespace = namespace ?? 'aws';
  }
  if (name === '' && a.has('db.name')) {
    // <db name>@<db host>, the host from db.connection_string (a `jdbc:` prefix dropped).
    name = str(a.get('db.name'));
    const host = a.has('db.connection_string') ? hostOf(str(a.get('db.connection_string')).replace(/^jdbc:/, '')) : '';
    if (host !== '') name += `@${host}`;
  }
  if (name === '' && span.kind === SPAN_KIND.SERVER) name = span.resource.has('service.name') ? str(span.resource.get('service.name')) : '';
  if (name === '') name = get('rpc.service') ?? '';
  if (name === '') name = get('http.host') ?? '';
  if (name === '') name = get('net.peer.name') ?? '';
  if (name === '') name = fixSegmentName(span.name);
  if (namespace === undefined && (span.kind === SPAN_KIND.CLIENT || span.kind === SPAN_KIND.PRODUCER)) namespace = 'remote';
  return { name, namespace };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    // Go's url.Parse accepts what WHATWG URL refuses; no host is found then, as for a bare name.
    return '';
  }
}

/** `sql.go` `makeSQL`: the block for an SQL database; the consumed keys otherwise stay attributes. */
function sqlBlock(span: SpanInput): SqlBlock | undefined {
  const a = span.attributes;
  const system = str(a.get('db.system'));
  if (!SQL_SYSTEMS.has(system)) return undefined;
  const connection = str(a.get('db.connection_string')) || 'localhost';
  return {
    url: span.name,
    connectionString: `${connection}/${str(a.get('db.name'))}`,
    databaseType: system,
    user: a.has('db.user') ? str(a.get('db.user')) : undefined,
    sanitizedQuery: a.has('db.statement') ? str(a.get('db.statement')) : undefined,
  };
}

/** The span's attributes after the agent's processors: what the exporter gets. */
export function redact(attributes: ReadonlyMap<string, AttributeValue>, config: ExporterConfig): Map<string, AttributeValue> {
  const out = new Map<string, AttributeValue>();
  for (const [k, v] of attributes) {
    if (config.deletedKeys.includes(k) || config.deletedPatterns.some((p) => p.test(k))) continue;
    out.set(k, v);
  }
  return out;
}

/** What the exporter configured by `config` writes for `span` (whose attributes are already redacted). */
export function translateSpan(span: SpanInput, config: ExporterConfig = DEFAULT_EXPORTER_CONFIG): Translated {
  const a = span.attributes;
  const type = span.kind !== SPAN_KIND.SERVER && span.kind !== SPAN_KIND.CONSUMER && span.hasParent ? 'subsegment' : 'segment';
  const { error, fault, throttle, code } = flags(a, span.statusCode);
  const sql = sqlBlock(span);
  const { name, namespace } = nameAndNamespace(span);

  // What is left for annotations and metadata after the http, cause, aws and sql blocks took theirs.
  const candidates = new Map<string, AttributeValue>();
  for (const [k, v] of a) {
    if (HTTP_KEYS.has(k) || AWS_KEYS.has(k) || (sql && SQL_KEYS.has(k))) continue;
    // `cause.go`: with an error status and no exception event, http.status_text becomes the cause.
    if (k === 'http.status_text' && span.statusCode === STATUS_ERROR) continue;
    candidates.set(k, v);
  }
  // `addSpecialAttributes`: an `indexed_attributes` key comes back even when a block consumed it.
  for (const k of config.indexedAttributes) if (!candidates.has(k) && a.has(k)) candidates.set(k, a.get(k));
  candidates.delete('enduser.id');
  if (candidates.has('aws.xray.inprogress') && typeof candidates.get('aws.xray.inprogress') === 'boolean') candidates.delete('aws.xray.inprogress');

  const annotations: Record<string, AnnotationValue> = {};
  const defaults: Record<string, unknown> = {};
  const metadata: Record<string, Record<string, unknown>> = {};
  const indexed = new Set<string>(config.indexAllAttributes ? [] : config.indexedAttributes);
  // `makeXRayAttributes`: `aws.xray.annotations` counts only as an array; its non-string elements are skipped.
  const listed = candidates.get(ANNOTATIONS_ATTRIBUTE);
  if (Array.isArray(listed)) {
    for (const key of listed) if (typeof key === 'string') indexed.add(key);
    candidates.delete(ANNOTATIONS_ATTRIBUTE);
  }
  if (type === 'segment') {
    // The resource is stored on segments only, as `otel.resource.<key>`.
    for (const [k, v] of span.resource) {
      const key = `otel.resource.${k}`;
      const value = annotationValue(v);
      if (value !== undefined && (config.indexAllAttributes || indexed.has(key))) annotations[fixAnnotationKey(key)] = value;
      else if (v !== undefined) defaults[key] = v;
    }
  }
  for (const [k, v] of candidates) {
    const value = annotationValue(v);
    if (config.indexAllAttributes || indexed.has(k)) {
      if (value !== undefined) annotations[fixAnnotationKey(k)] = value;
      continue;
    }
    if (k.startsWith(METADATA_PREFIX) && typeof v === 'string') {
      const ns = k.slice(METADATA_PREFIX.length);
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        parsed = undefined;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) defaults[k] = v;
      else if (ns.toLowerCase() === 'default') Object.assign(defaults, parsed);
      else metadata[ns] = parsed as Record<string, unknown>;
      continue;
    }
    if (v !== undefined) defaults[k] = v;
  }
  if (Object.keys(defaults).length > 0) metadata.default = defaults;
  return {
    type,
    name,
    namespace,
    error,
    fault,
    throttle,
    httpStatus: code !== undefined && code !== 0 ? code : undefined,
    annotations,
    metadata,
    sql,
  };
}
