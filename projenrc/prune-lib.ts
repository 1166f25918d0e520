/**
 * Removes compiler outputs whose source is gone: `lib/a/b.js`, `.d.ts` and `.js.map` when
 * `src/a/b.ts` no longer exists. Part of the compile task, right after jsii.
 *
 * jsii writes lib/ without cleaning it first, so a moved or deleted source leaves its old
 * JavaScript behind. Nothing imports that file, but it would still be packed and shipped, and its
 * map would name a source the package does not have (test/build/source-maps.test.ts).
 *
 *   ts-node --transpile-only projenrc/prune-lib.ts <lib dir> <src dir>
 */
import * as fs from 'fs';
import * as path from 'path';

const OUTPUT = /^(.*)(\.d\.ts|\.js\.map|\.js)$/;

/** Deletes the outputs in `libDir` that have no `.ts` source in `srcDir`; returns them, relative to `libDir`. */
export function pruneLib(libDir: string, srcDir: string): string[] {
  const removed: string[] = [];
  if (!fs.existsSync(libDir)) return removed;
  for (const name of fs.readdirSync(libDir, { recursive: true, encoding: 'utf-8' }).sort()) {
    const match = OUTPUT.exec(name);
    const file = path.join(libDir, name);
    if (!match || !fs.statSync(file).isFile()) continue;
    if (!fs.existsSync(path.join(srcDir, `${match[1]}.ts`))) {
      fs.rmSync(file);
      removed.push(name.split(path.sep).join('/'));
    }
  }
  // Folders left empty (a whole folder moved away).
  for (const name of fs.readdirSync(libDir, { recursive: true, encoding: 'utf-8' }).sort().reverse()) {
    const dir = path.join(libDir, name);
    if (fs.statSync(dir).isDirectory() && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  }
  return removed;
}

if (require.main === module) {
  const [libDir, srcDir] = process.argv.slice(2);
  if (!libDir || !srcDir) {
    throw new Error('usage: ts-node projenrc/prune-lib.ts <lib dir> <src dir>');
  }
  const removed = pruneLib(libDir, srcDir);
  if (removed.length > 0) {
    console.log(`prune-lib: removed ${removed.length} outputs with no source in ${srcDir}: ${removed.join(', ')}`);
  }
}
