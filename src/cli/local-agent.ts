/**
 * `cdk-xray-ecs local-agent`: listens where the agents listen, on loopback unless told otherwise.
 *
 * - UDP `port` (2000): X-Ray segment datagrams, the daemon's wire format;
 * - TCP `port` (2000): the sampling API, answering with the assembly's rules;
 * - TCP `otlpPort` (4318): OTLP/HTTP traces, `POST /v1/traces`, protobuf or JSON;
 * - TCP `appSignalsPort` (4316): the same, where Application Signals sends (the CloudWatch
 *   agent's `otlp/http_0_0_0_0_4316` receiver); metrics and logs on either port are taken and
 *   dropped;
 * - TCP `uiPort`, when asked: the trace view (see ui-page.ts).
 *
 * An OTLP span is shown as the agent of the service that sent it would export it: that agent's
 * configuration from the assembly (agent-config.ts) and the collector exporter's rules
 * (xray-translator.ts).
 *
 * Nothing received can crash it: every datagram and body is parsed inside a try, and what fails
 * is counted and shown.
 */
import * as dgram from 'dgram';
import * as http from 'http';
import * as net from 'net';
import * as zlib from 'zlib';
import { agentConfigs } from './agent-config';
import { Assembly, CliError } from './assembly';
import { ConfigFor, decodeJsonRequest, decodeProtobufRequest } from './otlp';
import { renderJson, renderTree, toJson } from './render';
import { SamplingApi } from './sampling-api';
import { compileFilter, TracePredicate, UnsupportedFilter } from './trace-filter';
import { MalformedInput, parseDatagram, TraceNode } from './trace-model';
import { TraceStore, TraceView } from './trace-store';
import { UI_PAGE } from './ui-page';
import { DEFAULT_EXPORTER_CONFIG, ExporterConfig } from './xray-translator';

/** The largest OTLP body accepted (the OpenTelemetry collector's default limit is in this range). */
const MAX_OTLP_BODY_BYTES = 16 * 1024 * 1024;
/** The largest sampling request body accepted. */
const MAX_SAMPLING_BODY_BYTES = 1024 * 1024;
/** At most this many malformed-input lines are printed; the rest are only counted. */
const MAX_PRINTED_PROBLEMS = 50;
/** The page keeps the last few problems to show. */
const KEPT_PROBLEMS = 20;
/** The UDP receive buffer asked for. */
const RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;
/** How often complete traces are looked for. */
const TICK_MS = 100;

/** Options of {@link LocalAgent}. */
export interface LocalAgentOptions {
  readonly host: string;
  readonly port: number;
  /** 0 picks a free port; undefined turns OTLP off. */
  readonly otlpPort?: number;
  /** The Application Signals OTLP/HTTP port (4316); 0 picks a free port; undefined: not served. */
  readonly appSignalsPort?: number;
  readonly uiPort?: number;
  readonly json: boolean;
  readonly maxTraces: number;
  readonly settleMs: number;
  readonly timeoutMs: number;
  /** Where traces go (stdout). */
  readonly out: (text: string) => void;
  /** Where status lines go (stderr). */
  readonly log: (text: string) => void;
}

/** A trace group of the assembly, as the page offers it. */
interface GroupFilter {
  readonly name: string;
  readonly filterExpression: string;
  readonly predicate?: TracePredicate;
  readonly unsupported?: string;
}

/** Counters of what the agent received. */
export interface AgentCounters {
  datagrams: number;
  segments: number;
  spans: number;
  otlpRequests: number;
  /** OTLP metrics and logs requests, taken and dropped. */
  otlpIgnored: number;
  malformedDatagrams: number;
  malformedOtlp: number;
  tracesReported: number;
}

export class LocalAgent {
  /** Starts every listener; a busy port is a {@link CliError} naming it and what to do. */
  public static async start(assembly: Assembly, options: LocalAgentOptions): Promise<LocalAgent> {
    const agent = new LocalAgent(assembly, options);
    await agent.listen();
    return agent;
  }

