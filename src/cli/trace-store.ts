/**
 * Segments and spans assembled into traces, with a bound on memory: at most `maxTraces` traces
 * are kept (the oldest go first), each with at most {@link MAX_NODES_PER_TRACE} nodes.
 *
 * A trace is complete when it has a root (a node without a parent, or whose parent never came)
 * that has ended, nothing is in progress, and nothing new arrived for `settleMs`; a trace that
 * stays incomplete is reported after `timeoutMs` anyway, marked incomplete.
 */
import { AnnotationValue, isSubsegment, TraceNode } from './trace-model';

/** More nodes than this in one trace are counted as dropped, not kept. */
export const MAX_NODES_PER_TRACE = 10_000;

/** A node with its children and the service it belongs to, for display. */
export interface TreeNode {
  readonly node: TraceNode;
  /** The service: a segment's own name, a subsegment's segment's service. */
  readonly service: string;
  readonly children: TreeNode[];
}

/** A trace as shown: its tree, its services, its timing and flags. */
export interface TraceView {
  readonly traceId: string;
  readonly roots: TreeNode[];
  readonly services: string[];
  /** Service-to-service calls seen in the trace (`from` called `to`). */
  readonly edges: Array<{ readonly from: string; readonly to: string }>;
  /** The nodes X-Ray infers from subsegments (AWS services, databases, HTTP peers not traced). */
  readonly inferred: Array<{ readonly name: string; readonly namespace: 'aws' | 'remote'; readonly sql?: boolean }>;
  /** Epoch seconds of the earliest start. */
  readonly start: number;
  /** Milliseconds from the earliest start to the latest end. */
  readonly durationMs: number;
  /** The root's response time in seconds (what `responsetime` filters on). */
  readonly responseTime: number;
  readonly nodeCount: number;
  readonly complete: boolean;
  readonly error: boolean;
  readonly fault: boolean;
  readonly throttle: boolean;
  readonly annotations: Record<string, AnnotationValue>;
  /** The root segment's HTTP request and response. */
  readonly httpMethod?: string;
  readonly httpUrl?: string;
  readonly httpStatus?: number;
  /** How many times it was reported (a late segment reports it again). */
  readonly revision: number;
}

interface Trace {
  readonly id: string;
  readonly nodes: Map<string, TraceNode>;
  lastUpdate: number;
  firstSeen: number;
  reported: number;
  dirty: boolean;
}

/** Options of {@link TraceStore}. */
export interface TraceStoreOptions {
  readonly maxTraces: number;
  readonly settleMs: number;
  readonly timeoutMs: number;
}

/** Counters of what the store did. */
export interface StoreCounters {
  nodes: number;
  evictedTraces: number;
  droppedNodes: number;
}

export class TraceStore {
  public readonly counters: StoreCounters = { nodes: 0, evictedTraces: 0, droppedNodes: 0 };
  /** Traces by id, in insertion order: the first is the oldest. */
  private readonly traces = new Map<string, Trace>();
  private readonly dirty = new Set<string>();

  constructor(private readonly options: TraceStoreOptions) {}

  /** Adds nodes (one datagram's or one OTLP body's). */
  public add(nodes: readonly TraceNode[], now: number = Date.now()): void {
    for (const node of nodes) {
      let trace = this.traces.get(node.traceId);
      if (!trace) {
        trace = { id: node.traceId, nodes: new Map(), lastUpdate: now, firstSeen: now, reported: 0, dirty: true };
        this.traces.set(node.traceId, trace);
        while (this.traces.size > this.options.maxTraces) {
          const oldest = this.traces.keys().next().value as string;
          this.traces.delete(oldest);
          this.dirty.delete(oldest);
          this.counters.evictedTraces++;
        }
      }
      if (!trace.nodes.has(node.id) && trace.nodes.size >= MAX_NODES_PER_TRACE) {
        this.counters.droppedNodes++;
        continue;
      }
      // An in-progress copy never replaces a finished one (the SDKs send in-progress first).
      const existing = trace.nodes.get(node.id);
      if (!(existing && !existing.inProgress && node.inProgress)) trace.nodes.set(node.id, node);
      this.counters.nodes++;
      trace.lastUpdate = now;
      trace.dirty = true;
      this.dirty.add(trace.id);
    }
  }

