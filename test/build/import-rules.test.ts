/**
 * The import rules of src/ (ARCHITECTURE.md, "What may import what"), read from the sources:
 *
 * (a) core/ imports only core/;
 * (b) a module in `X/private/` is imported only from within `X/`;
 * (c) an `index.ts` holds only `export * from './…'` statements;
 * (d) nothing imports checks/ or aspects/ except index files;
 * (e) a top-level folder imports only itself and the folders {@link ALLOWED} gives it.
 *
 * Every relative specifier counts: `import`, `import type`, `export … from`, `require(…)`,
 * `import(…)` and `import('…').T` types, wherever they stand (a lazy `require` inside a function
 * is still a dependency).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const REPO_ROOT = path.join(__dirname, '..', '..');
const SRC = path.join(REPO_ROOT, 'src');

/**
 * What each top-level folder of src/ may import besides itself. The same table is in
 * ARCHITECTURE.md; the last test below keeps the two equal.
 */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  'core': [],
  'sidecar': ['core'],
  'sampling': ['core'],
  'groups': ['core'],
  'config': ['core'],
  'cost': ['core'],
  'checks': ['core'],
  'transaction-search': ['core'],
  'host-agent': ['core', 'sidecar'],
  'services': ['core', 'sidecar', 'sampling', 'cost', 'host-agent'],
  'presets': ['core', 'sampling', 'groups', 'cost', 'transaction-search'],
  'aspects': ['core', 'sidecar', 'sampling'],
  'cli': ['core', 'groups'],
};

/**
 * Folders that are not construct API, so src/index.ts does not re-export them: `cli/` is the
 * `cdk-xray-ecs` command, loaded by its launcher (bin/cdk-xray-ecs.js), never by an app.
 */
const NOT_EXPORTED = ['cli'];

/** Folders only index files may import (their modules are reached through the package index). */
const IMPORTED_ONLY_BY_INDEX = ['checks', 'aspects'];

/** One relative import: who, what (resolved, relative to src/ with `/`), and where. */
interface Edge {
  readonly from: string;
  readonly to: string | undefined;
  readonly specifier: string;
  readonly line: number;
}

/** The relative module specifiers of a TypeScript source, with their lines, in order. */
export function relativeSpecifiers(fileName: string, source: string): Array<{ specifier: string; line: number }> {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Array<{ specifier: string; line: number }> = [];
  const add = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node) && node.text.startsWith('.')) {
      found.push({ specifier: node.text, line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1 });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) {
        add(node.arguments[0]);
      }
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** Why an index file is more than `export * from './…'` lines, one entry per statement. */
export function indexProblems(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const problems: string[] = [];
  for (const statement of file.statements) {
    const ok = ts.isExportDeclaration(statement)
      && statement.exportClause === undefined
      && !statement.isTypeOnly
      && statement.moduleSpecifier !== undefined
      && ts.isStringLiteral(statement.moduleSpecifier)
      && statement.moduleSpecifier.text.startsWith('./');
    if (!ok) {
      const line = file.getLineAndCharacterOfPosition(statement.getStart(file)).line + 1;
      problems.push(`${fileName}:${line}: ${statement.getText(file).split('\n')[0]}`);
    }
  }
  return problems;
}

/** Every .ts file under `dir`, relative to src/ with `/`, sorted. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf-8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => path.relative(SRC, path.join(dir, name)).split(path.sep).join('/'))
    .sort();
}

/** The src/-relative file a specifier in `from` names, or undefined when it names none in src/. */
function resolveInSrc(from: string, specifier: string): string | undefined {
  const base = path.resolve(SRC, path.dirname(from), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    const relative = path.relative(SRC, candidate);
    if (!relative.startsWith('..') && fs.existsSync(candidate)) return relative.split(path.sep).join('/');
  }
  return undefined;
}

/** The top-level folder of a src/-relative file; '' for the files directly in src/. */
function topFolder(file: string): string {
  return file.includes('/') ? file.split('/')[0] : '';
}

/** The folder that owns `file` as private (`checks` for checks/private/x.ts), or undefined. */
function privateOwner(file: string): string | undefined {
  const parts = file.split('/');
  const at = parts.lastIndexOf('private');
  return at > 0 && at < parts.length - 1 ? parts.slice(0, at).join('/') : undefined;
}

function isIndex(file: string): boolean {
  return path.posix.basename(file) === 'index.ts';
}

function show(edge: Edge): string {
  return `src/${edge.from}:${edge.line} imports ${edge.to ? `src/${edge.to}` : edge.specifier}`;
}

const FILES = sourceFiles(SRC);
const EDGES: Edge[] = FILES.flatMap((from) =>
  relativeSpecifiers(from, fs.readFileSync(path.join(SRC, from), 'utf-8'))
    .map(({ specifier, line }) => ({ from, specifier, line, to: resolveInSrc(from, specifier) })));
const RESOLVED = EDGES.filter((e): e is Edge & { to: string } => e.to !== undefined);

