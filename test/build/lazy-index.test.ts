import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LAZY_INDEX_MARKER, exportStarModules, makeIndexLazy, renderLazyIndex } from '../../projenrc/lazy-index';

const REPO_ROOT = path.join(__dirname, '..', '..');

/** What TypeScript emits for `export * from './a'; export * from './b';`, trimmed to the lines that matter. */
const COMPILED_INDEX = [
  '"use strict";',
  'var __exportStar = (this && this.__exportStar) || function(m, exports) { for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) exports[p] = m[p]; };',
  'Object.defineProperty(exports, "__esModule", { value: true });',
  '__exportStar(require("./alpha"), exports);',
  '__exportStar(require("./beta/index"), exports);',
  '//# sourceMappingURL=index.js.map',
  '',
].join('\n');

/** A package in a temp dir: two modules that count how often they are loaded, and a compiled index. */
function fixturePackage(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazy-index-'));
  const counter = (name: string) => `globalThis.__lazyIndexLoads = globalThis.__lazyIndexLoads || []; globalThis.__lazyIndexLoads.push(${JSON.stringify(name)});`;
  fs.writeFileSync(path.join(dir, 'alpha.js'), `${counter('alpha')}\nexports.Alpha = class Alpha {};\nexports.ALPHA_PORT = 2000;\n`);
  fs.mkdirSync(path.join(dir, 'beta'));
  fs.writeFileSync(path.join(dir, 'beta', 'index.js'), `${counter('beta')}\nexports.Beta = { kind: 'beta' };\n`);
  fs.writeFileSync(path.join(dir, 'index.js'), COMPILED_INDEX);
  fs.writeFileSync(path.join(dir, 'index.js.map'), '{}');
  return dir;
}

/** Runs a CommonJS or ESM script in a fresh Node process and returns its JSON output. */
function runNode(args: string[], script: string): unknown {
  const result = spawnSync(process.execPath, [...args, '-e', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout);
}

describe('exportStarModules', () => {
  test('reads the modules of a compiled index, in order', () => {
    expect(exportStarModules(COMPILED_INDEX)).toEqual(['./alpha', './beta/index']);
  });

  test('reads them back from an index it rewrote', () => {
    const lazy = renderLazyIndex([{ specifier: './alpha', names: ['Alpha'] }, { specifier: './beta/index', names: ['Beta'] }]);
    expect(lazy.startsWith(LAZY_INDEX_MARKER)).toBe(true);
    expect(exportStarModules(lazy)).toEqual(['./alpha', './beta/index']);
  });

  test('finds nothing in an index without export-star lines', () => {
    expect(exportStarModules('"use strict";\nexports.X = 1;\n')).toEqual([]);
  });
});

describe('renderLazyIndex', () => {
  test('refuses a name exported by two modules, naming both', () => {
    expect(() => renderLazyIndex([
      { specifier: './a', names: ['Same'] },
      { specifier: './b', names: ['Same'] },
    ])).toThrow('Same is exported by both ./a and ./b: rename one of them');
  });

  test('refuses a name that is not an identifier', () => {
    expect(() => renderLazyIndex([{ specifier: './a', names: ['not-an-id'] }]))
      .toThrow('./a exports "not-an-id", which is not an identifier the lazy index can define');
  });
});

describe('makeIndexLazy on a fixture package', () => {
  test('loads a module only when one of its names is read, and exports the same objects', () => {
    const dir = fixturePackage();
    expect(makeIndexLazy(dir)).toBe(3);
    expect(fs.existsSync(path.join(dir, 'index.js.map'))).toBe(false);
    const out = runNode([], `
      const index = require(${JSON.stringify(dir)});
      const loads = () => [...(globalThis.__lazyIndexLoads || [])];
      const afterImport = loads();
      const names = Object.keys(index).sort();
      const port = index.ALPHA_PORT;
      const afterAlpha = loads();
      const same = index.Alpha === require(${JSON.stringify(path.join(dir, 'alpha'))}).Alpha && index.Beta === require(${JSON.stringify(path.join(dir, 'beta'))}).Beta;
      process.stdout.write(JSON.stringify({ afterImport, names, port, afterAlpha, same, afterAll: loads() }));`);
    expect(out).toEqual({
      afterImport: [],
      names: ['ALPHA_PORT', 'Alpha', 'Beta'],
      port: 2000,
      afterAlpha: ['alpha'],
      same: true,
      afterAll: ['alpha', 'beta'],
    });
  });

  test('keeps named ESM imports working', () => {
    const dir = fixturePackage();
    makeIndexLazy(dir);
    const url = `file://${path.join(dir, 'index.js')}`;
    const out = runNode(['--input-type=module'], `
      import { Alpha, ALPHA_PORT, Beta } from ${JSON.stringify(url)};
      process.stdout.write(JSON.stringify({ alpha: typeof Alpha, port: ALPHA_PORT, beta: Beta.kind }));`);
    expect(out).toEqual({ alpha: 'function', port: 2000, beta: 'beta' });
  });

  test('rewriting twice gives the same file, and a new export appears on the next run', () => {
    const dir = fixturePackage();
    makeIndexLazy(dir);
    const once = fs.readFileSync(path.join(dir, 'index.js'), 'utf-8');
    makeIndexLazy(dir);
    expect(fs.readFileSync(path.join(dir, 'index.js'), 'utf-8')).toBe(once);
    // An incremental compile can leave the rewritten index in place while a module gains an export.
    // The build runs the script in a fresh process (jest's module registry would keep the old beta).
    fs.appendFileSync(path.join(dir, 'beta', 'index.js'), 'exports.Gamma = 3;\n');
    const cli = spawnSync(process.execPath, [
      '-r', 'ts-node/register/transpile-only', path.join(REPO_ROOT, 'projenrc', 'lazy-index.ts'), dir,
    ], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(REPO_ROOT, 'projenrc', 'tsconfig.json') } });
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toBe(`lazy index: ${path.join(dir, 'index.js')} defines 4 names\n`);
    expect(fs.readFileSync(path.join(dir, 'index.js'), 'utf-8')).toContain('"Beta","Gamma"');
  }, 60_000);

  test('refuses an index with nothing to make lazy', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazy-index-'));
    fs.writeFileSync(path.join(dir, 'index.js'), '"use strict";\nexports.X = 1;\n');
    expect(() => makeIndexLazy(dir)).toThrow(/has no __exportStar\(require\("\.\/…"\), exports\) lines to make lazy/);
  });
});

