/**
 * The synth benchmark: app A (the library) against app B (the same resources hand-written with
 * aws-cdk-lib), N services each, every measurement in a fresh Node process. See bench/README.md.
 *
 *   npx tsc -p bench/tsconfig.synth.json && node bench/results/build/bench/run.js [options]
 *
 * Options:
 *   --sizes=3,30,100   service counts (the last two are used for the growth check)
 *   --runs=11          timed runs per variant and size (after the warm-up), alternating A and B
 *   --warmup=1         discarded runs per variant and size; the first is also the equivalence check
 *   --profile-runs=3   CPU-profiled runs of A and of B at the largest size (0: no profile)
 *   --ablation-runs=5  runs of A with and without the daemon end-of-life notice at the largest size
 *                      (context xray:daemonEndOfLifeNotice=false), to price that notice (0: skip)
 *   --instructions=30,100  also count the instructions of A and of B at these sizes under
 *                      valgrind's callgrind (default: none; a pair at N=100 takes about 4 minutes)
 *   --instruction-runs=3  pairs of valgrind runs (A and B side by side)
 *   --quick            --sizes=3,30 --runs=3 --profile-runs=0 --ablation-runs=0, a smoke test
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { diffRows, formatProfileSummary, ProfileRun, ProfileSummary, Row, summarizeProfiles } from './profile';
import { countInstructions, median, Measurement, runChild, table } from './runner';
import type { ChildResult } from './synth-child';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');

/** Targets of the issue, reported against, never enforced by fudging. */
const TARGETS = { wallRatio: 1.05, rssRatio: 1.05, growth: 1.2 };

type Variant = 'A' | 'B';

interface Options {
  readonly sizes: number[];
  readonly runs: number;
  readonly warmup: number;
  readonly profileRuns: number;
  readonly ablationRuns: number;
  /** Sizes for the instruction count under valgrind (empty: none). */
  readonly instructions: number[];
  readonly instructionRuns: number;
}

function parseOptions(argv: string[]): Options {
  let sizes = [3, 30, 100];
  let runs = 11;
  let warmup = 1;
  let profileRuns = 3;
  let ablationRuns = 5;
  let instructions: number[] = [];
  let instructionRuns = 3;
  for (const arg of argv) {
    const [key, value] = arg.split('=');
    const int = (min: number): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min) throw new Error(`${key} must be an integer of ${min} or more, got ${JSON.stringify(value)}`);
      return n;
    };
    switch (key) {
      case '--': break; // an npm / projen separator
      case '--sizes':
        sizes = (value ?? '').split(',').map((v) => Number(v));
        if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
          throw new Error(`--sizes must be positive integers separated by commas, got ${JSON.stringify(value)}`);
        }
        break;
      case '--runs': runs = int(1); break;
      case '--warmup': warmup = int(1); break;
      case '--profile-runs': profileRuns = int(0); break;
      case '--ablation-runs': ablationRuns = int(0); break;
      case '--instructions':
        instructions = (value ?? '').split(',').filter((v) => v !== '0').map((v) => Number(v));
        if (instructions.some((n) => !Number.isInteger(n) || n < 1)) {
          throw new Error(`--instructions must be positive integers separated by commas (or 0), got ${JSON.stringify(value)}`);
        }
        break;
      case '--instruction-runs': instructionRuns = int(1); break;
      case '--quick': sizes = [3, 30]; runs = 3; profileRuns = 0; ablationRuns = 0; break;
      default: throw new Error(`unknown option ${arg} (see the header of bench/run.ts)`);
    }
  }
  return { sizes, runs, warmup, profileRuns, ablationRuns, instructions, instructionRuns };
}

// --- equivalence ---------------------------------------------------------------------------------

interface Equivalence {
  readonly n: number;
  readonly stacks: number;
  readonly typesAndCountsEqual: true;
  readonly templatesByteIdentical: true;
}

/**
 * Fails loudly unless A's and B's stacks have the same resource types and counts and every template
 * is byte-identical: otherwise A/B would compare unequal work.
 */
