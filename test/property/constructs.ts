/**
 * The four construct properties: random props for `SamplingRule`, `TraceGroup` (with a
 * `FilterExpression` built from random builder calls or parsed from text), `XRaySidecar` (random
 * task definition kind, size and network mode, random agent sizes and versions) and
 * `TracedFargateService`, each with the invariants its accepted templates must meet.
 */
import { CfnParameter, Lazy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as fc from 'fast-check';
import {
  contextMissing, ecsName, FARGATE_PAIRS, fargateSize, matchValue, opt, samplingRate, stringOf, wildNumber, wildString, xrayName,
} from './arbitraries';
import { check, ConstructProperty, ECS_NAME, envOf, taskDefinitions, TemplateJson, userSetup } from './harness';
import { ContextMissingStrategy } from '../../src/core/tracing-options';
import {
  BooleanKeyword, FilterExpression, NumberKeyword, RootCauseKeyword, StringKeyword,
} from '../../src/groups/filter-expression';
import { TraceGroup } from '../../src/groups/trace-group';
import { SamplingRule, SamplingRuleServiceType } from '../../src/sampling/sampling-rule';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';

const APP_IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');

function resources(template: TemplateJson, type: string): Array<Record<string, unknown>> {
  return Object.values(template.Resources ?? {}).filter((r) => r.Type === type).map((r) => r.Properties ?? {});
}

/** How the contract renders a rate (12 significant digits): equal to `rate` up to rounding. */
function sameRate(text: string, rate: number): boolean {
  const parsed = Number(text);
  return Number.isFinite(parsed) && Math.abs(parsed - rate) <= 1e-11 * Math.max(1, Math.abs(rate));
}

// =============================================================================================
// SamplingRule
// =============================================================================================

const SERVICE_TYPES: Record<string, SamplingRuleServiceType> = {
  ANY: SamplingRuleServiceType.ANY,
  ECS_CONTAINER: SamplingRuleServiceType.ECS_CONTAINER,
  EC2_INSTANCE: SamplingRuleServiceType.EC2_INSTANCE,
  ELASTIC_BEANSTALK_ENVIRONMENT: SamplingRuleServiceType.ELASTIC_BEANSTALK_ENVIRONMENT,
  API_GATEWAY_STAGE: SamplingRuleServiceType.API_GATEWAY_STAGE,
  APPSYNC_GRAPHQL_API: SamplingRuleServiceType.APPSYNC_GRAPHQL_API,
};

/**
 * A number prop given as a token, as data (so that a counterexample prints): a stack parameter
 * (`{ Ref }` in the template, known at deploy time only) or a `Lazy.number` (resolved at synth).
 */
export type NumberToken = { readonly token: 'parameter' } | { readonly token: 'lazy'; readonly value: number };

/** A number prop: a plain number, or a token. */
export type NumberOrToken = number | NumberToken;

/** A number arbitrary that gives a token one time in `1 + plainWeight`. */
function orToken(plain: fc.Arbitrary<number>, lazyValue: fc.Arbitrary<number>, plainWeight = 8): fc.Arbitrary<NumberOrToken> {
  return fc.oneof(
    { weight: plainWeight, arbitrary: plain },
    { weight: 1, arbitrary: fc.oneof(fc.constant({ token: 'parameter' as const }), lazyValue.map((value) => ({ token: 'lazy' as const, value }))) },
  );
}

/** The value `build` passes for a number prop: the number, a parameter's value, or a `Lazy.number`. */
function numberProp(stack: Stack, parameterId: string, value: NumberOrToken | undefined): number | undefined {
  if (value === undefined || typeof value === 'number') return value;
  if (value.token === 'parameter') return new CfnParameter(stack, parameterId, { type: 'Number' }).valueAsNumber;
  const produced = value.value;
  return Lazy.number({ produce: () => produced });
}

/** What the template must hold for a number prop: the number, `{ Ref }` for a parameter, the lazy's value. */
function expectedNumber(parameterId: string, value: NumberOrToken): unknown {
  if (typeof value === 'number') return value;
  return value.token === 'parameter' ? { Ref: parameterId } : value.value;
}

/** The parameter ids `build` gives the number props that are tokens. */
const RULE_PARAMETERS = { priority: 'Priority', fixedRate: 'FixedRate', reservoirSize: 'ReservoirSize' } as const;

/** Characters X-Ray accepts in a rule name (`validation-xray-names.ts`, restated): a generated name must keep to them. */
const RULE_NAME_CHARACTER = /^[\p{L}\p{N} _.:%&#=+\-@]$/u;

export interface SamplingRuleInput {
  readonly ruleName?: string;
  readonly priority: NumberOrToken;
  readonly fixedRate: NumberOrToken;
  readonly reservoirSize?: NumberOrToken;
  readonly serviceName?: string;
  /** A constant's name, or a string for `SamplingRuleServiceType.of`. */
  readonly serviceType?: { readonly constant: string } | { readonly of: string };
  readonly host?: string;
  readonly httpMethod?: string;
  readonly urlPath?: string;
  readonly resourceArn?: string;
  readonly attributes?: Record<string, string>;
}

const RULE_NAME_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', ' ', '_', '.', ':', '%', '&', '#', '=', '+', '-', '@', 'é', '名'];

const samplingRuleInput: fc.Arbitrary<SamplingRuleInput> = fc.record({
  ruleName: opt(fc.oneof(
    { weight: 4, arbitrary: stringOf(RULE_NAME_CHARS, 1, 32) },
    { weight: 1, arbitrary: wildString(40) },
  )),
  priority: orToken(
    fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 9999 }) }, { weight: 1, arbitrary: wildNumber }),
    fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 9999 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 10_000, 2.5) }),
  ),
  fixedRate: orToken(
    samplingRate,
    fc.oneof({ weight: 3, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(-0.5, 2) }),
  ),
  reservoirSize: opt(orToken(
    fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 100_000 }) }, { weight: 1, arbitrary: wildNumber }),
    fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 100 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 0.5) }),
  )),
  serviceName: opt(fc.oneof({ weight: 4, arbitrary: matchValue(64) }, { weight: 1, arbitrary: wildString(70) })),
  serviceType: opt(fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...Object.keys(SERVICE_TYPES)).map((constant) => ({ constant })) },
    { weight: 1, arbitrary: fc.oneof(matchValue(64), wildString(70)).map((of) => ({ of })) },
  )),
  host: opt(fc.oneof({ weight: 4, arbitrary: matchValue(64) }, { weight: 1, arbitrary: wildString(70) })),
  httpMethod: opt(fc.oneof({ weight: 4, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', '*', 'G?T') }, { weight: 1, arbitrary: wildString(12) })),
  urlPath: opt(fc.oneof({ weight: 4, arbitrary: matchValue(128) }, { weight: 1, arbitrary: wildString(135) })),
  resourceArn: opt(fc.oneof(
    { weight: 4, arbitrary: fc.constant('*') },
    { weight: 1, arbitrary: fc.constant('arn:aws:apigateway:eu-west-1::/restapis/abc/stages/prod') },
    { weight: 1, arbitrary: wildString(505) },
  ), 0.7),
  attributes: opt(fc.dictionary(wildString(34), wildString(34), { maxKeys: 7 }), 0.8),
});

export const SAMPLING_RULE: ConstructProperty<SamplingRuleInput> = {
  name: 'SamplingRule',
  arbitrary: samplingRuleInput,
  props: ['ruleName', 'priority', 'fixedRate', 'reservoirSize', 'serviceName', 'serviceType', 'host', 'httpMethod', 'urlPath', 'resourceArn', 'attributes'],
  build(stack: Stack, input: SamplingRuleInput): void {
    let serviceType: SamplingRuleServiceType | undefined;
    if (input.serviceType && 'constant' in input.serviceType) serviceType = SERVICE_TYPES[input.serviceType.constant];
    else if (input.serviceType) serviceType = SamplingRuleServiceType.of(input.serviceType.of);
    new SamplingRule(stack, 'Rule', {
      ...input,
      serviceType,
      priority: numberProp(stack, RULE_PARAMETERS.priority, input.priority)!,
      fixedRate: numberProp(stack, RULE_PARAMETERS.fixedRate, input.fixedRate)!,
      reservoirSize: numberProp(stack, RULE_PARAMETERS.reservoirSize, input.reservoirSize),
    });
  },
  invariants(template: TemplateJson, input: SamplingRuleInput): void {
    const rules = resources(template, 'AWS::XRay::SamplingRule');
    check('one-rule', rules.length === 1, () => `${rules.length} rules`);
    const rule = rules[0].SamplingRule as Record<string, unknown>;
    const expected: Record<string, unknown> = {
      Priority: expectedNumber(RULE_PARAMETERS.priority, input.priority),
      FixedRate: expectedNumber(RULE_PARAMETERS.fixedRate, input.fixedRate),
      ReservoirSize: input.reservoirSize === undefined ? 1 : expectedNumber(RULE_PARAMETERS.reservoirSize, input.reservoirSize),
      ServiceName: input.serviceName ?? '*',
      Host: input.host ?? '*',
      HTTPMethod: input.httpMethod ?? '*',
      URLPath: input.urlPath ?? '*',
      ResourceARN: input.resourceArn ?? '*',
      Version: 1,
    };
    for (const [key, value] of Object.entries(expected)) {
      // JSON has no negative zero: -0 is written as 0.
      // A token reaches the template as `{ Ref }`, never as digits (`-1.88e+289`).
      const got = rule[key];
      const same = got === value || (value === 0 && got === 0) || (typeof value === 'object' && JSON.stringify(got) === JSON.stringify(value));
      check('rule-matches-props', same, () => `${key} is ${JSON.stringify(got)}, props said ${JSON.stringify(value)}`);
    }
    if (input.ruleName !== undefined) {
      check('rule-matches-props', rule.RuleName === input.ruleName, () => `RuleName ${JSON.stringify(rule.RuleName)}`);
    } else {
      // `<readable>-<8 hex>`: at most 32 characters, each one X-Ray accepts in a rule name.
      const name = rule.RuleName;
      check('generated-rule-name', typeof name === 'string' && name.length <= 32 && /^.+-[0-9A-F]{8}$/su.test(name)
        && [...name].every((ch) => RULE_NAME_CHARACTER.test(ch)), () => `generated RuleName ${JSON.stringify(name)}`);
      const service = input.serviceName;
      const plainService = service !== undefined && /^[a-z0-9](?:[a-z0-9-]{0,21}[a-z0-9])?$/.test(service);
      if (typeof name === 'string' && plainService) {
        check('generated-rule-name', name === `${service}-${name.slice(-8)}`, () => `generated RuleName ${JSON.stringify(name)} for serviceName ${JSON.stringify(service)}`);
      }
    }
  },
};

// =============================================================================================
// TraceGroup
// =============================================================================================

/** A random program of `FilterExpression` builder calls, as data (so that a counterexample prints). */
export type FilterCall =
  | { readonly op: 'service'; readonly name: string; readonly filter?: FilterCall }
  | { readonly op: 'serviceById'; readonly id: { name?: string; type?: string; accountId?: string }; readonly filter?: FilterCall }
  | { readonly op: 'anyService'; readonly filter?: FilterCall }
  | { readonly op: 'edge'; readonly source: string; readonly destination: string; readonly filter?: FilterCall }
  | { readonly op: 'number'; readonly keyword: string; readonly cmp: number; readonly value: number | FilterNumberToken }
  | { readonly op: 'string'; readonly keyword: string; readonly cmp: number; readonly value: string }
  | { readonly op: 'boolean'; readonly keyword: string; readonly value?: boolean }
  | { readonly op: 'annotation'; readonly key: string; readonly cmp: number; readonly value: string | number | boolean | FilterNumberToken }
  | { readonly op: 'group'; readonly which: 'name' | 'arn'; readonly value: string }
  | { readonly op: 'rootCause'; readonly keyword: string; readonly filter: FilterCall }
  | { readonly op: 'and' | 'or'; readonly left: FilterCall; readonly right: FilterCall }
  | { readonly op: 'not'; readonly operand: FilterCall }
  | { readonly op: 'allOf' | 'anyOf'; readonly operands: FilterCall[] };

const anyText = fc.oneof({ weight: 4, arbitrary: xrayName(20) }, { weight: 1, arbitrary: wildString(20) });
/** A number only known later (`Lazy.number`), which a filter expression (text parsed at synth) must refuse. */
export interface FilterNumberToken {
  readonly token: 'lazy';
}

/** The argument a builder call gets for a generated value: a `Lazy.number` for a token. */
function filterArg<T>(value: T | FilterNumberToken): T | number {
  if (typeof value === 'object' && value !== null && 'token' in value) return Lazy.number({ produce: () => 5 });
  return value as T;
}

const numberValue: fc.Arbitrary<number | FilterNumberToken> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<FilterNumberToken>({ token: 'lazy' }) },
  { weight: 4, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 4, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
  { weight: 1, arbitrary: wildNumber },
);
const annotationKey = fc.oneof(
  { weight: 4, arbitrary: stringOf([...'abcxyzABC019_'], 1, 20) },
  { weight: 1, arbitrary: fc.tuple(stringOf([...'abc_1'], 1, 8), stringOf([...'xyz_2'], 1, 8)).map(([a, b]) => `${a}.${b}`) },
  { weight: 1, arbitrary: wildString(20) },
);
function keyword(values: string[]): fc.Arbitrary<string> {
  return fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: wildString(12) });
}

