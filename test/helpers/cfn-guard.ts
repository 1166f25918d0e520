import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Runs AWS Control Tower's proactive ECS controls, the cfn-guard rules and the cfn-guard binary that
 * `@cdklabs/cdk-validator-cfnguard` ships (no download), over a synthesized template, one rule file at
 * a time, and says per control whether it passed, failed (and on which resource, container and
 * property) or did not apply. Everything unexpected throws: a missing binary or rule, an exit code
 * cfn-guard does not document, output that is not the JSON report, a report that contradicts the
 * exit code, or a failure whose location cannot be read. Nothing is ever reported as a pass by default.
 */

/** The package that ships the rules and the binary. */
const VALIDATOR_PACKAGE = '@cdklabs/cdk-validator-cfnguard';

/** Where the ECS rules and their metadata sit inside the package. */
const ECS_RULES_SUBDIR = path.join('rules', 'control-tower', 'cfn-guard', 'ecs');
const ECS_METADATA_SUBDIR = path.join('rules', 'control-tower', 'metadata', 'ecs');

/** `ct-ecs-pr-7.guard` and the like. */
const ECS_RULE_FILE = /^ct-ecs-pr-(\d+)\.guard$/;

/**
 * cfn-guard 3.x exit codes: 0 when nothing failed (every rule passed or was skipped), 19 when a rule
 * failed. Everything else is an error: 5 is what it returns when a rule file does not parse (it then
 * reports SKIP, which must never pass for a result), and 255 when a data file is missing.
 */
const EXIT_OK = 0;
const EXIT_FAILED = 19;

/** What a control concluded about the template. */
export type GuardOutcome = 'PASS' | 'FAIL' | 'SKIP';

/** A synthesized CloudFormation template, as `Template.fromStack(stack).toJSON()` returns it. */
export interface CfnTemplate {
  readonly Resources?: { readonly [logicalId: string]: { readonly Type: string; readonly Properties?: { readonly [key: string]: unknown } } };
  readonly [key: string]: unknown;
}

/** A control, from its rule file and its metadata file. */
export interface EcsControl {
  /** The rule's file name without `.guard`, e.g. `ct-ecs-pr-7`. */
  readonly ruleName: string;
  /** The control id, e.g. `CT.ECS.PR.7`. */
  readonly controlId: string;
  /** The control's display name. */
  readonly title: string;
  readonly description: string;
  /** What the control tells you to do, from its metadata. */
  readonly remediation: string;
  readonly severity: string;
  /** The CloudFormation resource types the control looks at, e.g. `AWS::ECS::TaskDefinition`. */
  readonly evaluatedResourceTypes: readonly string[];
  /** The absolute path of the `.guard` file. */
  readonly rulePath: string;
}

/** One failing check of a control, located in the template. */
export interface GuardViolation {
  /** The logical id of the resource that failed, e.g. `TaskC9C9C5C4`. */
  readonly logicalId: string;
  /** Its resource type, e.g. `AWS::ECS::TaskDefinition`. */
  readonly resourceType: string;
  /** The index in `ContainerDefinitions`, when the failure is inside a container definition. */
  readonly containerIndex?: number;
  /** That container definition's `Name`, when it has one. */
  readonly containerName?: string;
  /**
   * The failing property, relative to the container definition when there is one, else to the
   * resource's `Properties`, dotted: `Memory`, `User`, `LogConfiguration.LogDriver`, `NetworkMode`.
   */
  readonly property: string;
  /** The JSON path cfn-guard reported, e.g. `/Resources/Task/Properties/ContainerDefinitions/1`. */
  readonly path: string;
  /** The clause that failed, as cfn-guard wrote it, e.g. `Memory EXISTS`. */
  readonly clause: string;
  /** cfn-guard's own message for the failing clause. */
  readonly message: string;
}

/** What one control concluded. */
export interface ControlResult {
  readonly control: EcsControl;
  readonly outcome: GuardOutcome;
  /** The control's message, `[CT.ECS.PR.7]: ... [FIX]: ...`, when it failed. */
  readonly controlMessage?: string;
  /** Every failing check (empty unless `outcome` is FAIL, never empty when it is). */
  readonly violations: readonly GuardViolation[];
}

