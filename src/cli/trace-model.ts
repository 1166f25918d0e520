/**
 * One shape for what `local-agent` receives: an X-Ray segment or subsegment (UDP) and an
 * OpenTelemetry span (OTLP/HTTP) both become a {@link TraceNode}.
 *
 * X-Ray segment document fields (trace_id `1-<8 hex>-<24 hex>`, id of 16 hex digits, name,
 * start_time/end_time in epoch seconds, in_progress, parent_id, http.request/response, error,
 * fault, throttle, annotations, subsegments, type "subsegment" for one sent on its own) are those
 * of the X-Ray developer guide's "X-Ray segment documents" page
 * (https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html).
 */

/** An annotation value (X-Ray allows string, number and boolean). */
export type AnnotationValue = string | number | boolean;

/** A segment, subsegment or span, as the agent keeps it. */
export interface TraceNode {
  readonly traceId: string;
  readonly id: string;
  readonly parentId?: string;
  readonly kind: 'segment' | 'subsegment' | 'span';
  readonly name: string;
  /** The service it belongs to: a segment's name, or the service of the segment above it. */
  readonly service: string;
  /** Epoch seconds. */
  readonly start: number;
  readonly end?: number;
  readonly inProgress: boolean;
  readonly httpMethod?: string;
  readonly httpUrl?: string;
  readonly httpStatus?: number;
  readonly error: boolean;
  readonly fault: boolean;
  readonly throttle: boolean;
  readonly annotations: Readonly<Record<string, AnnotationValue>>;
  /**
   * The node a subsegment draws on the service map (`namespace: aws` or `remote`; for an OTLP span,
   * the name the collector's exporter gives it), unless the service it calls sends its own segment.
   */
  readonly remote?: string;
  /** `aws` (an AWS service) or `remote` (anything else called), as the segment document says. */
  readonly namespace?: 'aws' | 'remote';
  /** An OTLP span the exporter would send as a subsegment (not SERVER or CONSUMER, with a parent). */
  readonly subsegment?: boolean;
  /** The segment's metadata by namespace (for an OTLP span: what the exporter would write). */
  readonly metadata?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The `sql` block (a database call). */
  readonly sql?: Readonly<Record<string, unknown>>;
}

/** Whether `node` is part of its segment's service rather than a service of its own. */
export function isSubsegment(node: TraceNode): boolean {
  return node.kind === 'subsegment' || node.subsegment === true;
}

/** A datagram or body that could not be used, and why. */
export class MalformedInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedInput';
  }
}

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;
/** How deep subsegments are followed inside one document. */
const MAX_DEPTH = 64;
/** The daemon's own limit: a segment document is at most 64 KB in one UDP datagram. */
export const MAX_DATAGRAM_BYTES = 64 * 1024;

/**
 * A UDP datagram as the X-Ray daemon reads it: a JSON header line (`{"format":"json","version":1}`),
 * a newline, then one segment document. Returns the segment and its subsegments, flattened.
 */
export function parseDatagram(data: Buffer): TraceNode[] {
  if (data.length > MAX_DATAGRAM_BYTES) throw new MalformedInput(`datagram of ${data.length} bytes is larger than 64 KB`);
  const text = data.toString('utf-8');
  const newline = text.indexOf('\n');
  if (newline === -1) throw new MalformedInput('no header line (expected {"format":"json","version":1} and a newline before the segment)');
  const header = parseJson(text.slice(0, newline), 'header');
  if (!isRecord(header) || header.format !== 'json' || header.version !== 1) {
    throw new MalformedInput(`header is not {"format":"json","version":1}: ${text.slice(0, Math.min(newline, 80))}`);
  }
  const doc = parseJson(text.slice(newline + 1), 'segment');
  return parseSegmentDocument(doc);
}

