/**
 * What the property tests and `bench/fuzz-props.ts` share: synthesizing one case cheaply, telling
 * a clear library error from anything else, the invariants every accepted template must meet, and
 * a runner that counts outcomes.
 *
 * A case is one set of random props for one construct, built in a fresh `App` with one `Stack`.
 * It ends in exactly one of:
 * - accepted: the app synthesizes, and every invariant holds (X-Ray resources valid against the
 *   CloudFormation registry schemas, containers fit their task, ...);
 * - rejected: an `Error` whose message is one of the library's own clear messages;
 * - failure: anything else (a TypeError, an aws-cdk-lib error, an unclear message, a broken
 *   invariant). There must be none.
 *
 * Free of jest, so that the bench script runs it under plain ts-node.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { validateXRayResources } from '../helpers/cfn-schema';

// ---------------------------------------------------------------------------------------------
// Synthesis
// ---------------------------------------------------------------------------------------------

let outdir: string | undefined;

/**
 * One output folder for every case of the process (tmpfs when there is one): a fresh temporary
 * folder per `App` would leave tens of thousands of folders behind. Removed by {@link cleanup}.
 */
function sharedOutdir(): string {
  if (!outdir) {
    const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
    outdir = fs.mkdtempSync(path.join(base, 'cdk-xray-ecs-fuzz-'));
  }
  return outdir;
}

/** Removes the shared output folder. */
export function cleanup(): void {
  if (outdir) {
    fs.rmSync(outdir, { recursive: true, force: true });
    outdir = undefined;
  }
}

/** A fresh app with one stack, made cheap: no stack traces, no tree metadata, no analytics. */
function newCase(): { app: App; stack: Stack } {
  const app = new App({ outdir: sharedOutdir(), stackTraces: false, treeMetadata: false, analyticsReporting: false });
  const stack = new Stack(app, 'Fuzz');
  return { app, stack };
}

/** A synthesized template (the keys the invariants read). */
export interface TemplateJson {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
}

/** Synthesizes `app` (validation included) and returns `stack`'s template and error annotations. */
export function synthesize(app: App, stack: Stack): { template: TemplateJson; errors: string[] } {
  const assembly = app.synth({ force: true });
  const artifact = assembly.getStackArtifact(stack.artifactId);
  const errors = artifact.messages.filter((m) => m.level === 'error').map((m) => String(m.entry.data));
  return { template: artifact.template as TemplateJson, errors };
}

// ---------------------------------------------------------------------------------------------
// Clear errors
// ---------------------------------------------------------------------------------------------

const JS_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

/** The header aws-cdk-lib puts before the messages of failed `node.addValidation` checks. */
const VALIDATION_HEADER = 'Validation failed with the following errors:';

/**
 * Messages that start with a public API path rather than a lowercase prop name, and are accepted
 * as naming the prop (e.g. `XRayAgent.daemon version must be pinned ...`).
 */
const API_PATH_PREFIXES = ['XRayAgent.'];

/** Why an error is not a clear library error, or undefined when it is. */
export function unclearError(err: unknown, props: readonly string[]): string | undefined {
  if (!(err instanceof Error)) return `threw a non-Error: ${String(err)}`;
  const jsError = JS_ERRORS.find((E) => err instanceof E);
  if (jsError) return `threw a ${jsError.name}: ${err.message}`;
  const ctor = err.constructor.name;
  let messages: string[];
  if (err.message.startsWith(VALIDATION_HEADER)) {
    // aws-cdk-lib's report of failed node.addValidation checks: each line `[path] message` must be
    // a library message (the library's whole-tree checks report this way).
    messages = splitValidationErrors(err.message);
    if (messages.length === 0) return `empty validation report: ${err.message}`;
  } else if (ctor !== 'Error' && ctor !== 'FilterExpressionError') {
    return `threw ${ctor} (not the library's own Error): ${err.message}`;
  } else {
    messages = [err.message];
  }
  for (const raw of messages) {
    // The library names where a message is from: a construct path (`Fuzz/Rule: `) or a call
    // (`FilterExpression.parse: `, `SamplingRuleServiceType.of: `).
    const message = raw.replace(/^(?:Fuzz(?:\/[^:\n]+)?|[A-Z][A-Za-z]*(?:\.[A-Za-z]+(?:\([^)]*\))?)+): /, '');
    const startsClear = /^[a-z]/.test(message) || API_PATH_PREFIXES.some((p) => message.startsWith(p));
    if (!startsClear) return `message does not start lowercase: ${JSON.stringify(message)}`;
    const namesProp = props.some((p) => new RegExp(`(^|[^A-Za-z0-9])${escapeRegExp(p)}([^A-Za-z0-9]|$)`).test(message));
    if (!namesProp) return `message names none of the props (${props.join(', ')}): ${JSON.stringify(message)}`;
  }
  return undefined;
}

