/**
 * Issue 26, "every README example runs in its language": each README example that the build
 * translates to Python (the `<!-- rosetta: ... python ... -->` sections, jsii-rosetta's translation
 * of the TypeScript block above them) runs as jsii-Python would run it, against `@jsii/runtime`,
 * the process every non-TypeScript binding talks to: the request sequence the binding sends
 * (python-replay.ts), with this library's `.jsii` and `lib/` and aws-cdk-lib's own npm tarball.
 * What it synthesizes must equal what the TypeScript example synthesizes.
 *
 * Needs the compiled library (`.jsii`, `lib/`): the build compiles before jest runs. No Python,
 * no network: the tarballs come from npm's cache (`npm ci` put them there).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { dependencyTarball, JsiiPackage, JsiiRuntime, KernelError, libraryTarball, loadPackages, missingBuild, PACKAGE_CACHE_ROOT, ROOT } from './jsii-runtime';
import { PythonReplay, PyValue } from './python-replay';

/** One README example with a Python translation. */
interface Example {
  readonly line: number;
  readonly typescript: string;
  readonly python: string;
}

/** The README's examples that the build translates to Python, with the translation it wrote. */
function readmeExamples(): Example[] {
  const lines = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8').split('\n');
  const examples: Example[] = [];
  let block: { line: number; body: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    if (/^```ts\b/.test(lines[i])) {
      const start = i;
      const body: string[] = [];
      for (i++; lines[i] !== '```'; i++) body.push(lines[i]);
      block = { line: start + 1, body: body.join('\n') };
    }
    const marker = /^<!-- rosetta: ([a-z ]+) -->$/.exec(lines[i]);
    if (marker && marker[1].split(' ').includes('python') && block) {
      const open = lines.indexOf('```python', i);
      const close = lines.indexOf('```', open + 1);
      examples.push({ line: block.line, typescript: block.body, python: lines.slice(open + 1, close).join('\n') });
    }
  }
  return examples;
}

/** rosetta's own translation, from the build's tablet (`npx projen rosetta`; jest's global setup writes it when missing). */
function tabletTranslation(typescript: string): string | undefined {
  const file = path.join(ROOT, '.jsii.tabl.json');
  const tablet = JSON.parse(fs.readFileSync(file, 'utf-8')) as { snippets: Record<string, { translations: Record<string, { source: string }> }> };
  return Object.values(tablet.snippets).find((s) => s.translations.$?.source.trim() === typescript.trim())?.translations.python?.source;
}

/** Runs a TypeScript example in this process with `cdk-xray-ecs` as the compiled `lib/`; returns its top-level constants. */
function runTypeScript(source: string, outdir: string): Record<string, unknown> {
  const names = [...source.matchAll(/^(?:const|let) (\w+)/gm)].map((m) => m[1]);
  const js = ts.transpileModule(`${source}\nmodule.exports = { ${names.join(', ')} };`, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
  }).outputText;
  const mod = { exports: {} as Record<string, unknown> };
  // The example's own imports, resolved as an installed cdk-xray-ecs would be.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const req = (id: string): unknown => require(id === 'cdk-xray-ecs' ? path.join(ROOT, 'lib') : id);
  const before = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    new Function('require', 'module', 'exports', js)(req, mod, mod.exports);
  } finally {
    if (before === undefined) delete process.env.CDK_OUTDIR; else process.env.CDK_OUTDIR = before;
  }
  return mod.exports;
}

