/**
 * `cdk-xray-ecs env <service>`: the traced container's tracing contract from the assembly, ready
 * for a shell on a laptop.
 */
import { agentConfigs } from './agent-config';
import { Assembly, CliError, findTracedContainer, TracedContainer } from './assembly';
import { collectorLessEndpoint, collectorLessEnvNote, localTracesEndpoint, TRACES_ENDPOINT_VARIABLE } from './collector-less';
import { AGENT_CONTAINER_NAME, AGENT_OTLP_HTTP_PORT } from '../core/agent-facts';

/** The variable families of the tracing contract (the library's and the SDKs' own). */
const CONTRACT_PREFIXES = ['XRAY_', 'AWS_XRAY_', 'OTEL_'];
/** Single variables of the contract outside those families: the X-Ray SDK for .NET's switch. */
const CONTRACT_NAMES = ['XRay__DisableXRayTracing'];

/** Variables through which auto-instrumentation loads the ADOT agent (`AutoInstrumentation`). */
const AGENT_LOADERS = ['PYTHONPATH', 'NODE_OPTIONS', 'JAVA_TOOL_OPTIONS', 'CORECLR_PROFILER_PATH'];
/** The start of every auto-instrumentation volume's mount path in the app container. */
const AUTO_INSTRUMENTATION_MOUNT = '/otel-auto-instrumentation';

/** Output formats of `env`. */
export const ENV_FORMATS = ['sh', 'dotenv', 'json'] as const;
export type EnvFormat = typeof ENV_FORMATS[number];

/** What `env` prints: the variables on stdout, the notes (unresolved values) on stderr. */
export interface EnvOutput {
  readonly stdout: string;
  readonly notes: string[];
  readonly variables: Record<string, string>;
}

/**
 * The agent host name of bridge mode (`xray-daemon`, the agent container's link name) where it
 * stands as a host: after start, whitespace, `/`, `:` or `=`, and before `:port`.
 */
const AGENT_HOST_PATTERN = new RegExp(`(^|[\\s/:=])${AGENT_CONTAINER_NAME.replace(/[-]/g, '\\-')}(?=:\\d)`, 'g');

/** `value` with the bridge-mode agent host replaced by `host`. */
export function localizeAgentHost(value: string, host: string): string {
  return value.replace(AGENT_HOST_PATTERN, (_m, before: string) => `${before}${host}`);
}

/**
 * The `env` output for `service` of `assembly`. `otlpPort` is local-agent's OTLP/HTTP port, where a
 * collector-less container's traces endpoint points on this machine.
 */
export function envCommand(
  assembly: Assembly, service: string, format: string, agentHost: string, otlpPort: number = AGENT_OTLP_HTTP_PORT,
): EnvOutput {
  if (!(ENV_FORMATS as readonly string[]).includes(format)) {
    throw new CliError(`--format must be one of ${ENV_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  }
  const container = findTracedContainer(assembly, service);
  const { variables, notes } = contractOf(container, agentHost, otlpPort);
  const agentNote = annotationNote(assembly, container);
  if (agentNote) notes.push(agentNote);
  return { stdout: render(variables, format as EnvFormat), notes, variables };
}

function contractOf(container: TracedContainer, agentHost: string, otlpPort: number): { variables: Record<string, string>; notes: string[] } {
  const variables: Record<string, string> = {};
  const where = `${container.serviceName} (container ${container.containerName} of ${container.taskDefinitionPath ?? container.taskDefinitionLogicalId})`;
  const notes: string[] = [`tracing contract of ${where}, ${container.networkMode} network mode`];
  const xrayEndpoint = collectorLessEndpoint(container.environment);
  const local = localTracesEndpoint(agentHost, otlpPort);
  for (const v of container.environment) {
    if (!CONTRACT_PREFIXES.some((p) => v.name.startsWith(p)) && !CONTRACT_NAMES.includes(v.name)) continue;
    if (xrayEndpoint !== undefined && v.name === TRACES_ENDPOINT_VARIABLE) {
      // X-Ray's endpoint is not reachable (nor signed for) from a laptop: local-agent plays it.
      variables[v.name] = local;
      continue;
    }
    if (v.value === undefined) {
      notes.push(`${v.name} is not printed: its value resolves only at deploy time (${JSON.stringify(v.unresolved)})`);
      continue;
    }
    variables[v.name] = localizeAgentHost(v.value, agentHost);
  }
  const loader = container.environment.find((v) => AGENT_LOADERS.includes(v.name) && v.value?.includes(AUTO_INSTRUMENTATION_MOUNT));
  if (loader) {
    notes.push(
      `auto-instrumented: in ECS ${loader.name} loads the ADOT agent from the init container's volume, which a laptop does not have ` +
      '(not printed). Run the app under the language\'s ADOT agent instead, e.g. Python: pip install aws-opentelemetry-distro, ' +
      'then opentelemetry-instrument python app.py');
    notes.push(xraySdkNote(container, loader.name));
  }
  if (xrayEndpoint !== undefined) notes.push(collectorLessEnvNote(xrayEndpoint, local));
  if (container.networkMode === 'bridge') {
    notes.push(`bridge mode: the agent host ${AGENT_CONTAINER_NAME} (a container link in ECS) is ${agentHost} here`);
  }
  return { variables, notes };
}

