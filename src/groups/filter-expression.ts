import {
  ANNOTATION_KEY_MAX_LENGTH,
  ANNOTATION_KEY_PATTERN,
  AnnotationValue,
  AnyOperator,
  BOOLEAN_KEYWORDS,
  FILTER_MAX_DEPTH,
  FILTER_MAX_LENGTH,
  FilterNode,
  IdRef,
  makeAnd,
  makeOr,
  nesting,
  nodeEquals,
  normalizeNumber,
  NUMBER_KEYWORDS,
  NumberOperator,
  render,
  ROOT_CAUSE_KEYWORDS,
  STRING_KEYWORDS,
  StringOperator,
} from './private/filter-ast';
import { columnOf } from './private/filter-lexer';
import { FilterSyntaxFailure, parseFilter } from './private/filter-parser';

/** Hidden base so that jsii, which cannot model `Error`, erases it. */
abstract class FilterExpressionErrorBase extends Error {}

/**
 * Thrown by `FilterExpression.parse` for a text that is not a valid X-Ray filter expression.
 *
 * The message reads `invalid filter expression at column N: expected WHAT, got WHAT`, where N is
 * the 1-based column (in characters) of the first error.
 *
 * (jsii cannot represent subclasses of `Error`, so this class is hidden from other languages;
 * they get the same facts, without throwing, from `FilterExpression.validate`.)
 *
 * @internal
 */
export class FilterExpressionError extends FilterExpressionErrorBase {
  /** 1-based column, in characters, of the first error. */
  public readonly column: number;
  /** What the parser expected at `column`, e.g. `a value after ">"`. */
  public readonly expected: string;
  /** What it found there, e.g. `end of input` or `"CONTAINS"`. */
  public readonly found: string;

  constructor(column: number, expected: string, found: string) {
    super(`invalid filter expression at column ${column}: expected ${expected}, got ${found}`);
    this.name = 'FilterExpressionError';
    this.column = column;
    this.expected = expected;
    this.found = found;
  }
}

/** The boolean keywords of X-Ray filter expressions. */
export enum BooleanKeyword {
  /** `ok`: the response status code was 2XX. */
  OK = 'ok',
  /** `error`: the response status code was 4XX. */
  ERROR = 'error',
  /** `throttle`: the response status code was 429. */
  THROTTLE = 'throttle',
  /** `fault`: the response status code was 5XX. */
  FAULT = 'fault',
  /** `partial`: the request has incomplete segments. */
  PARTIAL = 'partial',
  /** `inferred`: the request has inferred segments. */
  INFERRED = 'inferred',
  /** `first`: the element is the first of an enumerated list (root-cause filters). */
  FIRST = 'first',
  /** `last`: the element is the last of an enumerated list (root-cause filters). */
  LAST = 'last',
  /** `remote`: the root-cause entity is remote. */
  REMOTE = 'remote',
  /** `root`: the service is the entry point (root segment) of the trace. */
  ROOT = 'root',
}

/** The number keywords of X-Ray filter expressions. */
export enum NumberKeyword {
  /** `responsetime`: seconds the server took to send a response. */
  RESPONSE_TIME = 'responsetime',
  /** `duration`: seconds of the whole request, downstream calls included. */
  DURATION = 'duration',
  /** `http.status`: the response status code. */
  HTTP_STATUS = 'http.status',
  /** `index`: the position of an element in an enumerated list (root-cause filters). */
  INDEX = 'index',
  /** `coverage`: the entity's share of the root segment's response time (response-time root causes). */
  COVERAGE = 'coverage',
}

