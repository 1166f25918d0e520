/**
 * The OTLP side of the agent, for the end-to-end test with the real ADOT Node.js SDK:
 *
 * - {@link OtlpReceiver}: an OTLP/HTTP receiver on 127.0.0.1:4318 (`POST /v1/traces`, protobuf, as
 *   `OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf` makes the SDK send), which decodes every
 *   `ExportTraceServiceRequest` into spans;
 * - a minimal protobuf wire-format reader for exactly the OTLP fields the test reads.
 *
 * The sampling side (TCP 2000) is `SamplingAgent` of `peers.ts`, shared with the X-Ray SDK tests:
 * the same port, the same wait while another e2e file holds it. Loopback only; a busy 4318 is
 * waited for and then reported, never replaced by another port (the app contract names 4318);
 * - {@link AdotNodeApp}: `adot-node-app.js` forked with the template's app environment, the real
 *   ADOT Node.js SDK loaded by its `NODE_OPTIONS` (see {@link mapNodeRequire}).
 */
import { ChildProcess, fork } from 'child_process';
import * as http from 'http';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { closeServer, listenOnce, LOOPBACK, PORT_WAIT_MS, withBody, withPortRetry } from './peers';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { createCluster } from '../helpers/app';

/** The agent's OTLP/HTTP port the app is told about. */
const OTLP_HTTP_PORT = 4318;

/**
 * The collector-less service the CLI and SigV4 tests synthesize: `Backend` in `stack`, a Node.js app
 * whose ADOT SDK exports straight to X-Ray (no agent in the task), every request sampled.
 */
export function addCollectorLessService(stack: Stack, serviceName: string): TracedFargateService {
  return new TracedFargateService(stack, 'Backend', {
    cluster: createCluster(stack),
    serviceName,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:20-slim'),
    tracing: { samplingRate: 1 },
    autoInstrumentation: AutoInstrumentation.node(),
    agentless: true,
  });
}

/** One attribute value, as far as the test reads it. */
export type AttributeValue = string | number | boolean | undefined;

/** One decoded span, with its resource's attributes. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP `SpanKind`: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Record<string, AttributeValue>;
  readonly resource: Record<string, AttributeValue>;
}

/** OTLP `SpanKind` values. */
export const SPAN_KIND = { SERVER: 2, CLIENT: 3 } as const;

// ---------------------------------------------------------------------------------------------
// Protobuf wire format (https://protobuf.dev/programming-guides/encoding/): varint (0), 64-bit
// (1), length-delimited (2) and 32-bit (5) fields; the OTLP messages use only these.
// ---------------------------------------------------------------------------------------------

interface Field {
  readonly no: number;
  readonly wire: number;
  /** Varint value (wire 0). */
  readonly varint?: bigint;
  /** Raw bytes (wire 1, 2, 5). */
  readonly bytes?: Buffer;
}

/* eslint-disable no-bitwise -- the protobuf wire format is bit-packed */
function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new Error('protobuf: truncated varint');
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
  throw new Error('protobuf: varint longer than 10 bytes');
}

/** The fields of one message, in order. */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = readVarint(buf, pos);
    pos = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, p] = readVarint(buf, pos);
      out.push({ no, wire, varint: v });
      pos = p;
    } else if (wire === 1 || wire === 5) {
      const len = wire === 1 ? 8 : 4;
      out.push({ no, wire, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 2) {
      const [len, p] = readVarint(buf, pos);
      const end = p + Number(len);
      if (end > buf.length) throw new Error('protobuf: truncated length-delimited field');
      out.push({ no, wire, bytes: buf.subarray(p, end) });
      pos = end;
    } else {
      throw new Error(`protobuf: unsupported wire type ${wire}`);
    }
  }
  return out;
}

/* eslint-enable no-bitwise */

function sub(buf: Buffer, no: number): Buffer[] {
  return fields(buf).filter((f) => f.no === no && f.bytes !== undefined).map((f) => f.bytes!);
}