const filterCall: fc.Arbitrary<FilterCall> = fc.letrec<{ call: FilterCall; blockFilter: FilterCall }>((tie) => {
  const leaf = fc.oneof(
    fc.record({ op: fc.constant('number' as const), keyword: keyword(Object.values(NumberKeyword)), cmp: fc.nat(5), value: numberValue }),
    fc.record({ op: fc.constant('string' as const), keyword: keyword(Object.values(StringKeyword)), cmp: fc.nat(5), value: anyText }),
    fc.record({ op: fc.constant('boolean' as const), keyword: keyword(Object.values(BooleanKeyword)), value: opt(fc.boolean()) }),
  );
  return {
    // What may stand inside `{ }`: boolean, number and string keywords, combined.
    blockFilter: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ op: fc.constantFrom('and' as const, 'or' as const), left: tie('blockFilter'), right: tie('blockFilter') }),
      fc.record({ op: fc.constant('not' as const), operand: tie('blockFilter') }),
    ),
    call: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ op: fc.constant('annotation' as const), key: annotationKey, cmp: fc.nat(13), value: fc.oneof(anyText, numberValue, fc.boolean()) }),
      fc.record({ op: fc.constant('group' as const), which: fc.constantFrom('name' as const, 'arn' as const), value: anyText }),
      fc.record({ op: fc.constant('service' as const), name: anyText, filter: opt(fc.oneof({ weight: 5, arbitrary: tie('blockFilter') }, { weight: 1, arbitrary: tie('call') })) }),
      fc.record({
        op: fc.constant('serviceById' as const),
        id: fc.record({ name: opt(anyText), type: opt(fc.constantFrom('AWS::EC2::Instance', 'AWS::ECS::Container', 'remote')), accountId: opt(fc.constantFrom('123456789012')) }),
        filter: opt(tie('blockFilter')),
      }),
      fc.record({ op: fc.constant('anyService' as const), filter: opt(tie('blockFilter')) }),
      fc.record({ op: fc.constant('edge' as const), source: anyText, destination: anyText, filter: opt(tie('blockFilter')) }),
      fc.record({ op: fc.constant('rootCause' as const), keyword: keyword(Object.values(RootCauseKeyword)), filter: tie('blockFilter') }),
      fc.record({ op: fc.constantFrom('and' as const, 'or' as const), left: tie('call'), right: tie('call') }),
      fc.record({ op: fc.constant('not' as const), operand: tie('call') }),
      fc.record({ op: fc.constantFrom('allOf' as const, 'anyOf' as const), operands: fc.array(tie('call'), { maxLength: 4 }) }),
    ),
  };
}).call;