/** The string keywords of X-Ray filter expressions. */
export enum StringKeyword {
  /** `http.url`: the request URL. */
  HTTP_URL = 'http.url',
  /** `http.method`: the request method. */
  HTTP_METHOD = 'http.method',
  /** `http.useragent`: the request's user agent. */
  HTTP_USER_AGENT = 'http.useragent',
  /** `http.clientip`: the requester's IP address. */
  HTTP_CLIENT_IP = 'http.clientip',
  /** `user`: the user field of any segment of the trace. */
  USER = 'user',
  /** `name`: the name of a service or an exception. */
  NAME = 'name',
  /** `type`: the service type. */
  TYPE = 'type',
  /** `message`: the exception message. */
  MESSAGE = 'message',
  /** `availabilityzone`: the availability zone field of any segment. */
  AVAILABILITY_ZONE = 'availabilityzone',
  /** `instance.id`: the instance ID field of any segment. */
  INSTANCE_ID = 'instance.id',
  /** `resource.arn`: the resource ARN field of any segment. */
  RESOURCE_ARN = 'resource.arn',
}

/** The root-cause keywords of X-Ray filter expressions, each followed by a `{ filter }`. */
export enum RootCauseKeyword {
  /** `rootcause.fault.service` */
  FAULT_SERVICE = 'rootcause.fault.service',
  /** `rootcause.fault.entity` */
  FAULT_ENTITY = 'rootcause.fault.entity',
  /** `rootcause.fault.exception` */
  FAULT_EXCEPTION = 'rootcause.fault.exception',
  /** `rootcause.responsetime.service` */
  RESPONSE_TIME_SERVICE = 'rootcause.responsetime.service',
  /** `rootcause.responsetime.entity` */
  RESPONSE_TIME_ENTITY = 'rootcause.responsetime.entity',
}

/** The fields of an `id(...)`, which names a node of the trace map more precisely than its name. */
export interface NodeIdOptions {
  /**
   * The node's name.
   * @default - any name
   */
  readonly name?: string;
  /**
   * The node's type, e.g. `AWS::Lambda::Function`.
   * @default - any type
   */
  readonly nodeType?: string;
  /**
   * The account the node is in (`account.id`).
   * @default - any account
   */
  readonly accountId?: string;
}

/** What `FilterExpression.validate` found. */
export interface FilterExpressionValidation {
  /** Whether the text is a valid filter expression. */
  readonly valid: boolean;
  /**
   * The normalized text, when valid.
   * @default - none: the text is not valid
   */
  readonly normalized?: string;
  /**
   * The error message, when not valid.
   * @default - none: the text is valid
   */
  readonly message?: string;
  /**
   * The 1-based column of the first error, when not valid.
   * @default - none: the text is valid
   */
  readonly column?: number;
  /**
   * What was expected at `column`, when not valid.
   * @default - none: the text is valid
   */
  readonly expected?: string;
  /**
   * What was found at `column`, when not valid.
   * @default - none: the text is valid
   */
  readonly found?: string;
}

function checkString(what: string, value: string): string {
  if (typeof value !== 'string') throw new Error(`${what} must be a string, got ${typeof value}`);
  return value;
}

function checkNumber(value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`value must be a finite number, got ${String(value)}`);
  }
  return normalizeNumber(value);
}

function checkBoolean(value: boolean): boolean {
  if (typeof value !== 'boolean') throw new Error(`value must be true or false, got ${String(value)}`);
  return value;
}

function checkKeyword(kind: string, keywords: ReadonlySet<string>, keyword: string): string {
  if (!keywords.has(keyword)) {
    throw new Error(`${kind} keyword must be one of ${[...keywords].join(', ')}, got ${JSON.stringify(keyword)}`);
  }
  return keyword;
}

function toIdRef(options: NodeIdOptions): IdRef {
  const name = options.name === undefined ? undefined : checkString('id name', options.name);
  const type = options.nodeType === undefined ? undefined : checkString('id type', options.nodeType);
  const accountId = options.accountId === undefined ? undefined : checkString('id accountId', options.accountId);
  if (name === undefined && type === undefined && accountId === undefined) {
    throw new Error('id needs at least one of name, nodeType and accountId, got none');
  }
  return {
    kind: 'id',
    ...(name === undefined ? {} : { name }),
    ...(type === undefined ? {} : { type }),
    ...(accountId === undefined ? {} : { accountId }),
  };
}