  /** The traces due for reporting now (complete and settled, or timed out), marked reported. */
  public due(now: number = Date.now(), all = false): TraceView[] {
    const out: TraceView[] = [];
    for (const id of [...this.dirty]) {
      const trace = this.traces.get(id);
      if (!trace) {
        this.dirty.delete(id);
        continue;
      }
      const settled = now - trace.lastUpdate >= this.options.settleMs;
      // Nothing is due before the trace settles: it is not even assembled until then.
      if (!all && !settled) continue;
      const view = buildView(trace, false);
      const timedOut = now - trace.firstSeen >= this.options.timeoutMs;
      if (all || view.complete || timedOut) {
        trace.reported++;
        trace.dirty = false;
        this.dirty.delete(id);
        out.push({ ...view, revision: trace.reported });
      }
    }
    return out;
  }

  /** Every kept trace, newest first. */
  public list(): TraceView[] {
    return [...this.traces.values()].reverse().map((t) => buildView(t, true));
  }

  public get(id: string): TraceView | undefined {
    const trace = this.traces.get(id);
    return trace ? buildView(trace, true) : undefined;
  }

  public get size(): number {
    return this.traces.size;
  }
}

function buildView(trace: Trace, current: boolean): TraceView {
  const nodes = [...trace.nodes.values()];
  const byId = new Map<string, TreeNode>();
  const roots: TreeNode[] = [];
  // Parents first where possible, so each child finds its parent's service.
  nodes.sort((a, b) => a.start - b.start);
  const pending = nodes.map((node) => ({ node, service: node.service, children: [] as TreeNode[] }));
  for (const t of pending) byId.set(t.node.id, t);
  const edges = new Map<string, { from: string; to: string }>();
  for (const t of pending) {
    const parent = t.node.parentId === undefined ? undefined : byId.get(t.node.parentId);
    if (parent) parent.children.push(t);
    else roots.push(t);
  }
  // Services flow down to subsegments; a segment (or span) of another service under it is a call.
  // A subsegment that calls out (`namespace` aws or remote) draws an inferred node, unless the
  // service it calls sent its own segment: that segment replaces the inferred one (X-Ray developer
  // guide, "Concepts", subsegments).
  const inferred = new Map<string, { name: string; namespace: 'aws' | 'remote'; sql?: boolean }>();
  const resolved: TreeNode[] = [];
  const walk = (t: TreeNode, parentService: string | undefined): TreeNode => {
    const own = isSubsegment(t.node) && parentService !== undefined ? parentService : t.service;
    if (parentService !== undefined && own !== parentService) edges.set(`${parentService}\u0000${own}`, { from: parentService, to: own });
    const callsTracedService = t.children.some((c) => !isSubsegment(c.node));
    if (t.node.remote && isSubsegment(t.node) && !callsTracedService) {
      edges.set(`${own}\u0000${t.node.remote}`, { from: own, to: t.node.remote });
      inferred.set(t.node.remote, { name: t.node.remote, namespace: t.node.namespace ?? 'remote', ...(t.node.sql ? { sql: true } : {}) });
    }
    return { node: t.node, service: own, children: t.children.map((c) => walk(c, own)) };
  };
  for (const r of roots) resolved.push(walk(r, undefined));
  const services = [...new Set(flatten(resolved).filter((t) => !isSubsegment(t.node)).map((t) => t.service))];
  const start = Math.min(...nodes.map((n) => n.start));
  const end = Math.max(...nodes.map((n) => n.end ?? n.start));
  const main = resolved[0]?.node;
  const annotations: Record<string, AnnotationValue> = {};
  for (const n of nodes) Object.assign(annotations, n.annotations);
  const complete = resolved.length > 0 && nodes.every((n) => !n.inProgress) && resolved.some((r) => r.node.parentId === undefined);
  return {
    traceId: trace.id,
    roots: resolved,
    services,
    edges: [...edges.values()],
    inferred: [...inferred.values()],
    start,
    durationMs: Math.round((end - start) * 1e6) / 1e3,
    responseTime: main && main.end !== undefined ? main.end - main.start : 0,
    nodeCount: nodes.length,
    complete,
    error: nodes.some((n) => n.error),
    fault: nodes.some((n) => n.fault),
    throttle: nodes.some((n) => n.throttle),
    annotations,
    httpMethod: main?.httpMethod,
    httpUrl: main?.httpUrl,
    httpStatus: main?.httpStatus,
    revision: current ? trace.reported : trace.reported + 1,
  };
}

/** Every node of the trees, depth first. */
export function flatten(roots: readonly TreeNode[]): TreeNode[] {
  const out: TreeNode[] = [];
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const t = stack.pop()!;
    out.push(t);
    for (let i = t.children.length - 1; i >= 0; i--) stack.push(t.children[i]);
  }
  return out;
}