  public readonly counters: AgentCounters = {
    datagrams: 0, segments: 0, spans: 0, otlpRequests: 0, otlpIgnored: 0, malformedDatagrams: 0, malformedOtlp: 0, tracesReported: 0,
  };
  public readonly store: TraceStore;
  public readonly sampling: SamplingApi;
  public readonly groups: GroupFilter[];
  /** The addresses listened on, once started. */
  public readonly addresses: { udp?: string; sampling?: string; otlp?: string; appSignals?: string; ui?: string } = {};
  /** The agent configuration of each service's spans (from the assembly). */
  public readonly configFor: ConfigFor;
  /** Agent configurations of the assembly that could not be read. */
  public readonly configProblems: readonly string[];
  /** The agent configuration of each traced service the assembly names. */
  public readonly serviceConfigs: ReadonlyMap<string, ExporterConfig>;
  private readonly problems: string[] = [];
  private printedProblems = 0;
  private readonly udp: dgram.Socket;
  private readonly samplingServer: http.Server;
  private readonly otlpServer?: http.Server;
  private readonly appSignalsServer?: http.Server;
  private readonly uiServer?: http.Server;
  private readonly uiClients = new Set<http.ServerResponse>();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  private constructor(assembly: Assembly, private readonly options: LocalAgentOptions) {
    this.store = new TraceStore({ maxTraces: options.maxTraces, settleMs: options.settleMs, timeoutMs: options.timeoutMs });
    this.sampling = new SamplingApi(assembly.samplingRules);
    this.groups = assembly.traceGroups.map((g) => {
      try {
        return { name: g.name, filterExpression: g.filterExpression, predicate: compileFilter(g.filterExpression) };
      } catch (e) {
        if (e instanceof UnsupportedFilter || (e instanceof Error && e.name === 'FilterExpressionError')) {
          return { name: g.name, filterExpression: g.filterExpression, unsupported: e.message };
        }
        throw e;
      }
    });
    const configs = agentConfigs(assembly);
    this.configFor = (service) => configs.byService.get(service) ?? DEFAULT_EXPORTER_CONFIG;
    this.configProblems = configs.problems;
    this.serviceConfigs = configs.byService;
    this.udp = dgram.createSocket({ type: net.isIPv6(options.host) ? 'udp6' : 'udp4' });
    this.udp.on('message', (msg, rinfo) => this.onDatagram(msg, `${rinfo.address}:${rinfo.port}`));
    this.samplingServer = http.createServer((req, res) => this.onSampling(req, res));
    this.samplingServer.keepAliveTimeout = 5000;
    if (options.otlpPort !== undefined) this.otlpServer = http.createServer((req, res) => this.onOtlp(req, res));
    if (options.appSignalsPort !== undefined) this.appSignalsServer = http.createServer((req, res) => this.onOtlp(req, res));
    if (options.uiPort !== undefined) this.uiServer = http.createServer((req, res) => this.onUi(req, res));
  }

  /** Every trace kept, newest first. */
  public traces(): TraceView[] {
    return this.store.list();
  }

  /** Reports what is due; with `all`, everything still pending (on exit). */
  public flush(all = false): void {
    const due = this.store.due(Date.now(), all);
    for (const trace of due) {
      this.counters.tracesReported++;
      this.options.out(this.options.json ? renderJson(trace) : renderTree(trace));
    }
    if (due.length > 0) this.notifyUi('traces');
  }

  /** The Ctrl-C summary. */
  public summary(): string {
    const c = this.counters;
    const s = this.store.counters;
    return [
      `local-agent summary: ${c.tracesReported} trace(s) reported, ${this.store.size} kept (at most ${this.options.maxTraces}, ${s.evictedTraces} evicted)`,
      `  ${c.segments} X-Ray segment document(s) in ${c.datagrams} datagram(s), ${c.spans} OTLP span(s) in ${c.otlpRequests} request(s), ${this.sampling.requests} sampling request(s)`,
      `  malformed: ${c.malformedDatagrams} datagram(s), ${c.malformedOtlp} OTLP body(ies)${s.droppedNodes ? `; ${s.droppedNodes} node(s) dropped (trace too large)` : ''}` +
      `${c.otlpIgnored ? `; ${c.otlpIgnored} OTLP metrics/logs request(s) taken and dropped` : ''}`,
    ].join('\n');
  }

