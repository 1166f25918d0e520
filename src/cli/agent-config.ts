/**
 * The agent configuration that applies to each traced service of an assembly, so that
 * `local-agent` exports a service's spans as its own agent would:
 *
 * - the service is the container whose `OTEL_SERVICE_NAME`, `AWS_XRAY_TRACING_NAME` or
 *   `service.name` (in `OTEL_RESOURCE_ATTRIBUTES`) is the span's resource `service.name`;
 * - its agent is the container of the same task definition with `AOT_CONFIG_CONTENT` (the ADOT
 *   collector, YAML), `CW_CONFIG_CONTENT` (the CloudWatch agent, JSON) or the X-Ray daemon image;
 *   a task without one (an `XRayHostAgent` on EC2) uses the host agent of its stack, when there
 *   is exactly one;
 * - from the collector's YAML: the `awsxray` exporter's `indexed_attributes` and
 *   `index_all_attributes`, and the `delete` actions of the `attributes` processors of its traces
 *   pipelines; from the CloudWatch agent's JSON: with Application Signals, the fixed list its
 *   translator indexes (amazon-cloudwatch-agent
 *   `translator/translate/otel/exporter/awsxray/translator.go`), otherwise nothing.
 *
 * Values that resolve only at deploy time (the region of an environment-agnostic stack) are read
 * as placeholders: they never name an indexed key.
 */
import { Assembly } from './assembly';
import { DEFAULT_EXPORTER_CONFIG, ExporterConfig } from './xray-translator';
import { DAEMON_REPOSITORY } from '../core/agent-facts';

/** The variable through which the ADOT collector takes its YAML. */
const ADOT_CONFIG_VARIABLE = 'AOT_CONFIG_CONTENT';
/** The variable through which the CloudWatch agent takes its JSON. */
const CLOUDWATCH_CONFIG_VARIABLE = 'CW_CONFIG_CONTENT';

/**
 * What the CloudWatch agent's translator sets as `indexed_attributes` when Application Signals
 * traces are on (`traces.traces_collected.application_signals`, or the older `app_signals`).
 */
export const CLOUDWATCH_APPLICATION_SIGNALS_INDEXED: readonly string[] = [
  'aws.local.service', 'aws.local.operation', 'aws.local.environment',
  'aws.remote.service', 'aws.remote.operation', 'aws.remote.environment',
  'aws.remote.resource.identifier', 'aws.remote.resource.type',
];

/** The agent configuration of each service, and what could not be read. */
export interface AgentConfigs {
  /** By X-Ray / OpenTelemetry service name. */
  readonly byService: ReadonlyMap<string, ExporterConfig>;
  /** Configurations that could not be read, as sentences. */
  readonly problems: readonly string[];
}

interface Container {
  readonly name: string;
  readonly image: string;
  readonly env: Map<string, string>;
}

/** Reads the agent configuration of every service in `assembly`. */
export function agentConfigs(assembly: Assembly): AgentConfigs {
  const byService = new Map<string, ExporterConfig>();
  const problems: string[] = [];
  for (const stack of assembly.stacks) {
    const tasks: Array<{ id: string; hostMode: boolean; containers: Container[] }> = [];
    for (const [id, resource] of Object.entries(stack.resources)) {
      if (resource.Type !== 'AWS::ECS::TaskDefinition') continue;
      const defs = resource.Properties?.ContainerDefinitions;
      if (!Array.isArray(defs)) continue;
      tasks.push({ id, hostMode: resource.Properties?.NetworkMode === 'host', containers: defs.filter(isRecord).map(containerOf) });
    }
    const agentOf = (task: { id: string; containers: Container[] }): ExporterConfig | undefined => {
      for (const c of task.containers) {
        const config = readAgent(c, `${stack.name}/${task.id} container ${c.name}`, problems);
        if (config) return config;
      }
      return undefined;
    };
    const hostAgents = tasks.filter((t) => t.hostMode).map(agentOf).filter((c): c is ExporterConfig => c !== undefined);
    for (const task of tasks) {
      // A collector-less task sends straight to X-Ray: no agent, not even the host's, touches its spans.
      const collectorLess = task.containers.some((c) => /^https:\/\/xray\.[^/]+\/v1\/traces$/.test(c.env.get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? ''));
      const config = agentOf(task) ?? (hostAgents.length === 1 && !collectorLess ? hostAgents[0] : undefined);
      if (!config) continue;
      for (const c of task.containers) {
        for (const name of serviceNames(c)) if (!byService.has(name)) byService.set(name, config);
      }
    }
  }
  return { byService, problems };
}

