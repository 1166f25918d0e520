/**
 * Filter expressions evaluated on the traces `local-agent` has seen: the trace groups of the
 * assembly, parsed with the library's own `FilterExpression`, become filters of the `--ui` list.
 *
 * The keywords mean what the X-Ray developer guide's "Filter expressions" page says, evaluated
 * on what a local agent has: trace-level keywords (`ok`, `error`, `fault`, `throttle`, `partial`,
 * `responsetime` (the root's), `duration` (first start to last end), `http.*` of the root
 * segment) on the whole trace, annotations on any segment, `service("x") { ... }` on the
 * segments of service x, `edge("a", "b") { ... }` on b's segments called from a. What needs the
 * X-Ray service itself (root cause analysis, groups, account ids, node types, `index`, `coverage`,
 * user agent and client IP, which the SDKs rarely send) is {@link UnsupportedFilter}: the page says
 * that group cannot be evaluated locally, rather than guessing.
 */
import { AnnotationValue, isSubsegment, TraceNode } from './trace-model';
import { flatten, TraceView } from './trace-store';
import { FilterExpression } from '../groups/filter-expression';

/** The library's filter syntax tree (internal to `groups/`; read through the public class). */
type FilterNode = FilterExpression['_node'];

/** A filter that cannot be evaluated without the X-Ray service. */
export class UnsupportedFilter extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedFilter';
  }
}

/** What the keywords are evaluated on: the whole trace, or one service's segment. */
interface Subject {
  readonly error: boolean;
  readonly fault: boolean;
  readonly throttle: boolean;
  readonly partial: boolean;
  readonly responseTime: number;
  readonly duration: number;
  readonly httpStatus?: number;
  readonly httpUrl?: string;
  readonly httpMethod?: string;
  readonly name?: string;
  readonly annotations: readonly Readonly<Record<string, AnnotationValue>>[];
}

/** A compiled filter: a predicate on traces. Throws {@link UnsupportedFilter} at compile time. */
export type TracePredicate = (trace: TraceView) => boolean;

/** Parses `text` with `FilterExpression.parse` and compiles it to a predicate. */
export function compileFilter(text: string): TracePredicate {
  const node = FilterExpression.parse(text)._node;
  check(node);
  return (trace) => evaluate(node, trace, traceSubject(trace));
}

/** Throws {@link UnsupportedFilter} when `node` uses what a local agent cannot know. */
function check(node: FilterNode): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      node.operands.forEach(check);
      return;
    case 'not':
      check(node.operand);
      return;
    case 'boolean':
      if (!['ok', 'error', 'fault', 'throttle', 'partial'].includes(node.keyword)) unsupported(`the keyword ${node.keyword}`);
      return;
    case 'number':
      if (!['responsetime', 'duration', 'http.status'].includes(node.keyword)) unsupported(`the keyword ${node.keyword}`);
      return;
    case 'string':
    case 'present':
      if (!['http.url', 'http.method', 'name'].includes(node.keyword)) unsupported(`the keyword ${node.keyword}`);
      return;
    case 'annotation':
      return;
    case 'service':
      if (node.target?.kind === 'id' && (node.target.type !== undefined || node.target.accountId !== undefined || node.target.name === undefined)) {
        unsupported('id(...) with a type or account id');
      }
      if (node.filter) check(node.filter);
      return;
    case 'edge':
      if (node.source.kind !== 'name' || node.destination.kind !== 'name') unsupported('edge(...) between id(...) nodes');
      if (node.filter) check(node.filter);
      return;
    default:
      unsupported(`${node.kind} expressions`);
  }
}

function unsupported(what: string): never {
  throw new UnsupportedFilter(`${what} need(s) the X-Ray service; a local agent cannot evaluate it`);
}

function traceSubject(trace: TraceView): Subject {
  return {
    error: trace.error,
    fault: trace.fault,
    throttle: trace.throttle,
    partial: !trace.complete,
    responseTime: trace.responseTime,
    duration: trace.durationMs / 1000,
    httpStatus: trace.httpStatus,
    httpUrl: trace.httpUrl,
    httpMethod: trace.httpMethod,
    name: trace.roots[0]?.node.name,
    annotations: flatten(trace.roots).map((t) => t.node.annotations),
  };
}