/** `AnyValue`: 1 string, 2 bool, 3 int, 4 double (arrays, maps and bytes are not read). */
function anyValue(buf: Buffer): AttributeValue {
  for (const f of fields(buf)) {
    if (f.no === 1 && f.bytes) return f.bytes.toString('utf-8');
    if (f.no === 2 && f.varint !== undefined) return f.varint !== 0n;
    if (f.no === 3 && f.varint !== undefined) return Number(BigInt.asIntN(64, f.varint));
    if (f.no === 4 && f.bytes) return f.bytes.readDoubleLE(0);
  }
  return undefined;
}

/** `repeated KeyValue` (key 1, value 2) as an object. */
function keyValues(list: Buffer[]): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of list) {
    const key = sub(kv, 1)[0]?.toString('utf-8');
    const value = sub(kv, 2)[0];
    if (key !== undefined) out[key] = value === undefined ? undefined : anyValue(value);
  }
  return out;
}

/**
 * `ExportTraceServiceRequest` { 1 resource_spans } → `ResourceSpans` { 1 resource { 1 attributes },
 * 2 scope_spans } → `ScopeSpans` { 2 spans } → `Span` { 1 trace_id, 2 span_id, 4 parent_span_id,
 * 5 name, 6 kind, 9 attributes }.
 */
export function decodeExportTraceServiceRequest(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of sub(body, 1)) {
    const resourceMsg = sub(rs, 1)[0];
    const resource = resourceMsg ? keyValues(sub(resourceMsg, 1)) : {};
    for (const ss of sub(rs, 2)) {
      for (const span of sub(ss, 2)) {
        const f = fields(span);
        const bytes = (no: number) => f.find((x) => x.no === no)?.bytes;
        spans.push({
          traceId: bytes(1)?.toString('hex') ?? '',
          spanId: bytes(2)?.toString('hex') ?? '',
          parentSpanId: bytes(4)?.toString('hex') ?? '',
          name: bytes(5)?.toString('utf-8') ?? '',
          kind: Number(f.find((x) => x.no === 6)?.varint ?? 0n),
          attributes: keyValues(f.filter((x) => x.no === 9 && x.bytes).map((x) => x.bytes!)),
          resource,
        });
      }
    }
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------
// The receiver
// ---------------------------------------------------------------------------------------------

/** One request the receiver got. */
export interface OtlpRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

/** Listens on 127.0.0.1:4318 and keeps every OTLP/HTTP request and the spans it carried. */
export class OtlpReceiver {
  /** Binds 127.0.0.1:4318 (waiting up to `waitMs` while it is busy). */
  public static async start(waitMs = PORT_WAIT_MS): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver();
    await withPortRetry(`${LOOPBACK}:${OTLP_HTTP_PORT}/tcp`, 'The app contract names this port for the OTLP receiver: stop whatever holds it and run again.',
      () => listenOnce(receiver.server, OTLP_HTTP_PORT), waitMs);
    return receiver;
  }

  public readonly requests: OtlpRequest[] = [];
  public readonly spans: ReceivedSpan[] = [];
  private readonly server: http.Server;

  private constructor() {
    this.server = http.createServer(withBody((req, res, body) => {
      this.requests.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], body });
      if (req.method === 'POST' && req.url === '/v1/traces' && req.headers['content-type'] === 'application/x-protobuf') {
        this.spans.push(...decodeExportTraceServiceRequest(body));
        // An empty ExportTraceServiceResponse: full success.
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
        res.end();
        return;
      }
      res.writeHead(404);
      res.end();
    }));
    this.server.keepAliveTimeout = 500;
  }

  public async close(): Promise<void> {
    await closeServer(this.server);
  }
}

// ---------------------------------------------------------------------------------------------
// The app: adot-node-app.js with the real ADOT Node.js SDK
// ---------------------------------------------------------------------------------------------

const ADOT_NODE_APP = path.join(__dirname, 'adot-node-app.js');
/** loopback-endpoint.js: with no `--loopback-endpoint` argument, only loopback is reachable. */
const LOOPBACK_ONLY_PRELOAD = path.join(__dirname, 'loopback-endpoint.js');
/** What the image's `autoinstrumentation.js` requires: the installed package's `register`. */
export const ADOT_NODE_REGISTER = require.resolve('@aws/aws-distro-opentelemetry-node-autoinstrumentation/register');

