/**
 * Reading a synthesized cloud assembly (`cdk.out`) the way the `cdk-xray-ecs` command needs it:
 * the traced containers (those the library gave an `AWS_XRAY_TRACING_NAME`), the sampling rules
 * (`AWS::XRay::SamplingRule`) and the trace groups (`AWS::XRay::Group`) of every stack.
 *
 * Only the files are read (manifest.json and the templates it names), not aws-cdk-lib: the command
 * starts fast and works on any assembly, whichever version synthesized it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { collectorLessServiceName } from './collector-less';
import { AGENT_CONTAINER_NAME } from '../core/agent-facts';

/** An error the command prints as is (no stack trace) and exits non-zero on. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** One CloudFormation resource, as a template holds it. */
interface CfnResource {
  readonly Type?: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** One stack of the assembly. */
export interface AssemblyStack {
  /** The stack's name in the assembly (the artifact id, `cdk deploy <name>`). */
  readonly name: string;
  readonly templateFile: string;
  readonly resources: Record<string, CfnResource>;
}

/** An environment variable of a container: its literal value, or the CloudFormation value that resolves at deploy time. */
export interface ContainerVariable {
  readonly name: string;
  /** The value, when the template holds a literal string. */
  readonly value?: string;
  /** The template's value when it is not a literal (`{ Ref: ... }`, `Fn::Join`, ...). */
  readonly unresolved?: unknown;
}

/** A container the library instrumented: it has `AWS_XRAY_TRACING_NAME`, or it is collector-less (see collector-less.ts). */
export interface TracedContainer {
  /** The X-Ray service name (`AWS_XRAY_TRACING_NAME`; `OTEL_SERVICE_NAME` for a collector-less container). */
  readonly serviceName: string;
  readonly stack: string;
  readonly containerName: string;
  readonly taskDefinitionLogicalId: string;
  /** The task definition's construct path (`aws:cdk:path` metadata), when the template has it. */
  readonly taskDefinitionPath?: string;
  /** `awsvpc`, `bridge`, `host`, ... (`awsvpc` is the ECS default when absent). */
  readonly networkMode: string;
  /** Whether the task runs an agent container (`xray-daemon`) beside the app. */
  readonly hasAgent: boolean;
  readonly environment: readonly ContainerVariable[];
}

/** An `AWS::XRay::SamplingRule` of the assembly, with literal values only. */
export interface AssemblySamplingRule {
  readonly stack: string;
  readonly logicalId: string;
  /** The `SamplingRule` property as CloudFormation has it (RuleName, Priority, FixedRate, ...). */
  readonly rule: Record<string, unknown>;
}

/** An `AWS::XRay::Group` of the assembly. */
export interface AssemblyTraceGroup {
  readonly stack: string;
  readonly logicalId: string;
  readonly name: string;
  readonly filterExpression: string;
}

/** What the command knows of an assembly. */
export interface Assembly {
  readonly directory: string;
  readonly stacks: readonly AssemblyStack[];
  readonly tracedContainers: readonly TracedContainer[];
  readonly samplingRules: readonly AssemblySamplingRule[];
  /** Rules with values that resolve only at deploy time: they cannot be served locally. */
  readonly skippedRules: ReadonlyArray<{ readonly stack: string; readonly logicalId: string; readonly reason: string }>;
  readonly traceGroups: readonly AssemblyTraceGroup[];
}

/** How deep nested assemblies (CDK stages) are followed. */
const MAX_NESTING = 10;

/** Reads the assembly in `directory`; a missing or unsynthesized folder is a {@link CliError} saying what to do. */
export function readAssembly(directory: string, stackFilter?: string): Assembly {
  const dir = path.resolve(directory);
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(dir)) {
    throw new CliError(`no cloud assembly at ${dir}: run \`npx cdk synth\` first (or pass --app <the folder cdk synth writes, cdk.out by default>)`);
  }
  if (!fs.existsSync(manifestFile)) {
    throw new CliError(`${dir} is not a synthesized cloud assembly (no manifest.json): run \`npx cdk synth\`, or pass --app <the cdk.out folder>`);
  }
  const stacks: AssemblyStack[] = [];
  collectStacks(dir, stacks, 0);
  const selected = stackFilter === undefined ? stacks : stacks.filter((s) => s.name === stackFilter);
  if (stackFilter !== undefined && selected.length === 0) {
    throw new CliError(`the assembly at ${dir} has no stack ${JSON.stringify(stackFilter)}; its stacks: ${stacks.map((s) => s.name).join(', ') || '(none)'}`);
  }
  const tracedContainers = selected.flatMap(tracedContainersOf);
  const samplingRules: AssemblySamplingRule[] = [];
  const skippedRules: Array<{ stack: string; logicalId: string; reason: string }> = [];
  const traceGroups: AssemblyTraceGroup[] = [];
  for (const stack of selected) {
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      if (resource.Type === 'AWS::XRay::SamplingRule') {
        const rule = resource.Properties?.SamplingRule;
        const unresolved = isRecord(rule) ? Object.entries(rule).filter(([, v]) => !isLiteral(v)).map(([k]) => k) : ['SamplingRule'];
        if (!isRecord(rule) || unresolved.length > 0) {
          skippedRules.push({ stack: stack.name, logicalId, reason: `${unresolved.join(', ')} resolve(s) only at deploy time` });
        } else {
          samplingRules.push({ stack: stack.name, logicalId, rule });
        }
      } else if (resource.Type === 'AWS::XRay::Group') {
        const name = resource.Properties?.GroupName;
        const filter = resource.Properties?.FilterExpression;
        if (typeof name === 'string' && typeof filter === 'string') {
          traceGroups.push({ stack: stack.name, logicalId, name, filterExpression: filter });
        }
      }
    }
  }
  return { directory: dir, stacks: selected, tracedContainers, samplingRules, skippedRules, traceGroups };
}

