/**
 * Benchmark of the shipped `cdk-xray-ecs local-agent` (bin/cdk-xray-ecs.js → lib/cli; run
 * `npx projen compile` first). Not a test: it measures and writes a report.
 *
 * 1. Throughput: for each rate, a fresh agent on a free loopback port; segment datagrams are sent
 *    at that rate for `--seconds` (paced every 10 ms), then the agent is stopped with SIGINT and
 *    its summary says how many datagrams it received. Dropped = sent - received. The best rate is
 *    the highest with no drop.
 * 2. Memory: one agent with `--max-traces 1000` gets `--memory-traces` traces of 5 segments each
 *    (at 2,000 segments/s); its peak resident set (VmHWM in /proc/<pid>/status) is read at the end,
 *    once it holds 1,000 traces.
 *
 * Goals (issue 17): at least 5,000 segments/s without drops, and under 150 MB at 1,000 kept traces.
 *
 * `--transport=otlp` sends the same traces as OTLP/HTTP protobuf spans instead (one
 * ExportTraceServiceRequest per 10 ms tick): a rate passes when every span is counted and the
 * last response comes back within 10 % (+ 0.5 s) of the sending time.
 *
 *   npx ts-node --transpile-only --project bench/tsconfig.json bench/local-agent.ts [--seconds=3] [--rates=2000,5000,10000,20000] [--transport=udp|otlp]
 *
 * Report: bench/results/local-agent.md and .json (git-ignored).
 */
import { ChildProcess, spawn } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { AfirgenStack } from '../lib-examples/afirgen/afirgen-stack';
import { fixed64, len, uint } from '../test/helpers/protobuf-writer';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'cdk-xray-ecs.js');
const RESULTS = path.join(ROOT, 'bench', 'results');
const HEADER = '{"format":"json","version":1}\n';
const SEGMENTS_PER_TRACE = 5;

function arg(name: string, fallback: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}

const SECONDS = Number(arg('seconds', '3'));
const RATES = arg('rates', '2000,5000,10000,20000').split(',').map(Number);
const MEMORY_TRACES = Number(arg('memory-traces', '5000'));
const TRANSPORT = arg('transport', 'udp');
if (TRANSPORT !== 'udp' && TRANSPORT !== 'otlp') throw new Error('--transport must be udp or otlp');
if (!(SECONDS > 0 && SECONDS <= 60) || RATES.some((r) => !(r > 0 && r <= 200_000)) || !(MEMORY_TRACES >= 1000 && MEMORY_TRACES <= 100_000)) {
  throw new Error('--seconds must be 1..60, --rates 1..200000 each, --memory-traces 1000..100000');
}

interface Agent {
  readonly child: ChildProcess;
  port: number;
  otlpUrl: string;
  stderr: string;
  stdoutBytes: number;
}

