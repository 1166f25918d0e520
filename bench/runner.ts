/**
 * Running one benchmark child (`synth-child.js`) and reading its result, shared by `run.ts`
 * (A against B) and `run-peers.ts` (A, A+ and the peer libraries against B): a fresh Node process
 * per measurement, or one under valgrind's callgrind to count its instructions.
 */
import { spawn, spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import type { ChildResult, ChildVariant } from './synth-child';

const CHILD = path.join(__dirname, 'synth-child.js');

/** A benchmark app: see synth-child.ts. */
export type Variant = ChildVariant;

/**
 * Instructions one whole child process executed, as valgrind's callgrind counts them: the work
 * done, whatever else the machine is running (wall time under valgrind means nothing).
 */
export function countInstructions(variant: Variant, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    // --single-threaded: no concurrent GC or compiler threads, whose interleaving otherwise moves the
    // count by about 1 % between identical runs (about 0.05 % without them, measured here).
    const args = ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', CHILD, variant, String(n)];
    const child = spawn('valgrind', args, {
      env: childEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf-8'); });
    child.on('error', reject);
    child.on('close', (status) => {
      const match = /Collected : (\d+)/.exec(stderr);
      if (status !== 0 || !match) {
        reject(new Error(`valgrind run of ${variant} N=${n} failed (status ${status}):\n${stderr.slice(-2000)}`));
      } else {
        resolve(Number(match[1]));
      }
    });
  });
}

/** One child process: its own report and the wall time the parent saw. */
export interface Measurement extends ChildResult {
  /** spawnSync wall time: process start-up, load, construct, synth, counting, exit. */
  readonly processMs: number;
  /** Load average (1 min) when the run started: how busy the machine was. */
  readonly load1: number;
}

function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // An app run by the CDK CLI gets these; a benchmark child must not.
  delete env.CDK_OUTDIR;
  delete env.CDK_CONTEXT_JSON;
  return env;
}

export interface ChildOptions {
  readonly keep?: boolean;
  readonly countCalls?: boolean;
  readonly nodeArgs?: string[];
  /** cdk context for the app, key=value. */
  readonly context?: string[];
}

export function runChild(variant: Variant, n: number, options: ChildOptions = {}): Measurement {
  const load1 = os.loadavg()[0];
  const flags = [
    ...(options.keep ? ['--keep'] : []),
    ...(options.countCalls ? ['--count-calls'] : []),
    ...(options.context ?? []).flatMap((kv) => ['--context', kv]),
  ];
  const args = [...(options.nodeArgs ?? []), CHILD, variant, String(n), ...flags];
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { encoding: 'utf-8', env: childEnv(), maxBuffer: 64 * 1024 * 1024 });
  const processMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.error) throw child.error;
  if (child.status !== 0) {
    throw new Error(`child ${variant} N=${n} failed with status ${child.status}:\n${child.stderr}`);
  }
  const line = child.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`child ${variant} N=${n} printed no BENCH_RESULT line:\n${child.stdout}\n${child.stderr}`);
  return { ...(JSON.parse(line.slice('BENCH_RESULT '.length)) as ChildResult), processMs, load1 };
}

/** The median of `values`. */
export function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A markdown table, first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
