/**
 * What some tests read from the build, and how jest's global setup makes it before they run, so
 * `npx jest` works right after `npm ci`:
 *
 * - `.jsii` and `lib/` (`npx projen compile`): the Python replay and the enum check
 *   (test/bindings/), the shipped command (test/cli/), the source maps (test/build/).
 * - `.jsii.tabl.json` (`npx projen rosetta`, after compile): the README's Python sections checked
 *   against jsii-rosetta's translations (test/bindings/, test/build/bindings.test.ts).
 * - `dist/bindings/` (`npx projen bindings`, after rosetta): the generated Python binding
 *   (test/build/bindings.test.ts).
 *
 * Each is made only when the run selects a test that reads it and it is missing or older than
 * what it is built from. In `npx projen build` both are already fresh: nothing runs.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const REPO_ROOT = path.join(__dirname, '..', '..');

/** One build output: the task that writes it, the files it reads, the tests that need it. */
export interface BuildOutput {
  readonly task: string;
  /** Written by the task; the first one's time is compared with the inputs'. */
  readonly outputs: readonly string[];
  /** Files or folders (every `.ts` and `.md` below) the task reads. */
  readonly inputs: readonly string[];
  /** Test paths (relative to the repository, `/`) that read the outputs. */
  readonly readers: RegExp;
}

export const BUILD_OUTPUTS: readonly BuildOutput[] = [
  {
    task: 'compile',
    outputs: ['.jsii', 'lib/index.js'],
    inputs: ['src', 'README.md', 'package.json'],
    readers: /^test\/(bindings\/|cli\/|build\/(source-maps|bindings)\.test\.ts$)/,
  },
  {
    task: 'rosetta',
    outputs: ['.jsii.tabl.json', 'rosetta/default.ts-fixture'],
    inputs: ['.jsii'],
    readers: /^test\/(bindings\/jsii-python|build\/bindings)\.test\.ts$/,
  },
  {
    task: 'bindings',
    outputs: ['dist/bindings/python/src/cdk_xray_ecs/__init__.py'],
    inputs: ['.jsii', '.jsii.tabl.json'],
    readers: /^test\/build\/bindings\.test\.ts$/,
  },
];

function newestInput(file: string): number {
  if (!fs.existsSync(file)) return 0;
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(file, { withFileTypes: true })) {
    const full = path.join(file, entry.name);
    if (entry.isDirectory() || /\.(ts|md)$/.test(entry.name)) newest = Math.max(newest, newestInput(full));
  }
  return newest;
}

/** Why `output` must be built again under `root`, or `undefined` when it is fresh. */
export function staleReason(output: BuildOutput, root: string = REPO_ROOT): string | undefined {
  const missing = output.outputs.filter((f) => !fs.existsSync(path.join(root, f)));
  if (missing.length > 0) return `${missing.join(' and ')} missing`;
  const built = fs.statSync(path.join(root, output.outputs[0])).mtimeMs;
  const newer = output.inputs.filter((f) => newestInput(path.join(root, f)) > built);
  return newer.length > 0 ? `${newer.join(', ')} changed since ${output.outputs[0]} was written` : undefined;
}

/**
 * Whether a run with these test path patterns (jest's `--testPathPatterns`, regular expressions
 * matched against a test's path; none: every test) selects a test that `readers` matches.
 */
export function selects(patterns: readonly string[], readers: RegExp, root: string = REPO_ROOT): boolean {
  if (patterns.length === 0) return true;
  const tests = testFiles(path.join(root, 'test')).map((f) => path.relative(root, f).split(path.sep).join('/'));
  return tests.some((rel) => readers.test(rel) &&
    patterns.some((p) => new RegExp(p, 'i').test(rel) || new RegExp(p, 'i').test(path.join(root, rel))));
}

function testFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf-8' })
    .filter((name) => name.endsWith('.test.ts') && !name.split(path.sep).includes('node_modules'))
    .map((name) => path.join(dir, name));
}

/** Runs `npx projen <task>` for every output the selected tests read that is missing or stale. */
export function buildWhatTestsRead(patterns: readonly string[], write: (line: string) => void = (l) => process.stderr.write(l + '\n')): void {
  for (const output of BUILD_OUTPUTS) {
    if (!selects(patterns, output.readers)) continue;
    const reason = staleReason(output);
    if (reason === undefined) continue;
    write(`jest: ${reason}: running \`npx projen ${output.task}\` before the tests (about a minute)`);
    const result = spawnSync('npx', ['projen', output.task], { cwd: REPO_ROOT, encoding: 'utf-8', timeout: 600_000 });
    if (result.status !== 0) {
      throw new Error(`jest: \`npx projen ${output.task}\` failed (exit ${result.status}); fix it, then run jest again\n${result.stdout}\n${result.stderr}`);
    }
  }
}
