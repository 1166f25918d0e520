/**
 * Fuzzing of `FilterExpression`: the generators and checks that
 * `test/sampling/filter-expression.fuzz.test.ts` runs under jest, and, run directly, a long run:
 *
 *   npx ts-node --transpile-only bench/fuzz-filter-expression.ts [cases]   (default 50,000 a property)
 *
 * It prints, for each property, how many cases ran, how many texts were accepted, how many were
 * rejected with a FilterExpressionError, and how many failed any other way (and exits 1 if any did).
 */
import * as fc from 'fast-check';
import {
  AnnotationBuilder,
  BooleanKeyword,
  FilterExpression,
  FilterExpressionError,
  NumberKeyword,
  NumberKeywordBuilder,
  RootCauseKeyword,
  StringKeyword,
  StringKeywordBuilder,
} from '../src/groups/filter-expression';

const F = FilterExpression;

/** A case slower than this is a failure: parsing is linear, so anything near it is a hang. */
export const MAX_CASE_MILLIS = 500;

/** Valid texts to mutate: the X-Ray guide's examples and the runbook's queries. */
export const SEED_TEXTS: readonly string[] = [
  'responsetime > 5',
  'duration >= 5 AND duration <= 8',
  'ok',
  '!ok',
  'ok = false',
  'rootcause.fault.entity { last and name = "deserialize" }',
  'rootcause.responsetime.entity { remote and coverage > 0.7 and name = "traces" }',
  'rootcause.fault.service { inferred and name = traces and type = "AWS::DynamoDB" }',
  'service("data-plane") {root = true and fault = true}',
  'http.status != 200',
  'ok !partial duration <3',
  'rootcause.fault.service { index > 5 }',
  'rootcause.responsetime.entity { last and coverage > 0.8 }',
  'http.url CONTAINS "/api/game/"',
  'user CONTAINS ""',
  'rootcause.fault.service { name = "Auth" }',
  'rootcause.responsetime.service { last and type = "AWS::DynamoDB" }',
  'rootcause.fault.exception { last and message = "Access Denied for account_id: 1234567890" }',
  'service("api.example.com") { fault }',
  'service() { fault }',
  'edge("api.example.com", "backend.example.com") { error }',
  'http.url BEGINSWITH "http://api.example.com/" AND http.url CONTAINS "/v2/" AND !service("api.example.com")',
  'http.url AND responseTime > 2',
  'annotation.gameid = "817DL6VO"',
  'annotation.age',
  '!annotation.age',
  'annotation.age > 29',
  'group.name = "high_response_time" AND user = "alice"',
  'rootcause.json = #[{ "Services": [ { "Name": "GetWeatherData", "EntityPath": [{ "Name": "GetWeatherData" } ] } ] }]',
  'id(name: "service-name", type:"service::type")',
  'service(id(name: "service-name", type:"service::type")) { fault }',
  'edge(id(name: "service-one", type:"service::type"), id(name: "service-two", type:"service::type")) { fault }',
  'service(id(type: "AWS::Lambda::Function")) { error }',
  'service("api.example.com") { fault = true OR responsetime > 2.5 } AND annotation.account = "12345"',
  'service(id(account.id:"X")) OR service(id(account.id:"Y"))',
  'service("afirgen-main-backend") AND responsetime > 5',
  'service("afirgen-main-backend") AND error = true',
  'annotation.model_name = "summariser"',
  'annotation[endpoint] = "/process" OR (ok AND !(duration < 1.5e1))',
  'user = "a \\"quoted\\" \\\\ value"',
];

/** Pieces that are likely to make or break a filter expression. */
const FRAGMENTS: readonly string[] = [
  '(', ')', '{', '}', '[', ']', '!', '=', '!=', '<', '<=', '>', '>=', '"', '\\', '\\"', '#', '#[', ',', ':', '.', '-',
  '&&', '||', ' ', '\n', '\t', 'AND', 'OR', 'and', 'or', 'CONTAINS', 'BEGINSWITH', 'ENDSWITH', 'true', 'false',
  'ok', 'error', 'fault', 'responsetime', 'http.url', 'http.status', 'user', 'annotation.', 'annotation[', 'service(',
  'edge(', 'id(', 'name:', 'type:', 'account.id:', 'group.name', 'rootcause.fault.service', 'rootcause.json', '5', '-1',
  '2.5', '1e3', '"x"', '""', '😀', 'é', '\u0000', '\ud800',
];

const strings: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('', '"', '\\', '\\"', 'AND', ' OR ', '} {', 'a\nb', '😀'),
);

const numbers: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -1000, max: 100_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 0.1, 2.5, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, -Number.MAX_VALUE),
);

