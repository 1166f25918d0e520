import {
  ANNOTATION_KEY_MAX_LENGTH,
  annotationKeysOf,
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
import { serviceNamesOf } from './private/filter-services';
import { ANNOTATION_KEY_PATTERN } from '../core/annotation-keys';
import { fail, show } from '../core/errors';
import { describeNumber, requireKnownNumber } from '../core/numbers';

/** Why a number in a filter expression must be known at synth. */
const KNOWN_NUMBER_REASON = '(a filter expression is text that X-Ray parses, so a number in it cannot be a deploy-time value)';

/** Hidden base so that jsii, which cannot model `Error`, erases it. */
abstract class FilterExpressionErrorBase extends Error {}

/**
 * Thrown by `FilterExpression.parse` for an invalid text. Hidden from jsii, which cannot model
 * `Error` subclasses; other languages get the same facts from `FilterExpression.validate`.
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
  /** The message without the name of the call: `invalid filter expression at column N: ...`. */
  public readonly reason: string;

  constructor(call: string, column: number, expected: string, found: string) {
    const reason = `invalid filter expression at column ${column}: expected ${expected}, got ${found}`;
    super(`${call}: ${reason}`);
    this.name = 'FilterExpressionError';
    this.column = column;
    this.expected = expected;
    this.found = found;
    this.reason = reason;
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
   * The error message, when not valid (what `FilterExpression.parse` throws, without the call's name).
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

function checkString(call: string, what: string, value: string): string {
  if (typeof value !== 'string') fail(call, `${what} must be a string, got ${typeof value === 'number' ? describeNumber(value) : show(value)}`);
  return value;
}

function checkNumber(call: string, value: number): number {
  requireKnownNumber(call, 'value', value, KNOWN_NUMBER_REASON);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(call, `value must be a finite number, got ${show(value)}`);
  }
  return normalizeNumber(value);
}

function checkBoolean(call: string, value: boolean): boolean {
  if (typeof value !== 'boolean') fail(call, `value must be true or false, got ${show(value)}`);
  return value;
}

function checkKeyword(call: string, kind: string, keywords: ReadonlySet<string>, keyword: string): string {
  if (!keywords.has(keyword)) {
    fail(call, `${kind} keyword must be one of ${[...keywords].join(', ')}, got ${show(keyword)}`);
  }
  return keyword;
}

function toIdRef(call: string, options: NodeIdOptions): IdRef {
  if (typeof options !== 'object' || options === null) {
    fail(call, `id must be an object with name, nodeType and/or accountId, got ${show(options)}`);
  }
  const name = options.name === undefined ? undefined : checkString(call, 'id name', options.name);
  const type = options.nodeType === undefined ? undefined : checkString(call, 'id type', options.nodeType);
  const accountId = options.accountId === undefined ? undefined : checkString(call, 'id accountId', options.accountId);
  if (name === undefined && type === undefined && accountId === undefined) {
    fail(call, 'id needs at least one of name, nodeType and accountId, got none');
  }
  return {
    kind: 'id',
    ...(name === undefined ? {} : { name }),
    ...(type === undefined ? {} : { type }),
    ...(accountId === undefined ? {} : { accountId }),
  };
}

/** Throws unless `node` uses only what a `{ }` filter of service, edge or rootcause may use. */
function checkBlockFilter(call: string, owner: string, node: FilterNode): FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      node.operands.forEach((o) => checkBlockFilter(call, owner, o));
      return node;
    case 'not':
      checkBlockFilter(call, owner, node.operand);
      return node;
    case 'boolean':
    case 'number':
    case 'string':
    case 'present':
      return node;
    default:
      return fail(call, `the filter of ${owner} may only use boolean, number and string keywords, got ${render(node)}`);
  }
}

/** How a number keyword's builder is made, for messages: `FilterExpression.responseTime()`. */
function numberBuilderCall(keyword: string): string {
  const factories: { readonly [keyword: string]: string } = {
    'responsetime': 'responseTime',
    'duration': 'duration',
    'http.status': 'httpStatus',
  };
  const factory = factories[keyword];
  return factory === undefined ? `FilterExpression.numberKeyword(${show(keyword)})` : `FilterExpression.${factory}()`;
}