async function startAgent(assembly: string, extra: string[]): Promise<Agent> {
  const otlp = TRANSPORT === 'otlp' ? ['--otlp-port', '0', '--app-signals-port', '0'] : ['--no-otlp'];
  const child = spawn(process.execPath, [BIN, 'local-agent', '--app', assembly, '--port', '0', ...otlp, '--json', '--settle-ms', '200', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const agent: Agent = { child, port: 0, otlpUrl: '', stderr: '', stdoutBytes: 0 };
  child.stdout!.on('data', (d: Buffer) => { agent.stdoutBytes += d.length; });
  child.stderr!.on('data', (d: Buffer) => { agent.stderr += d.toString(); });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = agent.stderr.match(/segments 127\.0\.0\.1:(\d+)\/udp/);
    const o = agent.stderr.match(/otlp (http:\/\/\S+\/v1\/traces)/);
    if (m && (TRANSPORT === 'udp' || o)) {
      agent.port = Number(m[1]);
      agent.otlpUrl = o?.[1] ?? '';
      return agent;
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`agent did not start: ${agent.stderr}`);
    await sleep(20);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A realistic segment document (HTTP request and response, two annotations, one subsegment). */
/** The epoch second in every trace id (one trace's segments may be sent across a second boundary). */
const EPOCH = Math.floor(Date.now() / 1000).toString(16);

function datagram(trace: number, segment: number, now: number): Buffer {
  const traceId = `1-${EPOCH}-${trace.toString(16).padStart(24, '0')}`;
  const id = (trace * SEGMENTS_PER_TRACE + segment).toString(16).padStart(16, '0');
  const doc = {
    trace_id: traceId,
    id,
    ...(segment > 0 ? { parent_id: (trace * SEGMENTS_PER_TRACE).toString(16).padStart(16, '0') } : {}),
    name: segment === 0 ? 'afirgen-main-backend' : 'afirgen-gguf-server',
    start_time: now - 0.05,
    end_time: now,
    http: { request: { method: 'POST', url: 'http://localhost:8000/process' }, response: { status: 200, content_length: 512 } },
    annotations: { endpoint: '/process', model_name: 'summariser' },
    subsegments: [{ id: (0x8000000000 + trace * SEGMENTS_PER_TRACE + segment).toString(16).padStart(16, '0'), name: 'tokenize', start_time: now - 0.04, end_time: now - 0.03 }],
  };
  return Buffer.from(HEADER + JSON.stringify(doc));
}

// The OTLP transport's requests use the field numbers of opentelemetry-proto's trace_service.proto,
// trace.proto, common.proto and resource.proto.
/** KeyValue { 1 key, 2 AnyValue { 1 string_value | 3 int_value } }, as field `field` of its parent. */
const keyValue = (field: number, k: string, v: string | number) =>
  len(field, Buffer.concat([len(1, k), len(2, typeof v === 'string' ? len(1, v) : uint(3, v))]));

/** The OTLP twin of {@link datagram}: a SERVER span for segment 0, CLIENT spans below it. */
function otlpSpan(index: number, segment: number, nowNanos: bigint): Buffer {
  const trace = index + 1; // OTLP refuses all-zero ids.
  const traceId = `${EPOCH}${trace.toString(16).padStart(24, '0')}`;
  const id = (trace * SEGMENTS_PER_TRACE + segment).toString(16).padStart(16, '0');
  return Buffer.concat([
    len(1, Buffer.from(traceId, 'hex')),
    len(2, Buffer.from(id, 'hex')),
    segment > 0 ? len(4, Buffer.from((trace * SEGMENTS_PER_TRACE).toString(16).padStart(16, '0'), 'hex')) : Buffer.alloc(0),
    len(5, segment === 0 ? 'POST /process' : 'POST /generate'),
    uint(6, segment === 0 ? 2 : 3),
    fixed64(7, nowNanos - 50_000_000n),
    fixed64(8, nowNanos),
    keyValue(9, 'http.request.method', 'POST'),
    keyValue(9, 'url.full', segment === 0 ? 'http://localhost:8000/process' : 'http://gguf:8080/generate'),
    keyValue(9, 'http.response.status_code', 200),
    keyValue(9, 'endpoint', '/process'),
    keyValue(9, 'model_name', 'summariser'),
    len(15, uint(3, 1)),
  ]);
}

/** ExportTraceServiceRequest { 1 ResourceSpans { 1 Resource { 1 attributes }, 2 ScopeSpans { 2 spans } } } */
function otlpRequest(spans: Buffer[]): Buffer {
  const resource = len(1, keyValue(1, 'service.name', 'afirgen-main-backend'));
  return len(1, Buffer.concat([resource, len(2, Buffer.concat(spans.map((s) => len(2, s))))]));
}

/** Sends `total` spans at `rate` per second, one POST per 10 ms tick; resolves with how many were sent and when the last answer came. */
async function postAt(url: string, rate: number, total: number): Promise<{ sent: number; seconds: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  const start = Date.now();
  const pending: Array<Promise<void>> = [];
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * rate) + 1);
    const now = BigInt(Date.now()) * 1_000_000n;
    const spans: Buffer[] = [];
    for (; sent < due; sent++) spans.push(otlpSpan(Math.floor(sent / SEGMENTS_PER_TRACE), sent % SEGMENTS_PER_TRACE, now));
    pending.push(fetch(url, { method: 'POST', body: otlpRequest(spans), headers: { 'Content-Type': 'application/x-protobuf' } })
      .then(async (res) => { await res.arrayBuffer(); if (res.status !== 200) failed++; }, () => { failed++; }));
    await sleep(10);
  }
  await Promise.all(pending);
  return { sent, seconds: (Date.now() - start) / 1000, failed };
}

/** Sends `total` segments at `rate` per second (paced in 10 ms ticks); resolves with how many were sent. */
async function sendAt(port: number, rate: number, total: number, firstTrace = 0): Promise<number> {
  const socket = dgram.createSocket('udp4');
  let sent = 0;
  const start = Date.now();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * rate) + 1);
    const now = Date.now() / 1000;
    const batch: Array<Promise<void>> = [];
    for (; sent < due; sent++) {
      const trace = firstTrace + Math.floor(sent / SEGMENTS_PER_TRACE);
      batch.push(new Promise((resolve) => socket.send(datagram(trace, sent % SEGMENTS_PER_TRACE, now), port, '127.0.0.1', () => resolve())));
    }
    await Promise.all(batch);
    await sleep(10);
  }
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return sent;
}

/** Sends `total` segments (or spans) at `rate` per second over the chosen transport. */
async function send(agent: Agent, rate: number, total: number): Promise<{ sent: number; seconds: number; failed: number }> {
  if (TRANSPORT === 'otlp') return postAt(agent.otlpUrl, rate, total);
  return { sent: await sendAt(agent.port, rate, total), seconds: 0, failed: 0 };
}