const NUMBER_CMPS = ['equalTo', 'notEqualTo', 'greaterThan', 'greaterThanOrEqualTo', 'lessThan', 'lessThanOrEqualTo'] as const;
const STRING_CMPS = ['equalTo', 'notEqualTo', 'contains', 'beginsWith', 'endsWith', 'isSet'] as const;
const ANNOTATION_CMPS = [
  'equalTo', 'notEqualTo', 'contains', 'beginsWith', 'endsWith', 'equalToNumber', 'notEqualToNumber', 'greaterThan',
  'greaterThanOrEqualTo', 'lessThan', 'lessThanOrEqualTo', 'equalToBoolean', 'notEqualToBoolean', 'isSet', 'isNotSet',
] as const;

/** Runs the builder program. Values of the wrong type for a method are passed on as JavaScript would. */
function interpret(call: FilterCall): FilterExpression {
  const F = FilterExpression;
  switch (call.op) {
    case 'service': return F.service(call.name, call.filter && interpret(call.filter));
    case 'serviceById': return F.serviceById(call.id, call.filter && interpret(call.filter));
    case 'anyService': return F.anyService(call.filter && interpret(call.filter));
    case 'edge': return F.edge(call.source, call.destination, call.filter && interpret(call.filter));
    case 'number': return F.numberKeyword(call.keyword as NumberKeyword)[NUMBER_CMPS[call.cmp % NUMBER_CMPS.length]](filterArg(call.value));
    case 'string': {
      const b = F.stringKeyword(call.keyword as StringKeyword);
      const cmp = STRING_CMPS[call.cmp % STRING_CMPS.length];
      return cmp === 'isSet' ? b.isSet() : b[cmp](call.value);
    }
    case 'boolean': return F.booleanKeyword(call.keyword as BooleanKeyword, call.value);
    case 'annotation': {
      const b = F.annotation(call.key);
      const cmp = ANNOTATION_CMPS[call.cmp % ANNOTATION_CMPS.length];
      if (cmp === 'isSet' || cmp === 'isNotSet') return b[cmp]();
      return (b[cmp] as (v: unknown) => FilterExpression).call(b, filterArg(call.value));
    }
    case 'group': return call.which === 'name' ? F.groupName(call.value) : F.groupArn(call.value);
    case 'rootCause': return F.rootCause(call.keyword as RootCauseKeyword, interpret(call.filter));
    case 'and': return interpret(call.left).and(interpret(call.right));
    case 'or': return interpret(call.left).or(interpret(call.right));
    case 'not': return interpret(call.operand).not();
    case 'allOf': return F.allOf(...call.operands.map(interpret));
    case 'anyOf': return F.anyOf(...call.operands.map(interpret));
  }
}

