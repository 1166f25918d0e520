/**
 * One measurement: synthesizes benchmark app A (library) or B (hand-written) with N services in
 * this fresh Node process, then prints one line `BENCH_RESULT {json}` on stdout.
 *
 *   node bench/results/build/bench/synth-child.js <A|B> <N> [--keep] [--count-calls] [--context key=value]
 *
 * What is timed (performance.now(), milliseconds):
 * - bootMs:      process start (performance.timeOrigin) to the first line of this script: Node's
 *                own start-up, the same for A and B.
 * - loadMs:      require() of the app module, which loads aws-cdk-lib (core, ec2, ecs, iam, logs,
 *                xray) and, for A, the compiled library. Nothing of aws-cdk-lib is loaded before.
 * - constructMs: building the App, its stacks and every construct (constructors, eager validation).
 * - synthMs:     app.synth(): prepare, validations (node.addValidation callbacks), template
 *                rendering and token resolution, writing the cloud assembly to a temp dir.
 * - wallMs:      loadMs + constructMs + synthMs, i.e. from before the first require('aws-cdk-lib')
 *                to app.synth() returning. The benchmark's headline figure.
 * cpuMs is process.cpuUsage() (user + system, every thread, GC helpers included) over the span of
 * wallMs: less sensitive than wall time to other processes competing for the cores.
 * maxRssKiB is process.resourceUsage().maxRSS taken right after app.synth() returns, before the
 * templates are read back for counting. The parent also measures the whole process wall time.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { App } from 'aws-cdk-lib';
import type { IValidation, Node } from 'constructs';

const bootMs = performance.now();

/** A stack's template, as far as the benchmark reads it. */
interface Template {
  readonly Resources?: { [logicalId: string]: { readonly Type: string } };
}

/**
 * The benchmark apps: A (library), B (hand-written), and for `run-peers.ts` A+ (library, every
 * feature on), C (ecs-service-extensions) and D (datadog-cdk-constructs-v2).
 */
export type ChildVariant = 'A' | 'B' | 'A+' | 'C' | 'D';
const VARIANTS: ChildVariant[] = ['A', 'B', 'A+', 'C', 'D'];

/** What one child run reports. */
export interface ChildResult {
  readonly variant: ChildVariant;
  readonly n: number;
  readonly bootMs: number;
  readonly loadMs: number;
  readonly constructMs: number;
  readonly synthMs: number;
  readonly wallMs: number;
  /** CPU time (user + system, all threads of the process) over the same span as wallMs. */
  readonly cpuMs: number;
  /** CPU time of each phase (sums to cpuMs). */
  readonly loadCpuMs: number;
  readonly constructCpuMs: number;
  readonly synthCpuMs: number;
  readonly maxRssKiB: number;
  readonly templateBytes: number;
  readonly resources: number;
  /** Bytes of the whole cloud assembly (templates, metadata with annotations, tree, manifests). */
  readonly assemblyBytes: number;
  /** Annotations (info, warning, error metadata) in the assembly. */
  readonly annotations: { readonly info: number; readonly warning: number; readonly error: number };
  readonly stacks: Array<{
    readonly stackName: string;
    readonly templateFile: string;
    readonly templateBytes: number;
    readonly resources: number;
    readonly types: { [type: string]: number };
  }>;
  /** The cloud assembly directory, kept only with --keep. */
  readonly outdir?: string;
  /** Calls of selected aws-cdk-lib functions, with --count-calls (the timings are then not used). */
  readonly calls?: { [fn: string]: CallCount };
  /** cdk context given with --context key=value. */
  readonly context?: { [key: string]: string };
}

/** What --count-calls reports for one function. */
export interface CallCount {
  readonly calls: number;
  /** CPU ms inside the outermost calls (process.cpuUsage), for the functions worth timing. */
  readonly cpuMs?: number;
}

/**
 * With --count-calls (a diagnostic; its timings are not used): counts calls of aws-cdk-lib
 * functions where a library tends to repeat work (container rendering, token resolution, stack
 * lookups, annotations, name generation, tree walks, validations), and times the costly ones.
 */
