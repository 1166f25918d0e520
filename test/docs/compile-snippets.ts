/**
 * Compiles the ```ts blocks of markdown files as `jsii-rosetta extract --strict` compiles the
 * README's: rosetta's own markdown extraction and fixture substitution (`rosetta/default.ts-fixture`,
 * written here by `projenrc/rosetta-fixture.ts` from the library's exports; ` ```ts nofixture `
 * blocks are whole programs), and rosetta's strict compiler options, with its TypeScript.
 * `cdk-xray-ecs` resolves to `src/index.ts`, so no compile step is needed first.
 *
 *   npx ts-node --transpile-only test/docs/compile-snippets.ts docs/*.md README.md
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SnippetParameters, TypeScriptSnippet, updateParameters } from 'jsii-rosetta';
import type * as TypeScript from 'typescript';
import { fixtureSource } from '../../projenrc/rosetta-fixture';

export const ROOT = path.join(__dirname, '..', '..');

// jsii-rosetta's package exports only its index; these three are what `extract` itself uses.
const ROSETTA_LIB = path.dirname(require.resolve('jsii-rosetta'));
/* eslint-disable @typescript-eslint/no-require-imports */
const ts = require(require.resolve('typescript', { paths: [ROSETTA_LIB] })) as typeof TypeScript;
const { fixturize } = require(path.join(ROSETTA_LIB, 'fixtures')) as {
  fixturize(snippet: TypeScriptSnippet, loose?: boolean): TypeScriptSnippet;
};
const { extractTypescriptSnippetsFromMarkdown } = require(path.join(ROSETTA_LIB, 'markdown', 'extract-snippets')) as {
  extractTypescriptSnippetsFromMarkdown(markdown: string, location: { api: 'file'; fileName: string }, strict: boolean): TypeScriptSnippet[];
};
const { STANDARD_COMPILER_OPTIONS } = require(path.join(ROSETTA_LIB, 'typescript', 'ts-compiler')) as {
  STANDARD_COMPILER_OPTIONS: TypeScript.CompilerOptions;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const LIBRARY_INDEX = path.join(ROOT, 'src', 'index.ts');

const OPTIONS: TypeScript.CompilerOptions = {
  ...STANDARD_COMPILER_OPTIONS,
  charset: undefined, // removed in TypeScript 6; rosetta still sets it and never reads the options' diagnostics
  incremental: false,
  tsBuildInfoFile: undefined,
  noEmit: true,
  paths: { 'cdk-xray-ecs': [LIBRARY_INDEX] },
  pathsBasePath: ROOT,
};

/** One ```ts block: where it is and its source as rosetta completes it. */
export interface DocSnippet {
  /** `docs/cost.md line 12` (the line of the opening fence). */
  readonly where: string;
  readonly completeSource: string;
}

/** A compile error in a block. */
export interface SnippetError {
  readonly where: string;
  readonly message: string;
}

/**
 * The fixture rosetta compiles the README in, written from the library's exported classes, enums
 * and interfaces (what .jsii lists) into `directory/rosetta/default.ts-fixture`.
 */
function writeFixture(directory: string, program: TypeScript.Program): void {
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(LIBRARY_INDEX);
  const moduleSymbol = index && checker.getSymbolAtLocation(index);
  if (moduleSymbol === undefined) throw new Error(`compile-snippets: cannot read the exports of ${LIBRARY_INDEX}`);
  const types: Record<string, { kind: string; name: string }> = {};
  // Symbol flags are bit sets.
  /* eslint-disable no-bitwise */
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const kind = symbol.flags & ts.SymbolFlags.Class ? 'class'
      : symbol.flags & ts.SymbolFlags.Enum ? 'enum'
        : symbol.flags & ts.SymbolFlags.Interface ? 'interface' : undefined;
    if (kind !== undefined) types[`cdk-xray-ecs.${exported.name}`] = { kind, name: exported.name };
  }
  /* eslint-enable no-bitwise */
  fs.writeFileSync(path.join(directory, '.jsii'), JSON.stringify({ name: 'cdk-xray-ecs', types }));
  fs.mkdirSync(path.join(directory, 'rosetta'), { recursive: true });
  fs.writeFileSync(path.join(directory, 'rosetta', 'default.ts-fixture'), fixtureSource(directory));
}