/** Options of {@link runEcsControls}. */
export interface RunEcsControlsOptions {
  /**
   * Only these controls, by rule name (`ct-ecs-pr-7`) or control id (`CT.ECS.PR.7`). An unknown one throws.
   * @default - every ct-ecs-pr-* control the package ships
   */
  readonly only?: readonly string[];
  /**
   * The cfn-guard binary to run.
   * @default - the one the package ships for this platform and architecture
   */
  readonly guardBinary?: string;
}

/** The validator package's directory in node_modules. */
function validatorPackageDir(): string {
  return path.dirname(require.resolve(`${VALIDATOR_PACKAGE}/package.json`));
}

/**
 * The cfn-guard binary the package ships for this machine: `bin/<ubuntu|macos>/<x86_64|aarch64>/cfn-guard`
 * (the package calls every Linux `ubuntu`). Throws when there is none, or it is not executable.
 */
function guardBinaryPath(packageDir: string): string {
  const platform = os.platform() === 'linux' ? 'ubuntu' : os.platform() === 'darwin' ? 'macos' : undefined;
  const arch = os.arch() === 'x64' ? 'x86_64' : os.arch() === 'arm64' ? 'aarch64' : undefined;
  if (!platform || !arch) {
    throw new Error(`${VALIDATOR_PACKAGE} ships no cfn-guard binary for ${os.platform()}/${os.arch()}`);
  }
  const binary = path.join(packageDir, 'bin', platform, arch, 'cfn-guard');
  assertExecutable(binary);
  return binary;
}

function assertExecutable(binary: string): void {
  try {
    fs.accessSync(binary, fs.constants.X_OK);
  } catch (e) {
    throw new Error(`cfn-guard binary ${binary} is missing or not executable: ${(e as Error).message}`);
  }
}

