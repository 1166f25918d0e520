/**
 * The packaging guard (projenrc/package-guard.ts), first step of `npx projen package` and
 * `package:js`: it stops a fresh clone (no lib/) and a lib/ with the compiler's eager index from
 * being packed, saying to run `npx projen compile`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LAZY_INDEX_MARKER, renderLazyIndex } from '../../projenrc/lazy-index';
import { COMPILE_FIRST, packageProblem } from '../../projenrc/package-guard';

const REPO_ROOT = path.join(__dirname, '..', '..');
const EAGER_INDEX = '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n__exportStar(require("./alpha"), exports);\n';

/** A package root in a temp dir with `.jsii` and, unless `index` is undefined, lib/index.js. */
function fixtureRoot(index: string | undefined, jsii = true): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'package-guard-'));
  if (jsii) fs.writeFileSync(path.join(root, '.jsii'), '{}');
  if (index !== undefined) {
    fs.mkdirSync(path.join(root, 'lib'));
    fs.writeFileSync(path.join(root, 'lib', 'index.js'), index);
  }
  return root;
}

/** Runs the guard the way the package task does, in `cwd`. */
function runGuard(cwd: string): { status: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync(process.execPath, [
    '-r', require.resolve('ts-node/register/transpile-only'), path.join(REPO_ROOT, 'projenrc', 'package-guard.ts'),
  ], { cwd, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(REPO_ROOT, 'projenrc', 'tsconfig.json') } });
  return { status, stdout, stderr };
}

describe('packageProblem', () => {
  test('passes the lazy index', () => {
    const root = fixtureRoot(renderLazyIndex([{ specifier: './alpha', names: ['Alpha'] }]));
    expect(packageProblem(root)).toBeUndefined();
  });

  test('refuses the compiler\'s eager index, saying to compile first', () => {
    const root = fixtureRoot(EAGER_INDEX);
    expect(packageProblem(root)).toBe(
      `${path.join(root, 'lib', 'index.js')} is the compiler's eager index, not the lazy one the package ships (its first line is not ${LAZY_INDEX_MARKER}): ${COMPILE_FIRST}`,
    );
  });

  test('refuses a root without lib/ (a fresh clone)', () => {
    const root = fixtureRoot(undefined);
    expect(packageProblem(root)).toBe(`${path.join(root, 'lib', 'index.js')} does not exist: ${COMPILE_FIRST}`);
  });

  test('refuses a lazy index without .jsii', () => {
    const root = fixtureRoot(renderLazyIndex([{ specifier: './alpha', names: ['Alpha'] }]), false);
    expect(packageProblem(root)).toBe(`${path.join(root, '.jsii')} does not exist: ${COMPILE_FIRST}`);
  });

  test('the advice names the command', () => {
    expect(COMPILE_FIRST).toContain('`npx projen compile`');
  });
});

describe('the guard as the package task runs it', () => {
  test('exits 1 on an eager index with the message on stderr, paths relative to the package root', () => {
    const root = fixtureRoot(EAGER_INDEX);
    const result = runGuard(root);
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: `package: lib/index.js is the compiler's eager index, not the lazy one the package ships (its first line is not ${LAZY_INDEX_MARKER}): ${COMPILE_FIRST}\n`,
    });
  }, 60_000);

  test('exits 0 on a lazy index', () => {
    const root = fixtureRoot(renderLazyIndex([{ specifier: './alpha', names: ['Alpha'] }]));
    expect(runGuard(root)).toEqual({ status: 0, stdout: 'package: lib/index.js is the lazy index\n', stderr: '' });
  }, 60_000);

  test('is the first step of package and package:js, and compile prunes lib/ and makes the index lazy right after jsii', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, '.projen', 'tasks.json'), 'utf-8')).tasks as
      Record<string, { steps: Array<{ exec?: string; spawn?: string }> }>;
    const guard = 'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/package-guard.ts';
    expect(tasks.package.steps[0].exec).toBe(guard);
    expect(tasks['package:js'].steps[0].exec).toBe(guard);
    expect(tasks.compile.steps.map((s) => s.exec)).toEqual([
      'jsii --silence-warnings=reserved-word',
      'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/prune-lib.ts lib src',
      'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/lazy-index.ts lib',
    ]);
    // Every way `package` goes (package:js under CI, package-all otherwise) reaches package:js.
    expect(tasks.package.steps.slice(1).map((s) => s.spawn)).toEqual(['package:js', 'package-all']);
    expect(tasks['package-all'].steps.map((s) => s.spawn)).toEqual(['package:js']);
    expect(tasks['post-compile'].steps.map((s) => s.exec ?? s.spawn)).not.toContain(
      'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/lazy-index.ts lib');
  });
});
