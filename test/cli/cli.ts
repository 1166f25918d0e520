/**
 * Running the SHIPPED `cdk-xray-ecs` command in tests: `bin/cdk-xray-ecs.js`, which loads the
 * compiled `lib/cli/main.js`, never the TypeScript in src/.
 *
 * lib/ must be compiled. CI runs `npx projen build`, which compiles before it tests, so lib/ is
 * there. Locally, a lib/ older than src/ (or missing) is compiled once by the first test file
 * that needs it (`npx projen compile`, about a minute), under a lock that the other jest workers
 * wait on. Run `npx projen compile` first to skip that.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { AfirgenStack } from '../../lib-examples/afirgen/afirgen-stack';

export const REPO_ROOT = path.join(__dirname, '..', '..');
export const BIN = path.join(REPO_ROOT, 'bin', 'cdk-xray-ecs.js');
const LIB_MAIN = path.join(REPO_ROOT, 'lib', 'cli', 'main.js');
const LOCK = path.join(REPO_ROOT, '.cli-test-compile.lock');
/** The source folders the command is compiled from. */
const SOURCES = ['src/cli', 'src/core', 'src/groups'].map((d) => path.join(REPO_ROOT, d));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function libIsFresh(): boolean {
  if (!fs.existsSync(LIB_MAIN)) return false;
  const built = fs.statSync(LIB_MAIN).mtimeMs;
  return SOURCES.every((d) => newestSource(d) <= built);
}