function isRecord(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: { [key: string]: unknown }, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error(`${where}: expected a non-empty string in '${key}', got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Every ct-ecs-pr-* control the package ships, in control-number order, each with its metadata.
 * Throws when there is none, or a rule has no metadata, or the metadata names another control.
 */
export function loadEcsControls(packageDir: string = validatorPackageDir()): EcsControl[] {
  const rulesDir = path.join(packageDir, ECS_RULES_SUBDIR);
  const metadataDir = path.join(packageDir, ECS_METADATA_SUBDIR);
  const files = fs.readdirSync(rulesDir)
    .map((file) => ({ file, match: ECS_RULE_FILE.exec(file) }))
    .filter((f): f is { file: string; match: RegExpExecArray } => f.match !== null)
    .sort((a, b) => Number(a.match[1]) - Number(b.match[1]));
  if (files.length === 0) {
    throw new Error(`no ct-ecs-pr-*.guard rule in ${rulesDir}`);
  }
  return files.map(({ file, match }) => {
    const ruleName = file.replace(/\.guard$/, '');
    const metadataPath = path.join(metadataDir, `${ruleName}.metadata.json`);
    if (!fs.existsSync(metadataPath)) {
      throw new Error(`control ${ruleName} has no metadata file ${metadataPath}`);
    }
    const metadata: unknown = JSON.parse(fs.readFileSync(metadataPath, 'utf-8'));
    if (!isRecord(metadata)) {
      throw new Error(`${metadataPath}: not a JSON object`);
    }
    const controlId = stringField(metadata, 'Id', metadataPath);
    if (controlId !== `CT.ECS.PR.${match[1]}`) {
      throw new Error(`${metadataPath}: Id ${controlId} does not match rule file ${file}`);
    }
    const types = metadata.EvaluatedResourceTypes;
    if (!Array.isArray(types) || !types.every((t): t is string => typeof t === 'string')) {
      throw new Error(`${metadataPath}: EvaluatedResourceTypes is not a list of strings`);
    }
    return {
      ruleName,
      controlId,
      title: stringField(metadata, 'DisplayName', metadataPath),
      description: stringField(metadata, 'Description', metadataPath),
      remediation: stringField(metadata, 'RemediationMessage', metadataPath),
      severity: stringField(metadata, 'Severity', metadataPath),
      evaluatedResourceTypes: types,
      rulePath: path.join(rulesDir, file),
    };
  });
}

/**
 * Runs the Control Tower ECS controls over `template` (written to a temporary file that is removed
 * afterwards), one cfn-guard run per control, and returns one result per control in control order.
 */
export function runEcsControls(template: CfnTemplate, options: RunEcsControlsOptions = {}): ControlResult[] {
  const packageDir = validatorPackageDir();
  const guard = options.guardBinary ?? guardBinaryPath(packageDir);
  assertExecutable(guard);
  if (!isRecord(template.Resources)) {
    throw new Error('template has no Resources: synthesize the stack first');
  }
  let controls = loadEcsControls(packageDir);
  if (options.only) {
    const unknown = options.only.filter((o) => !controls.some((c) => c.ruleName === o || c.controlId === o));
    if (unknown.length > 0) {
      throw new Error(`unknown control(s) ${unknown.join(', ')}; known: ${controls.map((c) => c.controlId).join(', ')}`);
    }
    controls = controls.filter((c) => options.only!.includes(c.ruleName) || options.only!.includes(c.controlId));
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-guard-'));
  try {
    const dataPath = path.join(dir, 'template.json');
    fs.writeFileSync(dataPath, JSON.stringify(template));
    return controls.map((control) => runControl(guard, control, dataPath, template));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The result of one control, or the first control with that id, in `results`; throws when absent. */
export function resultOf(results: readonly ControlResult[], controlId: string): ControlResult {
  const result = results.find((r) => r.control.controlId === controlId || r.control.ruleName === controlId);
  if (!result) {
    throw new Error(`no result for control ${controlId}; have ${results.map((r) => r.control.controlId).join(', ')}`);
  }
  return result;
}

/** A one-line-per-violation summary of a result, for failure messages and reports. */
export function describeResult(result: ControlResult): string {
  const head = `${result.control.controlId} ${result.outcome}`;
  if (result.outcome !== 'FAIL') return head;
  const lines = result.violations.map((v) => {
    const where = v.containerName !== undefined ? `${v.logicalId} container ${v.containerName}` : v.logicalId;
    return `  - ${where}: ${v.property} (${v.clause}): ${shorten(v.message)}`;
  });
  return [`${head}: ${oneLine(result.controlMessage ?? '')}`, ...lines].join('\n');
}

/** cfn-guard quotes the whole container definition it traversed to: keep the message, drop that value. */
function shorten(message: string): string {
  const cut = message.replace(/ Value=\{.*\}\]\.?$/, ' Value={...}].');
  return cut.length > 400 ? `${cut.slice(0, 400)}...` : cut;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function runControl(guard: string, control: EcsControl, dataPath: string, template: CfnTemplate): ControlResult {
  // The flags @cdklabs/cdk-validator-cfnguard passes (cfn-guard 3.1.1 lists all of them in
  // `validate --help`): JSON output, no summary table, and `--structured` so that stdout is exactly
  // one JSON document (a list with one report per data file).
  const args = [
    'validate',
    '--rules', control.rulePath,
    '--data', dataPath,
    '--output-format', 'json',
    '--show-summary', 'none',
    '--structured',
  ];
  const proc = spawnSync(guard, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const context = `cfn-guard ${control.ruleName}`;
  if (proc.error) {
    throw new Error(`${context}: could not run ${guard}: ${proc.error.message}`);
  }
  const stdout = proc.stdout.toString('utf-8').trim();
  const stderr = proc.stderr.toString('utf-8').trim();
  if (proc.status !== EXIT_OK && proc.status !== EXIT_FAILED) {
    const how = proc.status === null ? `signal ${proc.signal}` : `status ${proc.status}`;
    throw new Error(`${context}: exited with ${how} (expected ${EXIT_OK} or ${EXIT_FAILED})\nstderr: ${stderr}\nstdout: ${stdout}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (e) {
    throw new Error(`${context}: output is not JSON (${(e as Error).message})\nstderr: ${stderr}\nstdout: ${stdout}`);
  }
  if (!Array.isArray(parsed) || parsed.length !== 1 || !isRecord(parsed[0])) {
    throw new Error(`${context}: expected a list with one report (one data file), got ${stdout.slice(0, 2000)}`);
  }
  const report = parsed[0];
  if (report.name !== dataPath) {
    throw new Error(`${context}: report is for ${JSON.stringify(report.name)}, not for ${dataPath}`);
  }
  const status = report.status;
  if (status !== 'PASS' && status !== 'FAIL' && status !== 'SKIP') {
    throw new Error(`${context}: unknown status ${JSON.stringify(status)}`);
  }
  if ((status === 'FAIL') !== (proc.status === EXIT_FAILED)) {
    throw new Error(`${context}: status ${status} contradicts exit code ${proc.status}`);
  }
  const notCompliant = report.not_compliant;
  const compliant = report.compliant;
  if (!Array.isArray(notCompliant) || !Array.isArray(compliant)) {
    throw new Error(`${context}: report has no not_compliant/compliant lists: ${stdout.slice(0, 2000)}`);
  }
  if (status === 'PASS' && (compliant.length === 0 || notCompliant.length > 0)) {
    throw new Error(`${context}: PASS without a compliant rule, or with non-compliant ones: ${stdout.slice(0, 2000)}`);
  }
  if (status !== 'FAIL') {
    return { control, outcome: status, violations: [] };
  }
  if (notCompliant.length === 0) {
    throw new Error(`${context}: FAIL without any non-compliant rule: ${stdout.slice(0, 2000)}`);
  }

  const collector: Collector = { violations: [], controlMessages: [] };
  for (const entry of notCompliant) {
    walk(entry, collector, template, context);
  }
  if (collector.violations.length === 0) {
    throw new Error(`${context}: FAIL, but no failing clause could be located in: ${stdout.slice(0, 4000)}`);
  }
  const controlMessage = collector.controlMessages.find((m) => m.includes(`[${control.controlId}]`));
  if (controlMessage === undefined) {
    throw new Error(`${context}: FAIL without a [${control.controlId}] message; got ${JSON.stringify(collector.controlMessages)}`);
  }
  return { control, outcome: 'FAIL', controlMessage: controlMessage.trim(), violations: dedupe(collector.violations) };
}

interface Collector {
  readonly violations: GuardViolation[];
  readonly controlMessages: string[];
}

/** Walks cfn-guard's (undocumented, rule-shaped) result tree, collecting every failing clause or block. */
function walk(node: unknown, collector: Collector, template: CfnTemplate, context: string): void {
  if (Array.isArray(node)) {
    node.forEach((n) => walk(n, collector, template, context));
    return;
  }
  if (!isRecord(node)) return;
  const messages = node.messages;
  if (isRecord(messages) && typeof messages.custom_message === 'string' && messages.custom_message.includes('[CT.')) {
    collector.controlMessages.push(messages.custom_message);
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'Clause') {
      collector.violations.push(clauseViolation(value, template, context));
    } else if (key === 'Block' && isRecord(value) && value.unresolved !== undefined && value.unresolved !== null) {
      // A block whose query could not be resolved (e.g. `ContainerDefinitions[*]` missing) fails as a whole.
      collector.violations.push(locate(value.unresolved, blockText(value), messageOf(value), template, context));
      walk(value.checks, collector, template, context);
    } else {
      walk(value, collector, template, context);
    }
  }
}