/** How a string keyword's builder is made, for messages: `FilterExpression.httpUrl()`. */
function stringBuilderCall(keyword: string): string {
  const factories: { readonly [keyword: string]: string } = {
    'http.url': 'httpUrl',
    'http.method': 'httpMethod',
    'http.useragent': 'userAgent',
    'http.clientip': 'clientIp',
    'user': 'user',
  };
  const factory = factories[keyword];
  return factory === undefined ? `FilterExpression.stringKeyword(${show(keyword)})` : `FilterExpression.${factory}()`;
}

/**
 * An AWS X-Ray filter expression, parsed from text or built with the static methods; `toString()`
 * gives the normalized text.
 *
 * @example
 * FilterExpression.service('orders').and(FilterExpression.responseTime().greaterThan(5)).toString();
 * // service("orders") AND responsetime > 5
 */
export class FilterExpression {
  /** Parses a filter expression (keywords in any case); throws at the first error, with its column. */
  public static parse(text: string): FilterExpression {
    const call = 'FilterExpression.parse';
    if (typeof text !== 'string') throw new FilterExpressionError(call, 1, 'a filter expression (a string)', typeof text);
    try {
      return new FilterExpression(parseFilter(text));
    } catch (e) {
      if (e instanceof FilterSyntaxFailure) throw new FilterExpressionError(call, columnOf(text, e.offset), e.expected, e.found);
      throw e;
    }
  }

  /** Checks a filter expression without throwing: the normalized text, or where and why it is invalid. */
  public static validate(text: string): FilterExpressionValidation {
    try {
      return { valid: true, normalized: FilterExpression.parse(text).toString() };
    } catch (e) {
      if (!(e instanceof FilterExpressionError)) throw e;
      return { valid: false, message: e.reason, column: e.column, expected: e.expected, found: e.found };
    }
  }