function installCallCounters(): () => { [fn: string]: CallCount } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const core = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const ecs = require('aws-cdk-lib/aws-ecs') as typeof import('aws-cdk-lib/aws-ecs');
  const constructs = require('constructs') as typeof import('constructs');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const calls: { [fn: string]: number } = {};
  const cpuUs: { [fn: string]: number } = {};
  const depth: { [fn: string]: number } = {};
  type Fn = (...args: unknown[]) => unknown;
  const counted = (label: string, original: Fn, timed: boolean): Fn => {
    calls[label] = 0;
    depth[label] = 0;
    if (timed) cpuUs[label] = 0;
    // Only outermost calls count: Node#tryGetContext, for one, recurses up the tree.
    return function (this: unknown, ...args: unknown[]): unknown {
      if (depth[label] > 0) return original.apply(this, args);
      calls[label]++;
      depth[label]++;
      const start = timed ? process.cpuUsage() : undefined;
      try {
        return original.apply(this, args);
      } finally {
        if (start) {
          const used = process.cpuUsage(start);
          cpuUs[label] += used.user + used.system;
        }
        depth[label]--;
      }
    };
  };
  const wrap = (label: string, owner: object, name: string, timed = false): void => {
    const target = owner as { [key: string]: unknown };
    const original = target[name];
    if (typeof original !== 'function') throw new Error(`cannot count ${label}: not a function`);
    target[name] = counted(label, original as Fn, timed);
  };
  wrap('ecs.ContainerDefinition#renderContainerDefinition', ecs.ContainerDefinition.prototype, 'renderContainerDefinition', true);
  wrap('Stack.of', core.Stack, 'of');
  wrap('Stack#resolve', core.Stack.prototype, 'resolve');
  wrap('Token.isUnresolved', core.Token, 'isUnresolved');
  wrap('Lazy.string', core.Lazy, 'string');
  wrap('Names.uniqueResourceName', core.Names, 'uniqueResourceName', true);
  wrap('Annotations#addInfo', core.Annotations.prototype, 'addInfo', true);
  wrap('Annotations#addWarningV2', core.Annotations.prototype, 'addWarningV2', true);
  wrap('Validations#acknowledge', core.Validations.prototype, 'acknowledge', true);
  wrap('Node#findAll', constructs.Node.prototype, 'findAll');
  wrap('Node#tryGetContext', constructs.Node.prototype, 'tryGetContext');
  wrap('Node#addMetadata', constructs.Node.prototype, 'addMetadata');
  // Every node.addValidation callback, timed when synth runs it.
  const runValidation = counted('node.addValidation callbacks (run at synth)', (v: unknown) => (v as IValidation).validate(), true);
  const addValidation = constructs.Node.prototype.addValidation;
  calls['Node#addValidation'] = 0;
  constructs.Node.prototype.addValidation = function (this: Node, validation: IValidation): void {
    calls['Node#addValidation']++;
    addValidation.call(this, { validate: () => runValidation(validation) as string[] });
  };
  return () => Object.fromEntries(Object.keys(calls).map((fn) => [fn, {
    calls: calls[fn],
    cpuMs: cpuUs[fn] === undefined ? undefined : cpuUs[fn] / 1000,
  }]));
}

interface AppModule {
  buildApp(n: number, outdir: string, context?: { [key: string]: string }): App;
}

