/**
 * The syntax tree of an X-Ray filter expression, its rendering and equality. It records no source
 * positions, so a parsed tree and the same built tree are deeply equal.
 */

/** The longest filter expression accepted, in characters (X-Ray documents no limit of its own). */
export const FILTER_MAX_LENGTH = 10_000;

/** How deeply `(`, `{` and `!` may nest. */
export const FILTER_MAX_DEPTH = 100;

/** The longest annotation key accepted (the X-Ray SDK guides: up to 500 characters). */
export const ANNOTATION_KEY_MAX_LENGTH = 500;

/** An annotation key that can be written `annotation.KEY` (no dot). */
const PLAIN_ANNOTATION_KEY = /^[A-Za-z0-9_]+$/;

/** The boolean keywords, lower case. */
export const BOOLEAN_KEYWORDS: ReadonlySet<string> = new Set([
  'ok', 'error', 'throttle', 'fault', 'partial', 'inferred', 'first', 'last', 'remote', 'root',
]);

/** The number keywords, lower case. */
export const NUMBER_KEYWORDS: ReadonlySet<string> = new Set([
  'responsetime', 'duration', 'http.status', 'index', 'coverage',
]);

/** The string keywords, lower case. */
export const STRING_KEYWORDS: ReadonlySet<string> = new Set([
  'http.url', 'http.method', 'http.useragent', 'http.clientip', 'user', 'name', 'type', 'message',
  'availabilityzone', 'instance.id', 'resource.arn',
]);

/** The root-cause keywords the X-Ray guide documents, lower case. */
export const ROOT_CAUSE_KEYWORDS: ReadonlySet<string> = new Set([
  'rootcause.fault.service', 'rootcause.fault.entity', 'rootcause.fault.exception',
  'rootcause.responsetime.service', 'rootcause.responsetime.entity',
]);

/** The group keywords, lower case. */
export const GROUP_KEYWORDS: ReadonlySet<string> = new Set(['group.name', 'group.arn']);

/** The keyword compared with a JSON root-cause object. */
export const ROOT_CAUSE_JSON_KEYWORD = 'rootcause.json';

export type EqualityOperator = '=' | '!=';
export type NumberOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type StringOperator = '=' | '!=' | 'CONTAINS' | 'BEGINSWITH' | 'ENDSWITH';
export type AnyOperator = NumberOperator | StringOperator;

export const NUMBER_OPERATORS: ReadonlySet<string> = new Set(['=', '!=', '<', '<=', '>', '>=']);
export const STRING_OPERATORS: ReadonlySet<string> = new Set(['=', '!=', 'CONTAINS', 'BEGINSWITH', 'ENDSWITH']);
export const WORD_OPERATORS: ReadonlySet<string> = new Set(['CONTAINS', 'BEGINSWITH', 'ENDSWITH']);

/** A value compared with an annotation. */
export type AnnotationValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'boolean'; readonly value: boolean };

/** What `service(...)` and `edge(...)` name: a service name, or an `id(...)`. */
export type NodeRef =
  | { readonly kind: 'name'; readonly name: string }
  | IdRef;

/** `id(name: ..., type: ..., account.id: ...)`: at least one of the three. */
export interface IdRef {
  readonly kind: 'id';
  readonly name?: string;
  readonly type?: string;
  readonly accountId?: string;
}

export type FilterNode =
  | { readonly kind: 'and'; readonly operands: readonly FilterNode[] }
  | { readonly kind: 'or'; readonly operands: readonly FilterNode[] }
  | { readonly kind: 'not'; readonly operand: FilterNode }
  | { readonly kind: 'boolean'; readonly keyword: string; readonly operator: EqualityOperator; readonly value: boolean }
  | { readonly kind: 'number'; readonly keyword: string; readonly operator: NumberOperator; readonly value: number }
  | { readonly kind: 'string'; readonly keyword: string; readonly operator: StringOperator; readonly value: string }
  /** a string keyword alone: true where the field is set (`http.url`) */
  | { readonly kind: 'present'; readonly keyword: string }
  /** `annotation.KEY` alone (set), or compared with a value */
  | { readonly kind: 'annotation'; readonly key: string; readonly operator?: AnyOperator; readonly value?: AnnotationValue }
  /** `service()`, `service("x")`, `service(id(...))`, each with an optional `{ filter }` */
  | { readonly kind: 'service'; readonly target?: NodeRef; readonly filter?: FilterNode }
  | { readonly kind: 'edge'; readonly source: NodeRef; readonly destination: NodeRef; readonly filter?: FilterNode }
  /** `id(...)` on its own */
  | { readonly kind: 'id'; readonly id: IdRef }
  | { readonly kind: 'group'; readonly keyword: string; readonly operator: EqualityOperator; readonly value: string }
  | { readonly kind: 'rootcause'; readonly keyword: string; readonly filter: FilterNode }
  /** `rootcause.json = #[...]`; `json` is the canonical JSON text, without the `#` */
  | { readonly kind: 'json'; readonly operator: EqualityOperator; readonly json: string };

/** `a AND b`, flattened: an `and` operand is never itself an `and`; one operand is returned as is. */
export function makeAnd(operands: readonly FilterNode[]): FilterNode {
  return makeJunction('and', operands);
}

/** `a OR b`, flattened like {@link makeAnd}. */
export function makeOr(operands: readonly FilterNode[]): FilterNode {
  return makeJunction('or', operands);
}

function makeJunction(kind: 'and' | 'or', operands: readonly FilterNode[]): FilterNode {
  const flat: FilterNode[] = [];
  for (const operand of operands) {
    if (operand.kind === kind) {
      flat.push(...operand.operands);
    } else {
      flat.push(operand);
    }
  }
  if (flat.length === 0) throw new Error(`${kind} needs at least one operand`);
  if (flat.length === 1) return flat[0];
  return { kind, operands: flat };
}