async function stop(agent: Agent): Promise<{ received: number; malformed: number; summary: string }> {
  const closed = new Promise<void>((resolve) => agent.child.once('close', () => resolve()));
  agent.child.kill('SIGINT');
  await closed;
  const received = TRANSPORT === 'udp'
    ? Number(agent.stderr.match(/in (\d+) datagram\(s\)/)?.[1] ?? NaN)
    : Number(agent.stderr.match(/(\d+) OTLP span\(s\)/)?.[1] ?? NaN);
  const malformed = TRANSPORT === 'udp'
    ? Number(agent.stderr.match(/malformed: (\d+) datagram/)?.[1] ?? NaN)
    : Number(agent.stderr.match(/(\d+) OTLP body\(ies\)/)?.[1] ?? NaN);
  return { received, malformed, summary: agent.stderr.slice(agent.stderr.indexOf('local-agent summary')) };
}

function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf-8');
  const kb = Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}

/** One rate's outcome; `seconds` is until the last OTLP answer (UDP: the sending time). */
interface RateResult { rate: number; sent: number; received: number; dropped: number; malformed: number; seconds: number; keptUp: boolean }

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'cli', 'main.js'))) throw new Error('lib/cli/main.js is missing: run `npx projen compile` first');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-local-agent-'));
  try {
    const app = new App({ outdir });
    new AfirgenStack(app, 'AfirgenTracing');
    app.synth();

    const throughput: RateResult[] = [];
    for (const rate of RATES) {
      const agent = await startAgent(outdir, ['--max-traces', '1000']);
      const started = Date.now();
      const sending = await send(agent, rate, rate * SECONDS);
      await sleep(500);
      const { received, malformed } = await stop(agent);
      const seconds = TRANSPORT === 'otlp' ? sending.seconds : (Date.now() - started) / 1000 - 0.5;
      // Over UDP a slow agent drops; over TCP it falls behind, and the answers come late.
      const keptUp = TRANSPORT === 'udp' || (sending.failed === 0 && seconds <= SECONDS * 1.1 + 0.5);
      const sent = sending.sent;
      throughput.push({ rate, sent, received, dropped: sent - received, malformed, seconds, keptUp });
      process.stdout.write(`rate ${rate}/s: sent ${sent}, received ${received}, dropped ${sent - received}, malformed ${malformed}${TRANSPORT === 'otlp' ? `, last answer after ${seconds.toFixed(2)} s (${Math.round(sent / seconds)}/s)${keptUp ? '' : ', fell behind'}` : ''}\n`);
    }

    const agent = await startAgent(outdir, ['--max-traces', '1000']);
    const total = MEMORY_TRACES * SEGMENTS_PER_TRACE;
    const { sent } = await send(agent, 2000, total);
    await sleep(1000);
    const peak = peakRssMiB(agent.child.pid!);
    const { received, summary } = await stop(agent);
    process.stdout.write(`memory: ${MEMORY_TRACES} traces (${sent} segments, ${received} received), peak RSS ${peak} MiB\n${summary}`);

    const best = Math.max(0, ...throughput.filter((t) => t.dropped === 0 && t.malformed === 0 && t.keptUp).map((t) => t.rate));
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version, loadavg: os.loadavg() },
      seconds: SECONDS,
      transport: TRANSPORT,
      throughput,
      bestRateWithoutDrops: best,
      memory: { traces: MEMORY_TRACES, segments: sent, received, keptAtMost: 1000, peakRssMiB: peak },
      goals: { segmentsPerSecond: 5000, peakRssMiB: 150, met: best >= 5000 && peak < 150 },
    };
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(path.join(RESULTS, `local-agent${TRANSPORT === 'otlp' ? '-otlp' : ''}.json`), `${JSON.stringify(result, undefined, 2)}\n`);
    const rows = throughput.map((t) => `| ${t.rate} | ${t.sent} | ${t.received} | ${t.dropped} | ${t.keptUp ? 'yes' : `no (${t.seconds.toFixed(2)} s)`} |`).join('\n');
    fs.writeFileSync(path.join(RESULTS, `local-agent${TRANSPORT === 'otlp' ? '-otlp' : ''}.md`), [
      `# local-agent benchmark (${result.date})`,
      '',
      `Machine: ${result.machine.cpus} CPUs, Node ${result.machine.node}, load ${result.machine.loadavg.map((l) => l.toFixed(2)).join(' ')}. ${SECONDS} s per rate, ${TRANSPORT === 'udp' ? 'loopback UDP' : 'OTLP/HTTP protobuf on loopback'}.`,
      '',
      '| segments/s sent | sent | received | dropped | kept up |',
      '| --- | --- | --- | --- | --- |',
      rows,
      '',
      `Best rate without drops: ${best} segments/s (goal: at least 5,000).`,
      '',
      `Peak RSS with ${MEMORY_TRACES} traces of ${SEGMENTS_PER_TRACE} segments through --max-traces 1000: ${peak} MiB (goal: under 150 MB).`,
      '',
    ].join('\n'));
    process.stdout.write(`best rate without drops: ${best}/s; peak RSS ${peak} MiB; report: bench/results/local-agent${TRANSPORT === 'otlp' ? '-otlp' : ''}.md\n`);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exitCode = 1;
});
