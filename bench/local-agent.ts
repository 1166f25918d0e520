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
 *   npx ts-node --transpile-only --project bench/tsconfig.json bench/local-agent.ts [--seconds=3] [--rates=2000,5000,10000,20000]
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
if (!(SECONDS > 0 && SECONDS <= 60) || RATES.some((r) => !(r > 0 && r <= 200_000)) || !(MEMORY_TRACES >= 1000 && MEMORY_TRACES <= 100_000)) {
  throw new Error('--seconds must be 1..60, --rates 1..200000 each, --memory-traces 1000..100000');
}

interface Agent {
  readonly child: ChildProcess;
  port: number;
  stderr: string;
  stdoutBytes: number;
}

async function startAgent(assembly: string, extra: string[]): Promise<Agent> {
  const child = spawn(process.execPath, [BIN, 'local-agent', '--app', assembly, '--port', '0', '--no-otlp', '--json', '--settle-ms', '200', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const agent: Agent = { child, port: 0, stderr: '', stdoutBytes: 0 };
  child.stdout!.on('data', (d: Buffer) => { agent.stdoutBytes += d.length; });
  child.stderr!.on('data', (d: Buffer) => { agent.stderr += d.toString(); });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = agent.stderr.match(/segments 127\.0\.0\.1:(\d+)\/udp/);
    if (m) {
      agent.port = Number(m[1]);
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

async function stop(agent: Agent): Promise<{ received: number; malformed: number; summary: string }> {
  const closed = new Promise<void>((resolve) => agent.child.once('close', () => resolve()));
  agent.child.kill('SIGINT');
  await closed;
  const received = Number(agent.stderr.match(/in (\d+) datagram\(s\)/)?.[1] ?? NaN);
  const malformed = Number(agent.stderr.match(/malformed: (\d+) datagram/)?.[1] ?? NaN);
  return { received, malformed, summary: agent.stderr.slice(agent.stderr.indexOf('local-agent summary')) };
}

function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf-8');
  const kb = Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'cli', 'main.js'))) throw new Error('lib/cli/main.js is missing: run `npx projen compile` first');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-local-agent-'));
  try {
    const app = new App({ outdir });
    new AfirgenStack(app, 'AfirgenTracing');
    app.synth();

    const throughput: Array<{ rate: number; sent: number; received: number; dropped: number; malformed: number }> = [];
    for (const rate of RATES) {
      const agent = await startAgent(outdir, ['--max-traces', '1000']);
      const sent = await sendAt(agent.port, rate, rate * SECONDS);
      await sleep(500);
      const { received, malformed } = await stop(agent);
      throughput.push({ rate, sent, received, dropped: sent - received, malformed });
      process.stdout.write(`rate ${rate}/s: sent ${sent}, received ${received}, dropped ${sent - received}, malformed ${malformed}\n`);
    }

    const agent = await startAgent(outdir, ['--max-traces', '1000']);
    const total = MEMORY_TRACES * SEGMENTS_PER_TRACE;
    const sent = await sendAt(agent.port, 2000, total);
    await sleep(1000);
    const peak = peakRssMiB(agent.child.pid!);
    const { received, summary } = await stop(agent);
    process.stdout.write(`memory: ${MEMORY_TRACES} traces (${sent} segments, ${received} received), peak RSS ${peak} MiB\n${summary}`);

    const best = Math.max(0, ...throughput.filter((t) => t.dropped === 0 && t.malformed === 0).map((t) => t.rate));
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version, loadavg: os.loadavg() },
      seconds: SECONDS,
      throughput,
      bestRateWithoutDrops: best,
      memory: { traces: MEMORY_TRACES, segments: sent, received, keptAtMost: 1000, peakRssMiB: peak },
      goals: { segmentsPerSecond: 5000, peakRssMiB: 150, met: best >= 5000 && peak < 150 },
    };
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(path.join(RESULTS, 'local-agent.json'), `${JSON.stringify(result, undefined, 2)}\n`);
    const rows = throughput.map((t) => `| ${t.rate} | ${t.sent} | ${t.received} | ${t.dropped} |`).join('\n');
    fs.writeFileSync(path.join(RESULTS, 'local-agent.md'), [
      `# local-agent benchmark (${result.date})`,
      '',
      `Machine: ${result.machine.cpus} CPUs, Node ${result.machine.node}, load ${result.machine.loadavg.map((l) => l.toFixed(2)).join(' ')}. ${SECONDS} s per rate, loopback UDP.`,
      '',
      '| segments/s sent | sent | received | dropped |',
      '| --- | --- | --- | --- |',
      rows,
      '',
      `Best rate without drops: ${best} segments/s (goal: at least 5,000).`,
      '',
      `Peak RSS with ${MEMORY_TRACES} traces of ${SEGMENTS_PER_TRACE} segments through --max-traces 1000: ${peak} MiB (goal: under 150 MB).`,
      '',
    ].join('\n'));
    process.stdout.write(`best rate without drops: ${best}/s; peak RSS ${peak} MiB; report: bench/results/local-agent.md\n`);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exitCode = 1;
});