/** Normalises `-0` to `0`, so equal numbers are equal trees. */
export function normalizeNumber(value: number): number {
  return value === 0 ? 0 : value;
}

/** A double-quoted string, with `\` and `"` escaped by a backslash. */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

/** The canonical text of a number: JavaScript's shortest round-trip form. */
export function renderNumber(value: number): string {
  return String(normalizeNumber(value));
}

function renderAnnotationKey(key: string): string {
  return PLAIN_ANNOTATION_KEY.test(key) ? `annotation.${key}` : `annotation[${key}]`;
}

function renderAnnotationValue(value: AnnotationValue): string {
  switch (value.type) {
    case 'string': return quote(value.value);
    case 'number': return renderNumber(value.value);
    case 'boolean': return String(value.value);
  }
}

export function renderId(id: IdRef): string {
  const parts: string[] = [];
  if (id.name !== undefined) parts.push(`name: ${quote(id.name)}`);
  if (id.type !== undefined) parts.push(`type: ${quote(id.type)}`);
  if (id.accountId !== undefined) parts.push(`account.id: ${quote(id.accountId)}`);
  return `id(${parts.join(', ')})`;
}

function renderRef(ref: NodeRef): string {
  return ref.kind === 'name' ? quote(ref.name) : renderId(ref);
}

function renderBlock(filter: FilterNode | undefined): string {
  return filter === undefined ? '' : ` { ${render(filter)} }`;
}

/**
 * Whether `!` can stand right before this node's text without parentheses: a keyword with no
 * operator (`!ok`, `!http.url`, `!annotation.age`), a complex keyword, or another `!`.
 */
function negatesBare(node: FilterNode): boolean {
  switch (node.kind) {
    case 'boolean': return node.operator === '=' && node.value;
    case 'present':
    case 'service':
    case 'edge':
    case 'id':
    case 'rootcause':
    case 'not':
      return true;
    case 'annotation': return node.operator === undefined;
    default: return false;
  }
}

/** The canonical text of a tree: single spaces, upper-case operators, the fewest parentheses. */
export function render(node: FilterNode): string {
  switch (node.kind) {
    case 'and':
      return node.operands.map((o) => (o.kind === 'or' ? `(${render(o)})` : render(o))).join(' AND ');
    case 'or':
      return node.operands.map(render).join(' OR ');
    case 'not': {
      const operand = node.operand;
      if (operand.kind === 'boolean' && operand.operator === '=' && operand.value) return `!${operand.keyword}`;
      return negatesBare(operand) ? `!${render(operand)}` : `!(${render(operand)})`;
    }
    case 'boolean':
    case 'number':
      return `${node.keyword} ${node.operator} ${node.kind === 'number' ? renderNumber(node.value) : String(node.value)}`;
    case 'string':
      return `${node.keyword} ${node.operator} ${quote(node.value)}`;
    case 'present':
      return node.keyword;
    case 'annotation': {
      const key = renderAnnotationKey(node.key);
      return node.operator === undefined || node.value === undefined
        ? key
        : `${key} ${node.operator} ${renderAnnotationValue(node.value)}`;
    }
    case 'service':
      return `service(${node.target === undefined ? '' : renderRef(node.target)})${renderBlock(node.filter)}`;
    case 'edge':
      return `edge(${renderRef(node.source)}, ${renderRef(node.destination)})${renderBlock(node.filter)}`;
    case 'id':
      return renderId(node.id);
    case 'group':
      return `${node.keyword} ${node.operator} ${quote(node.value)}`;
    case 'rootcause':
      return `${node.keyword} { ${render(node.filter)} }`;
    case 'json':
      return `${ROOT_CAUSE_JSON_KEYWORD} ${node.operator} #${node.json}`;
  }
}

/**
 * How deeply `(`, `{` and `!` nest in {@link render}'s text of this tree: the depth the parser
 * counts when it reads that text back.
 */
export function nesting(node: FilterNode): number {
  switch (node.kind) {
    case 'and':
      return Math.max(...node.operands.map((o) => (o.kind === 'or' ? 1 + nesting(o) : nesting(o))));
    case 'or':
      return Math.max(...node.operands.map(nesting));
    case 'not': {
      const operand = node.operand;
      if (operand.kind === 'boolean' && operand.operator === '=' && operand.value) return 1;
      return (negatesBare(operand) ? 1 : 2) + nesting(operand);
    }
    case 'service':
    case 'edge':
      return node.filter === undefined ? 0 : 1 + nesting(node.filter);
    case 'rootcause':
      return 1 + nesting(node.filter);
    default:
      return 0;
  }
}

/** Deep structural equality of two trees (numbers by value; absent and `undefined` alike). */
export function nodeEquals(a: FilterNode, b: FilterNode): boolean {
  return deepEquals(a, b);
}

function deepEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEquals(item, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const key of keys) {
    if (!deepEquals(ra[key], rb[key])) return false;
  }
  return true;
}

/** The annotation keys a tree filters on, each once, in the order they first appear in its text. */
export function annotationKeysOf(node: FilterNode): string[] {
  const keys: string[] = [];
  const visit = (n: FilterNode): void => {
    switch (n.kind) {
      case 'and':
      case 'or':
        n.operands.forEach(visit);
        return;
      case 'not':
        visit(n.operand);
        return;
      case 'annotation':
        if (!keys.includes(n.key)) keys.push(n.key);
        return;
      case 'service':
      case 'edge':
        if (n.filter !== undefined) visit(n.filter);
        return;
      case 'rootcause':
        visit(n.filter);
        return;
      default:
        return;
    }
  };
  visit(node);
  return keys;
}