const names: fc.Arbitrary<string> = fc.oneof(fc.constantFrom('afirgen-main-backend', 'api.example.com', ''), strings);

const annotationKeys: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_]{1,10}$/),
  fc.stringMatching(/^[A-Za-z0-9_]{1,5}(\.[A-Za-z0-9_]{1,5}){1,2}$/),
);

type Build<B, V> = (builder: B, value: V) => FilterExpression;

const NUMBER_COMPARISONS: ReadonlyArray<Build<NumberKeywordBuilder, number>> = [
  (b, v) => b.equalTo(v), (b, v) => b.notEqualTo(v), (b, v) => b.greaterThan(v),
  (b, v) => b.greaterThanOrEqualTo(v), (b, v) => b.lessThan(v), (b, v) => b.lessThanOrEqualTo(v),
];

const STRING_COMPARISONS: ReadonlyArray<Build<StringKeywordBuilder, string>> = [
  (b, v) => b.equalTo(v), (b, v) => b.notEqualTo(v), (b, v) => b.contains(v),
  (b, v) => b.beginsWith(v), (b, v) => b.endsWith(v), (b) => b.isSet(),
];

const ANNOTATION_STRING: ReadonlyArray<Build<AnnotationBuilder, string>> = [
  (b, v) => b.equalTo(v), (b, v) => b.notEqualTo(v), (b, v) => b.contains(v), (b, v) => b.beginsWith(v), (b, v) => b.endsWith(v),
];

const ANNOTATION_NUMBER: ReadonlyArray<Build<AnnotationBuilder, number>> = [
  (b, v) => b.equalToNumber(v), (b, v) => b.notEqualToNumber(v), (b, v) => b.greaterThan(v),
  (b, v) => b.greaterThanOrEqualTo(v), (b, v) => b.lessThan(v), (b, v) => b.lessThanOrEqualTo(v),
];

const ANNOTATION_OTHER: ReadonlyArray<Build<AnnotationBuilder, boolean>> = [
  (b, v) => b.equalToBoolean(v), (b, v) => b.notEqualToBoolean(v), (b) => b.isSet(), (b) => b.isNotSet(),
];

const booleanLeaf = fc
  .tuple(fc.constantFrom(...Object.values(BooleanKeyword)), fc.option(fc.boolean(), { nil: undefined }))
  .map(([keyword, value]) => F.booleanKeyword(keyword, value));

const numberLeaf = fc
  .tuple(fc.constantFrom(...Object.values(NumberKeyword)), fc.constantFrom(...NUMBER_COMPARISONS), numbers)
  .map(([keyword, compare, value]) => compare(F.numberKeyword(keyword), value));

const stringLeaf = fc
  .tuple(fc.constantFrom(...Object.values(StringKeyword)), fc.constantFrom(...STRING_COMPARISONS), strings)
  .map(([keyword, compare, value]) => compare(F.stringKeyword(keyword), value));

const annotationLeaf = fc.oneof(
  fc.tuple(annotationKeys, fc.constantFrom(...ANNOTATION_STRING), strings).map(([k, compare, v]) => compare(F.annotation(k), v)),
  fc.tuple(annotationKeys, fc.constantFrom(...ANNOTATION_NUMBER), numbers).map(([k, compare, v]) => compare(F.annotation(k), v)),
  fc.tuple(annotationKeys, fc.constantFrom(...ANNOTATION_OTHER), fc.boolean()).map(([k, compare, v]) => compare(F.annotation(k), v)),
);

/** Expressions allowed inside `{ }`: boolean, number and string keywords, combined. */
const blockFilter: fc.Arbitrary<FilterExpression> = fc.letrec<{ block: FilterExpression }>((tie) => ({
  block: fc.oneof(
    { maxDepth: 2, depthSize: 'small' },
    booleanLeaf,
    numberLeaf,
    stringLeaf,
    fc.tuple(tie('block'), tie('block')).map(([a, b]) => a.and(b)),
    fc.tuple(tie('block'), tie('block')).map(([a, b]) => a.or(b)),
    tie('block').map((a) => a.not()),
  ),
})).block;

const optionalBlock = fc.option(blockFilter, { nil: undefined });

const ids = fc
  .record({ name: names, nodeType: strings, accountId: fc.stringMatching(/^[0-9]{12}$/) }, { requiredKeys: [] })
  .filter((id) => id.name !== undefined || id.nodeType !== undefined || id.accountId !== undefined);