  /** Stops listening: the summary is the caller's to print. */
  public async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const client of this.uiClients) client.end();
    const closeServer = (server?: http.Server) => server ? new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }) : Promise.resolve();
    await Promise.all([
      new Promise<void>((resolve) => this.udp.close(() => resolve())),
      closeServer(this.samplingServer),
      closeServer(this.otlpServer),
      closeServer(this.appSignalsServer),
      closeServer(this.uiServer),
    ]);
  }

  private async listen(): Promise<void> {
    const { host, port } = this.options;
    const udpPort = await bindUdp(this.udp, host, port);
    this.addresses.udp = `${hostPort(host, udpPort)}/udp`;
    // The sampling API is on the same port number as the segments (TCP beside UDP), as the agents do.
    await listenTcp(this.samplingServer, host, udpPort, 'the sampling API (TCP, beside the UDP port)', this.udp);
    this.addresses.sampling = `http://${hostPort(host, udpPort)}`;
    if (this.otlpServer) {
      const p = await listenTcp(this.otlpServer, host, this.options.otlpPort!, 'OTLP/HTTP (--otlp-port)', this.udp, this.samplingServer);
      this.addresses.otlp = `http://${hostPort(host, p)}/v1/traces`;
    }
    if (this.appSignalsServer) {
      const p = await listenTcp(this.appSignalsServer, host, this.options.appSignalsPort!, 'Application Signals OTLP/HTTP (--app-signals-port)', this.udp, this.samplingServer, this.otlpServer);
      this.addresses.appSignals = `http://${hostPort(host, p)}/v1/traces`;
    }
    if (this.uiServer) {
      const p = await listenTcp(this.uiServer, host, this.options.uiPort!, 'the trace view (--ui)', this.udp, this.samplingServer, this.otlpServer, this.appSignalsServer);
      this.addresses.ui = `http://${hostPort(host, p)}/`;
    }
    this.timer = setInterval(() => this.flush(), TICK_MS);
  }

  private onDatagram(msg: Buffer, from: string): void {
    this.counters.datagrams++;
    let nodes: TraceNode[];
    try {
      nodes = parseDatagram(msg);
    } catch (e) {
      this.counters.malformedDatagrams++;
      this.problem(`malformed datagram from ${from} (${msg.length} bytes): ${reason(e)}`);
      return;
    }
    this.counters.segments++;
    this.store.add(nodes);
  }

  private onSampling(req: http.IncomingMessage, res: http.ServerResponse): void {
    readBody(req, MAX_SAMPLING_BODY_BYTES, (err, body) => {
      if (err) return sendJson(res, 413, { message: err.message });
      const answer = this.sampling.answer(req.method ?? '', req.url ?? '', body.toString('utf-8'));
      sendJson(res, answer.status, answer.body);
    });
  }

  private onOtlp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const route = (req.url ?? '').split('?')[0];
    if (req.method === 'POST' && (route === '/v1/metrics' || route === '/v1/logs')) {
      // An agent takes these too (Application Signals metrics, an SDK's logs); they are not traces.
      this.counters.otlpIgnored++;
      req.resume();
      req.on('end', () => sendJson(res, 200, {}));
      return;
    }
    if (route !== '/v1/traces') return sendText(res, 404, `no such path ${route}: this agent takes OTLP traces at POST /v1/traces`);
    if (req.method !== 'POST') return sendText(res, 405, 'POST /v1/traces only');
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const isJson = type === 'application/json';
    if (!isJson && type !== 'application/x-protobuf') {
      this.counters.malformedOtlp++;
      this.problem(`OTLP request with Content-Type ${JSON.stringify(type)}: expected application/x-protobuf or application/json`);
      return sendText(res, 415, 'Content-Type must be application/x-protobuf or application/json');
    }
    readBody(req, MAX_OTLP_BODY_BYTES, (err, raw) => {
      this.counters.otlpRequests++;
      if (err) {
        this.counters.malformedOtlp++;
        this.problem(`OTLP body refused: ${err.message}`);
        return sendText(res, 413, err.message);
      }
      let nodes: TraceNode[];
      try {
        const body = String(req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip' ? zlib.gunzipSync(raw, { maxOutputLength: MAX_OTLP_BODY_BYTES }) : raw;
        nodes = isJson ? decodeJsonRequest(body, this.configFor) : decodeProtobufRequest(body, this.configFor);
      } catch (e) {
        this.counters.malformedOtlp++;
        this.problem(`malformed OTLP ${isJson ? 'JSON' : 'protobuf'} body (${raw.length} bytes): ${reason(e)}`);
        return sendText(res, 400, `malformed ExportTraceServiceRequest: ${reason(e)}`);
      }
      this.counters.spans += nodes.length;
      this.store.add(nodes);
      // ExportTraceServiceResponse with no partial_success: an empty message.
      if (isJson) return sendJson(res, 200, {});
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': 0 });
      res.end();
    });
  }

  private onUi(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') return sendText(res, 405, 'GET only');
    switch (url.pathname) {
      case '/':
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(UI_PAGE);
        return;
      case '/api/traces':
        return sendJson(res, 200, this.uiTraces(url.searchParams.get('service') ?? '', url.searchParams.get('group') ?? ''));
      case '/api/trace': {
        const trace = this.store.get(url.searchParams.get('id') ?? '');
        return trace ? sendJson(res, 200, toJson(trace)) : sendJson(res, 404, { message: 'no such trace (evicted, or never received)' });
      }
      case '/api/events':
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'Connection': 'keep-alive' });
        res.write('event: hello\ndata: {}\n\n');
        this.uiClients.add(res);
        req.on('close', () => this.uiClients.delete(res));
        return;
      default:
        return sendText(res, 404, 'not found');
    }
  }

  private uiTraces(service: string, group: string): unknown {
    const all = this.store.list();
    const selected = this.groups.find((g) => g.name === group);
    const traces = all.filter((t) => (service === '' || t.services.includes(service)) && (!selected?.predicate || selected.predicate(t)));
    const services = new Set<string>();
    const edges = new Map<string, { from: string; to: string; count: number }>();
    const inferred = new Map<string, { name: string; namespace: string; sql?: boolean }>();
    for (const t of all) {
      t.services.forEach((s) => services.add(s));
      t.inferred.forEach((n) => inferred.set(n.name, n));
      for (const e of t.edges) {
        const key = `${e.from}\u0000${e.to}`;
        const seen = edges.get(key) ?? { ...e, count: 0 };
        seen.count++;
        edges.set(key, seen);
      }
    }
    return {
      traces: traces.map((t) => ({
        traceId: t.traceId,
        start: t.start,
        durationMs: t.durationMs,
        services: t.services,
        nodeCount: t.nodeCount,
        complete: t.complete,
        error: t.error,
        fault: t.fault,
        throttle: t.throttle,
        httpMethod: t.httpMethod,
        httpUrl: t.httpUrl,
        httpStatus: t.httpStatus,
        name: t.roots[0]?.node.name,
      })),
      services: [...services].sort(),
      groups: this.groups.map((g) => ({ name: g.name, filterExpression: g.filterExpression, unsupported: g.unsupported })),
      groupUnsupported: selected?.unsupported,
      map: { services: [...services].sort(), edges: [...edges.values()], inferred: [...inferred.values()].filter((n) => !services.has(n.name)) },
      counters: { ...this.counters, kept: this.store.size, maxTraces: this.options.maxTraces },
      problems: this.problems,
    };
  }

  private notifyUi(event: string): void {
    for (const client of this.uiClients) client.write(`event: ${event}\ndata: {}\n\n`);
  }

  private problem(text: string): void {
    this.problems.push(text);
    if (this.problems.length > KEPT_PROBLEMS) this.problems.shift();
    if (this.printedProblems < MAX_PRINTED_PROBLEMS) {
      this.printedProblems++;
      this.options.log(`local-agent: ${text}${this.printedProblems === MAX_PRINTED_PROBLEMS ? ' (further problems are only counted)' : ''}`);
    }
    this.notifyUi('problems');
  }
}

