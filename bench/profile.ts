/**
 * Reads V8 `.cpuprofile` files (from `node --cpu-prof`) and summarizes where the time goes, with
 * the library's compiled files (bench/results/build/src/...) mapped back to src/*.ts lines
 * through their inline source maps.
 */
import * as fs from 'fs';
import * as path from 'path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** Where a frame's code lives. */
export type Category = 'library' | 'bench-app' | 'aws-cdk-lib' | 'constructs' | 'other-node-modules' | 'node' | 'gc' | 'vm';

/** One row of a ranking: a function and the milliseconds attributed to it. */
export interface Row {
  readonly fn: string;
  readonly ms: number;
  /** For the "under" ranking: the non-library functions it spent that time in, the top few. */
  readonly callees?: Array<{ readonly fn: string; readonly ms: number }>;
}

/** What {@link summarizeProfiles} returns, averaged over the profiles given (ms per run). */
export interface ProfileSummary {
  readonly runs: number;
  /** Whether the figures are CPU-normalized (see {@link summarizeProfiles}). */
  readonly cpuNormalized: boolean;
  readonly sampledMs: number;
  /** Self time by where the code lives. */
  readonly selfByCategory: { [category: string]: number };
  /** Time of each phase of the child (samples under benchLoad / benchConstruct / benchSynth). */
  readonly phases: { [phase: string]: number };
  /** Samples with at least one library frame on the stack, by phase. */
  readonly underLibraryByPhase: { [phase: string]: number };
  /** Library functions by self time. */
  readonly librarySelf: Row[];
  /** Library functions by inclusive time (each function counted once per sample). */
  readonly libraryInclusive: Row[];
  /**
   * Library functions by the time spent in code they call directly or indirectly that is not
   * itself library code (the innermost library frame of each sample), with its top callees.
   */
  readonly libraryUnder: Row[];
  /** Overall top self-time functions (any file). */
  readonly topSelf: Row[];
  /** Self time of the top 300 functions, any file, for diffs between A and B. */
  readonly selfAll: { [fn: string]: number };
  /** Inclusive time of the top 300 functions, any file, for diffs between A and B. */
  readonly inclusiveAll: { [fn: string]: number };
}

const LIBRARY_MARKER = `${path.sep}bench${path.sep}results${path.sep}build${path.sep}src${path.sep}`;
const BENCH_MARKER = `${path.sep}bench${path.sep}results${path.sep}build${path.sep}bench${path.sep}`;

function fileOf(url: string): string {
  return url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
}

export function categorize(frame: CallFrame): Category {
  const file = fileOf(frame.url);
  if (file.includes(LIBRARY_MARKER)) return 'library';
  if (file.includes(BENCH_MARKER)) return 'bench-app';
  if (file.includes(`${path.sep}node_modules${path.sep}aws-cdk-lib${path.sep}`)) return 'aws-cdk-lib';
  if (file.includes(`${path.sep}node_modules${path.sep}constructs${path.sep}`)) return 'constructs';
  if (file.includes(`${path.sep}node_modules${path.sep}`)) return 'other-node-modules';
  if (frame.functionName === '(garbage collector)') return 'gc';
  if (file === '') return 'vm';
  return 'node';
}

// --- inline source maps of the compiled library, to report src/*.ts lines --------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

interface Mapping {
  readonly genCol: number;
  readonly source: string;
  readonly line: number;
}

const sourceMaps = new Map<string, Mapping[][] | undefined>();

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    // Base64 VLQ: 5 value bits per digit, the 6th (32) says more digits follow; the lowest bit of
    // the value is its sign. Arithmetic rather than bit operators (the lint forbids those).
    const digit = B64.indexOf(ch);
    value += (digit % 32) * 2 ** shift;
    if (digit >= 32) {
      shift += 5;
    } else {
      const magnitude = Math.floor(value / 2);
      values.push(value % 2 === 1 ? -magnitude : magnitude);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

function loadSourceMap(file: string): Mapping[][] | undefined {
  if (sourceMaps.has(file)) return sourceMaps.get(file);
  let lines: Mapping[][] | undefined;
  try {
    const text = fs.readFileSync(file, 'utf-8');
    // The map is inlined (data: URL) or, as this project compiles, a file beside the JavaScript.
    const match = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text);
    if (match) {
      const inline = /^data:application\/json;base64,(.*)$/.exec(match[1]);
      const json = inline
        ? Buffer.from(inline[1], 'base64').toString('utf-8')
        : fs.readFileSync(path.resolve(path.dirname(file), match[1]), 'utf-8');
      const map = JSON.parse(json) as { sources: string[]; mappings: string };
      lines = [];
      let source = 0;
      let line = 0;
      for (const lineText of map.mappings.split(';')) {
        const row: Mapping[] = [];
        let genCol = 0;
        for (const segment of lineText.split(',')) {
          if (segment === '') continue;
          const v = decodeVlq(segment);
          genCol += v[0];
          if (v.length >= 4) {
            source += v[1];
            line += v[2];
            row.push({ genCol, source: map.sources[source], line });
          }
        }
        lines.push(row);
      }
    }
  } catch {
    // A profile read on another machine: report the compiled file and line instead.
    lines = undefined;
  }
  sourceMaps.set(file, lines);
  return lines;
}