const complexLeaf: fc.Arbitrary<FilterExpression> = fc.oneof(
  fc.tuple(names, optionalBlock).map(([name, block]) => F.service(name, block)),
  optionalBlock.map((block) => F.anyService(block)),
  fc.tuple(ids, optionalBlock).map(([id, block]) => F.serviceById(id, block)),
  fc.tuple(names, names, optionalBlock).map(([a, b, block]) => F.edge(a, b, block)),
  fc.tuple(ids, ids, optionalBlock).map(([a, b, block]) => F.edgeById(a, b, block)),
  fc.tuple(names, fc.option(strings, { nil: undefined })).map(([name, type]) => F.id(name, type)),
  ids.map((id) => F.nodeId(id)),
  names.map((name) => F.groupName(name)),
  names.map((arn) => F.groupArn(arn)),
  fc.tuple(fc.constantFrom(...Object.values(RootCauseKeyword)), blockFilter).map(([keyword, block]) => F.rootCause(keyword, block)),
);

const TOO_LONG = /^filter expression must (have at most \d+ characters|nest at most \d+ levels)/;

/** Runs a builder step; `undefined` where the result would be over the size limits (rare, and expected). */
function limited(build: () => FilterExpression): FilterExpression | undefined {
  try {
    return build();
  } catch (e) {
    if (e instanceof Error && TOO_LONG.test(e.message)) return undefined;
    throw e;
  }
}

function defined(all: ReadonlyArray<FilterExpression | undefined>): all is FilterExpression[] {
  return all.every((e) => e !== undefined);
}

/** Random expressions made with the builder: every keyword kind, combined with and/or/not/allOf/anyOf. */
export function builtExpression(): fc.Arbitrary<FilterExpression> {
  const maybe: fc.Arbitrary<FilterExpression | undefined> = fc.letrec<{ tree: FilterExpression | undefined }>((tie) => {
    const tree = tie('tree');
    return {
      tree: fc.oneof(
        { maxDepth: 4, depthSize: 'small' },
        booleanLeaf,
        numberLeaf,
        stringLeaf,
        annotationLeaf,
        complexLeaf,
        fc.tuple(tree, tree).map(([a, b]) => (a && b ? limited(() => a.and(b)) : undefined)),
        fc.tuple(tree, tree).map(([a, b]) => (a && b ? limited(() => a.or(b)) : undefined)),
        tree.map((a) => (a ? limited(() => a.not()) : undefined)),
        fc.array(tree, { minLength: 1, maxLength: 3 }).map((all) => (defined(all) ? limited(() => F.allOf(...all)) : undefined)),
        fc.array(tree, { minLength: 1, maxLength: 3 }).map((all) => (defined(all) ? limited(() => F.anyOf(...all)) : undefined)),
      ),
    };
  }).tree;
  return maybe.filter((e): e is FilterExpression => e !== undefined);
}

interface Mutation {
  readonly kind: 'insert' | 'delete' | 'replace' | 'truncate' | 'repeat' | 'swap';
  readonly at: number;
  readonly length: number;
  readonly text: string;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('insert', 'delete', 'replace', 'truncate', 'repeat', 'swap'),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 8 }),
  text: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 3 }), fc.string({ unit: 'binary', maxLength: 2 })),
});

function mutate(text: string, m: Mutation): string {
  const at = m.at % (text.length + 1);
  switch (m.kind) {
    case 'insert': return text.slice(0, at) + m.text + text.slice(at);
    case 'delete': return text.slice(0, at) + text.slice(at + m.length);
    case 'replace': return text.slice(0, at) + m.text + text.slice(at + m.length);
    case 'truncate': return text.slice(0, at);
    case 'repeat': return text.slice(0, at) + text.slice(at, at + m.length).repeat(m.length) + text.slice(at);
    case 'swap': {
      const other = (at + m.length * 7) % (text.length + 1);
      const [i, j] = at < other ? [at, other] : [other, at];
      return text.slice(0, i) + text.slice(j, j + m.length) + text.slice(i + m.length, j) + text.slice(i, i + m.length) + text.slice(j + m.length);
    }
  }
}

/** Valid texts (documented examples, and built expressions' text) with one to four mutations. */
export function mutatedText(): fc.Arbitrary<string> {
  const seed = fc.oneof(fc.constantFrom(...SEED_TEXTS), builtExpression().map((e) => e.toString()));
  return fc.tuple(seed, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([text, ms]) => ms.reduce(mutate, text));
}