/** The service names a container's spans carry. */
function serviceNames(c: Container): string[] {
  const names: string[] = [];
  for (const key of ['OTEL_SERVICE_NAME', 'AWS_XRAY_TRACING_NAME']) {
    const v = c.env.get(key);
    if (v !== undefined && v !== '') names.push(v);
  }
  const attributes = c.env.get('OTEL_RESOURCE_ATTRIBUTES');
  const named = attributes?.split(',').map((p) => p.trim()).find((p) => p.startsWith('service.name='));
  if (named) names.push(named.slice('service.name='.length));
  return names;
}

function readAgent(c: Container, where: string, problems: string[]): ExporterConfig | undefined {
  const adot = c.env.get(ADOT_CONFIG_VARIABLE);
  if (adot !== undefined) {
    try {
      return collectorConfig(parseYaml(adot));
    } catch (e) {
      problems.push(`${where}: ${ADOT_CONFIG_VARIABLE} could not be read (${(e as Error).message}); its spans are shown as the exporter's defaults would send them`);
      return { ...DEFAULT_EXPORTER_CONFIG, agent: 'adot-collector' };
    }
  }
  const cw = c.env.get(CLOUDWATCH_CONFIG_VARIABLE);
  if (cw !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(cw);
    } catch (e) {
      problems.push(`${where}: ${CLOUDWATCH_CONFIG_VARIABLE} is not JSON (${(e as Error).message})`);
      return { ...DEFAULT_EXPORTER_CONFIG, agent: 'cloudwatch-agent' };
    }
    const collected = path(doc, ['traces', 'traces_collected']);
    const appSignals = isRecord(collected) && (collected.application_signals !== undefined || collected.app_signals !== undefined);
    return { ...DEFAULT_EXPORTER_CONFIG, agent: 'cloudwatch-agent', indexedAttributes: appSignals ? CLOUDWATCH_APPLICATION_SIGNALS_INDEXED : [] };
  }
  if (c.image.includes(DAEMON_REPOSITORY)) return { ...DEFAULT_EXPORTER_CONFIG, agent: 'xray-daemon' };
  return undefined;
}

/** The exporter and processor settings of an ADOT collector configuration. */
export function collectorConfig(doc: unknown): ExporterConfig {
  const pipelines = path(doc, ['service', 'pipelines']);
  const traces = isRecord(pipelines) ? Object.entries(pipelines).filter(([k]) => k === 'traces' || k.startsWith('traces/')).map(([, v]) => v) : [];
  const listed = (kind: string): string[] => traces.flatMap((p) => (isRecord(p) && Array.isArray(p[kind]) ? p[kind].filter((x): x is string => typeof x === 'string') : []));
  const exporters = path(doc, ['exporters']);
  const xrayName = listed('exporters').find((n) => n === 'awsxray' || n.startsWith('awsxray/'));
  const exporter = xrayName !== undefined && isRecord(exporters) ? exporters[xrayName] : undefined;
  const indexed = isRecord(exporter) && Array.isArray(exporter.indexed_attributes) ? exporter.indexed_attributes.filter((x): x is string => typeof x === 'string') : [];
  const indexAll = isRecord(exporter) && (exporter.index_all_attributes === true || exporter.index_all_attributes === 'true');
  const processors = path(doc, ['processors']);
  const deletedKeys: string[] = [];
  const deletedPatterns: RegExp[] = [];
  for (const name of listed('processors').filter((n) => n === 'attributes' || n.startsWith('attributes/'))) {
    const p = isRecord(processors) ? processors[name] : undefined;
    const actions = isRecord(p) && Array.isArray(p.actions) ? p.actions : [];
    for (const action of actions) {
      if (!isRecord(action) || action.action !== 'delete') continue;
      if (typeof action.key === 'string') deletedKeys.push(action.key);
      if (typeof action.pattern === 'string') deletedPatterns.push(new RegExp(action.pattern));
    }
  }
  return { agent: 'adot-collector', indexedAttributes: indexed, indexAllAttributes: indexAll, deletedKeys, deletedPatterns };
}

function containerOf(def: Record<string, unknown>): Container {
  const env = new Map<string, string>();
  if (Array.isArray(def.Environment)) {
    for (const v of def.Environment) {
      if (!isRecord(v) || typeof v.Name !== 'string') continue;
      const value = cfnText(v.Value);
      if (value !== undefined) env.set(v.Name, value);
    }
  }
  return { name: String(def.Name ?? ''), image: cfnText(def.Image) ?? '', env };
}