/** How the case's filter expression is made. */
export type FilterSource =
  | { readonly from: 'builder'; readonly call: FilterCall }
  /** The builder's text, parsed back. */
  | { readonly from: 'builderText'; readonly call: FilterCall }
  /** The builder's text with one character inserted or deleted, parsed. */
  | { readonly from: 'mutatedText'; readonly call: FilterCall; readonly at: number; readonly insert?: string }
  | { readonly from: 'text'; readonly text: string };

export interface TraceGroupInput {
  readonly groupName: string;
  readonly filter: FilterSource;
  readonly insightsEnabled?: boolean;
  readonly notificationsEnabled?: boolean;
}

const FILTER_WORDS = [
  'service("a")', 'edge("a", "b")', 'responsetime', 'duration', 'http.status', 'http.url', 'annotation.k', 'annotation[a.b]',
  'error', 'fault', 'ok', 'AND', 'OR', '!', '(', ')', '{', '}', '=', '!=', '>', '<=', 'CONTAINS', 'BEGINSWITH', '5', '-1.5e3',
  '"x"', 'true', 'false', 'id(name: "a")', 'rootcause.fault.service', 'group.name', 'rootcause.json = #[{}]', ' ',
];

const traceGroupInput: fc.Arbitrary<TraceGroupInput> = fc.record({
  groupName: fc.oneof(
    { weight: 6, arbitrary: stringOf([...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-'], 1, 32) },
    { weight: 1, arbitrary: wildString(40) },
  ),
  filter: fc.oneof(
    { weight: 4, arbitrary: filterCall.map((call) => ({ from: 'builder' as const, call })) },
    { weight: 3, arbitrary: filterCall.map((call) => ({ from: 'builderText' as const, call })) },
    { weight: 2, arbitrary: fc.record({ from: fc.constant('mutatedText' as const), call: filterCall, at: fc.nat(), insert: opt(fc.constantFrom('(', ')', '"', '\\', '{', '!', ' AND', '#', '.', '=', 'x', '1')) }) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...FILTER_WORDS), { minLength: 1, maxLength: 8 }).map((ws) => ({ from: 'text' as const, text: ws.join(' ') })) },
    { weight: 1, arbitrary: wildString(60).map((text) => ({ from: 'text' as const, text })) },
  ),
  insightsEnabled: opt(fc.boolean()),
  notificationsEnabled: opt(fc.boolean()),
});

/** Makes the case's filter expression (may throw the library's clear errors). */
function makeFilter(source: FilterSource): FilterExpression {
  switch (source.from) {
    case 'builder': return interpret(source.call);
    case 'builderText': return FilterExpression.parse(interpret(source.call).toString());
    case 'mutatedText': {
      const text = interpret(source.call).toString();
      const at = source.at % (text.length + 1);
      const mutated = source.insert === undefined ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + source.insert + text.slice(at);
      return FilterExpression.parse(mutated);
    }
    case 'text': return FilterExpression.parse(source.text);
  }
}

const expressions = new WeakMap<object, FilterExpression>();

export const TRACE_GROUP: ConstructProperty<TraceGroupInput> = {
  name: 'TraceGroup',
  arbitrary: traceGroupInput,
  props: [
    'groupName', 'filterExpression', 'insightsEnabled', 'notificationsEnabled',
    // FilterExpression's builders and parser
    'filter expression', 'filter', 'value', 'annotation key', 'service name', 'edge source', 'edge destination', 'group name',
    'group arn', 'id', 'id name', 'keyword', 'allOf', 'anyOf', 'expression',
  ],
  build(stack: Stack, input: TraceGroupInput): void {
    const filterExpression = makeFilter(input.filter);
    expressions.set(input, filterExpression);
    new TraceGroup(stack, 'Group', { ...input, filterExpression });
  },
  invariants(template: TemplateJson, input: TraceGroupInput): void {
    const groups = resources(template, 'AWS::XRay::Group');
    check('one-group', groups.length === 1, () => `${groups.length} groups`);
    const group = groups[0];
    const expression = expressions.get(input)!;
    const text = group.FilterExpression as string;
    check('group-matches-props', group.GroupName === input.groupName, () => `GroupName ${JSON.stringify(group.GroupName)}`);
    check('group-matches-props', text === expression.toString(), () => `FilterExpression ${JSON.stringify(text)} vs ${JSON.stringify(expression.toString())}`);
    check('group-matches-props', JSON.stringify(group.InsightsConfiguration) === JSON.stringify({
      InsightsEnabled: input.insightsEnabled ?? false, NotificationsEnabled: input.notificationsEnabled ?? false,
    }), () => `InsightsConfiguration ${JSON.stringify(group.InsightsConfiguration)}`);
    // The written text reads back as the same expression, and is already normalized.
    let reparsed: FilterExpression | undefined;
    let parseError = '';
    try {
      reparsed = FilterExpression.parse(text);
    } catch (err) {
      parseError = (err as Error).message;
    }
    check('filter-round-trip', reparsed !== undefined, () => `the template's text does not parse: ${parseError} — ${JSON.stringify(text)}`);
    check('filter-round-trip', reparsed!.structurallyEquals(expression), () => `parse(${JSON.stringify(text)}) differs from the expression`);
    check('filter-round-trip', reparsed!.toString() === text, () => `parse(${JSON.stringify(text)}).toString() is ${JSON.stringify(reparsed!.toString())}`);
    if (input.filter.from === 'builderText') {
      const built = interpret(input.filter.call);
      check('filter-round-trip', expression.structurallyEquals(built), () => `parse(builder text) differs from the builder's expression: ${JSON.stringify(built.toString())}`);
    }
  },
};

// =============================================================================================
// XRaySidecar
// =============================================================================================

type TaskKind =
  | { readonly kind: 'fargate'; readonly cpu: number; readonly memoryMiB: number }
  | { readonly kind: 'ec2'; readonly networkMode: string }
  | { readonly kind: 'ec2-sized'; readonly networkMode: string; readonly cpu: number; readonly memoryMiB: number }
  | { readonly kind: 'external'; readonly networkMode: string };

export interface XRaySidecarInput {
  readonly task: TaskKind;
  readonly apps: ReadonlyArray<{ readonly cpu?: number; readonly memoryLimitMiB?: number; readonly memoryReservationMiB?: number }>;
  readonly sidecar: {
    readonly cpu?: number;
    readonly memoryReservationMiB?: number;
    readonly essential?: boolean;
    readonly enableRestartPolicy?: boolean;
    readonly containerName?: string;
    readonly agent?: { readonly kind: AgentKind; readonly version?: StringOrToken; readonly repository?: StringOrToken };
  };
  /** Auto-instrumentation passed to `instrument`, with its image's version and repository. */
  readonly autoInstrumentation?: { readonly language: Language; readonly version?: StringOrToken; readonly repository?: StringOrToken };
  readonly instrument: {
    readonly app: number;
    readonly serviceName: string;
    readonly samplingRate?: number;
    readonly enabled?: boolean;
    readonly contextMissing?: string;
  };
}

const NETWORK_MODES: Record<string, ecs.NetworkMode> = {
  awsvpc: ecs.NetworkMode.AWS_VPC,
  bridge: ecs.NetworkMode.BRIDGE,
  host: ecs.NetworkMode.HOST,
  none: ecs.NetworkMode.NONE,
  nat: ecs.NetworkMode.NAT,
};

type AgentKind = 'daemon' | 'cloudWatchAgent' | 'adotCollector';
type Language = 'python' | 'node' | 'java' | 'dotnet';

/**
 * A string prop given as a token, as data (so that a counterexample prints): a stack parameter
 * (known at deploy time only) or a `Lazy.string` (resolved at synth, to a value the library never
 * sees: only valid ones are generated, as the library cannot check them).
 */
export type StringToken = { readonly token: 'parameter' } | { readonly token: 'lazy'; readonly value: string };
export type StringOrToken = string | StringToken;

/** The value `build` passes for a string prop: the string, a parameter's value, or a `Lazy.string`. */
function stringProp(stack: Stack, parameterId: string, value: StringOrToken | undefined): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  if (value.token === 'parameter') return new CfnParameter(stack, parameterId, { type: 'String' }).valueAsString;
  const produced = value.value;
  return Lazy.string({ produce: () => produced });
}

