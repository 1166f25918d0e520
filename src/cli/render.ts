/** How `local-agent` prints a trace: an indented tree, or one JSON object a line (`--json`). */
import { AnnotationValue } from './trace-model';
import { TraceView, TreeNode } from './trace-store';

/** The tree of `trace`, one line per segment, subsegment or span. */
export function renderTree(trace: TraceView): string {
  const state = trace.complete ? '' : ', incomplete';
  const again = trace.revision > 1 ? `, update ${trace.revision}` : '';
  const lines = [`trace ${trace.traceId}  ${ms(trace.durationMs)}  ${trace.nodeCount} node(s)${state}${again}  services: ${trace.services.join(', ')}`];
  const walk = (t: TreeNode, prefix: string, last: boolean, top: boolean) => {
    const branch = top ? '' : last ? '└─ ' : '├─ ';
    lines.push(`${prefix}${branch}${describe(t)}`);
    const childPrefix = top ? prefix : `${prefix}${last ? '   ' : '│  '}`;
    t.children.forEach((c, i) => walk(c, childPrefix, i === t.children.length - 1, false));
  };
  for (const root of trace.roots) walk(root, '  ', true, true);
  return `${lines.join('\n')}\n`;
}

function describe(t: TreeNode): string {
  const n = t.node;
  const parts: string[] = [];
  parts.push(n.kind === 'subsegment' || n.name === t.service ? n.name : `${t.service} › ${n.name}`);
  if (n.kind === 'span') parts.push('(otlp)');
  parts.push(n.end === undefined ? 'in progress' : ms((n.end - n.start) * 1000));
  const http = [n.httpMethod, n.httpUrl, n.httpStatus].filter((x) => x !== undefined).join(' ');
  if (http) parts.push(http);
  const flags = [n.fault && 'FAULT', n.error && 'ERROR', n.throttle && 'THROTTLE'].filter(Boolean);
  if (flags.length) parts.push(flags.join(' '));
  const annotations = Object.entries(n.annotations);
  if (annotations.length) parts.push(`annotations: ${annotations.map(([k, v]) => `${k}=${showValue(v)}`).join(' ')}`);
  return parts.join('  ');
}

function showValue(v: AnnotationValue): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value)} ms`;
}

/** `trace` as one JSON object on one line. */
export function renderJson(trace: TraceView): string {
  return `${JSON.stringify(toJson(trace))}\n`;
}

/** The JSON form of a trace (also what the `--ui` page reads). */
export function toJson(trace: TraceView): Record<string, unknown> {
  const node = (t: TreeNode): Record<string, unknown> => ({
    id: t.node.id,
    parentId: t.node.parentId,
    kind: t.node.kind,
    name: t.node.name,
    service: t.service,
    start: t.node.start,
    end: t.node.end,
    inProgress: t.node.inProgress || undefined,
    http: t.node.httpMethod || t.node.httpUrl || t.node.httpStatus !== undefined
      ? { method: t.node.httpMethod, url: t.node.httpUrl, status: t.node.httpStatus } : undefined,
    error: t.node.error || undefined,
    fault: t.node.fault || undefined,
    throttle: t.node.throttle || undefined,
    annotations: Object.keys(t.node.annotations).length ? t.node.annotations : undefined,
    namespace: t.node.namespace,
    remote: t.node.remote,
    subsegment: t.node.subsegment,
    sql: t.node.sql,
    metadata: t.node.metadata,
    children: t.children.length ? t.children.map(node) : undefined,
  });
  return {
    traceId: trace.traceId,
    complete: trace.complete,
    revision: trace.revision,
    start: trace.start,
    durationMs: trace.durationMs,
    services: trace.services,
    edges: trace.edges,
    inferred: trace.inferred,
    nodeCount: trace.nodeCount,
    error: trace.error,
    fault: trace.fault,
    throttle: trace.throttle,
    annotations: trace.annotations,
    roots: trace.roots.map(node),
  };
}
