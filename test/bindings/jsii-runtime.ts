/**
 * The JavaScript side of every non-TypeScript binding: `@jsii/runtime`, driven over its JSON-lines
 * protocol exactly as jsii-Python's `ProcessProvider` drives it (`jsii/_kernel/providers/process.py`):
 * the webpack bundle jsii-Python embeds, started as `node --max-old-space-size=4069 jsii-runtime.js`,
 * a `{"hello"}` line first, then one request line and one response line (`ok` or `error`) at a time.
 *
 * Also: the npm tarballs the kernel `load`s (each jsii assembly the Python packages carry), and the
 * assemblies' type information the replay needs (`@jsii/spec`).
 */
import { ChildProcessWithoutNullStreams, execFileSync, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import * as spec from '@jsii/spec';

export const ROOT = path.join(__dirname, '..', '..');

/** The runtime jsii-Python embeds: `@jsii/runtime`'s webpack bundle (python-runtime copies `runtime/webpack`). */
export const RUNTIME_ENTRY = path.join(path.dirname(require.resolve('@jsii/runtime/package.json')), 'webpack', 'bin', 'jsii-runtime.js');

/** One request, as the binding serializes it (`api` plus the request's fields). */
export type KernelRequest = { readonly api: string } & Record<string, unknown>;

/** An `error` response of the kernel. */
export class KernelError extends Error {
  constructor(message: string, public readonly request: KernelRequest) {
    super(message);
    this.name = 'KernelError';
  }
}

/** Longest wait for one response: a `load` of aws-cdk-lib on a busy machine included. */
const RESPONSE_TIMEOUT_MS = 120_000;

/** A running `jsii-runtime` process. */
export class JsiiRuntime {
  /** Starts the runtime with `env` added to this process's environment, and reads its hello. */
  public static async start(env: Record<string, string>): Promise<JsiiRuntime> {
    const child = spawn(process.execPath, ['--max-old-space-size=4069', RUNTIME_ENTRY], {
      env: { ...process.env, JSII_AGENT: 'Python/3 (replayed)', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const runtime = new JsiiRuntime(child);
    const hello = await runtime.nextLine() as { hello?: string };
    if (typeof hello.hello !== 'string' || !hello.hello.startsWith('@jsii/runtime@')) {
      throw new Error(`jsii-runtime did not say hello: ${JSON.stringify(hello)}`);
    }
    runtime.hello = hello.hello;
    return runtime;
  }

  /** Every request sent, in order. */
  public readonly requests: KernelRequest[] = [];
  /** `@jsii/runtime@<version>`, as the runtime greets. */
  public hello = '';
  private readonly lines: string[] = [];
  private readonly waiting: Array<(line: string | undefined) => void> = [];
  private readonly stderr: string[] = [];
  private closed = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const w = this.waiting.shift();
      if (w) w(line); else this.lines.push(line);
    });
    // The runtime relays its own stdout and stderr as `{"stderr": base64}` lines on stderr.
    readline.createInterface({ input: child.stderr }).on('line', (line) => {
      try {
        const console = JSON.parse(line) as { stderr?: string; stdout?: string };
        this.stderr.push(Buffer.from(console.stderr ?? console.stdout ?? '', 'base64').toString('utf-8'));
      } catch {
        this.stderr.push(line);
      }
    });
    child.on('exit', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w(undefined);
    });
  }

  /** What the runtime wrote to stderr so far (for a failure's message). */
  public stderrText(): string {
    return this.stderr.join('');
  }

  /** Sends one request and returns the `ok` value; throws {@link KernelError} for an `error`. */
  public async request(request: KernelRequest): Promise<unknown> {
    this.requests.push(request);
    this.child.stdin.write(JSON.stringify(request) + '\n');
    const response = await this.nextLine() as { ok?: unknown; error?: string; callback?: unknown };
    if ('error' in response) throw new KernelError(String(response.error), request);
    if ('callback' in response) throw new Error(`unexpected callback from the kernel for ${JSON.stringify(request)}`);
    return response.ok;
  }

  /** Ends the runtime as jsii-Python does (`{"exit":0}`, then stdin closed), killing it after 5 s. */
  public async close(): Promise<void> {
    if (this.closed) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end('{"exit":0}\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  private nextLine(): Promise<unknown> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(JSON.parse(line));
    if (this.closed) return Promise.reject(new Error(`jsii-runtime exited: ${this.stderrText()}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response from jsii-runtime in ${RESPONSE_TIMEOUT_MS} ms`)), RESPONSE_TIMEOUT_MS);
      this.waiting.push((l) => {
        clearTimeout(timer);
        if (l === undefined) reject(new Error(`jsii-runtime exited: ${this.stderrText()}`));
        else resolve(JSON.parse(l));
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Assemblies and their tarballs
// ---------------------------------------------------------------------------------------------

/** Features of the assemblies this project loads (aws-cdk-lib's), which @jsii/spec must be told. */
const FEATURES = ['intersection-types', 'class-covariant-overrides'];

/** A jsii package: its assembly, where it is installed, and the tarball the kernel loads. */
export interface JsiiPackage {
  readonly assembly: spec.Assembly;
  readonly dir: string;
}

/** This package and every jsii package it depends on, by name, from `node_modules` and `.jsii`. */
export function loadPackages(): Map<string, JsiiPackage> {
  const packages = new Map<string, JsiiPackage>();
  const visit = (dir: string): void => {
    const assembly = dir === ROOT ? spec.loadAssemblyFromPath(dir, false, FEATURES) : cachedAssembly(dir);
    if (packages.has(assembly.name)) return;
    packages.set(assembly.name, { assembly, dir });
    for (const dep of Object.keys(assembly.dependencies ?? {})) {
      visit(path.dirname(require.resolve(`${dep}/package.json`, { paths: [dir, ROOT] })));
    }
  };
  visit(ROOT);
  return packages;
}

/**
 * A dependency's assembly without its docs, cached in `node_modules/.cache` by name and version:
 * aws-cdk-lib's whole assembly takes seconds to read, its types without docs a fraction.
 */
function cachedAssembly(dir: string): spec.Assembly {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf-8')) as { name: string; version: string };
  const file = path.join(TARBALL_CACHE, `${pkg.name.replace('/', '+')}@${pkg.version}.types.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf-8')) as spec.Assembly;
  const assembly = spec.loadAssemblyFromPath(dir, false, FEATURES);
  const slim = JSON.stringify(assembly, (key, value: unknown) => (['docs', 'readme', 'locationInModule', 'symbolId', 'metadata'].includes(key) ? undefined : value));
  fs.mkdirSync(TARBALL_CACHE, { recursive: true });
  fs.writeFileSync(file, slim);
  return JSON.parse(slim) as spec.Assembly;
}

/** Why the compiled library is missing, or undefined when `.jsii` and `lib/` are there. */
export function missingBuild(): string | undefined {
  const missing = ['.jsii', 'lib/index.js'].filter((f) => !fs.existsSync(path.join(ROOT, f)));
  return missing.length === 0 ? undefined : `${missing.join(' and ')} missing: run \`npx projen compile\` first`;
}

/**
 * The order jsii-Python loads assemblies in: importing a package's `_jsii` module imports its
 * dependencies' `_jsii` modules first (sorted by Python module name, as jsii-pacmak writes the
 * imports), then loads the package itself; each once.
 */
export function loadOrder(packages: Map<string, JsiiPackage>, name: string, done: string[] = []): string[] {
  if (done.includes(name)) return done;
  const assembly = packages.get(name)!.assembly;
  const deps = Object.keys(assembly.dependencies ?? {})
    .sort((a, b) => pythonModule(packages, a).localeCompare(pythonModule(packages, b)));
  for (const dep of deps) loadOrder(packages, dep, done);
  if (!done.includes(name)) done.push(name);
  return done;
}

function pythonModule(packages: Map<string, JsiiPackage>, name: string): string {
  return String(packages.get(name)!.assembly.targets?.python?.module ?? name);
}

/** Where the tarballs of this run are written. */
const TARBALL_CACHE = path.join(ROOT, 'node_modules', '.cache', 'cdk-xray-ecs-bindings');

/**
 * The npm tarball of a dependency, as its Python package carries it: the file in npm's cache that
 * `npm ci` installed from (by the lockfile's integrity), else `npm pack --offline` of it. Never the
 * network.
 */
export function dependencyTarball(name: string, version: string): string {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf-8')) as {
    packages: Record<string, { version?: string; integrity?: string }>;
  };
  const entry = Object.entries(lock.packages).find(([key, p]) => key.endsWith(`node_modules/${name}`) && p.version === version)?.[1];
  const integrity = entry?.integrity?.split(' ').find((i) => i.startsWith('sha512-'));
  if (integrity) {
    const hex = Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex');
    const cacheRoot = process.env.npm_config_cache ?? path.join(os.homedir(), '.npm');
    const file = path.join(cacheRoot, '_cacache', 'content-v2', 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
    if (fs.existsSync(file) && crypto.createHash('sha512').update(fs.readFileSync(file)).digest('hex') === hex) return file;
  }
  const packed = path.join(TARBALL_CACHE, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`);
  if (!fs.existsSync(packed)) {
    fs.mkdirSync(TARBALL_CACHE, { recursive: true });
    execFileSync('npm', ['pack', `${name}@${version}`, '--offline', '--silent', '--pack-destination', TARBALL_CACHE], { stdio: 'ignore' });
  }
  return packed;
}

/**
 * This library's tarball as `npx projen package:js` packs it, as far as the kernel reads it:
 * `package.json`, `.jsii` and `lib/` under `package/`.
 */
export function libraryTarball(workDir: string): string {
  const stage = path.join(workDir, 'stage', 'package');
  fs.mkdirSync(stage, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(stage, 'package.json'));
  fs.copyFileSync(path.join(ROOT, '.jsii'), path.join(stage, '.jsii'));
  fs.symlinkSync(path.join(ROOT, 'lib'), path.join(stage, 'lib'));
  const tarball = path.join(workDir, 'cdk-xray-ecs.jsii.tgz');
  execFileSync('tar', ['-czhf', tarball, '-C', path.dirname(stage), 'package']);
  return tarball;
}

/** The runtime's package cache (extracted tarballs), kept between runs beside the tarballs. */
export const PACKAGE_CACHE_ROOT = path.join(TARBALL_CACHE, 'jsii-runtime-package-cache');