function checkEquivalence(a: Measurement, b: Measurement): Equivalence {
  const problems: string[] = [];
  const bStacks = new Map(b.stacks.map((s) => [s.stackName, s]));
  if (a.stacks.length !== b.stacks.length) problems.push(`A has ${a.stacks.length} stacks, B has ${b.stacks.length}`);
  let identical = true;
  let firstDifference: string | undefined;
  for (const sa of a.stacks) {
    const sb = bStacks.get(sa.stackName);
    if (!sb) {
      problems.push(`stack ${sa.stackName} is in A only`);
      continue;
    }
    const types = new Set([...Object.keys(sa.types), ...Object.keys(sb.types)]);
    for (const type of [...types].sort()) {
      if ((sa.types[type] ?? 0) !== (sb.types[type] ?? 0)) {
        problems.push(`${sa.stackName}: ${type} x${sa.types[type] ?? 0} in A, x${sb.types[type] ?? 0} in B`);
      }
    }
    const ta = fs.readFileSync(path.join(a.outdir!, sa.templateFile));
    const tb = fs.readFileSync(path.join(b.outdir!, sb.templateFile));
    if (!ta.equals(tb)) {
      identical = false;
      if (firstDifference === undefined) firstDifference = describeDifference(sa.stackName, ta, tb);
    }
  }
  if (problems.length > 0) {
    throw new Error(`A and B do not produce the same resources at N=${a.n}:\n  ${problems.join('\n  ')}`);
  }
  if (!identical) {
    throw new Error(`A and B templates are not byte-identical at N=${a.n}, so A/B would compare unequal work; ` +
      `change B (bench/app-handwritten.ts) to write what A writes. First difference: ${firstDifference}`);
  }
  return { n: a.n, stacks: a.stacks.length, typesAndCountsEqual: true, templatesByteIdentical: true };
}

/** Synthesizes A and B once at `n`, keeping both assemblies, and checks them with checkEquivalence. */
function assertEquivalent(n: number): Equivalence {
  const a = runChild('A', n, { keep: true });
  const b = runChild('B', n, { keep: true });
  try {
    const eq = checkEquivalence(a, b);
    console.log(`N=${n}: ${eq.stacks} stack(s), ${a.resources} resources; resource types and counts per stack equal; templates byte-identical`);
    return eq;
  } finally {
    fs.rmSync(a.outdir!, { recursive: true, force: true });
    fs.rmSync(b.outdir!, { recursive: true, force: true });
  }
}

function describeDifference(stackName: string, ta: Buffer, tb: Buffer): string {
  type Resources = { [id: string]: unknown };
  const ra = (JSON.parse(ta.toString('utf-8')) as { Resources?: Resources }).Resources ?? {};
  const rb = (JSON.parse(tb.toString('utf-8')) as { Resources?: Resources }).Resources ?? {};
  for (const id of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    if (JSON.stringify(ra[id]) !== JSON.stringify(rb[id])) {
      return `${stackName}/${id}: A ${JSON.stringify(ra[id])?.slice(0, 300)} | B ${JSON.stringify(rb[id])?.slice(0, 300)}`;
    }
  }
  return `${stackName}: same resources, other sections differ`;
}

// --- statistics ----------------------------------------------------------------------------------


interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** (max - min) / median, in percent: the noise seen. */
  readonly spreadPct: number;
}

function stat(values: number[]): Stat {
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { median: m, min, max, spreadPct: m === 0 ? 0 : ((max - min) / m) * 100 };
}

const METRICS = [
  'wallMs', 'cpuMs', 'processMs', 'loadMs', 'constructMs', 'synthMs', 'loadCpuMs', 'constructCpuMs', 'synthCpuMs',
  'maxRssKiB', 'templateBytes', 'assemblyBytes', 'resources',
] as const;
type Metric = typeof METRICS[number];

interface VariantSummary {
  readonly runs: number;
  readonly metrics: { [m in Metric]: Stat };
  readonly annotations: ChildResult['annotations'];
  readonly load1: Stat;
}

interface SizeSummary {
  readonly n: number;
  readonly stacks: number;
  readonly A: VariantSummary;
  readonly B: VariantSummary;
  /** Ratio of the medians, A / B. */
  readonly ratio: { [m in Metric]: number };
  /** Median of the per-pair ratios A_i / B_i (pairs run back to back): a drift-robust check. */
  readonly pairedWallRatio: number;
  readonly pairedCpuRatio: number;
  /** 95 % bootstrap intervals of the ratios of the medians. */
  readonly wallRatioCi: [number, number];
  readonly cpuRatioCi: [number, number];
  readonly rssRatioCi: [number, number];
}

