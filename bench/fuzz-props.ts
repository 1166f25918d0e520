/**
 * The property tests of `test/property`, at scale: 50,000 random cases per construct (or
 * `FUZZ_RUNS`), every case run to its end (no stop at the first failure), with counts per construct:
 * cases, accepted (synthesized, every invariant held), rejected with a clear library error,
 * discarded (the test's own aws-cdk-lib setup refused the input), and failures, which must be 0.
 *
 *   npx ts-node --transpile-only bench/fuzz-props.ts [--only SamplingRule,TraceGroup] [--seed N]
 *
 * The exit code is 1 when a failure was seen.
 *
 * aws-cdk-lib keeps every token it ever made in a process-wide map, so one process cannot run
 * 50,000 apps (it runs out of heap near 25,000 sidecars). The cases therefore run in child
 * processes of {@link CHUNK} cases each, forked one at a time, each killed if it runs longer than
 * {@link CHUNK_TIMEOUT_MS}. Chunks are whole batches of the same seeds, so the cases are exactly
 * those of one long run.
 */
import { fork } from 'child_process';
import * as path from 'path';
import { CONSTRUCT_PROPERTIES } from '../test/property/constructs';
import { BATCH, cleanup, ConstructProperty, emptyStats, fuzzRuns, mergeStats, runMany, RunStats } from '../test/property/harness';

/** Cases per child process. */
const CHUNK = 5 * BATCH;
/** A chunk that runs longer than this is killed and counted as failed. */
const CHUNK_TIMEOUT_MS = 20 * 60_000;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const properties = CONSTRUCT_PROPERTIES as ReadonlyArray<ConstructProperty<unknown>>;
const seed = Number(arg('--seed') ?? 20261127);

function propertyNamed(name: string): ConstructProperty<unknown> {
  const p = properties.find((q) => q.name === name);
  if (!p) throw new Error(`--only must name one of ${properties.map((q) => q.name).join(', ')}, got ${JSON.stringify(name)}`);
  return p;
}

/** What a chunk sends back (a `Map` does not survive the IPC channel's JSON). */
interface ChunkResult {
  readonly stats: Omit<RunStats, 'rejections'> & { rejections: Array<[string, number]> };
}

// ---------------------------------------------------------------------------------------------
// Child: one chunk of one construct
// ---------------------------------------------------------------------------------------------

function runChunk(): void {
  const property = propertyNamed(arg('--only')!);
  const firstBatch = Number(arg('--first-batch'));
  const runs = Number(arg('--runs'));
  try {
    const stats = runMany(property, runs, seed, undefined, firstBatch);
    const result: ChunkResult = { stats: { ...stats, rejections: [...stats.rejections.entries()] } };
    process.send!(result, () => process.exit(0));
  } finally {
    cleanup();
  }
}

// ---------------------------------------------------------------------------------------------
// Parent: every construct, chunk by chunk
// ---------------------------------------------------------------------------------------------

function forkChunk(name: string, firstBatch: number, runs: number): Promise<RunStats> {
  const args = ['--child', '--only', name, '--first-batch', String(firstBatch), '--runs', String(runs), '--seed', String(seed)];
  const child = fork(__filename, args, {
    execArgv: ['--require', 'ts-node/register/transpile-only'],
    env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, 'tsconfig.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<RunStats>((resolve) => {
    let result: ChunkResult | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), CHUNK_TIMEOUT_MS);
    child.on('message', (m: ChunkResult) => { result = m; });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result) {
        resolve({ ...result.stats, rejections: new Map(result.stats.rejections) });
      } else {
        const failed = emptyStats();
        failed.failures = 1;
        failed.examples.push(`chunk ${name} from batch ${firstBatch} (${runs} cases) died: exit code ${code}, signal ${signal}`);
        resolve(failed);
      }
    });
  });
}

function line(name: string, s: RunStats, seconds: number): string {
  return `${name.padEnd(21)} cases=${s.cases} accepted=${s.accepted} rejected(clear error)=${s.rejected} discarded=${s.discarded} ` +
    `failures=${s.failures}  (${seconds.toFixed(0)} s, ${(s.cases / Math.max(seconds, 0.001)).toFixed(0)} cases/s)`;
}

async function main(): Promise<void> {
  const runs = fuzzRuns(50_000);
  const only = arg('--only')?.split(',');
  let failed = false;
  const started = Date.now();
  console.log(`fuzz-props: ${runs} cases per construct, seed ${seed}, chunks of ${CHUNK}`);
  for (const p of properties) {
    if (only && !only.includes(p.name)) continue;
    const t0 = Date.now();
    const stats = emptyStats();
    for (let done = 0; done < runs; done += CHUNK) {
      mergeStats(stats, await forkChunk(p.name, done / BATCH, Math.min(CHUNK, runs - done)));
      if (stats.cases < runs) console.log(`  ... ${line(p.name, stats, (Date.now() - t0) / 1000)}`);
    }
    console.log(line(p.name, stats, (Date.now() - t0) / 1000));
    const top = [...stats.rejections.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
    for (const [shape, n] of top) console.log(`    rejected ${String(n).padStart(6)} × ${shape}`);
    for (const example of stats.examples) console.log(`    FAILURE ${example}`);
    if (stats.failures > 0) failed = true;
  }
  console.log(`fuzz-props: done in ${((Date.now() - started) / 1000).toFixed(0)} s, ${failed ? 'FAILURES SEEN' : 'no failures'}`);
  process.exitCode = failed ? 1 : 0;
}

if (process.argv.includes('--child')) {
  runChunk();
} else {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
