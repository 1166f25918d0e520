/**
 * Collector-less services in an assembly (`agentless: true`): the app's ADOT SDK exports OTLP/HTTP
 * straight to X-Ray's endpoint, `https://xray.<region>.amazonaws.com/v1/traces`, signed with SigV4,
 * with no agent in the task. A laptop cannot (and should not) reach that endpoint, so `env` points
 * the app at `local-agent`'s OTLP/HTTP address instead, and `local-agent` takes the spans there as
 * the endpoint would.
 */
import type { Assembly, ContainerVariable } from './assembly';

/** The variable that names the traces endpoint. */
export const TRACES_ENDPOINT_VARIABLE = 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';

/**
 * X-Ray's OTLP traces endpoint, as the ADOT SDKs recognise it before switching to their SigV4
 * exporter (the ADOT Node SDK's `AWS_TRACES_OTLP_ENDPOINT_PATTERN`).
 */
const XRAY_OTLP_ENDPOINT = /^https:\/\/xray\.([a-z0-9-]+)\.amazonaws\.com\/v1\/traces$/;

/**
 * X-Ray's endpoint when `variable` names it, as text to show: the URL, or for a value that
 * resolves at deploy time (a stack without a concrete Region) the URL with `<region>`; otherwise
 * undefined.
 */
export function xrayEndpointOf(variable: ContainerVariable): string | undefined {
  if (variable.name !== TRACES_ENDPOINT_VARIABLE) return undefined;
  if (variable.value !== undefined) return XRAY_OTLP_ENDPOINT.test(variable.value.toLowerCase()) ? variable.value : undefined;
  const parts = joinedParts(variable.unresolved);
  if (parts === undefined) return undefined;
  const text = parts.map((p) => (typeof p === 'string' ? p : '<region>')).join('');
  return /^https:\/\/xray\.[^/]*\/v1\/traces$/.test(text) && text.includes('amazonaws.com') ? text : undefined;
}

/** The parts of a `Fn::Join` with an empty separator (how CDK renders a string with a token in it). */
function joinedParts(value: unknown): unknown[] | undefined {
  if (typeof value !== 'object' || value === null || !('Fn::Join' in value)) return undefined;
  const join = (value as { 'Fn::Join': unknown })['Fn::Join'];
  if (!Array.isArray(join) || join[0] !== '' || !Array.isArray(join[1])) return undefined;
  return join[1];
}

/** X-Ray's endpoint a container exports to when it is collector-less; otherwise undefined. */
export function collectorLessEndpoint(environment: readonly ContainerVariable[]): string | undefined {
  for (const v of environment) {
    const endpoint = xrayEndpointOf(v);
    if (endpoint !== undefined) return endpoint;
  }
  return undefined;
}

/**
 * The X-Ray service name of a collector-less container, which has no X-Ray SDK contract
 * (`AWS_XRAY_TRACING_NAME`): its `OTEL_SERVICE_NAME`. Undefined for any other container.
 */
export function collectorLessServiceName(environment: readonly ContainerVariable[]): string | undefined {
  if (collectorLessEndpoint(environment) === undefined) return undefined;
  return environment.find((v) => v.name === 'OTEL_SERVICE_NAME')?.value;
}

/** `local-agent`'s OTLP/HTTP traces address on `host`:`port`. */
export function localTracesEndpoint(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}/v1/traces`;
}

/** The note `env` prints for a collector-less container. */
export function collectorLessEnvNote(endpoint: string, local: string): string {
  return `collector-less: in ECS the ADOT SDK exports straight to ${endpoint}, signed with SigV4 (no agent in the task); ` +
    `here ${TRACES_ENDPOINT_VARIABLE} is local-agent's OTLP/HTTP address ${local} instead, unsigned: ` +
    'start `cdk-xray-ecs local-agent` (same --otlp-port) before the app';
}

/**
 * The lines `local-agent` prints at start, one per collector-less service of `assembly`: where
 * its spans go in ECS and how to send them here (`otlp`: the OTLP/HTTP address, if listening).
 */
export function collectorLessAgentNotes(assembly: Assembly, otlp: string | undefined): string[] {
  const notes = new Map<string, string>();
  for (const c of assembly.tracedContainers) {
    const endpoint = collectorLessEndpoint(c.environment);
    if (endpoint === undefined || notes.has(c.serviceName)) continue;
    const where = otlp === undefined
      ? 'but OTLP is off (--no-otlp): drop --no-otlp to receive its spans'
      : `run it with \`cdk-xray-ecs env ${c.serviceName}\`, which points it at ${otlp}`;
    notes.set(c.serviceName, `${c.serviceName} is collector-less (in ECS it exports to ${endpoint}): ${where}`);
  }
  return [...notes.values()];
}