function summarizeVariant(runs: Measurement[]): VariantSummary {
  const metrics = {} as { [m in Metric]: Stat };
  for (const m of METRICS) metrics[m] = stat(runs.map((r) => r[m]));
  return { runs: runs.length, metrics, annotations: runs[0].annotations, load1: stat(runs.map((r) => r.load1)) };
}

/**
 * A 95 % bootstrap interval of median(a) / median(b): 2000 resamples, with a fixed seed so that
 * the same runs give the same interval. A wide interval is the noise talking.
 */
function bootstrapRatio(a: number[], b: number[]): [number, number] {
  // Park-Miller minimal standard generator: exact in doubles, no bit operators.
  let seed = 20261127;
  const random = (): number => {
    seed = (seed * 16807) % 2147483647;
    return (seed - 1) / 2147483646;
  };
  const resample = (values: number[]): number[] => values.map(() => values[Math.floor(random() * values.length)]);
  const ratios: number[] = [];
  for (let i = 0; i < 2000; i++) ratios.push(median(resample(a)) / median(resample(b)));
  ratios.sort((x, y) => x - y);
  return [ratios[Math.floor(0.025 * ratios.length)], ratios[Math.ceil(0.975 * ratios.length) - 1]];
}

function summarizeSize(n: number, a: Measurement[], b: Measurement[]): SizeSummary {
  const A = summarizeVariant(a);
  const B = summarizeVariant(b);
  const ratio = {} as { [m in Metric]: number };
  for (const m of METRICS) ratio[m] = A.metrics[m].median / B.metrics[m].median;
  return {
    n,
    stacks: a[0].stacks.length,
    A,
    B,
    ratio,
    pairedWallRatio: median(a.map((r, i) => r.wallMs / b[i].wallMs)),
    pairedCpuRatio: median(a.map((r, i) => r.cpuMs / b[i].cpuMs)),
    wallRatioCi: bootstrapRatio(a.map((r) => r.wallMs), b.map((r) => r.wallMs)),
    cpuRatioCi: bootstrapRatio(a.map((r) => r.cpuMs), b.map((r) => r.cpuMs)),
    rssRatioCi: bootstrapRatio(a.map((r) => r.maxRssKiB), b.map((r) => r.maxRssKiB)),
  };
}

// --- output --------------------------------------------------------------------------------------


const f0 = (v: number): string => v.toFixed(0);
const f2 = (v: number): string => v.toFixed(3);
const mib = (kib: number): string => (kib / 1024).toFixed(1);

function resultsTable(sizes: SizeSummary[]): string {
  const rows: string[][] = [];
  for (const s of sizes) {
    for (const v of ['A', 'B'] as const) {
      const m = s[v].metrics;
      rows.push([
        `${s.n} ${v}`,
        f0(m.wallMs.median),
        `${f0(m.wallMs.min)}-${f0(m.wallMs.max)} (${f0(m.wallMs.spreadPct)}%)`,
        f0(m.cpuMs.median),
        f0(m.processMs.median),
        f0(m.constructMs.median),
        f0(m.synthMs.median),
        mib(m.maxRssKiB.median),
        f0(m.templateBytes.median),
        f0(m.resources.median),
        s[v].load1.median.toFixed(1),
      ]);
    }
  }
  return table(
    ['N variant', 'wall ms', 'wall min-max (spread)', 'cpu ms', 'process ms', 'construct ms', 'synth ms', 'peak RSS MiB', 'template bytes', 'resources', 'load1'],
    rows,
  );
}

function cpuTable(sizes: SizeSummary[]): string {
  const rows: string[][] = [];
  for (const s of sizes) {
    for (const v of ['A', 'B'] as const) {
      const m = s[v].metrics;
      rows.push([
        `${s.n} ${v}`,
        f0(m.loadCpuMs.median),
        f0(m.constructCpuMs.median),
        f0(m.synthCpuMs.median),
        f0(m.cpuMs.median),
        `${f0(m.cpuMs.min)}-${f0(m.cpuMs.max)} (${f0(m.cpuMs.spreadPct)}%)`,
      ]);
    }
    rows.push([
      `${s.n} A/B`,
      f2(s.ratio.loadCpuMs),
      f2(s.ratio.constructCpuMs),
      f2(s.ratio.synthCpuMs),
      f2(s.ratio.cpuMs),
      '',
    ]);
  }
  return table(['N variant', 'load cpu ms', 'construct cpu ms', 'synth cpu ms', 'cpu ms', 'cpu min-max (spread)'], rows);
}