describe('the import reader', () => {
  test('finds every form of relative import, on its line, and ignores packages', () => {
    const source = [
      "import * as fs from 'fs';",
      "import { a } from './a';",
      'import {',
      '  b,',
      "} from '../b';",
      "import type { C } from './c';",
      "export { d } from './d';",
      "export * from './e';",
      "import f = require('./f');",
      "const g = () => require('./g');",
      "const h = import('./h');",
      "let i: import('./i').I;",
      "import 'aws-cdk-lib';",
    ].join('\n');
    expect(relativeSpecifiers('x.ts', source)).toEqual([
      { specifier: './a', line: 2 },
      { specifier: '../b', line: 5 },
      { specifier: './c', line: 6 },
      { specifier: './d', line: 7 },
      { specifier: './e', line: 8 },
      { specifier: './f', line: 9 },
      { specifier: './g', line: 10 },
      { specifier: './h', line: 11 },
      { specifier: './i', line: 12 },
    ]);
  });

  test('accepts an index of export-star lines (and comments), refuses anything else', () => {
    expect(indexProblems('index.ts', "// the sidecar\nexport * from './a';\nexport * from './b/index';\n")).toEqual([]);
    expect(indexProblems('index.ts', [
      "export * from './a';",
      "export { B } from './b';",
      "export * as c from './c';",
      "export type * from './d';",
      'export const E = 1;',
      "import './f';",
    ].join('\n'))).toEqual([
      "index.ts:2: export { B } from './b';",
      "index.ts:3: export * as c from './c';",
      "index.ts:4: export type * from './d';",
      'index.ts:5: export const E = 1;',
      "index.ts:6: import './f';",
    ]);
  });

  test('reads src/: every folder of the table has sources, and imports are found', () => {
    expect([...new Set(FILES.map(topFolder))].filter((f) => f !== '').sort()).toEqual(Object.keys(ALLOWED).sort());
    expect(RESOLVED.length).toBeGreaterThan(50);
  });
});

describe('the import rules of src/', () => {
  test('every relative import names a file in src/', () => {
    expect(EDGES.filter((e) => e.to === undefined).map(show)).toEqual([]);
  });

  test('every module lives in a folder of the table (only index.ts is directly in src/)', () => {
    expect(FILES.filter((f) => topFolder(f) === '' ? f !== 'index.ts' : !(topFolder(f) in ALLOWED))).toEqual([]);
  });

  test('(a) core/ imports only core/', () => {
    expect(RESOLVED.filter((e) => topFolder(e.from) === 'core' && topFolder(e.to) !== 'core').map(show)).toEqual([]);
  });

  test('(b) a module in X/private/ is imported only from within X/', () => {
    const violations = RESOLVED.filter((e) => {
      const owner = privateOwner(e.to);
      return owner !== undefined && !e.from.startsWith(`${owner}/`);
    });
    expect(violations.map(show)).toEqual([]);
  });

  test('(c) index files hold only `export * from \'./…\'`', () => {
    const problems = FILES.filter(isIndex)
      .flatMap((f) => indexProblems(`src/${f}`, fs.readFileSync(path.join(SRC, f), 'utf-8')));
    expect(problems).toEqual([]);
  });

  test('(d) nothing imports checks/ or aspects/ except index files', () => {
    const violations = RESOLVED.filter((e) =>
      IMPORTED_ONLY_BY_INDEX.includes(topFolder(e.to)) && topFolder(e.from) !== topFolder(e.to) && !isIndex(e.from));
    expect(violations.map(show)).toEqual([]);
  });

  test('(e) each folder imports only itself and the folders the table allows', () => {
    const violations = RESOLVED.filter((e) => {
      const from = topFolder(e.from);
      const to = topFolder(e.to);
      if (from === '') return false; // src/index.ts: the next test
      return to !== from && !(ALLOWED[from] ?? []).includes(to);
    });
    expect(violations.map((e) => `${show(e)} (${topFolder(e.from)} -> ${topFolder(e.to)} is not in the table)`)).toEqual([]);
  });

  test('src/index.ts re-exports each folder\'s index, and nothing else', () => {
    const targets = RESOLVED.filter((e) => e.from === 'index.ts').map((e) => e.to).sort();
    expect(targets).toEqual(Object.keys(ALLOWED).filter((f) => !NOT_EXPORTED.includes(f)).map((f) => `${f}/index.ts`).sort());
  });
});

describe('ARCHITECTURE.md', () => {
  test('states the same table', () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, 'ARCHITECTURE.md'), 'utf-8');
    // Rows of the "What may import what" table: | `services/` | `core/`, `sidecar/`, … |
    const rows: Record<string, string[]> = {};
    for (const match of text.matchAll(/^\| `([\w-]+)\/` \| ([^|]*) \|/gm)) {
      rows[match[1]] = [...match[2].matchAll(/`([\w-]+)\/`/g)].map((m) => m[1]);
    }
    expect(rows).toEqual(Object.fromEntries(Object.entries(ALLOWED).map(([k, v]) => [k, [...v]])));
  });
});
