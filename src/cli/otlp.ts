/**
 * OTLP/HTTP traces: the body of `POST /v1/traces`, an `ExportTraceServiceRequest` in protobuf or
 * in the OTLP JSON mapping, turned into {@link TraceNode}s.
 *
 * The protobuf reader decodes only the fields used here, by their opentelemetry-proto numbers
 * (listed beside each function). Hand-written on purpose: protobufjs 8 skips a field of the wrong
 * wire type where this reader refuses the body, and would add 4 MB to the bundled package.
 */
import { isRecord, MalformedInput, show, TraceNode } from './trace-model';
import { AttributeValue, DEFAULT_EXPORTER_CONFIG, ExporterConfig, redact, translateSpan } from './xray-translator';

/** The agent configuration that applies to the spans of a service (`service.name`). */
export type ConfigFor = (serviceName: string) => ExporterConfig;
const defaultConfig: ConfigFor = () => DEFAULT_EXPORTER_CONFIG;

/** A span, before it becomes a {@link TraceNode}. */
interface RawSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startNanos: bigint;
  endNanos: bigint;
  attributes: Map<string, AttributeValue>;
  statusCode: number;
}

// ---------------------------------------------------------------------------------------------
// Protobuf wire format
// ---------------------------------------------------------------------------------------------

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;
/** Messages nested deeper than this (AnyValue arrays in arrays) are refused. */
const MAX_NESTING = 32;

// The wire format is bit-packed (7-bit varint groups, 3-bit wire types): bit operations are its definition.
/* eslint-disable no-bitwise */
class Reader {
  public pos: number;
  constructor(private readonly buf: Buffer, start: number, public readonly end: number) {
    this.pos = start;
  }

  public done(): boolean {
    return this.pos >= this.end;
  }

  public varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new MalformedInput('protobuf: truncated varint');
      const byte = this.buf[this.pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new MalformedInput('protobuf: varint longer than 10 bytes');
  }

  public tag(): { field: number; wire: number } {
    const tag = Number(this.varint());
    const field = Math.floor(tag / 8);
    if (field === 0) throw new MalformedInput('protobuf: field number 0');
    return { field, wire: tag & 7 };
  }

  public bytes(): Reader {
    const length = Number(this.varint());
    if (length > this.end - this.pos) throw new MalformedInput(`protobuf: length ${length} runs past the end of the message`);
    const sub = new Reader(this.buf, this.pos, this.pos + length);
    this.pos += length;
    return sub;
  }

  public raw(): Buffer {
    const r = this.bytes();
    return this.buf.subarray(r.pos, r.end);
  }

  public string(): string {
    return this.raw().toString('utf-8');
  }

  public fixed64(): bigint {
    if (this.end - this.pos < 8) throw new MalformedInput('protobuf: truncated fixed64');
    const value = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return value;
  }

  public double(): number {
    if (this.end - this.pos < 8) throw new MalformedInput('protobuf: truncated double');
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  public skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT: this.varint(); return;
      case WIRE_I64: this.need(8); this.pos += 8; return;
      case WIRE_LEN: this.bytes(); return;
      case WIRE_I32: this.need(4); this.pos += 4; return;
      default: throw new MalformedInput(`protobuf: unsupported wire type ${wire}`);
    }
  }

  public expect(wire: number, expected: number, what: string): void {
    if (wire !== expected) throw new MalformedInput(`protobuf: ${what} has wire type ${wire}, expected ${expected}`);
  }

  private need(n: number): void {
    if (this.end - this.pos < n) throw new MalformedInput('protobuf: truncated fixed-size field');
  }
}

/* eslint-enable no-bitwise */

/**
 * Decodes a protobuf `ExportTraceServiceRequest` (1 resource_spans: ResourceSpans, 1 resource:
 * Resource, 1 attributes; 2 scope_spans: ScopeSpans, 2 spans).
 */