/** Random strings: any characters, soups of filter-expression fragments, and long runs of one fragment. */
export function randomText(): fc.Arbitrary<string> {
  const soup = fc
    .array(fc.tuple(fc.constantFrom(...FRAGMENTS), fc.constantFrom(' ', '', ' ', '  ')), { maxLength: 25 })
    .map((parts) => parts.map(([fragment, gap]) => fragment + gap).join(''));
  const run = fc
    .tuple(fc.constantFrom('(', '!', '{', '[', '"', 'ok ', '#[', 'annotation[', '((ok) ', '!(', 'service(', '\\'), fc.integer({ min: 1, max: 4_000 }))
    .map(([fragment, times]) => fragment.repeat(times));
  return fc.oneof(
    { arbitrary: fc.string({ maxLength: 60 }), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
    { arbitrary: soup, weight: 4 },
    { arbitrary: run, weight: 1 },
  );
}

function fail(text: string, problem: string): never {
  throw new Error(`${problem}, for ${JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}...` : text)}`);
}

/**
 * Checks one built expression: its text parses back to the same tree and renders identically.
 * Throws on any violation.
 */
export function checkBuilt(expression: FilterExpression): void {
  const text = expression.toString();
  let parsed: FilterExpression;
  try {
    parsed = F.parse(text);
  } catch (e) {
    return fail(text, `built text rejected: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!parsed.structurallyEquals(expression)) fail(text, 'parsed tree differs from the built one');
  if (parsed.toString() !== text) fail(text, `re-rendered as ${JSON.stringify(parsed.toString())}`);
}

/**
 * Checks one text: parsing either throws a well-formed FilterExpressionError or gives an expression
 * whose normalized text parses back to the same tree and renders identically; either way fast.
 * Throws on any violation; else says which happened.
 */
export function checkText(text: string): 'accepted' | 'rejected' {
  const started = Date.now();
  let parsed: FilterExpression;
  try {
    parsed = F.parse(text);
  } catch (e) {
    if (!(e instanceof FilterExpressionError)) return fail(text, `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    const characters = [...text].length;
    if (!Number.isInteger(e.column) || e.column < 1 || e.column > characters + 1) fail(text, `column ${e.column} out of range`);
    if (e.message !== `FilterExpression.parse: invalid filter expression at column ${e.column}: expected ${e.expected}, got ${e.found}`) {
      fail(text, `malformed message ${JSON.stringify(e.message)}`);
    }
    if (Date.now() - started > MAX_CASE_MILLIS) fail(text, `rejection took ${Date.now() - started} ms`);
    return 'rejected';
  }
  const normalized = parsed.toString();
  let again: FilterExpression;
  try {
    again = F.parse(normalized);
  } catch (e) {
    return fail(text, `normalized text ${JSON.stringify(normalized)} rejected: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!again.structurallyEquals(parsed)) fail(text, `normalized text ${JSON.stringify(normalized)} parses to another tree`);
  if (again.toString() !== normalized) fail(text, `normalized text re-renders as ${JSON.stringify(again.toString())}`);
  if (Date.now() - started > MAX_CASE_MILLIS) fail(text, `parse took ${Date.now() - started} ms`);
  return 'accepted';
}

interface Tally {
  cases: number;
  accepted: number;
  rejected: number;
  otherFailures: number;
  firstFailures: string[];
}

function tally<T>(values: readonly T[], check: (value: T) => 'accepted' | 'rejected'): Tally {
  const result: Tally = { cases: 0, accepted: 0, rejected: 0, otherFailures: 0, firstFailures: [] };
  for (const value of values) {
    result.cases++;
    try {
      if (check(value) === 'accepted') result.accepted++;
      else result.rejected++;
    } catch (e) {
      result.otherFailures++;
      if (result.firstFailures.length < 5) result.firstFailures.push(e instanceof Error ? e.message : String(e));
    }
  }
  return result;
}

function main(): void {
  const cases = Number(process.argv[2] ?? process.env.FUZZ_RUNS ?? 50_000);
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
  console.log(`fuzzing FilterExpression: ${cases} cases a property, seed ${seed}`);
  const properties: Array<[string, () => Tally]> = [
    ['built expressions round-trip', () => tally(fc.sample(builtExpression(), { numRuns: cases, seed }), (e) => {
      checkBuilt(e);
      return 'accepted';
    })],
    ['random texts', () => tally(fc.sample(randomText(), { numRuns: cases, seed: seed + 1 }), checkText)],
    ['mutated valid texts', () => tally(fc.sample(mutatedText(), { numRuns: cases, seed: seed + 2 }), checkText)],
  ];
  let failures = 0;
  for (const [name, run] of properties) {
    const started = Date.now();
    const t = run();
    failures += t.otherFailures;
    console.log(`${name}: cases ${t.cases}, accepted ${t.accepted}, rejected with FilterExpressionError ${t.rejected}, `
      + `other failures ${t.otherFailures} (${Date.now() - started} ms)`);
    t.firstFailures.forEach((f) => console.log(`  failure: ${f}`));
  }
  process.exitCode = failures === 0 ? 0 : 1;
}

if (require.main === module) main();