const DIGEST = 'sha256:' + '0123456789abcdef'.repeat(4);

/** Versions each agent publishes or refuses, the tag the 20261205 fuzz found, and digests. */
const AGENT_VERSIONS: Record<AgentKind, string[]> = {
  daemon: ['3.6.6', '3.3.14', '3.0.0', 'latest', `3.6.6@${DIGEST}`, DIGEST, `latest@${DIGEST}`, 'd/H#{J{:Jw'],
  cloudWatchAgent: ['1.300071.0b1720', '1.300025.0', '1.300024.0', 'v1.300071.0', 'latest', `1.300071.0b1720@${DIGEST}`, DIGEST, 'd/H#{J{:Jw'],
  adotCollector: ['v0.49.0', 'v0.40.0', '0.49.0', 'latest', `v0.49.0@${DIGEST}`, DIGEST, 'd/H#{J{:Jw'],
};

/** ADOT auto-instrumentation versions: releases, mirrors' tags, digests, and the fuzzed tag. */
const AUTO_VERSIONS = ['v0.19.0', 'v2.29.0', 'v0.12.0', 'v1.14.0', '0.19.0', 'latest', `v0.19.0@${DIGEST}`, DIGEST, 'd/H#{J{:Jw'];

/** Repositories: mirrors the grammar allows, and near misses it refuses. */
const REPOSITORIES = [
  '123456789012.dkr.ecr.eu-west-1.amazonaws.com/xray-mirror', 'localhost:5000/team/agent', 'registry.example.com/team__a/x--y.z',
  'mirror', 'Mirror/agent', 'mirror/', 'mirror//agent', 'mirror/a_-b', 'my registry/agent', 'host:port/agent', '[::1]:5000/agent',
];