/** A segment document (or an independent subsegment), flattened with its subsegments. */
export function parseSegmentDocument(doc: unknown): TraceNode[] {
  if (!isRecord(doc)) throw new MalformedInput('segment is not a JSON object');
  const traceId = doc.trace_id;
  if (typeof traceId !== 'string' || !TRACE_ID.test(traceId)) throw new MalformedInput(`trace_id must be 1-<8 hex>-<24 hex>, got ${show(traceId)}`);
  const independent = doc.type === 'subsegment';
  if (independent && typeof doc.parent_id !== 'string') throw new MalformedInput('a subsegment sent on its own must have parent_id');
  const out: TraceNode[] = [];
  const service = independent ? '' : String(doc.name ?? '');
  walk(doc, traceId, typeof doc.parent_id === 'string' ? doc.parent_id : undefined, independent ? 'subsegment' : 'segment', service, 0, out);
  return out;
}

function walk(doc: Record<string, unknown>, traceId: string, parentId: string | undefined, kind: 'segment' | 'subsegment', service: string, depth: number, out: TraceNode[]): void {
  if (depth > MAX_DEPTH) throw new MalformedInput(`subsegments nested deeper than ${MAX_DEPTH}`);
  const { id, name, start_time: start, end_time: end } = doc;
  if (typeof id !== 'string' || !SEGMENT_ID.test(id)) throw new MalformedInput(`id must be 16 hex digits, got ${show(id)}`);
  if (typeof name !== 'string' || name === '') throw new MalformedInput(`segment ${id}: name must be a non-empty string, got ${show(name)}`);
  if (typeof start !== 'number' || !Number.isFinite(start)) throw new MalformedInput(`segment ${id}: start_time must be a number, got ${show(start)}`);
  const inProgress = doc.in_progress === true;
  if (!inProgress && (typeof end !== 'number' || !Number.isFinite(end))) {
    throw new MalformedInput(`segment ${id}: end_time must be a number unless in_progress is true, got ${show(end)}`);
  }
  const http = isRecord(doc.http) ? doc.http : {};
  const request = isRecord(http.request) ? http.request : {};
  const response = isRecord(http.response) ? http.response : {};
  const status = response.status;
  out.push({
    traceId,
    id,
    parentId,
    kind,
    name,
    service: service || name,
    start,
    end: typeof end === 'number' ? end : undefined,
    inProgress,
    httpMethod: typeof request.method === 'string' ? request.method : undefined,
    httpUrl: typeof request.url === 'string' ? request.url : undefined,
    httpStatus: typeof status === 'number' ? status : undefined,
    error: doc.error === true,
    fault: doc.fault === true,
    throttle: doc.throttle === true,
    annotations: annotationsOf(doc.annotations),
    remote: kind === 'subsegment' && (doc.namespace === 'remote' || doc.namespace === 'aws') ? name : undefined,
    namespace: doc.namespace === 'remote' || doc.namespace === 'aws' ? doc.namespace : undefined,
    metadata: isRecord(doc.metadata) ? metadataOf(doc.metadata) : undefined,
    sql: isRecord(doc.sql) ? doc.sql : undefined,
  });
  const subsegments = doc.subsegments;
  if (subsegments === undefined) return;
  if (!Array.isArray(subsegments)) throw new MalformedInput(`segment ${id}: subsegments must be an array`);
  for (const sub of subsegments) {
    if (!isRecord(sub)) throw new MalformedInput(`segment ${id}: a subsegment is not an object`);
    walk(sub, traceId, id, 'subsegment', service || name, depth + 1, out);
  }
}

function annotationsOf(value: unknown): Record<string, AnnotationValue> {
  const result: Record<string, AnnotationValue> = {};
  if (!isRecord(value)) return result;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') result[k] = v;
  }
  return result;
}

function metadataOf(value: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const result: Record<string, Record<string, unknown>> = {};
  for (const [ns, v] of Object.entries(value)) if (isRecord(v)) result[ns] = v;
  return result;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MalformedInput(`${what} is not JSON (${(e as Error).message})`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
