/** projenrc/prune-lib.ts: the compile task removes lib/ outputs whose src/ file is gone. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pruneLib } from '../../projenrc/prune-lib';

/** Writes `files` (relative paths) under a new temp dir and returns it. */
function tree(files: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'prune-lib-'));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), '');
  }
  return root;
}

/** Every file under `dir`, relative, with `/`, sorted. */
function list(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf-8' })
    .filter((name) => fs.statSync(path.join(dir, name)).isFile())
    .map((name) => name.split(path.sep).join('/'))
    .sort();
}

test('removes the outputs of moved and deleted sources, keeps the rest and other files', () => {
  const root = tree([
    'src/index.ts', 'src/core/a.ts',
    'lib/index.js', 'lib/index.d.ts',
    'lib/core/a.js', 'lib/core/a.d.ts', 'lib/core/a.js.map',
    'lib/core/gone.js', 'lib/core/gone.d.ts', 'lib/core/gone.js.map',
    'lib/private/moved.js', 'lib/private/moved.js.map',
    'lib/core/data.json',
  ]);
  const removed = pruneLib(path.join(root, 'lib'), path.join(root, 'src'));
  expect(removed).toEqual(['core/gone.d.ts', 'core/gone.js', 'core/gone.js.map', 'private/moved.js', 'private/moved.js.map']);
  expect(list(path.join(root, 'lib'))).toEqual(['core/a.d.ts', 'core/a.js', 'core/a.js.map', 'core/data.json', 'index.d.ts', 'index.js']);
  expect(fs.existsSync(path.join(root, 'lib', 'private'))).toBe(false);
});

test('does nothing without lib/', () => {
  const root = tree(['src/index.ts']);
  expect(pruneLib(path.join(root, 'lib'), path.join(root, 'src'))).toEqual([]);
});