/** `src/dir/file.ts:line` for a library frame (1-based line), else `file:line` relative to the repo. */
function location(frame: CallFrame, repoRoot: string): string {
  const file = fileOf(frame.url);
  if (file.includes(LIBRARY_MARKER)) {
    const lines = loadSourceMap(file);
    const row = lines?.[frame.lineNumber];
    if (row && row.length > 0) {
      const hit = [...row].reverse().find((m) => m.genCol <= frame.columnNumber) ?? row[0];
      const src = path.relative(repoRoot, path.resolve(path.dirname(file), hit.source));
      // The compiled file sits at bench/results/build/src/x.js and its map says ../../../../src/x.ts
      return `${src.replace(/^(\.\.\/)+/, '')}:${hit.line + 1}`;
    }
  }
  if (file === '') return '';
  const rel = (file.startsWith(repoRoot) ? path.relative(repoRoot, file) : file).replace(/^node_modules\//, '');
  // aws-cdk-lib ships minified one-line files: name the column of anonymous functions instead.
  return frame.lineNumber === 0 && !frame.functionName ? `${rel}:1:${frame.columnNumber + 1}` : `${rel}:${frame.lineNumber + 1}`;
}

function label(frame: CallFrame, repoRoot: string): string {
  const name = frame.functionName || '(anonymous)';
  const where = location(frame, repoRoot);
  return where ? `${name} ${where}` : name;
}

const PHASES = ['benchLoad', 'benchConstruct', 'benchSynth'];

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

function top(map: Map<string, number>, runs: number, count: number): Row[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([fn, ms]) => ({ fn, ms: ms / runs }));
}

/** A profile file and the CPU time its run reported (for CPU normalization), if known. */
export interface ProfileRun {
  readonly file: string;
  /** The child's cpuMs: the sampled time of its three phases is scaled to this. */
  readonly cpuMs?: number;
}

/**
 * Summarizes one or more profiles of the same kind of run; every figure is per run (the mean).
 *
 * V8 samples on wall-clock time: on a busy machine, time the process waited for a core is spread
 * over whatever was sampled next. With `cpuMs` given, each profile is scaled so that its three
 * phases (load, construct, synth) add up to the CPU time the run measured: figures are then
 * CPU-normalized milliseconds, comparable between runs made under different load.
 */