/** Tag characters, the grammar's and a few it refuses. */
const TAG_CHARS = [...'abcXYZ0189', '_', '.', '-', '@', ':', '/', '#', ' '];
const PATH_CHARS = [...'abcxyz0189', '_', '.', '-', '/', ':', 'A'];

/** A version or repository: a known value, a near-grammar string, anything, or a token. */
function imagePart(known: readonly string[], chars: string[], maxLength: number, lazyValues: readonly string[]): fc.Arbitrary<StringOrToken> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: stringOf(chars, 1, maxLength) },
    { weight: 1, arbitrary: wildString(maxLength) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constant<StringToken>({ token: 'parameter' }),
        fc.constantFrom(...lazyValues).map((value): StringToken => ({ token: 'lazy', value })),
      ),
    },
  );
}

const VALID_REPOSITORIES = REPOSITORIES.slice(0, 4);

const xraySidecarInput: fc.Arbitrary<XRaySidecarInput> = fc.record({
  task: fc.oneof(
    fargateSize(fc.integer({ min: 1, max: 200_000 })).map((s) => ({ kind: 'fargate' as const, ...s })),
    fc.record({ kind: fc.constant('ec2' as const), networkMode: fc.constantFrom('awsvpc', 'bridge', 'host', 'none', 'nat') }),
    fc.record({
      kind: fc.constant('ec2-sized' as const),
      networkMode: fc.constantFrom('awsvpc', 'bridge', 'host'),
      cpu: fc.integer({ min: 128, max: 8192 }),
      memoryMiB: fc.integer({ min: 128, max: 16384 }),
    }),
    fc.record({ kind: fc.constant('external' as const), networkMode: fc.constantFrom('bridge', 'host', 'none') }),
  ),
  apps: fc.array(fc.oneof(
    fc.record({ cpu: opt(fc.integer({ min: 0, max: 128 })), memoryLimitMiB: fc.integer({ min: 6, max: 1024 }) }),
    fc.record({ cpu: opt(fc.integer({ min: 0, max: 128 })), memoryReservationMiB: fc.integer({ min: 6, max: 1024 }) }),
  ), { minLength: 1, maxLength: 2 }),
  sidecar: fc.record({
    cpu: opt(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 512 }) }, { weight: 1, arbitrary: wildNumber })),
    memoryReservationMiB: opt(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 16, max: 1024 }) }, { weight: 1, arbitrary: wildNumber })),
    essential: opt(fc.boolean()),
    enableRestartPolicy: opt(fc.boolean()),
    containerName: opt(fc.oneof({ weight: 4, arbitrary: ecsName(40) }, { weight: 1, arbitrary: wildString(30) }), 0.5),
    // The OTLP agents more often: only they take auto-instrumentation.
    agent: opt(fc.constantFrom<AgentKind>('daemon', 'cloudWatchAgent', 'cloudWatchAgent', 'adotCollector', 'adotCollector').chain((kind) => fc.record({
      kind: fc.constant(kind),
      version: opt(imagePart(AGENT_VERSIONS[kind], TAG_CHARS, 140, AGENT_VERSIONS[kind].slice(0, 2))),
      repository: opt(imagePart(REPOSITORIES, PATH_CHARS, 60, VALID_REPOSITORIES), 0.8),
    }))),
  }),
  autoInstrumentation: opt(fc.record({
    language: fc.constantFrom<Language>('python', 'node', 'java', 'dotnet'),
    version: opt(imagePart(AUTO_VERSIONS, TAG_CHARS, 140, AUTO_VERSIONS.slice(0, 2))),
    repository: opt(imagePart(REPOSITORIES, PATH_CHARS, 60, VALID_REPOSITORIES), 0.8),
  }), 0.7),
  instrument: fc.record({
    app: fc.nat(1),
    serviceName: fc.oneof({ weight: 6, arbitrary: xrayName(200) }, { weight: 1, arbitrary: wildString(205) }),
    samplingRate: opt(samplingRate),
    enabled: opt(fc.boolean()),
    contextMissing: opt(contextMissing),
  }),
});

function buildTaskDefinition(stack: Stack, task: TaskKind): ecs.TaskDefinition {
  switch (task.kind) {
    case 'fargate': return new ecs.FargateTaskDefinition(stack, 'Task', { cpu: task.cpu, memoryLimitMiB: task.memoryMiB });
    case 'ec2': return new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: NETWORK_MODES[task.networkMode] });
    case 'ec2-sized': return new ecs.TaskDefinition(stack, 'Task', {
      compatibility: ecs.Compatibility.EC2, networkMode: NETWORK_MODES[task.networkMode], cpu: String(task.cpu), memoryMiB: String(task.memoryMiB),
    });
    case 'external': return new ecs.ExternalTaskDefinition(stack, 'Task', { networkMode: NETWORK_MODES[task.networkMode] });
  }
}

function buildAgent(stack: Stack, agent: XRaySidecarInput['sidecar']['agent']): XRayAgent | undefined {
  if (!agent) return undefined;
  return XRayAgent[agent.kind]({
    version: stringProp(stack, 'AgentVersion', agent.version), repository: stringProp(stack, 'AgentRepository', agent.repository),
  });
}

function buildAutoInstrumentation(stack: Stack, auto: XRaySidecarInput['autoInstrumentation']): AutoInstrumentation | undefined {
  if (!auto) return undefined;
  return AutoInstrumentation[auto.language]({
    version: stringProp(stack, 'AutoVersion', auto.version), repository: stringProp(stack, 'AutoRepository', auto.repository),
  });
}