function splitValidationErrors(message: string): string[] {
  const out: string[] = [];
  for (const line of message.slice(VALIDATION_HEADER.length).split('\n')) {
    // `[\s\S]`, not `.`: a message may carry a user's value with a \r or another line terminator.
    const m = /^\s*\[[^\]]*\] ([\s\S]*)$/.exec(line);
    if (m) out.push(m[1]);
    else if (line.trim() !== '' && out.length > 0) out[out.length - 1] += `\n${line}`;
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Invariants of an accepted template
// ---------------------------------------------------------------------------------------------

/** A broken invariant: its name and what is wrong. */
export class InvariantViolation extends Error {
  constructor(public readonly invariant: string, detail: string) {
    super(`${invariant}: ${detail}`);
    this.name = 'InvariantViolation';
  }
}

export function check(invariant: string, ok: boolean, detail: () => string): void {
  if (!ok) throw new InvariantViolation(invariant, detail());
}

/** Every `AWS::XRay::*` resource is valid against its registry schema. */
export function checkXRaySchemas(template: TemplateJson): void {
  const report = validateXRayResources(template as Parameters<typeof validateXRayResources>[0]);
  check('xray-schema', report.problems.length === 0, () => JSON.stringify(report.problems));
}

/** The Fargate task sizes (Linux), from the AWS Fargate documentation; independent of src. */
const FARGATE_MEMORY: ReadonlyMap<number, (m: number) => boolean> = new Map([
  [256, (m: number) => [512, 1024, 2048].includes(m)],
  [512, (m: number) => m >= 1024 && m <= 4096 && m % 1024 === 0],
  [1024, (m: number) => m >= 2048 && m <= 8192 && m % 1024 === 0],
  [2048, (m: number) => m >= 4096 && m <= 16384 && m % 1024 === 0],
  [4096, (m: number) => m >= 8192 && m <= 30720 && m % 1024 === 0],
  [8192, (m: number) => m >= 16384 && m <= 61440 && m % 4096 === 0],
  [16384, (m: number) => m >= 32768 && m <= 122880 && m % 8192 === 0],
]);

/**
 * Container names: "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens
 * are allowed" (ECS API, ContainerDefinition.name). ECS service names: the same rule
 * (CreateService.serviceName).
 */
export const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * Images: "Up to 255 letters (uppercase and lowercase), numbers, hyphens, underscores, colons,
 * periods, forward slashes, and number signs are allowed" (ECS API, ContainerDefinition.image),
 * plus `@` for a digest reference.
 */
const ECS_IMAGE = /^[A-Za-z0-9\-_:./#@]{1,255}$/;

/**
 * A whole image reference as registries parse it: distribution/reference's `referencePat`
 * (`regexp.go`), restated here independently of src: `[host[:port]/]path[:tag][@digest]`, path
 * components lowercase, tag `[\w][\w.-]{0,127}`, digests limited to sha256.
 */
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const IMAGE_REFERENCE = new RegExp(
  `^(?:(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*` +
  '(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$');

/** One container definition of a template (the keys the invariants read). */
export interface ContainerJson {
  readonly Name: string;
  readonly Image?: unknown;
  readonly Cpu?: number;
  readonly Memory?: number;
  readonly MemoryReservation?: number;
  readonly Environment?: Array<{ Name: string; Value: unknown }>;
  readonly PortMappings?: Array<{ ContainerPort: number; Protocol: string }>;
  readonly Links?: string[];
}

/** Every task definition of the template, with its containers. */
export function taskDefinitions(template: TemplateJson): Array<{ id: string; props: Record<string, unknown>; containers: ContainerJson[] }> {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::ECS::TaskDefinition')
    .map(([id, r]) => ({ id, props: r.Properties ?? {}, containers: (r.Properties?.ContainerDefinitions ?? []) as ContainerJson[] }));
}

/**
 * Task definitions ECS would register: container names and images ECS accepts, containers that
 * fit the task's cpu and memory, and a Fargate task size Fargate runs.
 */
export function checkTaskDefinitions(template: TemplateJson): void {
  for (const td of taskDefinitions(template)) {
    for (const c of td.containers) {
      check('ecs-container-name', typeof c.Name === 'string' && ECS_NAME.test(c.Name), () => `container name ${JSON.stringify(c.Name)} in ${td.id}`);
      check('ecs-image', typeof c.Image !== 'string' || ECS_IMAGE.test(c.Image), () => `image ${JSON.stringify(c.Image)} of ${c.Name} in ${td.id}`);
      check('image-reference', typeof c.Image !== 'string' || IMAGE_REFERENCE.test(c.Image),
        () => `image ${JSON.stringify(c.Image)} of ${c.Name} in ${td.id} is not a reference a registry parses`);
      for (const kv of c.Environment ?? []) {
        check('env-literal', typeof kv.Name === 'string' && (typeof kv.Value === 'string' || typeof kv.Value === 'object'),
          () => `environment ${JSON.stringify(kv)} of ${c.Name}`);
      }
    }
    const cpu = td.props.Cpu === undefined ? undefined : Number(td.props.Cpu);
    const memory = td.props.Memory === undefined ? undefined : Number(td.props.Memory);
    const fargate = ((td.props.RequiresCompatibilities ?? []) as string[]).includes('FARGATE');
    if (fargate) {
      check('fargate-size', cpu !== undefined && memory !== undefined && FARGATE_MEMORY.get(cpu)?.(memory) === true,
        () => `task ${td.id} has Cpu ${JSON.stringify(td.props.Cpu)} and Memory ${JSON.stringify(td.props.Memory)}`);
    }
    if (cpu !== undefined) {
      check('task-cpu-number', Number.isInteger(cpu) && cpu > 0, () => `task ${td.id} has Cpu ${JSON.stringify(td.props.Cpu)}`);
      const sum = td.containers.reduce((a, c) => a + (c.Cpu ?? 0), 0);
      check('containers-fit-cpu', sum <= cpu, () => `containers of ${td.id} need cpu ${sum} > task cpu ${cpu}`);
    }
    if (memory !== undefined) {
      check('task-memory-number', Number.isInteger(memory) && memory > 0, () => `task ${td.id} has Memory ${JSON.stringify(td.props.Memory)}`);
      // ECS adds up what each container reserves: its soft reservation if set, else its hard limit;
      // no single hard limit may exceed the task's memory.
      const sum = td.containers.reduce((a, c) => a + (c.MemoryReservation ?? c.Memory ?? 0), 0);
      check('containers-fit-memory', sum <= memory, () => `containers of ${td.id} need ${sum} MiB > task memory ${memory} MiB`);
      const over = td.containers.find((c) => (c.Memory ?? 0) > memory);
      check('container-limit-within-task', over === undefined, () => `a container of ${td.id} has Memory ${over?.Memory} > task memory ${memory} MiB`);
    }
  }
}

/** The environment of a container as a map (literal values only; tokens are skipped). */
export function envOf(container: ContainerJson): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of container.Environment ?? []) if (typeof kv.Value === 'string') env[kv.Name] = kv.Value;
  return env;
}