/** A CloudFormation string: a literal, or an `Fn::Join` whose unresolved parts become placeholders. */
function cfnText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isRecord(value) && Array.isArray(value['Fn::Join'])) {
    const [sep, parts] = value['Fn::Join'] as [unknown, unknown];
    if (typeof sep !== 'string' || !Array.isArray(parts)) return undefined;
    return parts.map((p) => cfnText(p) ?? '${deploy-time value}').join(sep);
  }
  return undefined;
}

function path(doc: unknown, keys: readonly string[]): unknown {
  let current = doc;
  for (const k of keys) current = isRecord(current) ? current[k] : undefined;
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// A reader for the YAML the collector configurations are written in: block mappings and
// sequences by indentation, flow sequences (`[a, b]`), quoted and plain scalars, comments.
// Block scalars (`|`, `>`), anchors and multi-document streams are refused.
// ---------------------------------------------------------------------------------------------

interface Line {
  indent: number;
  text: string;
  readonly no: number;
}

/** Parses the YAML subset described above. */
export function parseYaml(source: string): unknown {
  const lines: Line[] = [];
  source.split(/\r?\n/).forEach((raw, i) => {
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '' || text.trim() === '---') return;
    lines.push({ indent: text.length - text.trimStart().length, text: text.trimStart(), no: i + 1 });
  });
  const parser = new YamlParser(lines);
  const value = parser.node(0);
  if (parser.pos < lines.length) throw new Error(`line ${lines[parser.pos].no}: unexpected indentation`);
  return value;
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i);
    }
  }
  return line;
}

const isDash = (text: string) => text === '-' || text.startsWith('- ');

class YamlParser {
  public pos = 0;
  constructor(private readonly lines: Line[]) {}

  public node(minIndent: number): unknown {
    const line = this.lines[this.pos];
    if (!line || line.indent < minIndent) return null;
    return isDash(line.text) ? this.sequence(line.indent) : this.mapping(line.indent);
  }

  private sequence(indent: number): unknown[] {
    const items: unknown[] = [];
    for (let line = this.lines[this.pos]; line && line.indent === indent && isDash(line.text); line = this.lines[this.pos]) {
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        this.pos++;
        items.push(this.node(indent + 1));
      } else if (splitKey(rest)) {
        // `- key: value`: a mapping whose keys line up after the dash.
        line.indent = indent + (line.text.length - rest.length);
        line.text = rest;
        items.push(this.mapping(line.indent));
      } else {
        this.pos++;
        items.push(scalar(rest, line.no));
      }
    }
    return items;
  }

  private mapping(indent: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    for (let line = this.lines[this.pos]; line && line.indent === indent && !isDash(line.text); line = this.lines[this.pos]) {
      const split = splitKey(line.text);
      if (!split) throw new Error(`line ${line.no}: expected "key: value", got ${JSON.stringify(line.text)}`);
      this.pos++;
      const [key, rest] = split;
      if (rest !== '') {
        map[key] = scalar(rest, line.no);
        continue;
      }
      const next = this.lines[this.pos];
      if (next && (next.indent > indent || (next.indent === indent && isDash(next.text)))) map[key] = this.node(next.indent);
      else map[key] = null;
    }
    return map;
  }
}

/** `key: rest` (the first `:` followed by a space or the end, outside quotes). */
function splitKey(text: string): [string, string] | undefined {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if ((c === '"' || c === "'") && i === 0) {quote = c;} else if (c === ':' && (i === text.length - 1 || text[i + 1] === ' ')) {
      const key = text.slice(0, i).trim();
      return [key.startsWith('"') || key.startsWith("'") ? String(scalar(key, 0)) : key, text.slice(i + 1).trim()];
    } else if ((c === '[' || c === '{') && i === 0) {return undefined;}
  }
  return undefined;
}

function scalar(text: string, lineNo: number): unknown {
  if (text.startsWith('"')) {
    try {
      return JSON.parse(text) as string;
    } catch {
      throw new Error(`line ${lineNo}: unreadable double-quoted string ${text}`);
    }
  }
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new Error(`line ${lineNo}: unterminated single-quoted string ${text}`);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) throw new Error(`line ${lineNo}: a flow sequence must end on its line: ${text}`);
    const inner = text.slice(1, -1).trim();
    return inner === '' ? [] : splitFlow(inner).map((item) => scalar(item.trim(), lineNo));
  }
  if (text === '{}') return {};
  if (/^[|>&*!{]/.test(text)) throw new Error(`line ${lineNo}: ${JSON.stringify(text)} is YAML this reader does not take`);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null' || text === '~') return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  return text;
}

function splitFlow(text: string): string[] {
  const out: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ',') {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}
