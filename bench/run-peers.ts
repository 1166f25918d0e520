/**
 * The synth benchmark against the libraries a user would pick instead (bench/README.md, "Against
 * the peers"): A (this library), A+ (this library, every feature on), B (hand-written aws-cdk-lib),
 * C (cdklabs `@aws-cdk-containers/ecs-service-extensions` with `XRayExtension`) and D (Datadog's
 * `datadog-cdk-constructs-v2` ECS Fargate task definition), N services each.
 *
 *   npx projen bench:peers [--sizes=3,30,100 (0: no timing)] [--runs=3] [--warmup=1] [--instructions=3,30] [--variants=A,A+,B,C,D]
 *
 * Per size: `warmup` discarded runs of each variant, then `runs` rounds of every variant in a
 * rotating order, each a fresh Node process. The first timed run's resource types are the "what
 * each creates" table. Reported: median wall and CPU time, per service and against B and A; with
 * --instructions, the instructions of one whole run of each variant under valgrind's callgrind
 * (two at a time), per service and against B and A. The peers must be installed and built first
 * (the task does it: `npm ci --prefix bench/peers`, `tsc -p bench/peers/tsconfig.json`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { countInstructions, median, Measurement, runChild, table, Variant } from './runner';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');
const PEERS_BUILD = path.join(REPO_ROOT, 'bench', 'peers', 'build', 'peers');
const ALL: Variant[] = ['A', 'A+', 'B', 'C', 'D'];

interface Options {
  readonly sizes: number[];
  readonly runs: number;
  readonly warmup: number;
  readonly instructions: number[];
  readonly variants: Variant[];
}

function positiveIntegers(flag: string, value: string | undefined): number[] {
  const list = (value ?? '').split(',').filter((v) => v !== '' && v !== '0').map(Number);
  if (list.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`${flag} must be positive integers separated by commas, got ${JSON.stringify(value)}`);
  }
  return list;
}

function parseOptions(argv: string[]): Options {
  let sizes = [3, 30, 100];
  let runs = 3;
  let warmup = 1;
  let instructions = [3, 30];
  let variants = ALL;
  for (const arg of argv) {
    const [flag, value] = arg.split('=');
    switch (flag) {
      case '--sizes': sizes = positiveIntegers(flag, value); break;
      case '--runs': [runs] = positiveIntegers(flag, value); break;
      case '--warmup': warmup = value === '0' ? 0 : positiveIntegers(flag, value)[0]; break;
      case '--instructions': instructions = positiveIntegers(flag, value); break;
      case '--variants':
        variants = (value ?? '').split(',') as Variant[];
        if (variants.some((v) => !ALL.includes(v)) || !variants.includes('B')) {
          throw new Error(`--variants must list some of ${ALL.join(', ')}, B among them, got ${JSON.stringify(value)}`);
        }
        break;
      default: throw new Error(`unknown option ${JSON.stringify(arg)} (see the header of bench/run-peers.ts)`);
    }
  }
  if (runs === undefined) throw new Error('--runs needs a positive integer');
  if (sizes.length === 0 && instructions.length === 0) throw new Error('--sizes=0 (no timing) needs --instructions');
  return { sizes, runs, warmup, instructions, variants };
}

/** Resource types and how many of each a variant's app has, summed over its stacks. */
function typesOf(m: Measurement): { [type: string]: number } {
  const types: { [type: string]: number } = {};
  for (const stack of m.stacks) {
    for (const [type, count] of Object.entries(stack.types)) types[type] = (types[type] ?? 0) + count;
  }
  return types;
}