/** Which span attributes the service's OTLP agent makes X-Ray annotations, and which it deletes. */
function annotationNote(assembly: Assembly, container: TracedContainer): string | undefined {
  const config = agentConfigs(assembly).byService.get(container.serviceName);
  const list = (keys: readonly string[]) => keys.length ? keys.join(', ') : 'none';
  if (config?.agent === 'adot-collector') {
    const indexed = config.indexAllAttributes ? 'every attribute (index_all_attributes)' : list(config.indexedAttributes);
    return `OpenTelemetry spans: the ADOT collector makes these span attributes X-Ray annotations: ${indexed}; ` +
      `it deletes ${list(config.deletedKeys)} before export (local-agent does the same)`;
  }
  if (config?.agent === 'cloudwatch-agent') {
    const fixed = config.indexedAttributes.length ? ' beyond its fixed Application Signals list (aws.local.*, aws.remote.*)' : '';
    return `OpenTelemetry spans: the CloudWatch agent makes no span attribute an X-Ray annotation${fixed}; ` +
      'list the keys your queries need in the span attribute aws.xray.annotations (an array of strings) in the app';
  }
  return undefined;
}

/**
 * What an X-Ray SDK left in an auto-instrumented app does, per language: only Python's SDK
 * (`AWS_XRAY_SDK_ENABLED`) and .NET's (`XRay__DisableXRayTracing`) read a switch; an app's own
 * tracing helper may read `XRAY_ENABLED`; the Node.js and Java SDKs read none.
 */
function xraySdkNote(container: TracedContainer, loader: string): string {
  const value = (name: string) => container.environment.find((v) => v.name === name)?.value;
  const helper = value('XRAY_ENABLED') === 'false' ? ' and so is a helper that reads XRAY_ENABLED=false' : '';
  const off = (sdk: string, setting: string) =>
    `the X-Ray SDK for ${sdk} is off on this container (${setting})${helper}: the ADOT agent traces it, so an X-Ray SDK still ` +
    'in the app records nothing and costs nothing (one trace per request)';
  const twice = (sdk: string, why: string) =>
    `${why}: the X-Ray SDK for ${sdk}, if still in the app, would record every request a second time, beside the ADOT agent`;
  switch (loader) {
    case 'PYTHONPATH':
      return value('AWS_XRAY_SDK_ENABLED') === 'false' ? off('Python', 'AWS_XRAY_SDK_ENABLED=false')
        : twice('Python', `AWS_XRAY_SDK_ENABLED is ${JSON.stringify(value('AWS_XRAY_SDK_ENABLED') ?? '(unset)')}`);
    case 'CORECLR_PROFILER_PATH':
      return value('XRay__DisableXRayTracing') === 'true' ? off('.NET', 'XRay__DisableXRayTracing=true')
        : twice('.NET', `XRay__DisableXRayTracing is ${JSON.stringify(value('XRay__DisableXRayTracing') ?? '(unset)')}`);
    default: {
      const sdk = loader === 'JAVA_TOOL_OPTIONS' ? 'Java' : 'Node.js';
      return `${helper ? 'a helper that reads XRAY_ENABLED is off (XRAY_ENABLED=false), but ' : ''}the X-Ray SDK for ${sdk} reads no on/off switch: ` +
        'if it is still in the app, it records every request a second time, beside the ADOT agent; remove it from the app';
    }
  }
}

function render(variables: Record<string, string>, format: EnvFormat): string {
  const entries = Object.entries(variables);
  switch (format) {
    case 'json':
      return `${JSON.stringify(variables, undefined, 2)}\n`;
    case 'dotenv':
      return entries.map(([k, v]) => `${k}=${/^[A-Za-z0-9_.:/,=@+-]*$/.test(v) ? v : JSON.stringify(v)}\n`).join('');
    case 'sh':
      // Single quotes keep every character literal; a single quote itself is closed, escaped, reopened.
      return entries.map(([k, v]) => `export ${k}='${v.replace(/'/g, "'\\''")}'\n`).join('');
  }
}