// The published build: after `npx projen compile` (jsii, then the lazy-index rewrite, both in the compile task).
const LIB_INDEX = path.join(REPO_ROOT, 'lib', 'index.js');
const describeLib = fs.existsSync(LIB_INDEX) ? describe : describe.skip;
describeLib('lib/index.js (skipped when lib/ is not built: run `npx projen compile`)', () => {
  test('is the lazy index, with exactly the names and objects of its modules, none loaded up front', () => {
    const source = fs.readFileSync(LIB_INDEX, 'utf-8');
    expect(source.startsWith(LAZY_INDEX_MARKER)).toBe(true);
    const modules = exportStarModules(source);
    // The modules of src/index.ts, in order (every line there is `export * from './…'`).
    const srcIndex = fs.readFileSync(path.join(REPO_ROOT, 'src', 'index.ts'), 'utf-8');
    expect(modules).toEqual([...srcIndex.matchAll(/^export \* from '(\.\/[^']+)';$/gm)].map((m) => m[1]));
    expect(modules.length).toBeGreaterThan(5);
    const out = runNode([], `
      const path = require('path');
      const lib = ${JSON.stringify(path.dirname(LIB_INDEX))};
      const index = require(lib);
      const ownModules = () => Object.keys(require.cache).filter((k) => k.startsWith(lib + path.sep) && k !== path.join(lib, 'index.js')).length;
      const loadedUpFront = ownModules();
      const names = Object.keys(index).sort();
      const eager = {};
      for (const m of ${JSON.stringify(modules)}) Object.assign(eager, require(path.join(lib, m)));
      const eagerNames = Object.keys(eager).filter((n) => n !== '__esModule').sort();
      const mismatched = eagerNames.filter((n) => index[n] !== eager[n]);
      process.stdout.write(JSON.stringify({ loadedUpFront, names, eagerNames, mismatched, loadedAtEnd: ownModules() }));`) as {
      loadedUpFront: number; names: string[]; eagerNames: string[]; mismatched: string[]; loadedAtEnd: number;
    };
    expect(out.loadedUpFront).toBe(0);
    expect(out.names).toEqual(out.eagerNames);
    expect(out.names).toEqual(expect.arrayContaining(['TracedFargateService', 'XRaySidecar', 'XRayTracingChecks', 'AfirgenTracing']));
    expect(out.mismatched).toEqual([]);
    expect(out.loadedAtEnd).toBeGreaterThan(20);
  });
});
