/**
 * Stack traces from the installed package point at files that are installed.
 *
 * lib/**\/*.js.map ship beside the JavaScript and name their TypeScript sources as
 * `../../src/<file>.ts`; `node --enable-source-maps` prints those paths, so each must be a file of
 * the package (`.npmignore` ships src/, generated from .projenrc.ts). Read against what
 * `npm pack --dry-run` would publish, not against the working tree.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const REPO_ROOT = path.join(__dirname, '..', '..');
const LIB = path.join(REPO_ROOT, 'lib');

/** Every file under `dir` whose name ends with `suffix`, absolute. */
function filesUnder(dir: string, suffix: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf-8' })
    .filter((name) => name.endsWith(suffix))
    .map((name) => path.join(dir, name))
    .sort();
}

/** The files `npm pack` would put in the tarball, relative to the package root, with `/`. */
function packedFiles(): Set<string> {
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: REPO_ROOT, encoding: 'utf-8', timeout: 120_000,
  });
  expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, stderr: '' });
  const [pack] = JSON.parse(result.stdout) as Array<{ files: Array<{ path: string }> }>;
  return new Set(pack.files.map((f) => f.path));
}

/** The package-relative path of `file` (inside the repository), with `/`. */
function packagePath(file: string): string {
  return path.relative(REPO_ROOT, file).split(path.sep).join('/');
}

// jest's global setup compiles when lib/ is missing (test/setup/build-outputs.ts).
if (!fs.existsSync(path.join(LIB, 'index.js'))) throw new Error('lib/index.js missing: run `npx projen compile` first');

describe('lib/**/*.js.map', () => {
  let packed: Set<string>;
  beforeAll(() => {
    packed = packedFiles();
  });

  test('every source a map names is a file of the package', () => {
    const maps = filesUnder(LIB, '.js.map');
    expect(maps.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources, sourceRoot } = JSON.parse(fs.readFileSync(map, 'utf-8')) as { sources: string[]; sourceRoot?: string };
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) {
        const file = packagePath(path.resolve(path.dirname(map), sourceRoot ?? '', source));
        if (!packed.has(file)) missing.push(`${packagePath(map)} -> ${file}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('every map a script names ships with it', () => {
    const missing: string[] = [];
    for (const script of filesUnder(LIB, '.js')) {
      const match = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(fs.readFileSync(script, 'utf-8'));
      if (!match) continue;
      const map = packagePath(path.resolve(path.dirname(script), match[1]));
      if (!packed.has(packagePath(script)) || !packed.has(map)) missing.push(`${packagePath(script)} -> ${map}`);
    }
    expect(missing).toEqual([]);
  });

  test('the package ships the TypeScript sources and never the tests', () => {
    const files = [...packed];
    expect(files).toEqual(expect.arrayContaining(['lib/index.js', 'src/index.ts', '.jsii']));
    expect(files.filter((f) => f.startsWith('test/') || /\.test\.ts$/.test(f) || f.includes('__tests__/'))).toEqual([]);
  });
});