export function decodeProtobufRequest(body: Buffer, configFor: ConfigFor = defaultConfig): TraceNode[] {
  const r = new Reader(body, 0, body.length);
  const nodes: TraceNode[] = [];
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) {
      r.expect(wire, WIRE_LEN, 'resource_spans');
      nodes.push(...resourceSpans(r.bytes(), configFor));
    } else {
      r.skip(wire);
    }
  }
  return nodes;
}

function resourceSpans(r: Reader, configFor: ConfigFor): TraceNode[] {
  let resource = new Map<string, AttributeValue>();
  const spans: RawSpan[] = [];
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) {
      r.expect(wire, WIRE_LEN, 'resource');
      resource = protoResource(r.bytes());
    } else if (field === 2) {
      r.expect(wire, WIRE_LEN, 'scope_spans');
      const scope = r.bytes();
      while (!scope.done()) {
        const t = scope.tag();
        if (t.field === 2) {
          scope.expect(t.wire, WIRE_LEN, 'spans');
          spans.push(protoSpan(scope.bytes()));
        } else {
          scope.skip(t.wire);
        }
      }
    } else {
      r.skip(wire);
    }
  }
  return spans.map((s) => toNode(s, resource, configFor));
}

function protoResource(r: Reader): Map<string, AttributeValue> {
  const attributes = new Map<string, AttributeValue>();
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) {
      r.expect(wire, WIRE_LEN, 'resource attribute');
      const [k, v] = protoKeyValue(r.bytes(), 0);
      attributes.set(k, v);
    } else {
      r.skip(wire);
    }
  }
  return attributes;
}

// Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 7 start_time_unix_nano (fixed64),
// 8 end_time_unix_nano (fixed64), 9 attributes, 15 status (Status: 3 code).
function protoSpan(r: Reader): RawSpan {
  const span: RawSpan = { traceId: '', spanId: '', parentSpanId: '', name: '', kind: 0, startNanos: 0n, endNanos: 0n, attributes: new Map(), statusCode: 0 };
  while (!r.done()) {
    const { field, wire } = r.tag();
    switch (field) {
      case 1: r.expect(wire, WIRE_LEN, 'trace_id'); span.traceId = r.raw().toString('hex'); break;
      case 2: r.expect(wire, WIRE_LEN, 'span_id'); span.spanId = r.raw().toString('hex'); break;
      case 4: r.expect(wire, WIRE_LEN, 'parent_span_id'); span.parentSpanId = r.raw().toString('hex'); break;
      case 5: r.expect(wire, WIRE_LEN, 'name'); span.name = r.string(); break;
      case 6: r.expect(wire, WIRE_VARINT, 'kind'); span.kind = Number(r.varint()); break;
      case 7: r.expect(wire, WIRE_I64, 'start_time_unix_nano'); span.startNanos = r.fixed64(); break;
      case 8: r.expect(wire, WIRE_I64, 'end_time_unix_nano'); span.endNanos = r.fixed64(); break;
      case 9: {
        r.expect(wire, WIRE_LEN, 'attributes');
        const [k, v] = protoKeyValue(r.bytes(), 0);
        span.attributes.set(k, v);
        break;
      }
      case 15: {
        r.expect(wire, WIRE_LEN, 'status');
        const status = r.bytes();
        while (!status.done()) {
          const t = status.tag();
          if (t.field === 3) {
            status.expect(t.wire, WIRE_VARINT, 'status.code');
            span.statusCode = Number(status.varint());
          } else {
            status.skip(t.wire);
          }
        }
        break;
      }
      default: r.skip(wire);
    }
  }
  return span;
}

// KeyValue: 1 key, 2 value (AnyValue: 1 string, 2 bool, 3 int64, 4 double, 5 array (ArrayValue: 1 values)).
function protoKeyValue(r: Reader, depth: number): [string, AttributeValue] {
  let key = '';
  let value: AttributeValue;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) {
      r.expect(wire, WIRE_LEN, 'key');
      key = r.string();
    } else if (field === 2) {
      r.expect(wire, WIRE_LEN, 'value');
      value = protoAnyValue(r.bytes(), depth + 1);
    } else {
      r.skip(wire);
    }
  }
  return [key, value];
}