/** The ```ts blocks of `markdownFiles` (paths relative to the repository), completed by the fixture. */
function snippetsOf(markdownFiles: readonly string[], fixtureDirectory: string): DocSnippet[] {
  return markdownFiles.flatMap((file) => {
    const markdown = fs.readFileSync(path.join(ROOT, file), 'utf-8');
    return extractTypescriptSnippetsFromMarkdown(markdown, { api: 'file', fileName: file }, true).map((snippet) => {
      const complete = fixturize(updateParameters(snippet, { [SnippetParameters.$PROJECT_DIRECTORY]: fixtureDirectory }));
      const line = snippet.location.field && 'line' in snippet.location.field ? snippet.location.field.line : undefined;
      return { where: `${file} line ${line ?? '?'}`, completeSource: complete.completeSource ?? complete.visibleSource };
    });
  });
}

/** Compiles every ```ts block of the markdown files in one program; returns the errors, none if all compile. */
export function compileMarkdownSnippets(markdownFiles: readonly string[]): { snippets: number; errors: SnippetError[] } {
  const host = ts.createCompilerHost(OPTIONS, true);
  const libraryProgram = ts.createProgram([LIBRARY_INDEX], OPTIONS, host);
  const fixtureDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'doc-snippets-'));
  try {
    writeFixture(fixtureDirectory, libraryProgram);
    const snippets = snippetsOf(markdownFiles, fixtureDirectory);
    // In-memory files beside the docs, so that node_modules resolves from the repository.
    const files = new Map(snippets.map((s, i) => [path.join(ROOT, 'docs', `__snippet${i}.ts`), s]));
    const readFile = host.readFile.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    const snippetHost: TypeScript.CompilerHost = {
      ...host,
      fileExists: (f) => files.has(f) || host.fileExists(f),
      // As rosetta does: an empty export makes each block a module of its own.
      readFile: (f) => (files.has(f) ? `${files.get(f)!.completeSource}\nexport {};\n` : readFile(f)),
      getSourceFile: (f, version, onError, create) => (files.has(f)
        ? ts.createSourceFile(f, `${files.get(f)!.completeSource}\nexport {};\n`, ts.ScriptTarget.Latest, true)
        : getSourceFile(f, version, onError, create)),
    };
    const program = ts.createProgram([...files.keys()], OPTIONS, snippetHost, libraryProgram);
    const errors: SnippetError[] = [];
    for (const [file, snippet] of files) {
      const source = program.getSourceFile(file)!;
      for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
        if (d.category !== ts.DiagnosticCategory.Error) continue;
        const at = d.start === undefined ? '' : ` (fixture line ${source.getLineAndCharacterOfPosition(d.start).line + 1})`;
        errors.push({ where: snippet.where, message: `${ts.flattenDiagnosticMessageText(d.messageText, '\n')}${at}` });
      }
    }
    for (const d of program.getOptionsDiagnostics()) {
      errors.push({ where: 'compiler options', message: ts.flattenDiagnosticMessageText(d.messageText, '\n') });
    }
    return { snippets: snippets.length, errors };
  } finally {
    fs.rmSync(fixtureDirectory, { recursive: true, force: true });
  }
}

/** The markdown files under docs/, relative to the repository. */
export function docsMarkdown(): string[] {
  return fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
}

if (require.main === module) {
  const files = process.argv.length > 2 ? process.argv.slice(2) : docsMarkdown();
  const { snippets, errors } = compileMarkdownSnippets(files);
  for (const e of errors) console.error(`${e.where}: ${e.message}`);
  console.log(`compile-snippets: ${snippets} TypeScript blocks in ${files.length} files, ${errors.length} errors`);
  process.exitCode = errors.length > 0 ? 1 : 0;
}