// ---------------------------------------------------------------------------------------------
// Cases and the runner
// ---------------------------------------------------------------------------------------------

/**
 * Thrown by {@link userSetup} when the test's own aws-cdk-lib calls (the user's task definition, the
 * user's app container) refuse the input: the case says nothing about the library and is discarded.
 */
export class SetupDiscard extends Error {
  constructor(cause: unknown) {
    super(`setup refused the input: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'SetupDiscard';
  }
}

/** Runs the user's part of a case (aws-cdk-lib calls only); an error there discards the case. */
export function userSetup<R>(fn: () => R): R {
  try {
    return fn();
  } catch (err) {
    throw new SetupDiscard(err);
  }
}

/** What one case ended in. */
export type Outcome =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'discarded' }
  | { readonly kind: 'rejected'; readonly message: string };

/** A failed case: why, for the assertion message or the bench report. */
export class CaseFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaseFailure';
  }
}

/** One construct's property: random props, how to build them, and what must hold. */
export interface ConstructProperty<T> {
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  /** The props (and prop paths) a clear error message may name. */
  readonly props: readonly string[];
  /** Builds the construct(s) into `stack` from `input`; may throw a clear error. */
  readonly build: (stack: Stack, input: T) => void;
  /** Extra invariants of an accepted template, beyond the shared ones. */
  readonly invariants?: (template: TemplateJson, input: T) => void;
}

/** Runs one case; returns its outcome or throws a {@link CaseFailure}. */
export function runCase<T>(property: ConstructProperty<T>, input: T): Outcome {
  const { app, stack } = newCase();
  let template: TemplateJson;
  try {
    property.build(stack, input);
    const synthesized = synthesize(app, stack);
    if (synthesized.errors.length > 0) {
      const err = new Error(synthesized.errors.join('\n'));
      const why = unclearError(err, property.props);
      if (why) throw new CaseFailure(`error annotation is not a clear library message: ${why}`);
      return { kind: 'rejected', message: err.message };
    }
    template = synthesized.template;
  } catch (err) {
    if (err instanceof CaseFailure) throw err;
    if (err instanceof SetupDiscard) return { kind: 'discarded' };
    const why = unclearError(err, property.props);
    if (why) throw new CaseFailure(`unclear error: ${why}`);
    return { kind: 'rejected', message: (err as Error).message };
  }
  try {
    checkXRaySchemas(template);
    checkTaskDefinitions(template);
    property.invariants?.(template, input);
  } catch (err) {
    if (err instanceof InvariantViolation) throw new CaseFailure(`accepted, but ${err.message}`);
    throw new CaseFailure(`invariant check crashed: ${(err as Error).stack ?? String(err)}`);
  }
  return { kind: 'accepted' };
}

/** Counts of a run. */
export interface RunStats {
  cases: number;
  accepted: number;
  rejected: number;
  discarded: number;
  failures: number;
  /** The first few failures, with their inputs. */
  readonly examples: string[];
  /** Distinct rejection messages seen (shape only: digits and quoted values masked), with counts. */
  readonly rejections: Map<string, number>;
}

export function emptyStats(): RunStats {
  return { cases: 0, accepted: 0, rejected: 0, discarded: 0, failures: 0, examples: [], rejections: new Map() };
}

/** Adds the counts of `more` to `stats` (for a run split into chunks). */
export function mergeStats(stats: RunStats, more: RunStats): void {
  stats.cases += more.cases;
  stats.accepted += more.accepted;
  stats.rejected += more.rejected;
  stats.discarded += more.discarded;
  stats.failures += more.failures;
  for (const e of more.examples) if (stats.examples.length < 5) stats.examples.push(e);
  for (const [k, n] of more.rejections) stats.rejections.set(k, (stats.rejections.get(k) ?? 0) + n);
}

/** Adds one outcome (or failure) to `stats`. */
export function record(stats: RunStats, outcome: Outcome | CaseFailure, input: unknown): void {
  stats.cases += 1;
  if (outcome instanceof CaseFailure) {
    stats.failures += 1;
    if (stats.examples.length < 5) stats.examples.push(`${outcome.message}\n  input: ${fc.stringify(input)}`);
    return;
  }
  switch (outcome.kind) {
    case 'accepted':
      stats.accepted += 1;
      break;
    case 'rejected': {
      stats.rejected += 1;
      const shape = outcome.message.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/-?\d[\d.e+-]*/g, 'N').slice(0, 140);
      stats.rejections.set(shape, (stats.rejections.get(shape) ?? 0) + 1);
      break;
    }
    case 'discarded':
      stats.discarded += 1;
      break;
  }
}

/** Cases generated per seed by {@link runMany}: batch `b` of a run uses seed `seed + b`. */
export const BATCH = 1000;

/**
 * Runs `runs` cases of `property` without stopping at a failure (for the bench), generating in
 * batches of {@link BATCH} from `seed + firstBatch` on, so that a run split into chunks of whole
 * batches sees the same cases as one long run. Calls `progress` after each batch.
 */
export function runMany<T>(
  property: ConstructProperty<T>, runs: number, seed: number, progress?: (s: RunStats) => void, firstBatch = 0,
): RunStats {
  const stats = emptyStats();
  const batch = BATCH;
  for (let done = 0, b = firstBatch; done < runs; b++) {
    const n = Math.min(batch, runs - done);
    for (const input of fc.sample(property.arbitrary, { numRuns: n, seed: seed + b })) {
      let outcome: Outcome | CaseFailure;
      try {
        outcome = runCase(property, input);
      } catch (err) {
        outcome = err instanceof CaseFailure ? err : new CaseFailure(`harness error: ${(err as Error).stack ?? String(err)}`);
      }
      record(stats, outcome, input);
    }
    done += n;
    progress?.(stats);
  }
  return stats;
}

/** `FUZZ_RUNS` (cases per construct), default 2000. */
export function fuzzRuns(defaultRuns = 2000): number {
  const raw = process.env.FUZZ_RUNS;
  if (raw === undefined || raw === '') return defaultRuns;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`FUZZ_RUNS must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}