function reason(e: unknown): string {
  if (e instanceof MalformedInput) return e.message;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function hostPort(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

function busy(what: string, host: string, port: number, err: NodeJS.ErrnoException): CliError {
  if (err.code === 'EADDRINUSE') {
    return new CliError(
      `${hostPort(host, port)} is in use, so ${what} cannot listen there: stop what holds it (an X-Ray daemon, a CloudWatch agent, ` +
      'another local-agent) or pick another port, and point the app at it',
    );
  }
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES') {
    return new CliError(`cannot listen on ${hostPort(host, port)} for ${what} (${err.code}): pass --host with an address of this machine, or another port`);
  }
  return new CliError(`cannot listen on ${hostPort(host, port)} for ${what}: ${err.message}`);
}

function bindUdp(socket: dgram.Socket, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => reject(busy('X-Ray segments (UDP, --port)', host, port, err)));
    socket.bind(port, host, () => {
      socket.removeAllListeners('error');
      // After binding, a socket error (none is expected for a receiving socket) is ignored, never fatal.
      socket.on('error', () => undefined);
      // Room for bursts: the kernel caps this at net.core.rmem_max; a smaller buffer still works.
      try {
        socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
      } catch {
        // The default buffer is kept when the OS refuses the size.
      }
      resolve(socket.address().port);
    });
  });
}

/** Listens; on failure closes what is already `opened` and rejects with a {@link CliError}. */
type Closable = dgram.Socket | http.Server | undefined;
function listenTcp(server: http.Server, host: string, port: number, what: string, ...opened: Closable[]): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      for (const o of opened) o?.close();
      reject(busy(what, host, port, err));
    });
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      server.on('error', () => undefined);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function readBody(req: http.IncomingMessage, limit: number, done: (err: Error | undefined, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let failed = false;
  req.on('data', (chunk: Buffer) => {
    if (failed) return;
    size += chunk.length;
    if (size > limit) {
      failed = true;
      done(new Error(`body larger than ${limit} bytes`), Buffer.alloc(0));
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (!failed) done(undefined, Buffer.concat(chunks));
  });
  req.on('error', () => undefined);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