export const XRAY_SIDECAR: ConstructProperty<XRaySidecarInput> = {
  name: 'XRaySidecar',
  arbitrary: xraySidecarInput,
  props: [
    'taskDefinition', 'networkMode', 'cpu', 'memoryReservationMiB', 'essential', 'enableRestartPolicy', 'containerName', 'version',
    'serviceName', 'samplingRate', 'contextMissing', 'container', 'task', 'memoryLimitMiB', 'repository', 'autoInstrumentation',
  ],
  build(stack: Stack, input: XRaySidecarInput): void {
    // The user's part: a task definition and app containers (aws-cdk-lib only).
    const { taskDefinition, apps } = userSetup(() => {
      const td = buildTaskDefinition(stack, input.task);
      const containers = input.apps.map((a, i) => td.addContainer(`App${i}`, { containerName: `app${i}`, image: APP_IMAGE, ...a }));
      return { taskDefinition: td, apps: containers };
    });
    // The library's part.
    const sidecar = new XRaySidecar(stack, 'XRay', {
      taskDefinition,
      cpu: input.sidecar.cpu,
      memoryReservationMiB: input.sidecar.memoryReservationMiB,
      essential: input.sidecar.essential,
      enableRestartPolicy: input.sidecar.enableRestartPolicy,
      containerName: input.sidecar.containerName,
      agent: buildAgent(stack, input.sidecar.agent),
    });
    sidecar.instrument(apps[input.instrument.app % apps.length], {
      serviceName: input.instrument.serviceName,
      samplingRate: input.instrument.samplingRate,
      enabled: input.instrument.enabled,
      contextMissing: input.instrument.contextMissing as ContextMissingStrategy | undefined,
      autoInstrumentation: buildAutoInstrumentation(stack, input.autoInstrumentation),
    });
  },
  invariants(template: TemplateJson, input: XRaySidecarInput): void {
    const [td] = taskDefinitions(template);
    const agentName = input.sidecar.containerName ?? 'xray-daemon';
    const agent = td.containers.find((c) => c.Name === agentName);
    check('agent-container', agent !== undefined, () => `no container ${JSON.stringify(agentName)}`);
    const ports = (agent!.PortMappings ?? []).map((p) => `${p.ContainerPort}/${p.Protocol}`);
    check('agent-ports', ports.includes('2000/udp') && ports.includes('2000/tcp'), () => `agent ports ${ports.join(', ')}`);
    const agentImageIsParameter = [input.sidecar.agent?.version, input.sidecar.agent?.repository]
      .some((v) => typeof v === 'object' && v.token === 'parameter');
    check('ecs-image', agentImageIsParameter ? typeof agent!.Image === 'object' : typeof agent!.Image === 'string' && !/:latest$/i.test(agent!.Image),
      () => `agent image ${JSON.stringify(agent!.Image)}`);
    const appName = `app${input.instrument.app % input.apps.length}`;
    const app = td.containers.find((c) => c.Name === appName)!;
    const env = envOf(app);
    const enabled = input.instrument.enabled ?? true;
    check('env-contract', env.AWS_XRAY_TRACING_NAME === input.instrument.serviceName, () => `AWS_XRAY_TRACING_NAME ${JSON.stringify(env.AWS_XRAY_TRACING_NAME)}`);
    // Under auto-instrumentation the X-Ray SDK is told to stay off: one trace per request.
    const xraySdkOn = enabled && input.autoInstrumentation === undefined;
    check('env-contract', env.XRAY_ENABLED === String(xraySdkOn) && env.AWS_XRAY_SDK_ENABLED === String(xraySdkOn), () => `enabled ${JSON.stringify(env)}`);
    check('env-contract', sameRate(env.XRAY_SAMPLING_RATE, input.instrument.samplingRate ?? 0.1), () => `XRAY_SAMPLING_RATE ${env.XRAY_SAMPLING_RATE}`);
    check('env-contract', env.XRAY_CONTEXT_MISSING === (input.instrument.contextMissing ?? 'LOG_ERROR') && env.AWS_XRAY_CONTEXT_MISSING === env.XRAY_CONTEXT_MISSING,
      () => `context missing ${env.XRAY_CONTEXT_MISSING}/${env.AWS_XRAY_CONTEXT_MISSING}`);
    const bridge = td.props.NetworkMode === 'bridge';
    if (enabled) {
      const expected = bridge ? 'tcp:xray-daemon:2000 udp:xray-daemon:2000' : '127.0.0.1:2000';
      check('env-contract', env.AWS_XRAY_DAEMON_ADDRESS === expected && env.XRAY_DAEMON_ADDRESS === (bridge ? 'xray-daemon:2000' : '127.0.0.1:2000'),
        () => `daemon address ${env.AWS_XRAY_DAEMON_ADDRESS} / ${env.XRAY_DAEMON_ADDRESS} in ${td.props.NetworkMode}`);
    }
    if (bridge) {
      check('bridge-link', (app.Links ?? []).includes(`${agentName}:xray-daemon`), () => `links ${JSON.stringify(app.Links)}`);
    }
  },
};

// =============================================================================================
// TracedFargateService
// =============================================================================================

export interface TracedFargateServiceInput {
  readonly serviceName: string;
  readonly ecsServiceName?: string;
  readonly size?: { readonly cpu?: number; readonly memoryMiB?: number };
  readonly containerPort?: number;
  readonly desiredCount?: number;
  readonly tracing?: { readonly samplingRate?: number; readonly enabled?: boolean; readonly contextMissing?: string };
  readonly samplingRule?: { readonly enabled?: boolean; readonly priority?: number; readonly reservoirSize?: number };
  readonly sidecar?: { readonly cpu?: number; readonly memoryReservationMiB?: number };
}