  /**
   * `service("name")`, with an optional `{ filter }`: traces that reached the named service.
   *
   * @param name the service name
   * @param filter what must hold on the service's segments (boolean, number and string keywords only)
   * @default - no filter: the service was reached
   */
  public static service(name: string, filter?: FilterExpression): FilterExpression {
    const call = 'FilterExpression.service';
    return FilterExpression.node(call, {
      kind: 'service',
      target: { kind: 'name', name: checkString(call, 'service name', name) },
      ...FilterExpression.block(call, 'service(...)', filter),
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
    const call = 'FilterExpression.serviceById';
    return FilterExpression.node(call, { kind: 'service', target: toIdRef(call, id), ...FilterExpression.block(call, 'service(...)', filter) });
  }

  /**
   * `service() { filter }`: the filter holds on any service of the trace map.
   *
   * @param filter what must hold on some service (boolean, number and string keywords only)
   * @default - no filter: `service()`
   */
  public static anyService(filter?: FilterExpression): FilterExpression {
    const call = 'FilterExpression.anyService';
    return FilterExpression.node(call, { kind: 'service', ...FilterExpression.block(call, 'service()', filter) });
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
    const call = 'FilterExpression.edge';
    return FilterExpression.node(call, {
      kind: 'edge',
      source: { kind: 'name', name: checkString(call, 'edge source', source) },
      destination: { kind: 'name', name: checkString(call, 'edge destination', destination) },
      ...FilterExpression.block(call, 'edge(...)', filter),
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
    const call = 'FilterExpression.edgeById';
    return FilterExpression.node(call, {
      kind: 'edge',
      source: toIdRef(call, source),
      destination: toIdRef(call, destination),
      ...FilterExpression.block(call, 'edge(...)', filter),
    });
  }

  /**
   * `id(name: "name", type: "type")` on its own.
   *
   * @param name the node's name
   * @param nodeType the node's type, e.g. `AWS::Lambda::Function`
   * @default - any type: `id(name: "name")`
   */
  public static id(name: string, nodeType?: string): FilterExpression {
    const call = 'FilterExpression.id';
    return FilterExpression.node(call, { kind: 'id', id: toIdRef(call, { name, nodeType }) });
  }

  /** `id(...)` on its own, with any of name, type and account. */
  public static nodeId(id: NodeIdOptions): FilterExpression {
    const call = 'FilterExpression.nodeId';
    return FilterExpression.node(call, { kind: 'id', id: toIdRef(call, id) });
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
    const known = BOOLEAN_KEYWORDS.has(keyword) ? keyword : undefined;
    const call = known === undefined || known === 'inferred' || known === 'first' || known === 'last' || known === 'remote' || known === 'root'
      ? 'FilterExpression.booleanKeyword'
      : `FilterExpression.${known}`;
    return FilterExpression.node(call, {
      kind: 'boolean',
      keyword: checkKeyword(call, 'boolean', BOOLEAN_KEYWORDS, keyword),
      operator: '=',
      value: value === undefined ? true : checkBoolean(call, value),
    });
  }

  /** `annotation.KEY`: compare an annotation with a string, number or boolean, or test that it is set. */
  public static annotation(key: string): AnnotationBuilder {
    return new AnnotationBuilder(key);
  }

  /** `group.name = "name"`: the filter expression of the named group. */
  public static groupName(name: string): FilterExpression {
    const call = 'FilterExpression.groupName';
    return FilterExpression.node(call, { kind: 'group', keyword: 'group.name', operator: '=', value: checkString(call, 'group name', name) });
  }

  /** `group.arn = "arn"`: the filter expression of the group with this ARN. */
  public static groupArn(arn: string): FilterExpression {
    const call = 'FilterExpression.groupArn';
    return FilterExpression.node(call, { kind: 'group', keyword: 'group.arn', operator: '=', value: checkString(call, 'group arn', arn) });
  }

  /**
   * `rootcause.KIND { filter }`: traces whose root cause matches the filter.
   *
   * @param keyword which root cause: fault or response time; service, entity or exception
   * @param filter what must hold on the root cause (boolean, number and string keywords only)
   */
  public static rootCause(keyword: RootCauseKeyword, filter: FilterExpression): FilterExpression {
    const call = 'FilterExpression.rootCause';
    const word = checkKeyword(call, 'root-cause', ROOT_CAUSE_KEYWORDS, keyword);
    if (!(filter instanceof FilterExpression)) fail(call, `filter of ${word} must be a FilterExpression, got ${show(filter)}`);
    return FilterExpression.node(call, { kind: 'rootcause', keyword: word, filter: checkBlockFilter(call, word, filter._node) });
  }

  /** `a AND b AND ...`: all of the expressions (at least one). */
  public static allOf(...expressions: FilterExpression[]): FilterExpression {
    const call = 'FilterExpression.allOf';
    if (expressions.length === 0) fail(call, 'allOf needs at least one expression, got none');
    return FilterExpression.node(call, makeAnd(expressions.map((e) => FilterExpression.unwrap(call, e))));
  }

  /** `a OR b OR ...`, true when at least one of the expressions is. */
  public static anyOf(...expressions: FilterExpression[]): FilterExpression {
    const call = 'FilterExpression.anyOf';
    if (expressions.length === 0) fail(call, 'anyOf needs at least one expression, got none');
    return FilterExpression.node(call, makeOr(expressions.map((e) => FilterExpression.unwrap(call, e))));
  }

  /**
   * Wraps a builder's tree, checked against the length and nesting `parse` reads back.
   * @internal
   */
  public static _fromBuilder(call: string, node: FilterNode): FilterExpression {
    const depth = nesting(node);
    if (depth > FILTER_MAX_DEPTH) {
      fail(call, `filter expression must nest at most ${FILTER_MAX_DEPTH} levels of "(", "{" and "!", got ${depth}`);
    }
    const length = render(node).length;
    if (length > FILTER_MAX_LENGTH) {
      fail(call, `filter expression must have at most ${FILTER_MAX_LENGTH} characters, got ${length}`);
    }
    return new FilterExpression(node);
  }

  private static node(call: string, node: FilterNode): FilterExpression {
    return FilterExpression._fromBuilder(call, node);
  }

  private static unwrap(call: string, expression: FilterExpression): FilterNode {
    if (!(expression instanceof FilterExpression)) fail(call, `expression must be a FilterExpression, got ${show(expression)}`);
    return expression._node;
  }

  private static block(call: string, owner: string, filter: FilterExpression | undefined): { filter?: FilterNode } {
    if (filter === undefined) return {};
    return { filter: checkBlockFilter(call, owner, FilterExpression.unwrap(call, filter)) };
  }

  /** @internal */
  public readonly _node: FilterNode;

  /** The annotation keys the expression filters on, each once, in order of appearance. */
  public get annotationKeys(): string[] {
    return annotationKeysOf(this._node);
  }

  private constructor(node: FilterNode) {
    this._node = node;
  }

  /** `this AND other`. */
  public and(other: FilterExpression): FilterExpression {
    return FilterExpression.node('FilterExpression.and', makeAnd([this._node, FilterExpression.unwrap('FilterExpression.and', other)]));
  }

  /** `this OR other`. */
  public or(other: FilterExpression): FilterExpression {
    return FilterExpression.node('FilterExpression.or', makeOr([this._node, FilterExpression.unwrap('FilterExpression.or', other)]));
  }

  /** `!this`: true where this is false (for a keyword alone: where it is not set). */
  public not(): FilterExpression {
    return FilterExpression.node('FilterExpression.not', { kind: 'not', operand: this._node });
  }

  /**
   * Whether both are the same expression, structurally: same tree, whatever text they were parsed
   * from (`ok` and `ok = true` are the same). (jsii forbids the name `equals`.)
   */
  public structurallyEquals(other: FilterExpression): boolean {
    return other instanceof FilterExpression && nodeEquals(this._node, other._node);
  }

  /**
   * The service names the expression names (in `service(...)`, `edge(...)` and `id(name: ...)`),
   * in order of first appearance.
   */
  public get serviceNames(): string[] {
    return serviceNamesOf(this._node);
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
    this.keyword = checkKeyword('FilterExpression.numberKeyword', 'number', NUMBER_KEYWORDS, keyword) as NumberKeyword;
  }

  /** `KEYWORD = value` */
  public equalTo(value: number): FilterExpression {
    return this.compare('equalTo', '=', value);
  }

  /** `KEYWORD != value` */
  public notEqualTo(value: number): FilterExpression {
    return this.compare('notEqualTo', '!=', value);
  }

  /** `KEYWORD > value` */
  public greaterThan(value: number): FilterExpression {
    return this.compare('greaterThan', '>', value);
  }

  /** `KEYWORD >= value` */
  public greaterThanOrEqualTo(value: number): FilterExpression {
    return this.compare('greaterThanOrEqualTo', '>=', value);
  }

  /** `KEYWORD < value` */
  public lessThan(value: number): FilterExpression {
    return this.compare('lessThan', '<', value);
  }

  /** `KEYWORD <= value` */
  public lessThanOrEqualTo(value: number): FilterExpression {
    return this.compare('lessThanOrEqualTo', '<=', value);
  }

  private compare(method: string, operator: NumberOperator, value: number): FilterExpression {
    const call = `${numberBuilderCall(this.keyword)}.${method}`;
    return FilterExpression._fromBuilder(call, { kind: 'number', keyword: this.keyword, operator, value: checkNumber(call, value) });
  }
}

/** Compares a string keyword (`http.url`, `user`, ...) with a string, or tests that it is set. */
export class StringKeywordBuilder {
  /** The keyword compared. */
  public readonly keyword: StringKeyword;

  /** @param keyword the string keyword to compare */
  constructor(keyword: StringKeyword) {
    this.keyword = checkKeyword('FilterExpression.stringKeyword', 'string', STRING_KEYWORDS, keyword) as StringKeyword;
  }

  /** `KEYWORD = "value"` */
  public equalTo(value: string): FilterExpression {
    return this.compare('equalTo', '=', value);
  }

  /** `KEYWORD != "value"` */
  public notEqualTo(value: string): FilterExpression {
    return this.compare('notEqualTo', '!=', value);
  }

  /** `KEYWORD CONTAINS "value"` */
  public contains(value: string): FilterExpression {
    return this.compare('contains', 'CONTAINS', value);
  }

  /** `KEYWORD BEGINSWITH "value"` */
  public beginsWith(value: string): FilterExpression {
    return this.compare('beginsWith', 'BEGINSWITH', value);
  }

  /** `KEYWORD ENDSWITH "value"` */
  public endsWith(value: string): FilterExpression {
    return this.compare('endsWith', 'ENDSWITH', value);
  }

  /** `KEYWORD` alone: the field is set on the trace. */
  public isSet(): FilterExpression {
    return FilterExpression._fromBuilder(`${stringBuilderCall(this.keyword)}.isSet`, { kind: 'present', keyword: this.keyword });
  }

  private compare(method: string, operator: StringOperator, value: string): FilterExpression {
    const call = `${stringBuilderCall(this.keyword)}.${method}`;
    return FilterExpression._fromBuilder(call, { kind: 'string', keyword: this.keyword, operator, value: checkString(call, 'value', value) });
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
      fail('FilterExpression.annotation', `annotation key must be 1 to ${ANNOTATION_KEY_MAX_LENGTH} letters, digits and _ `
        + `(dot-separated parts allowed), got ${show(key)}`);
    }
    this.key = key;
  }

  /** `annotation.KEY = "value"` */
  public equalTo(value: string): FilterExpression {
    return this.compare('equalTo', '=', { type: 'string', value: checkString(this.call('equalTo'), 'value', value) });
  }

  /** `annotation.KEY != "value"` */
  public notEqualTo(value: string): FilterExpression {
    return this.compare('notEqualTo', '!=', { type: 'string', value: checkString(this.call('notEqualTo'), 'value', value) });
  }

  /** `annotation.KEY CONTAINS "value"` */
  public contains(value: string): FilterExpression {
    return this.compare('contains', 'CONTAINS', { type: 'string', value: checkString(this.call('contains'), 'value', value) });
  }

  /** `annotation.KEY BEGINSWITH "value"` */
  public beginsWith(value: string): FilterExpression {
    return this.compare('beginsWith', 'BEGINSWITH', { type: 'string', value: checkString(this.call('beginsWith'), 'value', value) });
  }

  /** `annotation.KEY ENDSWITH "value"` */
  public endsWith(value: string): FilterExpression {
    return this.compare('endsWith', 'ENDSWITH', { type: 'string', value: checkString(this.call('endsWith'), 'value', value) });
  }

  /** `annotation.KEY = value` for a number */
  public equalToNumber(value: number): FilterExpression {
    return this.compare('equalToNumber', '=', { type: 'number', value: checkNumber(this.call('equalToNumber'), value) });
  }

  /** `annotation.KEY != value` for a number */
  public notEqualToNumber(value: number): FilterExpression {
    return this.compare('notEqualToNumber', '!=', { type: 'number', value: checkNumber(this.call('notEqualToNumber'), value) });
  }

  /** `annotation.KEY > value` */
  public greaterThan(value: number): FilterExpression {
    return this.compare('greaterThan', '>', { type: 'number', value: checkNumber(this.call('greaterThan'), value) });
  }

  /** `annotation.KEY >= value` */
  public greaterThanOrEqualTo(value: number): FilterExpression {
    return this.compare('greaterThanOrEqualTo', '>=', { type: 'number', value: checkNumber(this.call('greaterThanOrEqualTo'), value) });
  }

  /** `annotation.KEY < value` */
  public lessThan(value: number): FilterExpression {
    return this.compare('lessThan', '<', { type: 'number', value: checkNumber(this.call('lessThan'), value) });
  }

  /** `annotation.KEY <= value` */
  public lessThanOrEqualTo(value: number): FilterExpression {
    return this.compare('lessThanOrEqualTo', '<=', { type: 'number', value: checkNumber(this.call('lessThanOrEqualTo'), value) });
  }

  /** `annotation.KEY = true` or `annotation.KEY = false` */
  public equalToBoolean(value: boolean): FilterExpression {
    return this.compare('equalToBoolean', '=', { type: 'boolean', value: checkBoolean(this.call('equalToBoolean'), value) });
  }

  /** `annotation.KEY != true` or `annotation.KEY != false` */
  public notEqualToBoolean(value: boolean): FilterExpression {
    return this.compare('notEqualToBoolean', '!=', { type: 'boolean', value: checkBoolean(this.call('notEqualToBoolean'), value) });
  }

  /** `annotation.KEY` alone: the annotation is set. */
  public isSet(): FilterExpression {
    return FilterExpression._fromBuilder(this.call('isSet'), { kind: 'annotation', key: this.key });
  }

  /** `!annotation.KEY`: the annotation is not set. */
  public isNotSet(): FilterExpression {
    return this.isSet().not();
  }

  private compare(method: string, operator: AnyOperator, value: AnnotationValue): FilterExpression {
    return FilterExpression._fromBuilder(this.call(method), { kind: 'annotation', key: this.key, operator, value });
  }

  /** How this builder's `method` is called, for messages: `FilterExpression.annotation("k").greaterThan`. */
  private call(method: string): string {
    const key = this.key.length <= 40 ? JSON.stringify(this.key) : '...';
    return `FilterExpression.annotation(${key}).${method}`;
  }
}