const ratio = (x: number, y: number | undefined): string => (y === undefined ? '-' : `${(x / y).toFixed(2)}x`);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const peers = options.variants.filter((v) => v === 'C' || v === 'D');
  if (peers.length > 0 && !fs.existsSync(path.join(PEERS_BUILD, 'app-datadog.js'))) {
    throw new Error('the peer libraries are not built: run `npm ci --prefix bench/peers && npx tsc -p bench/peers/tsconfig.json` ' +
      '(or `npx projen bench:peers`, which does both)');
  }
  console.log(`node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`variants ${options.variants.join(', ')}; sizes ${options.sizes.join(', ')}; ${options.warmup} warm-up + ${options.runs} timed runs each\n`);

  const timing: Array<{ n: number; variant: Variant; wallMs: number; cpuMs: number; resources: number; templateBytes: number }> = [];
  const created: { [variant: string]: { [type: string]: number } } = {};
  const smallest = Math.min(...options.sizes, ...options.instructions);
  for (const n of options.sizes) {
    const runs: { [variant: string]: Measurement[] } = {};
    for (const v of options.variants) {
      runs[v] = [];
      for (let w = 0; w < options.warmup; w++) runChild(v, n);
    }
    for (let round = 0; round < options.runs; round++) {
      // Rotate the order so that the machine's drift favours no variant.
      const order = options.variants.map((_, i) => options.variants[(i + round) % options.variants.length]);
      for (const v of order) runs[v].push(runChild(v, n));
    }
    for (const v of options.variants) {
      const ms = runs[v];
      if (n === smallest) created[v] = typesOf(ms[0]);
      timing.push({
        n,
        variant: v,
        wallMs: median(ms.map((m) => m.wallMs)),
        cpuMs: median(ms.map((m) => m.cpuMs)),
        resources: ms[0].resources,
        templateBytes: ms[0].templateBytes,
      });
    }
    console.log(`N=${n} done (load ${os.loadavg()[0].toFixed(2)})`);
  }

  const at = (n: number, v: Variant) => timing.find((t) => t.n === n && t.variant === v);
  const wallRows = timing.map((t) => [
    `${t.n} ${t.variant}`, t.wallMs.toFixed(0), (t.wallMs / t.n).toFixed(1), t.cpuMs.toFixed(0),
    ratio(t.wallMs, at(t.n, 'B')?.wallMs), ratio(t.wallMs, at(t.n, 'A')?.wallMs), String(t.resources), String(t.templateBytes),
  ]);
  if (options.sizes.length === 0) {
    // No timing: the resource types come from one plain run of each variant at the smallest size.
    for (const v of options.variants) created[v] = typesOf(runChild(v, smallest));
  }
  const wallTable = table(['N variant', 'wall ms', 'wall ms / service', 'cpu ms', 'wall / B', 'wall / A', 'resources', 'template bytes'], wallRows);
  console.log(`\nWall time (median of ${options.runs}, each a fresh process: load + construct + synth)\n\n${wallTable}`);

  const instructions: Array<{ n: number; variant: Variant; count: number }> = [];
  if (options.instructions.length > 0) {
    for (const n of options.instructions) {
      // Two at a time, one per core.
      for (let i = 0; i < options.variants.length; i += 2) {
        const pair = options.variants.slice(i, i + 2);
        const counts = await Promise.all(pair.map((v) => countInstructions(v, n)));
        pair.forEach((variant, j) => {
          instructions.push({ n, variant, count: counts[j] });
          console.log(`instructions N=${n} ${variant}: ${counts[j]}`);
        });
      }
    }
    const count = (n: number, v: Variant) => instructions.find((x) => x.n === n && x.variant === v)?.count;
    const lo = Math.min(...options.instructions);
    const hi = Math.max(...options.instructions);
    const rows = instructions.map((x) => {
      const marginal = x.n === hi && hi > lo ? ((x.count - count(lo, x.variant)!) / (hi - lo) / 1e6).toFixed(1) : '-';
      return [`${x.n} ${x.variant}`, (x.count / 1e9).toFixed(2), (x.count / x.n / 1e6).toFixed(1), marginal,
        ratio(x.count, count(x.n, 'B')), ratio(x.count, count(x.n, 'A'))];
    });
    const instructionTable = table(['N variant', 'instructions (G)', 'M per service', `M per added service ${lo}->${hi}`, 'vs B', 'vs A'], rows);
    console.log(`\nInstructions (valgrind --tool=callgrind, one whole process)\n\n${instructionTable}`);
  }

  const types = [...new Set(Object.values(created).flatMap((t) => Object.keys(t)))].sort();
  const createdTable = table(['resource type', ...Object.keys(created)],
    types.map((type) => [type, ...Object.values(created).map((t) => String(t[type] ?? 0))]));
  console.log(`\nWhat each variant creates at N=${smallest} (all stacks)\n\n${createdTable}`);

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const out = path.join(RESULTS_DIR, `peers-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(out, JSON.stringify({ options, timing, instructions, created }, null, 2));
  console.log(`\nWrote ${path.relative(REPO_ROOT, out)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