const tracedFargateServiceInput: fc.Arbitrary<TracedFargateServiceInput> = fc.record({
  serviceName: fc.oneof(
    { weight: 8, arbitrary: ecsName(64) },
    { weight: 2, arbitrary: xrayName(64) },
    { weight: 1, arbitrary: wildString(70) },
  ),
  ecsServiceName: opt(ecsName(255), 0.85),
  size: opt(fc.oneof(
    { weight: 4, arbitrary: fargateSize(wildNumber) },
    {
      weight: 1,
      arbitrary: fc.record({
        cpu: opt(fc.constantFrom(...FARGATE_PAIRS.map(([c]) => c))),
        memoryMiB: opt(fc.constantFrom(...FARGATE_PAIRS.map(([, m]) => m))),
      }),
    },
  ), 0.3),
  containerPort: opt(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 65535 }) }, { weight: 1, arbitrary: wildNumber })),
  desiredCount: opt(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 20 }) }, { weight: 1, arbitrary: wildNumber })),
  tracing: opt(fc.record({ samplingRate: opt(samplingRate), enabled: opt(fc.boolean(), 0.5), contextMissing: opt(contextMissing) })),
  samplingRule: opt(fc.record({
    enabled: opt(fc.boolean(), 0.5),
    priority: opt(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 9999 }) }, { weight: 1, arbitrary: wildNumber })),
    reservoirSize: opt(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 100 }) }, { weight: 1, arbitrary: wildNumber })),
  })),
  sidecar: opt(fc.record({
    cpu: opt(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 1024 }) }, { weight: 1, arbitrary: wildNumber })),
    memoryReservationMiB: opt(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 16, max: 2048 }) }, { weight: 1, arbitrary: wildNumber })),
  })),
});

export const TRACED_FARGATE_SERVICE: ConstructProperty<TracedFargateServiceInput> = {
  name: 'TracedFargateService',
  arbitrary: tracedFargateServiceInput,
  props: [
    'serviceName', 'ecsServiceName', 'cpu', 'memoryLimitMiB', 'containerPort', 'desiredCount', 'tracing.samplingRate',
    'tracing.contextMissing', 'samplingRate', 'priority', 'reservoirSize', 'ruleName', 'memoryReservationMiB', 'fixedRate',
  ],
  build(stack: Stack, input: TracedFargateServiceInput): void {
    const cluster = userSetup(() => {
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: ['subnet-0a', 'subnet-0b'],
      });
      return ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'afirgen', vpc });
    });
    new TracedFargateService(stack, 'Service', {
      cluster,
      serviceName: input.serviceName,
      ecsServiceName: input.ecsServiceName,
      image: APP_IMAGE,
      cpu: input.size?.cpu,
      memoryLimitMiB: input.size?.memoryMiB,
      containerPort: input.containerPort,
      desiredCount: input.desiredCount,
      tracing: input.tracing && { ...input.tracing, contextMissing: input.tracing.contextMissing as ContextMissingStrategy | undefined },
      samplingRule: input.samplingRule,
      sidecar: input.sidecar,
    });
  },
  invariants(template: TemplateJson, input: TracedFargateServiceInput): void {
    const [service] = resources(template, 'AWS::ECS::Service');
    check('ecs-service-name', typeof service.ServiceName === 'string' && ECS_NAME.test(service.ServiceName),
      () => `ECS ServiceName ${JSON.stringify(service.ServiceName)}`);
    check('service-matches-props', service.DesiredCount === (input.desiredCount ?? 1), () => `DesiredCount ${service.DesiredCount}`);
    const [td] = taskDefinitions(template);
    const app = td.containers.find((c) => c.Name === 'app')!;
    const ports = (app.PortMappings ?? []).map((p) => p.ContainerPort);
    check('service-matches-props', JSON.stringify(ports) === JSON.stringify(input.containerPort === undefined ? [] : [input.containerPort]),
      () => `app ports ${JSON.stringify(ports)}`);
    const env = envOf(app);
    const enabled = input.tracing?.enabled ?? true;
    check('env-contract', env.AWS_XRAY_TRACING_NAME === input.serviceName, () => `AWS_XRAY_TRACING_NAME ${JSON.stringify(env.AWS_XRAY_TRACING_NAME)}`);
    check('env-contract', env.XRAY_ENABLED === String(enabled), () => `XRAY_ENABLED ${env.XRAY_ENABLED}`);
    check('sidecar-iff-enabled', td.containers.some((c) => c.Name === 'xray-daemon') === enabled, () => `containers ${td.containers.map((c) => c.Name)}`);
    const rules = resources(template, 'AWS::XRay::SamplingRule');
    const wantRule = enabled && (input.samplingRule?.enabled ?? true);
    check('rule-iff-enabled', rules.length === (wantRule ? 1 : 0), () => `${rules.length} sampling rules`);
    if (wantRule) {
      const rule = rules[0].SamplingRule as Record<string, unknown>;
      check('rule-matches-service', rule.ServiceName === input.serviceName, () => `rule ServiceName ${JSON.stringify(rule.ServiceName)}`);
      check('rule-matches-service', sameRate(env.XRAY_SAMPLING_RATE, rule.FixedRate as number),
        () => `XRAY_SAMPLING_RATE ${env.XRAY_SAMPLING_RATE} vs rule FixedRate ${rule.FixedRate}`);
    }
  },
};

/** All four, in the order the bench prints them. */
export const CONSTRUCT_PROPERTIES = [SAMPLING_RULE, TRACE_GROUP, XRAY_SIDECAR, TRACED_FARGATE_SERVICE] as const;