function protoAnyValue(r: Reader, depth: number): AttributeValue {
  if (depth > MAX_NESTING) throw new MalformedInput(`protobuf: attribute values nested deeper than ${MAX_NESTING}`);
  let value: AttributeValue;
  while (!r.done()) {
    const { field, wire } = r.tag();
    switch (field) {
      case 1: r.expect(wire, WIRE_LEN, 'string_value'); value = r.string(); break;
      case 2: r.expect(wire, WIRE_VARINT, 'bool_value'); value = r.varint() !== 0n; break;
      case 3: r.expect(wire, WIRE_VARINT, 'int_value'); value = Number(BigInt.asIntN(64, r.varint())); break;
      case 4: r.expect(wire, WIRE_I64, 'double_value'); value = r.double(); break;
      case 5: {
        // array_value (ArrayValue: 1 values, repeated AnyValue), kept as an array: the exporter
        // reads `aws.xray.annotations` only as one.
        r.expect(wire, WIRE_LEN, 'array_value');
        const array = r.bytes();
        const items: AttributeValue[] = [];
        while (!array.done()) {
          const t = array.tag();
          if (t.field === 1) {
            array.expect(t.wire, WIRE_LEN, 'array value');
            items.push(protoAnyValue(array.bytes(), depth + 1));
          } else {
            array.skip(t.wire);
          }
        }
        value = items;
        break;
      }
      default: r.skip(wire);
    }
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// The OTLP JSON mapping
// ---------------------------------------------------------------------------------------------

/** Decodes an OTLP/JSON `ExportTraceServiceRequest` (lowerCamelCase names, hex ids, 64-bit integers as strings or numbers). */
export function decodeJsonRequest(body: Buffer, configFor: ConfigFor = defaultConfig): TraceNode[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf-8'));
  } catch (e) {
    throw new MalformedInput(`OTLP JSON body is not JSON (${(e as Error).message})`);
  }
  if (!isRecord(doc)) throw new MalformedInput('OTLP JSON body is not an object');
  const nodes: TraceNode[] = [];
  for (const rs of arrayOf(doc.resourceSpans, 'resourceSpans')) {
    if (!isRecord(rs)) throw new MalformedInput('resourceSpans[] is not an object');
    const resource = isRecord(rs.resource) ? jsonAttributes(rs.resource.attributes) : new Map<string, AttributeValue>();
    for (const ss of arrayOf(rs.scopeSpans, 'scopeSpans')) {
      if (!isRecord(ss)) throw new MalformedInput('scopeSpans[] is not an object');
      for (const s of arrayOf(ss.spans, 'spans')) {
        if (!isRecord(s)) throw new MalformedInput('spans[] is not an object');
        nodes.push(toNode({
          traceId: hexField(s.traceId, 'traceId'),
          spanId: hexField(s.spanId, 'spanId'),
          parentSpanId: s.parentSpanId === undefined || s.parentSpanId === '' ? '' : hexField(s.parentSpanId, 'parentSpanId'),
          name: typeof s.name === 'string' ? s.name : '',
          kind: typeof s.kind === 'number' ? s.kind : 0,
          startNanos: nanos(s.startTimeUnixNano, 'startTimeUnixNano'),
          endNanos: nanos(s.endTimeUnixNano, 'endTimeUnixNano'),
          attributes: jsonAttributes(s.attributes),
          statusCode: isRecord(s.status) && typeof s.status.code === 'number' ? s.status.code : 0,
        }, resource, configFor));
      }
    }
  }
  return nodes;
}

function arrayOf(value: unknown, what: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new MalformedInput(`${what} must be an array, got ${show(value)}`);
  return value;
}

function hexField(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]*$/.test(value)) throw new MalformedInput(`${what} must be a hex string, got ${show(value)}`);
  return value.toLowerCase();
}

function nanos(value: unknown, what: string): bigint {
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw new MalformedInput(`${what} must be a decimal integer, got ${show(value)}`);
}

