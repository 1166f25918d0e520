/**
 * OTLP/HTTP into the shipped `local-agent`: `POST /v1/traces` with an ExportTraceServiceRequest
 * in protobuf (encoded here, field by field, from the field numbers published in
 * opentelemetry-proto: collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
 * common/v1/common.proto, resource/v1/resource.proto) and in the OTLP JSON mapping.
 *
 * (An export from the real ADOT Node SDK is for after the OpenTelemetry issue lands.)
 */
import * as dgram from 'dgram';
import { ensureBuiltCli, RunningAgent, synthExample } from './cli';
import { fixed64, len, uint } from '../helpers/protobuf-writer';

let example: string;
const agents: RunningAgent[] = [];

beforeAll(() => {
  ensureBuiltCli();
  example = synthExample();
}, 300_000);

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.interrupt()));
});

// ---------------------------------------------------------------------------------------------
// OTLP request builders (field numbers of opentelemetry-proto)
// ---------------------------------------------------------------------------------------------

/** KeyValue { 1 key, 2 AnyValue { 1 string_value | 3 int_value } } */
const attr = (k: string, v: string | number) => len(9, Buffer.concat([len(1, k), len(2, typeof v === 'string' ? len(1, v) : uint(3, v))]));
const resourceAttr = (k: string, v: string) => len(1, Buffer.concat([len(1, k), len(2, len(1, v))]));

interface SpanSpec {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly startNanos: bigint;
  readonly endNanos: bigint;
  readonly attributes?: Record<string, string | number>;
  readonly statusCode?: number;
}

/** Span { 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 7 start, 8 end, 9 attributes, 15 status { 3 code } } */
function span(s: SpanSpec): Buffer {
  return Buffer.concat([
    len(1, Buffer.from(s.traceId, 'hex')),
    len(2, Buffer.from(s.spanId, 'hex')),
    // An unknown field (3 trace_state) on the way, which the decoder must skip.
    len(3, 'vendor=1'),
    s.parentSpanId ? len(4, Buffer.from(s.parentSpanId, 'hex')) : Buffer.alloc(0),
    len(5, s.name),
    uint(6, s.kind),
    fixed64(7, s.startNanos),
    fixed64(8, s.endNanos),
    ...Object.entries(s.attributes ?? {}).map(([k, v]) => attr(k, v)),
    s.statusCode !== undefined ? len(15, uint(3, s.statusCode)) : Buffer.alloc(0),
  ]);
}

/** ExportTraceServiceRequest { 1 ResourceSpans { 1 Resource { 1 attributes }, 2 ScopeSpans { 2 spans } } } */
function request(service: string, spans: SpanSpec[]): Buffer {
  const scopeSpans = len(2, Buffer.concat(spans.map((s) => len(2, span(s)))));
  return len(1, Buffer.concat([len(1, resourceAttr('service.name', service)), scopeSpans]));
}

async function post(url: string, body: Buffer | string, contentType: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': contentType } });
  return { status: res.status, body: await res.text() };
}