function blockText(block: { [key: string]: unknown }): string {
  return typeof block.context === 'string' ? oneLine(block.context) : 'block';
}

function messageOf(record: { [key: string]: unknown }): string {
  const messages = record.messages;
  if (!isRecord(messages)) return '';
  const parts = [messages.error_message, messages.custom_message].filter((m): m is string => typeof m === 'string' && m.length > 0);
  return oneLine(parts.join(' '));
}

/** A failing `Unary` or `Binary` clause: its `check` says where it looked. */
function clauseViolation(clause: unknown, template: CfnTemplate, context: string): GuardViolation {
  if (!isRecord(clause)) throw new Error(`${context}: Clause is not an object: ${JSON.stringify(clause)}`);
  const inner = clause.Unary ?? clause.Binary;
  if (!isRecord(inner)) throw new Error(`${context}: Clause is neither Unary nor Binary: ${JSON.stringify(clause).slice(0, 2000)}`);
  const check = inner.check;
  if (!isRecord(check)) throw new Error(`${context}: Clause without a check: ${JSON.stringify(clause).slice(0, 2000)}`);
  const text = typeof inner.context === 'string' ? oneLine(inner.context) : 'clause';
  return locate(check, text, messageOf(inner), template, context);
}

/**
 * Finds the template path a check points at. cfn-guard's shapes: `UnResolved.value.traversed_to.path`
 * plus `remaining_query` (a missing property), `Resolved.from.path` / `InResolved.from.path` (a value
 * that compared wrong), `Resolved.value.path` (a unary check on a value), and a block's
 * `unresolved.traversed_to.path`.
 */