function collectStacks(dir: string, into: AssemblyStack[], depth: number): void {
  const manifest = readJson(path.join(dir, 'manifest.json')) as { artifacts?: Record<string, { type?: string; properties?: Record<string, unknown>; displayName?: string }> };
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack') {
      const templateFile = String(artifact.properties?.templateFile ?? `${id}.template.json`);
      const template = readJson(path.join(dir, templateFile)) as { Resources?: Record<string, CfnResource> };
      into.push({ name: artifact.displayName ?? id, templateFile: path.join(dir, templateFile), resources: template.Resources ?? {} });
    } else if (artifact.type === 'cdk:cloud-assembly' && depth < MAX_NESTING) {
      const nested = artifact.properties?.directoryName;
      if (typeof nested === 'string') collectStacks(path.join(dir, nested), into, depth + 1);
    }
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf-8');
  } catch (e) {
    throw new CliError(`cannot read ${file} (${(e as Error).message}): run \`npx cdk synth\` again`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${file} is not valid JSON (${(e as Error).message}): run \`npx cdk synth\` again`);
  }
}

function tracedContainersOf(stack: AssemblyStack): TracedContainer[] {
  const found: TracedContainer[] = [];
  for (const [logicalId, resource] of Object.entries(stack.resources)) {
    if (resource.Type !== 'AWS::ECS::TaskDefinition') continue;
    const containers = resource.Properties?.ContainerDefinitions;
    if (!Array.isArray(containers)) continue;
    const names = containers.map((c) => (isRecord(c) ? c.Name : undefined));
    const networkMode = typeof resource.Properties?.NetworkMode === 'string' ? resource.Properties.NetworkMode : 'awsvpc';
    const cdkPath = resource.Metadata?.['aws:cdk:path'];
    for (const container of containers) {
      if (!isRecord(container) || !Array.isArray(container.Environment)) continue;
      const environment: ContainerVariable[] = container.Environment.filter(isRecord).map((v) => (
        typeof v.Value === 'string' ? { name: String(v.Name), value: v.Value } : { name: String(v.Name), unresolved: v.Value }
      ));
      // A collector-less container has no X-Ray SDK contract: its OTEL_SERVICE_NAME names it.
      const tracingName = environment.find((v) => v.name === 'AWS_XRAY_TRACING_NAME')?.value ?? collectorLessServiceName(environment);
      if (tracingName === undefined) continue;
      found.push({
        serviceName: tracingName,
        stack: stack.name,
        containerName: String(container.Name),
        taskDefinitionLogicalId: logicalId,
        taskDefinitionPath: typeof cdkPath === 'string' ? cdkPath : undefined,
        networkMode,
        hasAgent: names.includes(AGENT_CONTAINER_NAME),
        environment,
      });
    }
  }
  return found;
}

/**
 * The traced container `<service>` names: its X-Ray service name, or a construct path of (or
 * above) its task definition (`Shop/OrdersService`). Zero or several matches are errors
 * listing what is known.
 */
export function findTracedContainer(assembly: Assembly, service: string): TracedContainer {
  const known = assembly.tracedContainers;
  if (known.length === 0) {
    throw new CliError(
      `the assembly at ${assembly.directory} has no traced service (no container with AWS_XRAY_TRACING_NAME): ` +
      'add a TracedFargateService, TracedEc2Service, XRaySidecar.instrument() or the XRayTracingAspect to the app and run `npx cdk synth` again',
    );
  }
  const trimmed = service.replace(/\/+$/, '');
  const byName = known.filter((c) => c.serviceName === service);
  const byPath = known.filter((c) => c.taskDefinitionPath !== undefined && (c.taskDefinitionPath === trimmed || c.taskDefinitionPath.startsWith(`${trimmed}/`)));
  const matches = byName.length > 0 ? byName : byPath;
  if (matches.length === 1) return matches[0];
  const list = known.map(describeContainer).join('\n  ');
  if (matches.length === 0) {
    const noPaths = known.every((c) => c.taskDefinitionPath === undefined)
      ? '\n(this assembly has no aws:cdk:path metadata, so only X-Ray names match; `cdk synth` writes it unless --path-metadata false)' : '';
    throw new CliError(`no traced service ${JSON.stringify(service)} in the assembly at ${assembly.directory}; known services (X-Ray name, construct path):\n  ${list}${noPaths}`);
  }
  throw new CliError(
    `${JSON.stringify(service)} names ${matches.length} traced containers: ${matches.map(describeContainer).join('; ')}. ` +
    'Pass a construct path, or --stack NAME, to pick one',
  );
}

function describeContainer(c: TracedContainer): string {
  const where = c.taskDefinitionPath?.replace(/\/Resource$/, '') ?? `${c.stack}/${c.taskDefinitionLogicalId}`;
  return `${c.serviceName} (${where}, container ${c.containerName}, ${c.networkMode})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLiteral(value: unknown): boolean {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return true;
  if (isRecord(value)) {
    // Attributes is a map of strings; an intrinsic function is a one-key object named Ref / Fn::*.
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return false;
    return Object.values(value).every(isLiteral);
  }
  return false;
}