/** Throws unless `node` uses only what a `{ }` filter of service, edge or rootcause may use. */
function checkBlockFilter(owner: string, node: FilterNode): FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      node.operands.forEach((o) => checkBlockFilter(owner, o));
      return node;
    case 'not':
      checkBlockFilter(owner, node.operand);
      return node;
    case 'boolean':
    case 'number':
    case 'string':
    case 'present':
      return node;
    default:
      throw new Error(`the filter of ${owner} may only use boolean, number and string keywords, got ${render(node)}`);
  }
}

/**
 * An AWS X-Ray filter expression: parsed from text with `FilterExpression.parse`, or built with
 * the static methods and combined with `and`, `or` and `not`. Either way `toString()` gives the
 * normalized text, and `FilterExpression.parse(e.toString())` equals `e`.
 *
 * @example
 * FilterExpression.service('afirgen-main-backend').and(FilterExpression.responseTime().greaterThan(5)).toString();
 * // service("afirgen-main-backend") AND responsetime > 5
 */
export class FilterExpression {
  /**
   * Parses a filter expression. Keywords, `AND`/`OR`, `CONTAINS`/`BEGINSWITH`/`ENDSWITH` and
   * `true`/`false` may be written in any case; expressions side by side mean `AND`.
   *
   * Throws `FilterExpressionError` (message `invalid filter expression at column N: expected ...,
   * got ...`) at the first error, for an empty text, for more than 10,000 characters, and for
   * nesting deeper than 100 levels.
   */
  public static parse(text: string): FilterExpression {
    if (typeof text !== 'string') throw new FilterExpressionError(1, 'a filter expression (a string)', typeof text);
    try {
      return new FilterExpression(parseFilter(text));
    } catch (e) {
      if (e instanceof FilterSyntaxFailure) throw new FilterExpressionError(columnOf(text, e.offset), e.expected, e.found);
      throw e;
    }
  }

  /** Checks a filter expression without throwing: the normalized text, or where and why it is invalid. */
  public static validate(text: string): FilterExpressionValidation {
    try {
      return { valid: true, normalized: FilterExpression.parse(text).toString() };
    } catch (e) {
      if (!(e instanceof FilterExpressionError)) throw e;
      return { valid: false, message: e.message, column: e.column, expected: e.expected, found: e.found };
    }
  }

  /**
   * `service("name")`, or `service("name") { filter }`: traces that reached the named service (on
   * which the filter holds).
   *
   * @param name the service name
   * @param filter what must hold on the service's segments (boolean, number and string keywords only)
   * @default - no filter: the service was reached
   */
  public static service(name: string, filter?: FilterExpression): FilterExpression {
    return FilterExpression.node({
      kind: 'service',
      target: { kind: 'name', name: checkString('service name', name) },
      ...FilterExpression.block('service(...)', filter),
    });
  }

  /**
   * `service(id(...))`, with an optional `{ filter }`: a service named by name, type and/or account.
   *
   * @param id the node's name, type and/or account
   * @param filter what must hold on the service's segments (boolean, number and string keywords only)
   * @default - no filter
   */
  public static serviceById(id: NodeIdOptions, filter?: FilterExpression): FilterExpression {
    return FilterExpression.node({ kind: 'service', target: toIdRef(id), ...FilterExpression.block('service(...)', filter) });
  }

  /**
   * `service() { filter }`: the filter holds on any service of the trace map.
   *
   * @param filter what must hold on some service (boolean, number and string keywords only)
   * @default - no filter: `service()`
   */
  public static anyService(filter?: FilterExpression): FilterExpression {
    return FilterExpression.node({ kind: 'service', ...FilterExpression.block('service()', filter) });
  }

  /**
   * `edge("source", "destination")`, with an optional `{ filter }`: the connection between two services.
   *
   * @param source the calling service
   * @param destination the called service
   * @param filter what must hold on the edge's segments (boolean, number and string keywords only)
   * @default - no filter
   */
  public static edge(source: string, destination: string, filter?: FilterExpression): FilterExpression {
    return FilterExpression.node({
      kind: 'edge',
      source: { kind: 'name', name: checkString('edge source', source) },
      destination: { kind: 'name', name: checkString('edge destination', destination) },
      ...FilterExpression.block('edge(...)', filter),
    });
  }