function nodeSubject(trace: TraceView, n: TraceNode): Subject {
  const below = flatten(trace.roots).filter((t) => t.node.id === n.id || isBelow(trace, t.node, n.id));
  return {
    error: n.error,
    fault: n.fault,
    throttle: n.throttle,
    partial: n.inProgress,
    responseTime: n.end === undefined ? 0 : n.end - n.start,
    duration: n.end === undefined ? 0 : n.end - n.start,
    httpStatus: n.httpStatus,
    httpUrl: n.httpUrl,
    httpMethod: n.httpMethod,
    name: n.name,
    annotations: below.map((t) => t.node.annotations),
  };
}

function isBelow(trace: TraceView, node: TraceNode, ancestorId: string): boolean {
  const byId = new Map(flatten(trace.roots).map((t) => [t.node.id, t.node]));
  let current: TraceNode | undefined = node;
  for (let i = 0; current?.parentId !== undefined && i < 10_000; i++) {
    if (current.parentId === ancestorId) return true;
    current = byId.get(current.parentId);
  }
  return false;
}

/** The segments (not subsegments) of `service` in `trace`. */
function segmentsOf(trace: TraceView, service: string): TraceNode[] {
  return flatten(trace.roots).filter((t) => t.service === service && !isSubsegment(t.node)).map((t) => t.node);
}

function evaluate(node: FilterNode, trace: TraceView, subject: Subject): boolean {
  switch (node.kind) {
    case 'and': return node.operands.every((o) => evaluate(o, trace, subject));
    case 'or': return node.operands.some((o) => evaluate(o, trace, subject));
    case 'not': return !evaluate(node.operand, trace, subject);
    case 'boolean': {
      const actual = node.keyword === 'ok' ? !(subject.error || subject.fault || subject.throttle) : Boolean(subject[node.keyword as 'error' | 'fault' | 'throttle' | 'partial']);
      return node.operator === '=' ? actual === node.value : actual !== node.value;
    }
    case 'number': {
      const actual = node.keyword === 'responsetime' ? subject.responseTime : node.keyword === 'duration' ? subject.duration : subject.httpStatus;
      return actual !== undefined && compareNumbers(actual, node.operator, node.value);
    }
    case 'string': {
      const actual = stringKeyword(subject, node.keyword);
      return actual !== undefined && compareStrings(actual, node.operator, node.value);
    }
    case 'present': return stringKeyword(subject, node.keyword) !== undefined;
    case 'annotation': return subject.annotations.some((a) => {
      if (!(node.key in a)) return false;
      if (node.operator === undefined || node.value === undefined) return true;
      const actual = a[node.key];
      if (node.value.type === 'string') return typeof actual === 'string' && compareStrings(actual, node.operator, node.value.value);
      if (node.value.type === 'number') return typeof actual === 'number' && compareNumbers(actual, node.operator, node.value.value);
      return typeof actual === 'boolean' && (node.operator === '=' ? actual === node.value.value : actual !== node.value.value);
    });
    case 'service': {
      const name = node.target === undefined ? undefined : node.target.kind === 'name' ? node.target.name : node.target.name;
      const segments = name === undefined ? flatten(trace.roots).filter((t) => !isSubsegment(t.node)).map((t) => t.node) : segmentsOf(trace, name);
      return segments.some((s) => node.filter === undefined || evaluate(node.filter, trace, nodeSubject(trace, s)));
    }
    case 'edge': {
      if (node.source.kind !== 'name' || node.destination.kind !== 'name') return false;
      const from = node.source.name;
      const to = node.destination.name;
      if (!trace.edges.some((e) => e.from === from && e.to === to)) return false;
      return node.filter === undefined || segmentsOf(trace, to).some((s) => evaluate(node.filter!, trace, nodeSubject(trace, s)));
    }
    default: return false;
  }
}

function stringKeyword(subject: Subject, keyword: string): string | undefined {
  if (keyword === 'http.url') return subject.httpUrl;
  if (keyword === 'http.method') return subject.httpMethod;
  if (keyword === 'name') return subject.name;
  return undefined;
}

function compareNumbers(actual: number, operator: string, value: number): boolean {
  switch (operator) {
    case '=': return actual === value;
    case '!=': return actual !== value;
    case '<': return actual < value;
    case '<=': return actual <= value;
    case '>': return actual > value;
    case '>=': return actual >= value;
    default: return false;
  }
}

function compareStrings(actual: string, operator: string, value: string): boolean {
  switch (operator) {
    case '=': return actual === value;
    case '!=': return actual !== value;
    case 'CONTAINS': return actual.includes(value);
    case 'BEGINSWITH': return actual.startsWith(value);
    case 'ENDSWITH': return actual.endsWith(value);
    default: return false;
  }
}