// Named functions, so that the CPU profile can tell the phases apart.
function benchLoad(variant: ChildVariant): AppModule {
  // The peers are compiled into bench/peers/build/ (bench/peers/tsconfig.json), next to their own
  // node_modules, from which they and the aws-cdk-lib they use load.
  const peers = path.join(__dirname, '..', '..', '..', 'peers', 'build', 'peers');
  const modules: { [v in ChildVariant]: string } = {
    'A': './app-library',
    'B': './app-handwritten',
    'A+': './app-library-full',
    'C': path.join(peers, 'app-service-extensions'),
    'D': path.join(peers, 'app-datadog'),
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(modules[variant]) as AppModule;
}
function benchConstruct(appModule: AppModule, n: number, outdir: string, context: { [key: string]: string }): App {
  return appModule.buildApp(n, outdir, context);
}
function benchSynth(app: App): void {
  app.synth();
}

function main(): void {
  const [variantArg, nArg, ...flags] = process.argv.slice(2);
  if (!VARIANTS.includes(variantArg as ChildVariant)) {
    throw new Error(`variant must be one of ${VARIANTS.join(', ')}, got ${JSON.stringify(variantArg)}`);
  }
  const n = Number(nArg);
  if (!Number.isInteger(n) || n < 1) throw new Error(`N must be an integer of 1 or more, got ${JSON.stringify(nArg)}`);
  const keep = flags.includes('--keep');
  // --context key=value (repeatable): cdk context for the App, e.g. to switch a library notice off.
  const context: { [key: string]: string } = {};
  flags.forEach((flag, i) => {
    if (flag !== '--context') return;
    const [key, ...rest] = (flags[i + 1] ?? '').split('=');
    if (!key || rest.length === 0) throw new Error(`--context needs key=value, got ${JSON.stringify(flags[i + 1])}`);
    context[key] = rest.join('=');
  });
  const counts = flags.includes('--count-calls') ? installCallCounters() : undefined;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk-xray-ecs-bench-${variantArg}${n}-`));

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const appModule = benchLoad(variantArg as ChildVariant);
  const t1 = performance.now();
  const cpu1 = process.cpuUsage(cpu0);
  const app = benchConstruct(appModule, n, outdir, context);
  const t2 = performance.now();
  const cpu2 = process.cpuUsage(cpu0);
  benchSynth(app);
  const t3 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const maxRssKiB = process.resourceUsage().maxRSS;

  // Counted after the clock and the RSS reading: read the templates back from the assembly.
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf-8')) as {
    artifacts: {
      [id: string]: {
        type: string;
        properties?: { templateFile?: string };
        metadata?: { [path: string]: Array<{ type: string }> };
        additionalMetadataFile?: string;
      };
    };
  };
  const stacks = Object.entries(manifest.artifacts)
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .map(([stackName, a]) => {
      const templateFile = a.properties!.templateFile!;
      const text = fs.readFileSync(path.join(outdir, templateFile), 'utf-8');
      const template = JSON.parse(text) as Template;
      const types: { [type: string]: number } = {};
      const resources = Object.values(template.Resources ?? {});
      for (const r of resources) types[r.Type] = (types[r.Type] ?? 0) + 1;
      return { stackName, templateFile, templateBytes: Buffer.byteLength(text), resources: resources.length, types };
    });
  const assemblyBytes = fs.readdirSync(outdir).reduce((a, f) => a + fs.statSync(path.join(outdir, f)).size, 0);
  const annotations = { info: 0, warning: 0, error: 0 };
  for (const [, a] of Object.entries(manifest.artifacts)) {
    const metadata = { ...a.metadata };
    if (a.additionalMetadataFile) {
      Object.assign(metadata, JSON.parse(fs.readFileSync(path.join(outdir, a.additionalMetadataFile), 'utf-8')));
    }
    for (const entries of Object.values(metadata) as Array<Array<{ type: string }>>) {
      for (const e of entries) {
        if (e.type === 'aws:cdk:info') annotations.info++;
        else if (e.type === 'aws:cdk:warning') annotations.warning++;
        else if (e.type === 'aws:cdk:error') annotations.error++;
      }
    }
  }
  if (!keep) fs.rmSync(outdir, { recursive: true, force: true });

  const result: ChildResult = {
    variant: variantArg as ChildVariant,
    n,
    bootMs,
    loadMs: t1 - t0,
    constructMs: t2 - t1,
    synthMs: t3 - t2,
    wallMs: t3 - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    loadCpuMs: (cpu1.user + cpu1.system) / 1000,
    constructCpuMs: (cpu2.user + cpu2.system - cpu1.user - cpu1.system) / 1000,
    synthCpuMs: (cpu.user + cpu.system - cpu2.user - cpu2.system) / 1000,
    maxRssKiB,
    templateBytes: stacks.reduce((a, s) => a + s.templateBytes, 0),
    resources: stacks.reduce((a, s) => a + s.resources, 0),
    assemblyBytes,
    annotations,
    stacks,
    outdir: keep ? outdir : undefined,
    calls: counts?.(),
    context: Object.keys(context).length > 0 ? context : undefined,
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

main();