  /**
   * `edge(id(...), id(...))`, with an optional `{ filter }`.
   *
   * @param source the calling node
   * @param destination the called node
   * @param filter what must hold on the edge's segments (boolean, number and string keywords only)
   * @default - no filter
   */
  public static edgeById(source: NodeIdOptions, destination: NodeIdOptions, filter?: FilterExpression): FilterExpression {
    return FilterExpression.node({
      kind: 'edge',
      source: toIdRef(source),
      destination: toIdRef(destination),
      ...FilterExpression.block('edge(...)', filter),
    });
  }

  /**
   * `id(name: "name", type: "type")` on its own. To filter on a service or an edge by id, use
   * `serviceById` or `edgeById`.
   *
   * @param name the node's name
   * @param nodeType the node's type, e.g. `AWS::Lambda::Function`
   * @default - any type: `id(name: "name")`
   */
  public static id(name: string, nodeType?: string): FilterExpression {
    return FilterExpression.nodeId({ name, nodeType });
  }

  /** `id(...)` on its own, with any of name, type and account. */
  public static nodeId(id: NodeIdOptions): FilterExpression {
    return FilterExpression.node({ kind: 'id', id: toIdRef(id) });
  }

  /** `responsetime`, in seconds: compare it with a number. */
  public static responseTime(): NumberKeywordBuilder {
    return new NumberKeywordBuilder(NumberKeyword.RESPONSE_TIME);
  }

  /** `duration`, in seconds: compare it with a number. */
  public static duration(): NumberKeywordBuilder {
    return new NumberKeywordBuilder(NumberKeyword.DURATION);
  }

  /** `http.status`: compare it with a number. */
  public static httpStatus(): NumberKeywordBuilder {
    return new NumberKeywordBuilder(NumberKeyword.HTTP_STATUS);
  }

  /** Any number keyword: compare it with a number. */
  public static numberKeyword(keyword: NumberKeyword): NumberKeywordBuilder {
    return new NumberKeywordBuilder(keyword);
  }

  /** `http.url`: compare it with a string. */
  public static httpUrl(): StringKeywordBuilder {
    return new StringKeywordBuilder(StringKeyword.HTTP_URL);
  }

  /** `http.method`: compare it with a string. */
  public static httpMethod(): StringKeywordBuilder {
    return new StringKeywordBuilder(StringKeyword.HTTP_METHOD);
  }

  /** `http.useragent`: compare it with a string. */
  public static userAgent(): StringKeywordBuilder {
    return new StringKeywordBuilder(StringKeyword.HTTP_USER_AGENT);
  }

  /** `http.clientip`: compare it with a string. */
  public static clientIp(): StringKeywordBuilder {
    return new StringKeywordBuilder(StringKeyword.HTTP_CLIENT_IP);
  }

  /** `user`: compare it with a string. */
  public static user(): StringKeywordBuilder {
    return new StringKeywordBuilder(StringKeyword.USER);
  }

  /** Any string keyword (including `name` and `type`): compare it with a string. */
  public static stringKeyword(keyword: StringKeyword): StringKeywordBuilder {
    return new StringKeywordBuilder(keyword);
  }

  /**
   * `ok = true` (2XX), or `ok = false`.
   * @param value the value to compare with
   * @default true
   */
  public static ok(value?: boolean): FilterExpression {
    return FilterExpression.booleanKeyword(BooleanKeyword.OK, value);
  }

  /**
   * `error = true` (4XX), or `error = false`.
   * @param value the value to compare with
   * @default true
   */
  public static error(value?: boolean): FilterExpression {
    return FilterExpression.booleanKeyword(BooleanKeyword.ERROR, value);
  }

  /**
   * `throttle = true` (429), or `throttle = false`.
   * @param value the value to compare with
   * @default true
   */
  public static throttle(value?: boolean): FilterExpression {
    return FilterExpression.booleanKeyword(BooleanKeyword.THROTTLE, value);
  }

  /**
   * `fault = true` (5XX), or `fault = false`.
   * @param value the value to compare with
   * @default true
   */
  public static fault(value?: boolean): FilterExpression {
    return FilterExpression.booleanKeyword(BooleanKeyword.FAULT, value);
  }