function jsonAttributes(value: unknown): Map<string, AttributeValue> {
  const attributes = new Map<string, AttributeValue>();
  for (const kv of arrayOf(value, 'attributes')) {
    if (!isRecord(kv) || typeof kv.key !== 'string') throw new MalformedInput(`an attribute must be {key, value}, got ${show(kv)}`);
    attributes.set(kv.key, jsonAnyValue(kv.value, 0));
  }
  return attributes;
}

function jsonAnyValue(value: unknown, depth: number): AttributeValue {
  if (!isRecord(value) || depth > MAX_NESTING) return undefined;
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (typeof value.intValue === 'string' || typeof value.intValue === 'number') return Number(value.intValue);
  if (typeof value.doubleValue === 'number') return value.doubleValue;
  if (isRecord(value.arrayValue) && Array.isArray(value.arrayValue.values)) {
    return value.arrayValue.values.map((v) => jsonAnyValue(v, depth + 1));
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Span to TraceNode
// ---------------------------------------------------------------------------------------------

function toNode(span: RawSpan, resource: Map<string, AttributeValue>, configFor: ConfigFor): TraceNode {
  if (!/^[0-9a-f]{32}$/.test(span.traceId) || /^0+$/.test(span.traceId)) throw new MalformedInput(`span trace_id must be 16 bytes, not all zero, got ${show(span.traceId)}`);
  if (!/^[0-9a-f]{16}$/.test(span.spanId) || /^0+$/.test(span.spanId)) throw new MalformedInput(`span span_id must be 8 bytes, not all zero, got ${show(span.spanId)}`);
  if (span.parentSpanId !== '' && !/^[0-9a-f]{16}$/.test(span.parentSpanId)) throw new MalformedInput(`span parent_span_id must be 8 bytes, got ${show(span.parentSpanId)}`);
  const owner = typeof resource.get('service.name') === 'string' ? String(resource.get('service.name')) : 'unknown_service';
  // The agent's processors run first (a deleted key is never exported), then its exporter.
  const config = configFor(owner);
  const a = redact(span.attributes, config);
  const x = translateSpan({ name: span.name, kind: span.kind, hasParent: span.parentSpanId !== '', attributes: a, resource, statusCode: span.statusCode }, config);
  // X-Ray's own mapping of the ids: trace id 1-<first 8 hex: epoch seconds>-<24 hex>.
  const traceId = `1-${span.traceId.slice(0, 8)}-${span.traceId.slice(8)}`;
  const url = a.get('url.full') ?? a.get('http.url') ?? a.get('http.target') ?? a.get('url.path');
  const method = a.get('http.request.method') ?? a.get('http.method');
  const subsegment = x.type === 'subsegment';
  return {
    traceId,
    id: span.spanId,
    parentId: span.parentSpanId === '' ? undefined : span.parentSpanId,
    kind: 'span',
    name: span.name || '(unnamed span)',
    // A segment is the service the exporter names; a subsegment belongs to the span's own service.
    service: subsegment ? owner : x.name,
    start: nanosToSeconds(span.startNanos),
    end: span.endNanos > 0n ? nanosToSeconds(span.endNanos) : undefined,
    inProgress: span.endNanos === 0n,
    httpMethod: typeof method === 'string' ? method : undefined,
    httpUrl: typeof url === 'string' ? url : undefined,
    httpStatus: x.httpStatus,
    error: x.error,
    fault: x.fault,
    throttle: x.throttle,
    annotations: x.annotations,
    remote: subsegment && x.namespace !== undefined ? x.name : undefined,
    namespace: x.namespace,
    subsegment: subsegment || undefined,
    metadata: Object.keys(x.metadata).length ? x.metadata : undefined,
    sql: x.sql ? { ...x.sql } : undefined,
  };
}

function nanosToSeconds(n: bigint): number {
  // Microsecond precision, exact: nanoseconds since 1970 do not fit a double.
  return Number(n / 1000n) / 1e6;
}