function ratioTable(sizes: SizeSummary[]): string {
  const ci = (range: [number, number]): string => `${range[0].toFixed(2)}-${range[1].toFixed(2)}`;
  return table(
    ['N', 'wall A/B', 'wall 95% CI', 'paired wall', 'cpu A/B', 'cpu 95% CI', 'paired cpu', 'process A/B', 'peak RSS A/B', 'RSS 95% CI',
      'template bytes A/B', 'resources A/B', 'assembly bytes A/B'],
    sizes.map((s) => [
      String(s.n),
      f2(s.ratio.wallMs),
      ci(s.wallRatioCi),
      f2(s.pairedWallRatio),
      f2(s.ratio.cpuMs),
      ci(s.cpuRatioCi),
      f2(s.pairedCpuRatio),
      f2(s.ratio.processMs),
      f2(s.ratio.maxRssKiB),
      ci(s.rssRatioCi),
      f2(s.ratio.templateBytes),
      f2(s.ratio.resources),
      f2(s.ratio.assemblyBytes),
    ]),
  );
}

interface Growth {
  readonly from: number;
  readonly to: number;
  /** Per variant: (median construct + synth wall ms / N) at `to` over the same at `from`. */
  readonly perServiceRatio: { readonly A: number; readonly B: number };
  /** Per variant: the same with the headline wall time (includes the fixed cost of loading). */
  readonly perServiceWallRatio: { readonly A: number; readonly B: number };
  /** Per variant: the same with CPU time (construct + synth), less sensitive to load. */
  readonly perServiceCpuRatio: { readonly A: number; readonly B: number };
  /**
   * Marginal CPU ms per added service between consecutive sizes, per variant: flat or falling
   * means linear growth once fixed costs are out; rising means superlinear.
   */
  readonly marginalCpuMsPerService: Array<{ readonly from: number; readonly to: number; readonly A: number; readonly B: number }>;
}

function growth(sizes: SizeSummary[]): Growth | undefined {
  if (sizes.length < 2) return undefined;
  const [from, to] = sizes.slice(-2);
  const per = (s: SizeSummary, v: Variant, key: 'work' | 'wall' | 'cpu'): number => {
    const m = s[v].metrics;
    if (key === 'wall') return m.wallMs.median / s.n;
    if (key === 'cpu') return (m.constructCpuMs.median + m.synthCpuMs.median) / s.n;
    return (m.constructMs.median + m.synthMs.median) / s.n;
  };
  const ratio = (key: 'work' | 'wall' | 'cpu'): { A: number; B: number } =>
    ({ A: per(to, 'A', key) / per(from, 'A', key), B: per(to, 'B', key) / per(from, 'B', key) });
  const work = (s: SizeSummary, v: Variant): number => s[v].metrics.constructCpuMs.median + s[v].metrics.synthCpuMs.median;
  return {
    from: from.n,
    to: to.n,
    perServiceRatio: ratio('work'),
    perServiceWallRatio: ratio('wall'),
    perServiceCpuRatio: ratio('cpu'),
    marginalCpuMsPerService: sizes.slice(1).map((s, i) => ({
      from: sizes[i].n,
      to: s.n,
      A: (work(s, 'A') - work(sizes[i], 'A')) / (s.n - sizes[i].n),
      B: (work(s, 'B') - work(sizes[i], 'B')) / (s.n - sizes[i].n),
    })),
  };
}

function machine(): { [key: string]: string | number } {
  const sh = (cmd: string, args: string[]): string => {
    const r = spawnSync(cmd, args, { encoding: 'utf-8' });
    return r.status === 0 ? r.stdout.trim() : `(${cmd} failed)`;
  };
  const cdkPackage = path.join(REPO_ROOT, 'node_modules', 'aws-cdk-lib', 'package.json');
  const cdkVersion = (JSON.parse(fs.readFileSync(cdkPackage, 'utf-8')) as { version: string }).version;
  return {
    nproc: sh('nproc', []),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    freeH: sh('free', ['-h']),
    node: process.version,
    awsCdkLib: cdkVersion,
    platform: `${os.platform()} ${os.release()}`,
    gitHead: sh('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD']),
    srcUncommitted: sh('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--', 'src']).split('\n').filter(Boolean).length,
  };
}