  /**
   * `partial = true` (incomplete segments), or `partial = false`.
   * @param value the value to compare with
   * @default true
   */
  public static partial(value?: boolean): FilterExpression {
    return FilterExpression.booleanKeyword(BooleanKeyword.PARTIAL, value);
  }

  /**
   * `KEYWORD = true`, or `KEYWORD = false`, for any boolean keyword.
   * @param keyword the boolean keyword
   * @param value the value to compare with
   * @default true
   */
  public static booleanKeyword(keyword: BooleanKeyword, value?: boolean): FilterExpression {
    return FilterExpression.node({
      kind: 'boolean',
      keyword: checkKeyword('boolean', BOOLEAN_KEYWORDS, keyword),
      operator: '=',
      value: value === undefined ? true : checkBoolean(value),
    });
  }

  /**
   * `annotation.KEY`: compare an annotation with a string, a number or a boolean, or test that it
   * is set. Keys are letters, digits and `_`; a key with dot-separated parts renders as
   * `annotation[KEY]`.
   */
  public static annotation(key: string): AnnotationBuilder {
    return new AnnotationBuilder(key);
  }

  /** `group.name = "name"`: the filter expression of the named group. */
  public static groupName(name: string): FilterExpression {
    return FilterExpression.node({ kind: 'group', keyword: 'group.name', operator: '=', value: checkString('group name', name) });
  }

  /** `group.arn = "arn"`: the filter expression of the group with this ARN. */
  public static groupArn(arn: string): FilterExpression {
    return FilterExpression.node({ kind: 'group', keyword: 'group.arn', operator: '=', value: checkString('group arn', arn) });
  }

  /**
   * `rootcause.KIND { filter }`: traces whose root cause matches the filter.
   *
   * @param keyword which root cause: fault or response time; service, entity or exception
   * @param filter what must hold on the root cause (boolean, number and string keywords only)
   */
  public static rootCause(keyword: RootCauseKeyword, filter: FilterExpression): FilterExpression {
    const word = checkKeyword('root-cause', ROOT_CAUSE_KEYWORDS, keyword);
    if (!(filter instanceof FilterExpression)) throw new Error(`filter of ${word} must be a FilterExpression`);
    return FilterExpression.node({ kind: 'rootcause', keyword: word, filter: checkBlockFilter(word, filter._node) });
  }

  /** `a AND b AND ...`: all of the expressions (at least one). */
  public static allOf(...expressions: FilterExpression[]): FilterExpression {
    if (expressions.length === 0) throw new Error('allOf needs at least one expression, got none');
    return FilterExpression.node(makeAnd(expressions.map((e) => FilterExpression.unwrap(e))));
  }

  /** `a OR b OR ...`, true when at least one of the expressions is. */
  public static anyOf(...expressions: FilterExpression[]): FilterExpression {
    if (expressions.length === 0) throw new Error('anyOf needs at least one expression, got none');
    return FilterExpression.node(makeOr(expressions.map((e) => FilterExpression.unwrap(e))));
  }

  /**
   * Wraps a tree made by a builder, after checking that its text stays within what `parse` reads
   * back: at most 10,000 characters and 100 levels of nesting.
   *
   * @internal
   */
  public static _fromBuilder(node: FilterNode): FilterExpression {
    const depth = nesting(node);
    if (depth > FILTER_MAX_DEPTH) {
      throw new Error(`filter expression must nest at most ${FILTER_MAX_DEPTH} levels of "(", "{" and "!", got ${depth}`);
    }
    const length = render(node).length;
    if (length > FILTER_MAX_LENGTH) {
      throw new Error(`filter expression must have at most ${FILTER_MAX_LENGTH} characters, got ${length}`);
    }
    return new FilterExpression(node);
  }

  private static node(node: FilterNode): FilterExpression {
    return FilterExpression._fromBuilder(node);
  }

  private static unwrap(expression: FilterExpression): FilterNode {
    if (!(expression instanceof FilterExpression)) throw new Error('expression must be a FilterExpression');
    return expression._node;
  }

