import { CfnResource } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AgentKind, ImageInfo, agentKindOfImage, parseImage } from './agent-images';
import { Dict, asArray, asNumber, asString, flattenToText, isDict, isIntrinsic, prop, resolveValue } from './cfn-values';
import { AGENT_CONTAINER_NAME, AGENT_PORT, XRAY_OTLP_TRACES_ENDPOINT_PATTERN } from '../../core/agent-facts';

/** The variable whose value says a container exports straight to X-Ray (collector-less). */
const AGENTLESS_ENDPOINT_VARIABLE = 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';

/** The environment variables that make a container "instrumented": where it sends segments. */
export const DAEMON_ADDRESS_VARIABLES: readonly string[] = ['AWS_XRAY_DAEMON_ADDRESS', 'XRAY_DAEMON_ADDRESS'];

/** One port mapping of a container. */
export interface PortMappingView {
  /** The container port; undefined when not a literal number. */
  readonly containerPort?: number;
  /** The protocol, lowercase; `tcp` when not set (the ECS default). */
  readonly protocol: string;
}

/** How a container was recognized as a tracing agent. */
export enum AgentEvidence {
  IMAGE = 'image',
  NAME = 'name',
  PORT = 'port',
}

/** What the checks read from one container definition. */
export interface ContainerView {
  /** The container name; undefined when it is a token. */
  readonly name?: string;
  /** The image; undefined when the image cannot be read as text at all. */
  readonly image?: ImageInfo;
  /** Environment variables; a value is undefined when it is only known at deploy time. */
  readonly environment: ReadonlyMap<string, string | undefined>;
  /** Whether the environment list itself could be read. */
  readonly environmentKnown: boolean;
  /** The port mappings that could be read. */
  readonly portMappings: readonly PortMappingView[];
  /** The `links` entries (`name` or `name:alias`); undefined when they cannot be read. */
  readonly links?: readonly string[];
  /** The agent kind, when the image says which agent this is. */
  readonly agentKind?: AgentKind;
  /** Why this container is taken for a tracing agent; empty when it is not one. */
  readonly agentEvidence: readonly AgentEvidence[];
  /**
   * Whether the container traces collector-less: its `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is
   * X-Ray's OTLP endpoint (`https://xray.<region>.amazonaws.com/v1/traces`, any Region).
   */
  readonly agentless: boolean;
}

/** What the checks read from one task definition. */
export interface TaskView {
  /** The network mode; `bridge` when not set (the ECS default on Linux); undefined when a token. */
  readonly networkMode?: string;
  /** The containers; undefined when the container list is a token. */
  readonly containers?: readonly ContainerView[];
}

/** Whether a container is a tracing agent, and why. */
export function agentEvidence(name: string | undefined, image: ImageInfo | undefined, ports: readonly PortMappingView[]): AgentEvidence[] {
  const evidence: AgentEvidence[] = [];
  if (agentKindOfImage(image) !== undefined) evidence.push(AgentEvidence.IMAGE);
  if (name === AGENT_CONTAINER_NAME) evidence.push(AgentEvidence.NAME);
  if (ports.some((p) => p.containerPort === AGENT_PORT && p.protocol === 'udp')) evidence.push(AgentEvidence.PORT);
  return evidence;
}

/** Reads one resolved container definition (camelCase as the L1 holds it, or PascalCase). */
export function readContainer(definition: Dict): ContainerView {
  const name = asString(prop(definition, 'name'));
  const imageText = flattenToText(prop(definition, 'image'));
  const image = imageText === undefined ? undefined : parseImage(imageText);

  const environment = new Map<string, string | undefined>();
  let agentless = false;
  const envValue = prop(definition, 'environment');
  const envList = asArray(envValue);
  let environmentKnown = envValue === undefined || envList !== undefined;
  for (const entry of envList ?? []) {
    if (!isDict(entry)) {
      environmentKnown = false;
      continue;
    }
    const key = asString(prop(entry, 'name'));
    if (key === undefined) {
      environmentKnown = false;
      continue;
    }
    environment.set(key, asString(prop(entry, 'value')));
    if (key === AGENTLESS_ENDPOINT_VARIABLE) {
      const text = flattenToText(prop(entry, 'value'));
      agentless = text !== undefined && XRAY_OTLP_TRACES_ENDPOINT_PATTERN.test(text);
    }
  }

  const portMappings: PortMappingView[] = [];
  for (const entry of asArray(prop(definition, 'portMappings')) ?? []) {
    if (!isDict(entry)) continue;
    portMappings.push({
      containerPort: asNumber(prop(entry, 'containerPort')),
      protocol: (asString(prop(entry, 'protocol')) ?? 'tcp').toLowerCase(),
    });
  }

  const linksValue = prop(definition, 'links');
  const linksList = asArray(linksValue);
  const links = linksValue === undefined
    ? []
    : linksList?.every((l) => typeof l === 'string') ? (linksList as string[]) : undefined;

  return {
    name,
    image,
    environment,
    environmentKnown,
    portMappings,
    links,
    agentKind: agentKindOfImage(image),
    agentEvidence: agentEvidence(name, image, portMappings),
    agentless,
  };
}

/** Reads an `AWS::ECS::TaskDefinition`; undefined for any other resource. */
export function readTaskDefinition(node: CfnResource): TaskView | undefined {
  if (!(node instanceof ecs.CfnTaskDefinition)) return undefined;
  const mode = resolveValue(node, node.networkMode);
  const networkMode = mode === undefined ? ecs.NetworkMode.BRIDGE : asString(mode)?.toLowerCase();
  const definitions = asArray(resolveValue(node, node.containerDefinitions));
  if (definitions === undefined) {
    return { networkMode, containers: node.containerDefinitions === undefined ? [] : undefined };
  }
  if (!definitions.every((d) => isDict(d) && !isIntrinsic(d))) return { networkMode, containers: undefined };
  return { networkMode, containers: (definitions as Dict[]).map(readContainer) };
}

/** Whether a container is a tracing agent. */
export function isAgent(container: ContainerView): boolean {
  return container.agentEvidence.length > 0;
}

/** Whether a container sets a daemon address, i.e. is instrumented for tracing. */
export function isInstrumented(container: ContainerView): boolean {
  return DAEMON_ADDRESS_VARIABLES.some((v) => container.environment.has(v));
}

/** Whether a container traces collector-less (exports straight to X-Ray's OTLP endpoint). */
export function isAgentless(container: ContainerView): boolean {
  return container.agentless;
}
