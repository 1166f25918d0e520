/**
 * The first step of `npx projen package` and `npx projen package:js`: refuses to pack a build that
 * is not the one the full build (`npx projen build`) would ship.
 *
 * jsii-pacmak packs whatever is in lib/ and .jsii. Without this check, a fresh clone (no lib/)
 * fails deep inside jsii-pacmak, and a lib/ written by a bare `jsii` (or `jsii -w`, the watch task)
 * ships the compiler's eager index, which loads every module of the library on import. The
 * compile task writes the lazy index right after jsii (projenrc/lazy-index.ts), so the fix is
 * always the same: `npx projen compile`.
 *
 *   ts-node --transpile-only projenrc/package-guard.ts [package root, default: .]
 */
import * as fs from 'fs';
import * as path from 'path';
import { LAZY_INDEX_MARKER } from './lazy-index';

/** What to do about every problem the guard reports. */
export const COMPILE_FIRST = 'run `npx projen compile` first (jsii, then the lazy index), then package again';

/**
 * Why the package root `root` cannot be packed yet, or `undefined` when it can: lib/index.js and
 * .jsii exist and lib/index.js is the lazy index.
 */
export function packageProblem(root: string): string | undefined {
  const indexFile = path.join(root, 'lib', 'index.js');
  if (!fs.existsSync(indexFile)) {
    return `${shown(indexFile)} does not exist: ${COMPILE_FIRST}`;
  }
  const firstLine = fs.readFileSync(indexFile, 'utf-8').split(/\r?\n/, 1)[0];
  if (firstLine !== LAZY_INDEX_MARKER) {
    return `${shown(indexFile)} is the compiler's eager index, not the lazy one the package ships (its first line is not ${LAZY_INDEX_MARKER}): ${COMPILE_FIRST}`;
  }
  const assembly = path.join(root, '.jsii');
  if (!fs.existsSync(assembly)) {
    return `${shown(assembly)} does not exist: ${COMPILE_FIRST}`;
  }
  return undefined;
}

/** `file` relative to the working directory when it is inside it (lib/index.js), else absolute. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? '.');
  const problem = packageProblem(root);
  if (problem !== undefined) {
    console.error(`package: ${problem}`);
    process.exit(1);
  }
  console.log(`package: ${shown(path.join(root, 'lib', 'index.js'))} is the lazy index`);
}
