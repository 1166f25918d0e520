/**
 * Runs projen tasks in lanes, side by side: the tasks of one lane one after another, the lanes at
 * the same time. The full build uses it where independent single-process steps would otherwise
 * leave a core idle on a 2-core machine (jsii, rosetta and pacmak in one lane; eslint and tsc in
 * the other). jest stays alone: it already runs a worker per core.
 *
 *   ts-node --transpile-only projenrc/lanes.ts compile,post-compile eslint,typecheck
 *
 * Every output line is prefixed with its lane's name (its tasks joined by `+`). When a task fails,
 * the other lanes are stopped and the run exits with that task's code. At the end, each lane's
 * time is printed.
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import * as readline from 'readline';

/** One lane: tasks run in order. */
export interface Lane {
  readonly name: string;
  readonly tasks: readonly string[];
}

/** Parses the command line: each argument is a lane, its tasks separated by commas. */
export function parseLanes(args: readonly string[]): Lane[] {
  if (args.length === 0) throw new Error('lanes: give at least one lane (tasks separated by commas), e.g. `compile,post-compile eslint`');
  return args.map((arg) => {
    const tasks = arg.split(',').map((t) => t.trim());
    if (tasks.some((t) => t === '' || !/^[a-z0-9][a-z0-9:-]*$/.test(t))) {
      throw new Error(`lanes: ${JSON.stringify(arg)} is not a comma-separated list of projen task names`);
    }
    return { name: tasks.join('+'), tasks };
  });
}

/** The outcome of one lane. */
export interface LaneResult {
  readonly lane: Lane;
  /** `ok`: every task succeeded; `failed`: `task` exited non-zero; `stopped`: another lane failed first. */
  readonly outcome: 'ok' | 'failed' | 'stopped';
  /** 0 when ok; else the exit code of `task` (1 for a signal or a task never started). */
  readonly code: number;
  /** The task that failed or was stopped (or never started). */
  readonly task?: string;
  readonly seconds: number;
}

/** How a lane starts one task: a child process running `projen <task>` in `cwd`. */
export type TaskStarter = (task: string, cwd: string) => ChildProcess;

const projenStarter: TaskStarter = (task, cwd) => {
  const projen = require.resolve('projen/bin/projen', { paths: [cwd] });
  return spawn(process.execPath, [projen, task], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
};

/** Stops a task and its children (it runs in its own process group). */
function stop(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** The running tasks of every `runLanes` call, for the signal handlers of `main`. */
const running = new Set<ChildProcess>();

/** Stops every running task (Ctrl-C, a failed lane). */
export function stopAll(): void {
  for (const child of running) stop(child);
}

/** Runs the lanes side by side; resolves once every lane has ended (or was stopped). */
export async function runLanes(
  lanes: readonly Lane[],
  options: { cwd?: string; start?: TaskStarter; write?: (line: string) => void } = {},
): Promise<LaneResult[]> {
  const cwd = options.cwd ?? process.cwd();
  const start = options.start ?? projenStarter;
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const mine = new Set<ChildProcess>();
  let failed = false;

  const runLane = async (lane: Lane): Promise<LaneResult> => {
    const began = Date.now();
    for (const task of lane.tasks) {
      if (failed) return { lane, outcome: 'stopped', code: 1, task, seconds: (Date.now() - began) / 1000 };
      const child = start(task, cwd);
      running.add(child);
      mine.add(child);
      for (const stream of [child.stdout, child.stderr]) {
        if (stream) readline.createInterface({ input: stream }).on('line', (line) => write(`[${lane.name}] ${line}`));
      }
      const code = await new Promise<number>((resolve) => {
        child.on('error', (err) => {
          write(`[${lane.name}] could not start ${task}: ${err.message}`);
          resolve(1);
        });
        child.on('close', (exitCode) => resolve(exitCode ?? 1));
      });
      running.delete(child);
      mine.delete(child);
      if (code !== 0) {
        const seconds = (Date.now() - began) / 1000;
        if (failed) return { lane, outcome: 'stopped', code, task, seconds };
        failed = true;
        for (const other of mine) stop(other);
        return { lane, outcome: 'failed', code, task, seconds };
      }
    }
    return { lane, outcome: 'ok', code: 0, seconds: (Date.now() - began) / 1000 };
  };

  return Promise.all(lanes.map(runLane));
}

/** One line per lane: its time and how it ended. */
export function summary(results: readonly LaneResult[]): string[] {
  return results.map((r) => {
    const outcome = r.outcome === 'ok' ? 'ok' : r.outcome === 'failed' ? `failed in ${r.task} (exit ${r.code})` : `stopped in ${r.task}`;
    return `lanes: ${r.lane.name} ${r.seconds.toFixed(1)} s, ${outcome}`;
  });
}

async function main(): Promise<void> {
  let lanes: Lane[];
  try {
    lanes = parseLanes(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  // The tasks run in their own process groups (so a failed lane can stop a whole task tree):
  // Ctrl-C or a kill of this process must reach them too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopAll();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  const results = await runLanes(lanes, { cwd: path.resolve('.') });
  for (const line of summary(results)) process.stdout.write(line + '\n');
  const first = results.find((r) => r.outcome === 'failed');
  process.exit(first ? first.code : 0);
}

if (require.main === module) {
  void main();
}