// --- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const env = machine();
  console.log(`cdk-xray-ecs synth benchmark, ${startedAt.toISOString()}`);
  console.log(`node ${env.node}, aws-cdk-lib ${env.awsCdkLib}, ${env.nproc} cores (${env.cpuModel}), load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`sizes ${options.sizes.join(', ')}; ${options.warmup} warm-up + ${options.runs} timed runs per variant and size, alternating A/B\n`);

  const equivalence: Equivalence[] = [];
  const runs: Measurement[] = [];
  const sizes: SizeSummary[] = [];
  for (const n of options.sizes) {
    // Warm-up, the first pair kept on disk for the equivalence check.
    for (let w = 0; w < options.warmup; w++) {
      if (w === 0) {
        equivalence.push(assertEquivalent(n));
      } else {
        runChild('A', n);
        runChild('B', n);
      }
    }
    const a: Measurement[] = [];
    const b: Measurement[] = [];
    for (let i = 0; i < options.runs; i++) {
      // ABBA order: A first in even pairs, B first in odd ones, so slow drift favours neither.
      const order: Variant[] = i % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
      for (const v of order) {
        const m = runChild(v, n);
        (v === 'A' ? a : b).push(m);
        runs.push(m);
        process.stdout.write(`  N=${n} ${v} run ${i + 1}/${options.runs}: wall ${m.wallMs.toFixed(0)} ms, cpu ${m.cpuMs.toFixed(0)} ms, ` +
          `process ${m.processMs.toFixed(0)} ms, rss ${mib(m.maxRssKiB)} MiB, load ${m.load1.toFixed(1)}\n`);
      }
    }
    sizes.push(summarizeSize(n, a, b));
  }

  console.log('\nMedians (wall = from before require(\'aws-cdk-lib\') to app.synth() returning, in the child):\n');
  const results = resultsTable(sizes);
  console.log(results);
  console.log('\nCPU time (user + system, all threads) by phase, medians:\n');
  const cpu = cpuTable(sizes);
  console.log(cpu);
  console.log('\nA/B ratios (of the medians; "paired" = median of A_i / B_i over back-to-back pairs):\n');
  const ratios = ratioTable(sizes);
  console.log(ratios);

  const g = growth(sizes);
  const largest = sizes[sizes.length - 1];
  const verdict = {
    [`wall A/B at N=${largest.n} <= ${TARGETS.wallRatio}`]: largest.ratio.wallMs <= TARGETS.wallRatio,
    [`peak RSS A/B at N=${largest.n} <= ${TARGETS.rssRatio}`]: largest.ratio.maxRssKiB <= TARGETS.rssRatio,
    ...(g ? { [`A per-service (construct + synth) time N=${g.from} -> N=${g.to} within ${TARGETS.growth}x`]: g.perServiceRatio.A <= TARGETS.growth } : {}),
  };
  if (g) {
    console.log(`\nGrowth N=${g.from} -> N=${g.to}, per-service time ratio (construct + synth): wall A ${f2(g.perServiceRatio.A)}, B ${f2(g.perServiceRatio.B)}; ` +
      `cpu A ${f2(g.perServiceCpuRatio.A)}, B ${f2(g.perServiceCpuRatio.B)}; headline wall incl. load A ${f2(g.perServiceWallRatio.A)}, B ${f2(g.perServiceWallRatio.B)}`);
    console.log(`Marginal cpu ms per added service (construct + synth): ${g.marginalCpuMsPerService
      .map((m) => `N=${m.from}->${m.to} A ${m.A.toFixed(1)}, B ${m.B.toFixed(1)}`).join('; ')}`);
  }
  console.log('\nTargets:');
  for (const [name, ok] of Object.entries(verdict)) console.log(`  ${ok ? 'MET    ' : 'NOT MET'}  ${name}`);

  // Ablation: A with the daemon's end-of-life INFO notice (one per sidecar) switched off by context.
  let ablation: { n: number; runs: number; A: VariantSummary; quiet: VariantSummary; cpuRatio: number; cpuRatioCi: [number, number] } | undefined;
  if (options.ablationRuns > 0) {
    const n = largest.n;
    const loud: Measurement[] = [];
    const quiet: Measurement[] = [];
    for (let i = 0; i < options.ablationRuns; i++) {
      for (const which of i % 2 === 0 ? ['loud', 'quiet'] : ['quiet', 'loud']) {
        const m = runChild('A', n, { context: which === 'quiet' ? ['xray:daemonEndOfLifeNotice=false'] : [] });
        (which === 'quiet' ? quiet : loud).push(m);
      }
    }
    ablation = {
      n,
      runs: options.ablationRuns,
      A: summarizeVariant(loud),
      quiet: summarizeVariant(quiet),
      cpuRatio: median(loud.map((r) => r.cpuMs)) / median(quiet.map((r) => r.cpuMs)),
      cpuRatioCi: bootstrapRatio(loud.map((r) => r.cpuMs), quiet.map((r) => r.cpuMs)),
    };
    const a = ablation.A.metrics;
    const q = ablation.quiet.metrics;
    console.log(`\nAblation at N=${n}, ${options.ablationRuns} runs each: A vs A with xray:daemonEndOfLifeNotice=false ` +
      `(info annotations ${ablation.A.annotations.info} vs ${ablation.quiet.annotations.info}):`);
    console.log(`  cpu ${f0(a.cpuMs.median)} vs ${f0(q.cpuMs.median)} ms (ratio ${f2(ablation.cpuRatio)}, 95% CI ${ablation.cpuRatioCi.map((v) => v.toFixed(2)).join('-')}), ` +
      `synth cpu ${f0(a.synthCpuMs.median)} vs ${f0(q.synthCpuMs.median)} ms, wall ${f0(a.wallMs.median)} vs ${f0(q.wallMs.median)} ms, ` +
      `peak RSS ${mib(a.maxRssKiB.median)} vs ${mib(q.maxRssKiB.median)} MiB, assembly ${f0(a.assemblyBytes.median)} vs ${f0(q.assemblyBytes.median)} bytes`);
  }

  // Call counts (a diagnostic child run, not timed): where A repeats aws-cdk-lib work B does once.
  const countA = runChild('A', largest.n, { countCalls: true }).calls ?? {};
  const countB = runChild('B', largest.n, { countCalls: true }).calls ?? {};
  const callCounts = Object.keys(countA).map((fn) => ({
    fn,
    A: countA[fn],
    B: countB[fn] ?? { calls: 0 },
    extraCallsPerService: (countA[fn].calls - (countB[fn]?.calls ?? 0)) / largest.n,
  }));
  const cpuCell = (ms: number | undefined): string => (ms === undefined ? '' : ms.toFixed(1));
  console.log(`\nCalls of selected aws-cdk-lib functions at N=${largest.n} (one diagnostic run each; cpu ms = inside the outermost calls):\n`);
  const calls = table(['function', 'A calls', 'B calls', 'A - B calls per service', 'A cpu ms', 'B cpu ms'], callCounts.map((c) => [
    c.fn, String(c.A.calls), String(c.B.calls), c.extraCallsPerService.toFixed(2), cpuCell(c.A.cpuMs), cpuCell(c.B.cpuMs),
  ]));
  console.log(calls);

  let profiles: { A?: ProfileSummary; B?: ProfileSummary; dir?: string } = {};
  if (options.profileRuns > 0) {
    const n = largest.n;
    const dir = path.join(RESULTS_DIR, `profiles-${stamp}`);
    fs.mkdirSync(dir, { recursive: true });
    const files: { A: ProfileRun[]; B: ProfileRun[] } = { A: [], B: [] };
    console.log(`\nProfiling N=${n} (node --cpu-prof, 250 us sampling), ${options.profileRuns} run(s) each of A and B into ${path.relative(REPO_ROOT, dir)}`);
    for (let i = 0; i < options.profileRuns; i++) {
      for (const v of (i % 2 === 0 ? ['A', 'B'] : ['B', 'A']) as Variant[]) {
        const name = `${v}-${n}-${i + 1}.cpuprofile`;
        const m = runChild(v, n, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`, '--cpu-prof-interval=250'] });
        files[v].push({ file: path.join(dir, name), cpuMs: m.cpuMs });
      }
    }
    profiles = { dir, A: summarizeProfiles(files.A, REPO_ROOT), B: summarizeProfiles(files.B, REPO_ROOT) };
    console.log(`\n${formatProfileSummary(`A (library) N=${n}`, profiles.A!)}`);
    console.log(`\nB (hand-written) N=${n}: phases ${Object.entries(profiles.B!.phases).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')}`);
    const print = (heading: string, rows: Row[]): void => {
      console.log(`\n${heading}`);
      for (const r of rows) console.log(`  ${`${r.ms >= 0 ? '+' : ''}${r.ms.toFixed(1)} ms`.padStart(11)}  ${r.fn}`);
    };
    print(`Self time A - B per run, CPU-normalized ms (N=${n}, top 15; differences of a few ms are noise):`,
      diffRows(profiles.A!.selfAll, profiles.B!.selfAll));
    const shared = (fn: string): boolean => / (aws-cdk-lib|constructs)\//.test(fn);
    print(`Inclusive time A - B per run, CPU-normalized ms, aws-cdk-lib and constructs functions (N=${n}, top 15):`,
      diffRows(profiles.A!.inclusiveAll, profiles.B!.inclusiveAll, 15, shared));
  }

  // Instruction counts: what the machine's load cannot change. A and B of a pair run side by side
  // (one per core); a count covers the whole process, Node's start-up and the template read-back
  // included, which are the same for A and B.
  interface InstructionCount { n: number; A: number[]; B: number[]; ratio: number; extra: number }
  const instructions: InstructionCount[] = [];
  if (options.instructions.length > 0) {
    const probe = spawnSync('valgrind', ['--version'], { encoding: 'utf-8' });
    if (probe.error || probe.status !== 0) {
      console.log('\nInstruction count skipped: valgrind is not installed (apt-get install valgrind)');
    } else {
      const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
      const spread = (xs: number[]): string => `${(((Math.max(...xs) - Math.min(...xs)) / median(xs)) * 100).toFixed(1)} %`;
      for (const n of options.instructions) {
        if (!equivalence.some((eq) => eq.n === n)) equivalence.push(assertEquivalent(n));
        console.log(`\nInstruction count at N=${n} (${probe.stdout.trim()} --tool=callgrind), ${options.instructionRuns} pair(s) of A and B, side by side:`);
        const counts: { A: number[]; B: number[] } = { A: [], B: [] };
        for (let i = 0; i < options.instructionRuns; i++) {
          const [a, b] = await Promise.all([countInstructions('A', n), countInstructions('B', n)]);
          counts.A.push(a);
          counts.B.push(b);
          console.log(`  pair ${i + 1}: A ${fmt(a)}, B ${fmt(b)}, A/B ${(a / b).toFixed(4)}`);
        }
        const mA = median(counts.A);
        const mB = median(counts.B);
        instructions.push({ n, ...counts, ratio: mA / mB, extra: mA - mB });
        console.log(`  medians: A ${fmt(mA)} (spread ${spread(counts.A)}), B ${fmt(mB)} (spread ${spread(counts.B)}); A/B ${(mA / mB).toFixed(4)}; A - B ${fmt(mA - mB)}`);
      }
      if (instructions.length >= 2) {
        // Two sizes separate the library's fixed cost (loading its modules) from its cost per service.
        const [lo, hi] = [instructions[instructions.length - 2], instructions[instructions.length - 1]];
        const perService = (hi.extra - lo.extra) / (hi.n - lo.n);
        console.log(`  A - B per added service, N=${lo.n} -> N=${hi.n}: ${fmt(perService)} instructions; ` +
          `fixed (extrapolated to N=0): ${fmt(lo.extra - perService * lo.n)}`);
      }
    }
  }

  const out = path.join(RESULTS_DIR, `bench-${stamp}.json`);
  fs.writeFileSync(out, JSON.stringify({
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: env,
    options,
    timed: 'wallMs: child, from before require(\'aws-cdk-lib\') to app.synth() returning; processMs: parent, spawnSync of the whole child',
    equivalence,
    sizes,
    growth: g,
    targets: TARGETS,
    verdict,
    tables: { results, cpu, ratios, calls },
    callCounts,
    ablation,
    profiles,
    instructions,
    runs,
  }, null, 2));
  fs.writeFileSync(path.join(RESULTS_DIR, `bench-${stamp}.md`), `${results}\n\n${cpu}\n\n${ratios}\n`);
  console.log(`\nWrote ${path.relative(REPO_ROOT, out)} (and .md with the tables)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