export function summarizeProfiles(runsIn: ProfileRun[], repoRoot: string, count = 15): ProfileSummary {
  const selfByCategory = new Map<string, number>();
  const phases = new Map<string, number>();
  const underLibraryByPhase = new Map<string, number>();
  const librarySelf = new Map<string, number>();
  const libraryInclusive = new Map<string, number>();
  const libraryUnder = new Map<string, number>();
  const libraryUnderCallees = new Map<string, Map<string, number>>();
  const topSelf = new Map<string, number>();
  const inclusiveAll = new Map<string, number>();
  let sampledMs = 0;

  for (const { file, cpuMs } of runsIn) {
    const profile = JSON.parse(fs.readFileSync(file, 'utf-8')) as CpuProfile;
    const byId = new Map<number, ProfileNode>();
    const parent = new Map<number, number>();
    for (const node of profile.nodes) {
      byId.set(node.id, node);
      for (const child of node.children ?? []) parent.set(child, node.id);
    }
    // Memoized per node: its stack from root to itself.
    const stacks = new Map<number, ProfileNode[]>();
    const stackOf = (id: number): ProfileNode[] => {
      const cached = stacks.get(id);
      if (cached) return cached;
      const p = parent.get(id);
      const stack = p === undefined ? [byId.get(id)!] : [...stackOf(p), byId.get(id)!];
      stacks.set(id, stack);
      return stack;
    };

    const deltas = profile.timeDeltas;
    // A sample lasts until the next one; the last one gets the mean interval.
    const rawMs = profile.samples.map((_, i) =>
      Math.max(0, i + 1 < deltas.length ? deltas[i + 1] : (profile.endTime - profile.startTime) / profile.samples.length) / 1000);
    const phaseOf = (i: number): string =>
      stackOf(profile.samples[i]).map((n) => n.callFrame.functionName).find((name) => PHASES.includes(name)) ?? 'outside';
    let scale = 1;
    if (cpuMs !== undefined) {
      const phased = rawMs.reduce((a, ms, i) => a + (phaseOf(i) === 'outside' ? 0 : ms), 0);
      if (phased > 0) scale = cpuMs / phased;
    }
    for (let i = 0; i < profile.samples.length; i++) {
      const ms = rawMs[i] * scale;
      sampledMs += ms;
      const stack = stackOf(profile.samples[i]);
      const leaf = stack[stack.length - 1];
      const leafCategory = categorize(leaf.callFrame);
      add(selfByCategory, leafCategory, ms);
      if (leaf.callFrame.functionName !== '(idle)' && leaf.callFrame.functionName !== '(program)') {
        add(topSelf, label(leaf.callFrame, repoRoot), ms);
      }

      const phase = phaseOf(i);
      add(phases, phase, ms);

      let innermost = -1;
      const seen = new Set<string>();
      stack.forEach((node, index) => {
        const isLibrary = categorize(node.callFrame) === 'library';
        if (isLibrary) innermost = index;
        const key = label(node.callFrame, repoRoot);
        if (seen.has(key)) return;
        seen.add(key);
        add(inclusiveAll, key, ms);
        if (isLibrary) add(libraryInclusive, key, ms);
      });
      if (innermost >= 0) {
        add(underLibraryByPhase, phase, ms);
        const key = label(stack[innermost].callFrame, repoRoot);
        if (innermost === stack.length - 1) {
          add(librarySelf, key, ms);
        } else {
          add(libraryUnder, key, ms);
          const callee = label(stack[innermost + 1].callFrame, repoRoot);
          let callees = libraryUnderCallees.get(key);
          if (!callees) {
            callees = new Map();
            libraryUnderCallees.set(key, callees);
          }
          add(callees, callee, ms);
        }
      }
    }
  }

  const runs = Math.max(1, runsIn.length);
  const perRun = (map: Map<string, number>): { [key: string]: number } =>
    Object.fromEntries([...map.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / runs]));
  return {
    runs: runsIn.length,
    cpuNormalized: runsIn.every((r) => r.cpuMs !== undefined),
    sampledMs: sampledMs / runs,
    selfByCategory: perRun(selfByCategory),
    phases: perRun(phases),
    underLibraryByPhase: perRun(underLibraryByPhase),
    librarySelf: top(librarySelf, runs, count),
    libraryInclusive: top(libraryInclusive, runs, count),
    libraryUnder: top(libraryUnder, runs, count).map((row) => ({
      ...row,
      callees: top(libraryUnderCallees.get(row.fn) ?? new Map(), runs, 3),
    })),
    topSelf: top(topSelf, runs, count),
    selfAll: Object.fromEntries(top(topSelf, runs, 300).map((r) => [r.fn, r.ms])),
    inclusiveAll: Object.fromEntries(top(inclusiveAll, runs, 300).map((r) => [r.fn, r.ms])),
  };
}

/**
 * Functions that take more time in `a` than in `b` (ms per run), largest first; `keep` filters the
 * function labels compared (e.g. only aws-cdk-lib's, which exist in both runs).
 */
export function diffRows(
  a: { [fn: string]: number },
  b: { [fn: string]: number },
  count = 15,
  keep: (fn: string) => boolean = () => true,
): Row[] {
  return Object.keys({ ...a, ...b })
    .filter(keep)
    .map((fn) => ({ fn, ms: (a[fn] ?? 0) - (b[fn] ?? 0) }))
    .sort((x, y) => y.ms - x.ms)
    .slice(0, count);
}

/** The summary as text for the terminal. */
export function formatProfileSummary(title: string, s: ProfileSummary): string {
  const ms = (v: number | undefined): string => `${(v ?? 0).toFixed(1)} ms`;
  const out: string[] = [];
  out.push(`${title}: ${s.runs} profile(s), ${ms(s.sampledMs)} per run` +
    (s.cpuNormalized ? ' (CPU-normalized: load + construct + synth scaled to the run\'s CPU time)' : ' (wall-clock sampled)'));
  out.push(`  phases:          ${Object.entries(s.phases).map(([k, v]) => `${k} ${ms(v)}`).join(', ')}`);
  out.push(`  under library:   ${Object.entries(s.underLibraryByPhase).map(([k, v]) => `${k} ${ms(v)}`).join(', ') || 'none'}`);
  out.push(`  self by origin:  ${Object.entries(s.selfByCategory).map(([k, v]) => `${k} ${ms(v)}`).join(', ')}`);
  const rows = (heading: string, list: Row[]): void => {
    out.push(`  ${heading}`);
    if (list.length === 0) out.push('    (none)');
    for (const row of list) {
      out.push(`    ${ms(row.ms).padStart(10)}  ${row.fn}`);
      for (const c of row.callees ?? []) out.push(`    ${''.padStart(10)}    <- ${ms(c.ms)} in ${c.fn}`);
    }
  };
  rows('library functions by self time:', s.librarySelf);
  rows('library functions by inclusive time:', s.libraryInclusive);
  rows('library functions by time in the non-library code they call (innermost library frame):', s.libraryUnder);
  rows('top self time, any file:', s.topSelf);
  return out.join('\n');
}