function locate(check: unknown, clause: string, message: string, template: CfnTemplate, context: string): GuardViolation {
  const fail = (): never => {
    throw new Error(`${context}: cannot locate failing check ${clause}: ${JSON.stringify(check).slice(0, 2000)}`);
  };
  if (!isRecord(check)) return fail();
  const found = findLocation(check);
  if (!found) return fail();
  return violationAt(found.path, found.remainingQuery, clause, message, template, context);
}

interface Location {
  readonly path: string;
  readonly remainingQuery?: string;
}

function findLocation(node: { [key: string]: unknown }): Location | undefined {
  const pathOf = (v: unknown): string | undefined => (isRecord(v) && typeof v.path === 'string' && v.path.startsWith('/') ? v.path : undefined);
  const traversed = node.traversed_to;
  if (pathOf(traversed)) {
    const rq = typeof node.remaining_query === 'string' && node.remaining_query.length > 0 ? node.remaining_query : undefined;
    return { path: pathOf(traversed)!, remainingQuery: rq };
  }
  if (pathOf(node.from)) return { path: pathOf(node.from)! };
  if (pathOf(node.value)) return { path: pathOf(node.value)! };
  for (const value of Object.values(node)) {
    if (isRecord(value)) {
      const inner = findLocation(value);
      if (inner) return inner;
    }
  }
  return undefined;
}

function violationAt(
  jsonPath: string, remainingQuery: string | undefined, clause: string, message: string, template: CfnTemplate, context: string,
): GuardViolation {
  const segments = jsonPath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (segments[0] !== 'Resources' || segments.length < 2) {
    throw new Error(`${context}: failing path ${jsonPath} is not inside Resources`);
  }
  const logicalId = segments[1];
  const resource = template.Resources?.[logicalId];
  if (!resource) {
    throw new Error(`${context}: failing path ${jsonPath} names resource ${logicalId}, which the template does not have`);
  }
  let rest = segments.slice(2);
  if (rest[0] === 'Properties') rest = rest.slice(1);
  let containerIndex: number | undefined;
  let containerName: string | undefined;
  if (rest[0] === 'ContainerDefinitions' && rest.length >= 2 && /^\d+$/.test(rest[1])) {
    containerIndex = Number(rest[1]);
    const definitions = resource.Properties?.ContainerDefinitions;
    const definition = Array.isArray(definitions) ? definitions[containerIndex] : undefined;
    if (!isRecord(definition)) {
      throw new Error(`${context}: failing path ${jsonPath} names container ${containerIndex}, which ${logicalId} does not have`);
    }
    containerName = typeof definition.Name === 'string' ? definition.Name : undefined;
    rest = rest.slice(2);
  }
  const property = [...rest, ...(remainingQuery ? [remainingQuery] : [])].join('.');
  return {
    logicalId,
    resourceType: resource.Type,
    containerIndex,
    containerName,
    property,
    path: jsonPath,
    clause,
    message,
  };
}

/** One violation per (resource, container, property, clause): guard repeats a location across `or` branches. */
function dedupe(violations: GuardViolation[]): GuardViolation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = [v.logicalId, v.containerIndex ?? '', v.property, v.clause].join('|');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