/** Makes sure lib/cli is compiled from the current src/ (see the file comment). */
export function ensureBuiltCli(): void {
  if (libIsFresh()) return;
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // Another worker compiles: wait for it, then use its result.
      if (Date.now() > deadline) throw new Error(`${LOCK} stayed for 5 minutes: remove it if no compile is running`);
      spawnSync('sleep', ['1']);
      if (libIsFresh()) return;
    }
  }
  try {
    if (libIsFresh()) return;
    const result = spawnSync('npx', ['projen', 'compile'], { cwd: REPO_ROOT, encoding: 'utf-8', timeout: 280_000 });
    if (result.status !== 0) throw new Error(`npx projen compile failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  } finally {
    fs.rmdirSync(LOCK);
  }
}

/**
 * What `cdk synth` sets (unless `--path-metadata false`): each resource's construct path in its
 * `aws:cdk:path` metadata, which `env` matches construct paths against.
 */
const CLI_CONTEXT = { 'aws:cdk:enable-path-metadata': true };

/** The AFIRGen example app (lib-examples/afirgen), synthesized into a fresh folder as `cdk synth` does. */
export function synthExample(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-example-'));
  const app = new App({ outdir, context: CLI_CONTEXT });
  new AfirgenStack(app, 'AfirgenTracing');
  app.synth();
  return outdir;
}

/** Synthesizes `build(app)` into a fresh folder. */
export function synthApp(build: (app: App) => void): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-app-'));
  const app = new App({ outdir, context: CLI_CONTEXT });
  build(app);
  app.synth();
  return outdir;
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cdk-xray-ecs ...args` to completion. */
export function runCli(args: readonly string[], cwd: string = REPO_ROOT): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf-8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What `local-agent` said it listens on (its first stderr line). */
export interface AgentAddresses {
  readonly udpPort: number;
  readonly otlp?: string;
  readonly appSignals?: string;
  readonly ui?: string;
}

/** A trace as `local-agent --json` prints it (the keys the tests read). */
export interface JsonTrace {
  readonly traceId: string;
  readonly complete: boolean;
  readonly services: string[];
  /** Service-to-service edges (a CLIENT span's or remote subsegment's peer among them). */
  readonly edges: Array<{ readonly from: string; readonly to: string }>;
  /** The nodes X-Ray infers from subsegments (AWS services, databases, untraced HTTP peers). */
  readonly inferred?: Array<{ readonly name: string; readonly namespace: string; readonly sql?: boolean }>;
  readonly roots: Array<Record<string, unknown> & { readonly children?: unknown[] }>;
}

/** A running `cdk-xray-ecs local-agent`. */
export class RunningAgent {
  /**
   * Starts it on the agent port of the app contract (127.0.0.1:2000), waiting up to `waitMs` while
   * another e2e file holds the port (jest runs files in parallel), then failing with its message.
   */
  public static async startOnAgentPort(args: readonly string[], waitMs: number): Promise<RunningAgent> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        return await RunningAgent.start(['--port', '2000', ...args]);
      } catch (e) {
        if (!/is in use/.test(String(e)) || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** Starts it with `args` and waits for its "listening" line. */
  public static async start(args: readonly string[], timeoutMs = 20_000): Promise<RunningAgent> {
    // The Application Signals port (4316 by default) on a free port too, unless a test names it.
    const all = args.includes('--no-otlp') || args.includes('--app-signals-port') ? args : [...args, '--app-signals-port', '0'];
    const child = spawn(process.execPath, [BIN, 'local-agent', ...all], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const agent = new RunningAgent(child);
    agent.addresses = await agent.waitForListening(timeoutMs);
    return agent;
  }

  public stdout = '';
  public stderr = '';
  public addresses!: AgentAddresses;
  private exit?: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => { this.stdout += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.exit = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  }

  /** Waits until stdout matches `pattern`; throws with both streams after `timeoutMs`. */
  public async waitForOutput(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.stdout.match(pattern);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`local-agent printed no ${pattern} in ${timeoutMs} ms; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The traces printed so far (`--json`). */
  public traces(): JsonTrace[] {
    return this.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as JsonTrace);
  }

  /** Waits until the trace `traceId` is printed (`--json`). */
  public async waitForTrace(traceId: string, timeoutMs = 15_000): Promise<JsonTrace> {
    await this.waitForOutput(new RegExp(`^\\{"traceId":"${traceId}"`, 'm'), timeoutMs);
    return this.traces().find((t) => t.traceId === traceId)!;
  }

  /** Waits exactly `windowMs`; returns the traces printed and the problems reported in that window. */
  public async collectFor(windowMs: number): Promise<{ traces: JsonTrace[]; problems: string[] }> {
    const [outStart, errStart] = [this.stdout.length, this.stderr.length];
    await new Promise((r) => setTimeout(r, windowMs));
    const traces = this.stdout.slice(outStart).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as JsonTrace);
    return { traces, problems: this.stderr.slice(errStart).split('\n').filter((l) => l.includes('malformed')) };
  }

  /** Ctrl-C: SIGINT, then the exit code and everything printed. */
  public async interrupt(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    const result = await this.exit!;
    clearTimeout(timer);
    return { ...result, stdout: this.stdout, stderr: this.stderr };
  }

  private async waitForListening(timeoutMs: number): Promise<AgentAddresses> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exit!.then(() => { exited = true; });
    for (;;) {
      const m = this.stderr.match(/listening: segments [^ ]*:(\d+)\/udp, sampling [^,\n]*(?:, otlp (http:\/\/[^,\n]*))?(?:, app-signals (http:\/\/[^,\n]*))?(?:, ui (http:\/\/[^,\n]*))?\n/);
      if (m) return { udpPort: Number(m[1]), otlp: m[2], appSignals: m[3], ui: m[4] };
      if (exited || Date.now() > deadline) throw new Error(`local-agent did not start (exited: ${exited}); stderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** `env` of a service as JSON, from the shipped command. */
export function envJson(assembly: string, service: string): Record<string, string> {
  const r = runCli(['env', service, '--app', assembly, '--format', 'json']);
  if (r.status !== 0) throw new Error(`env ${service} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, string>;
}

/**
 * `env` with the agent port 2000 replaced by `port` and, given `otlpPort`, the OTLP/HTTP port 4318
 * by `otlpPort` (the tests' agent listens on free ports).
 */
export function withAgentPort(env: Record<string, string>, port: number, otlpPort?: number): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => {
    const mapped = v.replace(/(127\.0\.0\.1):2000\b/g, `$1:${port}`);
    return [k, otlpPort === undefined ? mapped : mapped.replace(/(127\.0\.0\.1):4318\b/g, `$1:${otlpPort}`)];
  }));
}