/**
 * The template's `NODE_OPTIONS` with the `--require` path into the task volume (which the init
 * container fills) mapped to the installed package's `register`; everything else unchanged.
 */
export function mapNodeRequire(env: Record<string, string>): Record<string, string> {
  const volumePath = `${AutoInstrumentation.node().mountPath}/autoinstrumentation.js`;
  if (env.NODE_OPTIONS !== `--require ${volumePath}`) {
    throw new Error(`NODE_OPTIONS of the app container is ${JSON.stringify(env.NODE_OPTIONS)}, expected "--require ${volumePath}"`);
  }
  return { ...env, NODE_OPTIONS: env.NODE_OPTIONS.replace(volumePath, ADOT_NODE_REGISTER) };
}

/** How {@link AdotNodeApp.start} launches the app besides its environment. */
export interface AdotNodeAppLaunch {
  /**
   * A module loaded before everything else: put first in `NODE_OPTIONS` (`--require <preload>`),
   * since Node loads the modules `NODE_OPTIONS` names before those on its command line.
   * @default - loopback-endpoint.js with no endpoint: only loopback is reachable (the SDK's EC2
   * resource detector asks the instance metadata service at start; it is refused)
   */
  readonly preload?: string;
  /** Arguments after the script (the preload reads its own from them). */
  readonly args?: readonly string[];
  /**
   * The app to run.
   * @default - adot-node-app.js
   */
  readonly script?: string;
}

/**
 * `adot-node-app.js` (or `launch.script`, an app that speaks the same IPC: `{ ready }`, then
 * `{ cmd: 'port' }` → `{ port }`) in its own Node process with `env` as its WHOLE environment (the template's,
 * through {@link mapNodeRequire}), and a preload first in its `NODE_OPTIONS` that keeps it on
 * loopback (see {@link AdotNodeAppLaunch.preload}); `GET /process` makes an outgoing `GET /downstream`.
 */
export class AdotNodeApp {
  public static async start(env: Record<string, string>, timeoutMs = 20_000, launch: AdotNodeAppLaunch = {}): Promise<AdotNodeApp> {
    // Node loads NODE_OPTIONS' modules before its command line's: the preload goes first in it.
    const preload = launch.preload ?? LOOPBACK_ONLY_PRELOAD;
    const withPreload = { ...env, NODE_OPTIONS: `--require ${preload} ${env.NODE_OPTIONS ?? ''}`.trim() };
    const child = fork(launch.script ?? ADOT_NODE_APP, [...launch.args ?? []], { env: withPreload, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const app = new AdotNodeApp(child);
    try {
      app.port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the app did not start within ${timeoutMs / 1000} s; output: ${app.output}`)), timeoutMs);
        child.on('message', (msg: { ready?: boolean; port?: number }) => {
          if (msg.ready) child.send({ cmd: 'port' });
          if (msg.port !== undefined) {
            clearTimeout(timer);
            resolve(msg.port);
          }
        });
      });
    } catch (e) {
      app.kill();
      throw e;
    }
    return app;
  }

  /** The child's stdout and stderr (the SDK logs its errors there). */
  public output = '';
  public port = 0;
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (c: Buffer) => (this.output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (this.output += c.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** `GET urlPath` from the app. */
  public get(urlPath: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      http.get({ host: LOOPBACK, port: this.port, path: urlPath, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
  }

  /**
   * SIGTERM (what ECS sends on stop; the SDK flushes its spans on it), then the exit code; throws
   * with the output if the app is still there after `timeoutMs`.
   */
  public async stop(timeoutMs = 15_000): Promise<number | null> {
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([this.exited, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)))]);
    clearTimeout(timer);
    if (code === 'timeout') {
      this.kill();
      throw new Error(`the app did not exit within ${timeoutMs / 1000} s of SIGTERM; output: ${this.output}`);
    }
    return code;
  }

  /** SIGKILL if it is still running (for cleanup after a failure). */
  public kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