function hexTraceId(): string {
  return Math.floor(Date.now() / 1000).toString(16) + Array.from({ length: 24 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
}
const xrayId = (hex: string) => `1-${hex.slice(0, 8)}-${hex.slice(8)}`;
const nowNanos = () => BigInt(Date.now()) * 1_000_000n;

describe('OTLP/HTTP traces', () => {
  test('a protobuf export is printed as a tree with its service, HTTP attributes and status', async () => {
    const agent = await RunningAgent.start(['--app', example, '--port', '0', '--otlp-port', '0', '--settle-ms', '200']);
    agents.push(agent);
    const hex = hexTraceId();
    const t0 = nowNanos() - 30_000_000n;

    const res = await post(agent.addresses.otlp!, request('afirgen-asr-ocr-server', [
      {
        traceId: hex,
        spanId: '00000000000000a1',
        name: 'POST /ocr',
        kind: 2,
        startNanos: t0,
        endNanos: t0 + 25_000_000n,
        attributes: { 'http.request.method': 'POST', 'url.full': 'http://127.0.0.1:8002/ocr', 'http.response.status_code': 502 },
      },
      { traceId: hex, spanId: '00000000000000a2', parentSpanId: '00000000000000a1', name: 'tesseract', kind: 1, startNanos: t0 + 1_000_000n, endNanos: t0 + 21_000_000n },
    ]), 'application/x-protobuf');

    expect(res).toEqual({ status: 200, body: '' });
    const [block] = await agent.waitForOutput(new RegExp(`trace ${xrayId(hex)}[^\\n]*\\n[^\\n]*\\n[^\\n]*\\n`));
    expect(block).toContain('25.0 ms  2 node(s)  services: afirgen-asr-ocr-server');
    expect(block).toContain('afirgen-asr-ocr-server › POST /ocr  (otlp)  25.0 ms  POST http://127.0.0.1:8002/ocr 502  FAULT');
    expect(block).toContain('└─ afirgen-asr-ocr-server › tesseract  (otlp)  20.0 ms');
  });

  test('a JSON export, and a span joining an X-Ray segment of the same trace, show in one tree', async () => {
    const agent = await RunningAgent.start(['--app', example, '--port', '0', '--otlp-port', '0', '--settle-ms', '300']);
    agents.push(agent);
    const hex = hexTraceId();
    const now = Date.now() / 1000;

    // The X-Ray segment of afirgen-main-backend over UDP ...
    const socket = dgram.createSocket('udp4');
    const doc = { trace_id: xrayId(hex), id: '1234567890abcdef', name: 'afirgen-main-backend', start_time: now - 0.05, end_time: now };
    await new Promise<void>((resolve, reject) => socket.send(`{"format":"json","version":1}\n${JSON.stringify(doc)}`, agent.addresses.udpPort, '127.0.0.1', (e) => e ? reject(e) : resolve()));
    socket.close();
    // ... and the gguf server's span below it, in OTLP JSON (hex ids, 64-bit integers as strings).
    const body = {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'afirgen-gguf-server' } }] },
        scopeSpans: [{
          spans: [{
            traceId: hex,
            spanId: 'feedfacecafebeef',
            parentSpanId: '1234567890abcdef',
            name: 'POST /generate',
            kind: 2,
            startTimeUnixNano: String(BigInt(Math.round((now - 0.04) * 1e6)) * 1000n),
            endTimeUnixNano: String(BigInt(Math.round((now - 0.01) * 1e6)) * 1000n),
            attributes: [
              { key: 'http.method', value: { stringValue: 'POST' } }, { key: 'http.status_code', value: { intValue: '200' } },
              { key: 'model_name', value: { stringValue: 'summariser' } },
              { key: 'aws.xray.annotations', value: { arrayValue: { values: [{ stringValue: 'model_name' }] } } },
            ],
          }],
        }],
      }],
    };
    const res = await post(agent.addresses.otlp!, JSON.stringify(body), 'application/json');

    expect(res).toEqual({ status: 200, body: '{}' });
    const [block] = await agent.waitForOutput(new RegExp(`trace ${xrayId(hex)}[^\\n]*\\n[^\\n]*\\n[^\\n]*\\n`));
    expect(block).toContain('2 node(s)  services: afirgen-main-backend, afirgen-gguf-server');
    expect(block).toMatch(/\n {2}afirgen-main-backend {2}[\d.]+ ms\n/);
    expect(block).toMatch(/└─ afirgen-gguf-server › POST \/generate {2}\(otlp\) {2}[\d.]+ ms {2}POST 200 {2}annotations: model_name="summariser"/);
  });

  test('malformed bodies are refused with 400/415 and counted; the agent keeps serving', async () => {
    const agent = await RunningAgent.start(['--app', example, '--port', '0', '--otlp-port', '0', '--settle-ms', '200']);
    agents.push(agent);
    const otlp = agent.addresses.otlp!;
    const good = request('afirgen-main-backend', [{ traceId: hexTraceId(), spanId: '0000000000000bb1', name: 'GET /health', kind: 2, startNanos: nowNanos(), endNanos: nowNanos() + 1000n }]);

    // A length running past the end, a wrong wire type, JSON that is not OTLP, a bad id, a wrong content type.
    expect((await post(otlp, good.subarray(0, good.length - 3), 'application/x-protobuf')).status).toBe(400);
    expect((await post(otlp, Buffer.from([0x0d, 1, 2, 3, 4]), 'application/x-protobuf')).status).toBe(400);
    expect((await post(otlp, '{"resourceSpans": 5}', 'application/json')).status).toBe(400);
    const badId = await post(otlp, JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'xyz', spanId: '01' }] }] }] }), 'application/json');
    expect(badId.status).toBe(400);
    expect(badId.body).toContain('traceId must be a hex string, got "xyz"');
    expect((await post(otlp, 'hello', 'text/plain')).status).toBe(415);
    expect((await post(otlp, good, 'application/x-protobuf')).status).toBe(200);

    await agent.waitForOutput(/GET \/health/);
    const done = await agent.interrupt();
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('malformed: 0 datagram(s), 5 OTLP body(ies)');
    expect(done.stderr).toContain('protobuf: length');
    expect(done.stderr).toContain('resourceSpans must be an array, got 5');
    expect(done.stderr).toContain('1 OTLP span(s) in 5 request(s)');
  });
});