  private static block(owner: string, filter: FilterExpression | undefined): { filter?: FilterNode } {
    if (filter === undefined) return {};
    return { filter: checkBlockFilter(owner, FilterExpression.unwrap(filter)) };
  }

  /**
   * The syntax tree. Internal: its shape may change.
   *
   * @internal
   */
  public readonly _node: FilterNode;

  private constructor(node: FilterNode) {
    this._node = node;
  }

  /** `this AND other`. */
  public and(other: FilterExpression): FilterExpression {
    return FilterExpression.node(makeAnd([this._node, FilterExpression.unwrap(other)]));
  }

  /** `this OR other`. */
  public or(other: FilterExpression): FilterExpression {
    return FilterExpression.node(makeOr([this._node, FilterExpression.unwrap(other)]));
  }

  /** `!this`: true where this is false (for a keyword alone: where it is not set). */
  public not(): FilterExpression {
    return FilterExpression.node({ kind: 'not', operand: this._node });
  }

  /**
   * Whether both are the same expression, structurally: same tree, whatever text they were parsed
   * from (`ok` and `ok = true` are the same). (jsii forbids the name `equals`.)
   */
  public structurallyEquals(other: FilterExpression): boolean {
    return other instanceof FilterExpression && nodeEquals(this._node, other._node);
  }

  /** The normalized text: single spaces, upper-case operators, the fewest parentheses. */
  public toString(): string {
    return render(this._node);
  }
}

/** Compares a number keyword (`responsetime`, `duration`, `http.status`, ...) with a number. */
export class NumberKeywordBuilder {
  /** The keyword compared. */
  public readonly keyword: NumberKeyword;

  /** @param keyword the number keyword to compare */
  constructor(keyword: NumberKeyword) {
    this.keyword = checkKeyword('number', NUMBER_KEYWORDS, keyword) as NumberKeyword;
  }

  /** `KEYWORD = value` */
  public equalTo(value: number): FilterExpression {
    return this.compare('=', value);
  }

  /** `KEYWORD != value` */
  public notEqualTo(value: number): FilterExpression {
    return this.compare('!=', value);
  }

  /** `KEYWORD > value` */
  public greaterThan(value: number): FilterExpression {
    return this.compare('>', value);
  }

  /** `KEYWORD >= value` */
  public greaterThanOrEqualTo(value: number): FilterExpression {
    return this.compare('>=', value);
  }

  /** `KEYWORD < value` */
  public lessThan(value: number): FilterExpression {
    return this.compare('<', value);
  }

  /** `KEYWORD <= value` */
  public lessThanOrEqualTo(value: number): FilterExpression {
    return this.compare('<=', value);
  }

  private compare(operator: NumberOperator, value: number): FilterExpression {
    return FilterExpression._fromBuilder({ kind: 'number', keyword: this.keyword, operator, value: checkNumber(value) });
  }
}

/** Compares a string keyword (`http.url`, `user`, ...) with a string, or tests that it is set. */
export class StringKeywordBuilder {
  /** The keyword compared. */
  public readonly keyword: StringKeyword;

  /** @param keyword the string keyword to compare */
  constructor(keyword: StringKeyword) {
    this.keyword = checkKeyword('string', STRING_KEYWORDS, keyword) as StringKeyword;
  }

  /** `KEYWORD = "value"` */
  public equalTo(value: string): FilterExpression {
    return this.compare('=', value);
  }

  /** `KEYWORD != "value"` */
  public notEqualTo(value: string): FilterExpression {
    return this.compare('!=', value);
  }

  /** `KEYWORD CONTAINS "value"` */
  public contains(value: string): FilterExpression {
    return this.compare('CONTAINS', value);
  }

  /** `KEYWORD BEGINSWITH "value"` */
  public beginsWith(value: string): FilterExpression {
    return this.compare('BEGINSWITH', value);
  }

  /** `KEYWORD ENDSWITH "value"` */
  public endsWith(value: string): FilterExpression {
    return this.compare('ENDSWITH', value);
  }