/** The templates an app wrote, by file name. */
function templates(outdir: string): Record<string, unknown> {
  if (!fs.existsSync(outdir)) return {};
  return Object.fromEntries(fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'))
    .map((f) => [f, JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf-8'))]));
}

/** A cold first run reads aws-cdk-lib's assembly and extracts its tarball (tens of seconds on a busy machine). */
const COLD_START_MS = 240_000;

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

// jest's global setup compiles when .jsii or lib/ is missing (test/setup/build-outputs.ts).
const missing = missingBuild();
if (missing) throw new Error(missing);

describe('README examples in Python through @jsii/runtime', () => {
  let packages: Map<string, JsiiPackage>;
  let tarballs: Map<string, string>;
  let work: string;
  let runtime: JsiiRuntime;
  const examples = readmeExamples();

  let outdir: string;

  // One runtime for the suite, as one Python process would run the examples one after another:
  // each assembly is loaded once. Each example starts from an empty output folder.
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'jsii-python-'));
    outdir = path.join(work, 'python.out');
    packages = loadPackages();
    tarballs = new Map([...packages].map(([name, p]) => [name, name === 'cdk-xray-ecs' ? libraryTarball(work) : dependencyTarball(name, p.assembly.version)]));
    runtime = await JsiiRuntime.start({ CDK_OUTDIR: outdir, JSII_RUNTIME_PACKAGE_CACHE_ROOT: PACKAGE_CACHE_ROOT });
  }, COLD_START_MS);

  beforeEach(() => {
    fs.rmSync(outdir, { recursive: true, force: true });
    runtime.requests.length = 0;
  });

  afterAll(async () => {
    await runtime?.close();
  });

  test('the README has Python examples, and they are rosetta\'s translations', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const example of examples) {
      // The README's sections are written from the tablet (`npx projen readme:translations`).
      expect({ line: example.line, python: example.python.trim() })
        .toEqual({ line: example.line, python: tabletTranslation(example.typescript)?.trim() });
    }
  });

  test.each(readmeExamplesOrNone())('README example at line %i runs in Python with the TypeScript example\'s result', async (_line, example) => {
    // WHEN the Python translation runs as jsii-Python sends it, and the TypeScript example runs here
    const replay = new PythonReplay(runtime, packages, tarballs);
    let scope: Map<string, PyValue>;
    try {
      scope = await replay.run(example.python);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nrequests:\n${runtime.requests.map((r) => JSON.stringify(r).slice(0, 400)).join('\n')}`);
    }
    const tsOut = path.join(work, `ts-${example.line}`);
    const tsValues = runTypeScript(example.typescript, tsOut);

    // THEN an app synthesizes the same templates; a snippet's values read the same
    const pythonTemplates = templates(outdir);
    expect(pythonTemplates).toEqual(templates(tsOut));
    let compared = Object.keys(pythonTemplates).length;
    for (const [name, value] of scope) {
      if (value.k !== 'obj') continue;
      const tsValue = tsValues[camel(name)] as Record<string, unknown>;
      expect(tsValue).toBeDefined();
      if (typeof (tsValue as { toString?: unknown }).toString === 'function' && Object.getPrototypeOf(tsValue).hasOwnProperty('toString')) {
        const text = await replay.call(value, 'to_string');
        expect(text).toEqual({ k: 'prim', value: String(tsValue) });
        compared++;
      }
      for (const prop of ['kind', 'accepts_otlp', 'annotation_keys']) {
        // Only what the jsii API declares: a private subclass's own fields do not reach Python.
        if (!(camel(prop) in tsValue) || !replay.declares(value, prop)) continue;
        const read = await replay.get(value, prop);
        const plain = read.k === 'prim' ? read.value : read.k === 'list' ? read.items.map((i) => (i as { value?: unknown }).value) : read;
        expect(plain).toEqual(tsValue[camel(prop)]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0);
  }, COLD_START_MS);

  test('AfirgenServiceName.MAIN_BACKEND reaches the kernel as a string (an sget), never as a jsii enum member', async () => {
    const replay = new PythonReplay(runtime, packages, tarballs);
    await replay.run([
      'from aws_cdk import App, Stack',
      'import aws_cdk.aws_ecs as ecs',
      'from cdk_xray_ecs import AfirgenServiceName, TracedFargateService',
      'stack = Stack(App(), "S")',
      'TracedFargateService(stack, "Svc", cluster=ecs.Cluster(stack, "C"), service_name=AfirgenServiceName.MAIN_BACKEND, image=ecs.ContainerImage.from_registry("r/i:1"))',
    ].join('\n'));
    const create = runtime.requests.find((r) => r.api === 'create' && r.fqn === 'cdk-xray-ecs.TracedFargateService')!;
    const props = (create.args as Array<{ '$jsii.struct'?: { data: Record<string, unknown> } }>)[2]['$jsii.struct']!.data;
    expect(props.serviceName).toBe('afirgen-main-backend');
    expect(runtime.requests).toContainEqual({ api: 'sget', fqn: 'cdk-xray-ecs.AfirgenServiceName', property: 'MAIN_BACKEND' });
  });

  test('throws as jsii-Python would for a jsii enum member passed where a string is typed (the issue\'s failure)', async () => {
    const replay = new PythonReplay(runtime, packages, tarballs);
    const run = replay.run([
      'from aws_cdk import App, Stack',
      'import aws_cdk.aws_ecs as ecs',
      'from cdk_xray_ecs import ContextMissingStrategy, TracedFargateService',
      'stack = Stack(App(), "S")',
      'TracedFargateService(stack, "Svc", cluster=ecs.Cluster(stack, "C"), service_name=ContextMissingStrategy.LOG_ERROR, image=ecs.ContainerImage.from_registry("r/i:1"))',
    ].join('\n'));
    await expect(run).rejects.toThrow(KernelError);
    await expect(run).rejects.toThrow(/Key 'serviceName': Unable to deserialize value as string[\s\S]*"\$jsii\.enum": "cdk-xray-ecs\.ContextMissingStrategy\/LOG_ERROR"|Key 'serviceName': Unable to deserialize value as string[\s\S]*cdk-xray-ecs\.ContextMissingStrategy\/LOG_ERROR/);
  });

  function readmeExamplesOrNone(): Array<[number, Example]> {
    return readmeExamples().map((e) => [e.line, e]);
  }
});