  /** `KEYWORD` alone: the field is set on the trace. */
  public isSet(): FilterExpression {
    return FilterExpression._fromBuilder({ kind: 'present', keyword: this.keyword });
  }

  private compare(operator: StringOperator, value: string): FilterExpression {
    return FilterExpression._fromBuilder({ kind: 'string', keyword: this.keyword, operator, value: checkString('value', value) });
  }
}

/** Compares an annotation (`annotation.KEY`) with a string, a number or a boolean, or tests that it is set. */
export class AnnotationBuilder {
  /** The annotation key. */
  public readonly key: string;

  /**
   * @param key letters, digits and `_` (X-Ray indexes only such keys for filters), optionally in
   * dot-separated parts; at most 500 characters
   */
  constructor(key: string) {
    if (typeof key !== 'string' || key.length > ANNOTATION_KEY_MAX_LENGTH || !ANNOTATION_KEY_PATTERN.test(key)) {
      throw new Error(`annotation key must be 1 to ${ANNOTATION_KEY_MAX_LENGTH} letters, digits and _ `
        + `(dot-separated parts allowed), got ${JSON.stringify(key)}`);
    }
    this.key = key;
  }

  /** `annotation.KEY = "value"` */
  public equalTo(value: string): FilterExpression {
    return this.compare('=', { type: 'string', value: checkString('value', value) });
  }

  /** `annotation.KEY != "value"` */
  public notEqualTo(value: string): FilterExpression {
    return this.compare('!=', { type: 'string', value: checkString('value', value) });
  }

  /** `annotation.KEY CONTAINS "value"` */
  public contains(value: string): FilterExpression {
    return this.compare('CONTAINS', { type: 'string', value: checkString('value', value) });
  }

  /** `annotation.KEY BEGINSWITH "value"` */
  public beginsWith(value: string): FilterExpression {
    return this.compare('BEGINSWITH', { type: 'string', value: checkString('value', value) });
  }

  /** `annotation.KEY ENDSWITH "value"` */
  public endsWith(value: string): FilterExpression {
    return this.compare('ENDSWITH', { type: 'string', value: checkString('value', value) });
  }

  /** `annotation.KEY = value` for a number */
  public equalToNumber(value: number): FilterExpression {
    return this.compare('=', { type: 'number', value: checkNumber(value) });
  }

  /** `annotation.KEY != value` for a number */
  public notEqualToNumber(value: number): FilterExpression {
    return this.compare('!=', { type: 'number', value: checkNumber(value) });
  }

  /** `annotation.KEY > value` */
  public greaterThan(value: number): FilterExpression {
    return this.compare('>', { type: 'number', value: checkNumber(value) });
  }

  /** `annotation.KEY >= value` */
  public greaterThanOrEqualTo(value: number): FilterExpression {
    return this.compare('>=', { type: 'number', value: checkNumber(value) });
  }

  /** `annotation.KEY < value` */
  public lessThan(value: number): FilterExpression {
    return this.compare('<', { type: 'number', value: checkNumber(value) });
  }

  /** `annotation.KEY <= value` */
  public lessThanOrEqualTo(value: number): FilterExpression {
    return this.compare('<=', { type: 'number', value: checkNumber(value) });
  }

  /** `annotation.KEY = true` or `annotation.KEY = false` */
  public equalToBoolean(value: boolean): FilterExpression {
    return this.compare('=', { type: 'boolean', value: checkBoolean(value) });
  }

  /** `annotation.KEY != true` or `annotation.KEY != false` */
  public notEqualToBoolean(value: boolean): FilterExpression {
    return this.compare('!=', { type: 'boolean', value: checkBoolean(value) });
  }

  /** `annotation.KEY` alone: the annotation is set. */
  public isSet(): FilterExpression {
    return FilterExpression._fromBuilder({ kind: 'annotation', key: this.key });
  }

  /** `!annotation.KEY`: the annotation is not set. */
  public isNotSet(): FilterExpression {
    return this.isSet().not();
  }

  private compare(operator: AnyOperator, value: AnnotationValue): FilterExpression {
    return FilterExpression._fromBuilder({ kind: 'annotation', key: this.key, operator, value });
  }
}
