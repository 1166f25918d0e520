import { CfnParameter, Lazy, Stack } from 'aws-cdk-lib';
import {
  BooleanKeyword,
  FilterExpression,
  FilterExpressionError,
  NumberKeyword,
  RootCauseKeyword,
  StringKeyword,
} from '../../src/groups/filter-expression';

const F = FilterExpression;

/** Parses, and asserts that the normalized text reads back to the same tree and the same text. */
function roundTrip(text: string): string {
  const parsed = F.parse(text);
  const normalized = parsed.toString();
  const again = F.parse(normalized);
  expect(again.structurallyEquals(parsed)).toBe(true);
  expect(again).toEqual(parsed);
  expect(again.toString()).toBe(normalized);
  return normalized;
}

/** The error `parse` throws for `text` (fails the test if it throws none, or another kind). */
function parseError(text: string): FilterExpressionError {
  try {
    F.parse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterExpressionError);
    return e as FilterExpressionError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected, but it parsed`);
}

describe('FilterExpression: the runbook queries', () => {
  test('slow requests render exactly', () => {
    // GIVEN the main backend and a five-second threshold
    // WHEN the builder combines them
    const expression = F.service('afirgen-main-backend').and(F.responseTime().greaterThan(5));
    // THEN the text is the runbook's console query
    expect(expression.toString()).toBe('service("afirgen-main-backend") AND responsetime > 5');
  });

  test('errors render exactly', () => {
    const expression = F.service('afirgen-main-backend').and(F.error());
    expect(expression.toString()).toBe('service("afirgen-main-backend") AND error = true');
  });

  test('operation annotations render exactly', () => {
    expect(F.annotation('model_name').equalTo('summariser').toString()).toBe('annotation.model_name = "summariser"');
    expect(F.annotation('endpoint').equalTo('/process').toString()).toBe('annotation.endpoint = "/process"');
  });

  test.each([
    'service("afirgen-main-backend") AND responsetime > 5',
    'service("afirgen-main-backend") AND error = true',
    'annotation.model_name = "summariser"',
    'annotation.endpoint = "/process"',
  ])('the runbook query %s parses to the builder value and is already normalized', (text) => {
    // GIVEN the runbook's text WHEN parsed THEN it is unchanged by normalization
    expect(roundTrip(text)).toBe(text);
  });

  test('parsing the built text gives back the built value', () => {
    const built = [
      F.service('afirgen-main-backend').and(F.responseTime().greaterThan(5)),
      F.service('afirgen-main-backend').and(F.error()),
      F.annotation('model_name').equalTo('summariser'),
      F.annotation('endpoint').equalTo('/process'),
    ];
    for (const expression of built) {
      const parsed = F.parse(expression.toString());
      expect(parsed.structurallyEquals(expression)).toBe(true);
      expect(parsed).toEqual(expression);
    }
  });
});

/**
 * Every example expression on the X-Ray developer guide's filter-expression page
 * (https://docs.aws.amazon.com/xray/latest/devguide/xray-console-filters.html, as published in
 * awsdocs/aws-xray-developer-guide doc_source/xray-console-filters.md, and the earlier revision of
 * the same page), plus the cross-account page's query
 * (https://docs.aws.amazon.com/xray/latest/devguide/xray-console-crossaccount.html),
 * with the normalized text this library gives each.
 */
const DOCUMENTED_EXAMPLES: Array<[string, string]> = [
  // Filter expression syntax
  ['responsetime > 5', 'responsetime > 5'],
  ['duration >= 5 AND duration <= 8', 'duration >= 5 AND duration <= 8'],
  // Boolean keywords
  ['ok', 'ok = true'],
  ['!ok', '!ok'],
  ['ok = false', 'ok = false'],
  ['rootcause.fault.entity { last and name = "deserialize" }', 'rootcause.fault.entity { last = true AND name = "deserialize" }'],
  [
    'rootcause.responsetime.entity { remote and coverage > 0.7 and name = "traces" }',
    'rootcause.responsetime.entity { remote = true AND coverage > 0.7 AND name = "traces" }',
  ],
  // the guide writes `name = traces` unquoted here, though it says values are always quoted
  [
    'rootcause.fault.service { inferred and name = traces and type = "AWS::DynamoDB" }',
    'rootcause.fault.service { inferred = true AND name = "traces" AND type = "AWS::DynamoDB" }',
  ],
  ['service("data-plane") {root = true and fault = true}', 'service("data-plane") { root = true AND fault = true }'],
  // Number keywords
  ['http.status != 200', 'http.status != 200'],
  ['ok !partial duration <3', 'ok = true AND !partial AND duration < 3'],
  ['rootcause.fault.service { index > 5 }', 'rootcause.fault.service { index > 5 }'],
  ['rootcause.responsetime.entity { last and coverage > 0.8 }', 'rootcause.responsetime.entity { last = true AND coverage > 0.8 }'],
  // String keywords
  ['http.url CONTAINS "/api/game/"', 'http.url CONTAINS "/api/game/"'],
  ['user CONTAINS ""', 'user CONTAINS ""'],
  ['rootcause.fault.service { name = "Auth" }', 'rootcause.fault.service { name = "Auth" }'],
  ['rootcause.responsetime.service { last and type = "AWS::DynamoDB" }', 'rootcause.responsetime.service { last = true AND type = "AWS::DynamoDB" }'],
  // Complex keywords
  ['service("api.example.com") { fault }', 'service("api.example.com") { fault = true }'],
  ['service() { fault }', 'service() { fault = true }'],
  ['edge("api.example.com", "backend.example.com") { error }', 'edge("api.example.com", "backend.example.com") { error = true }'],
  [
    'http.url BEGINSWITH "http://api.example.com/" AND http.url CONTAINS "/v2/" AND !service("api.example.com")',
    'http.url BEGINSWITH "http://api.example.com/" AND http.url CONTAINS "/v2/" AND !service("api.example.com")',
  ],
  ['http.url AND responseTime > 2', 'http.url AND responsetime > 2'],
  ['annotation.gameid = "817DL6VO"', 'annotation.gameid = "817DL6VO"'],
  ['annotation.age', 'annotation.age'],
  ['!annotation.age', '!annotation.age'],
  ['annotation.age > 29', 'annotation.age > 29'],
  ['group.name = "high_response_time" AND user = "alice"', 'group.name = "high_response_time" AND user = "alice"'],
  [
    'rootcause.json = #[{ "Services": [ { "Name": "GetWeatherData", "EntityPath": [{ "Name": "GetWeatherData" }, '
      + '{ "Name": "get_temperature" } ] }, { "Name": "GetTemperature", "EntityPath": [ { "Name": "GetTemperature" } ] } ] }]',
    'rootcause.json = #[{"Services":[{"Name":"GetWeatherData","EntityPath":[{"Name":"GetWeatherData"},'
      + '{"Name":"get_temperature"}]},{"Name":"GetTemperature","EntityPath":[{"Name":"GetTemperature"}]}]}]',
  ],
  // id function
  ['id(name: "service-name", type:"service::type")', 'id(name: "service-name", type: "service::type")'],
  ['service(id(name: "service-name", type:"service::type")) { fault }', 'service(id(name: "service-name", type: "service::type")) { fault = true }'],
  [
    'edge(id(name: "service-one", type:"service::type"), id(name: "service-two", type:"service::type")) { fault }',
    'edge(id(name: "service-one", type: "service::type"), id(name: "service-two", type: "service::type")) { fault = true }',
  ],
  ['service("random-name") { error }', 'service("random-name") { error = true }'],
  [
    'service(id(name: "random-name", type: "AWS::Lambda::Function")) { error }',
    'service(id(name: "random-name", type: "AWS::Lambda::Function")) { error = true }',
  ],
  ['service(id(type: "AWS::Lambda::Function")) { error }', 'service(id(type: "AWS::Lambda::Function")) { error = true }'],
  // the earlier revision of the page
  [
    'service("api.example.com") { fault = true OR responsetime > 2.5 } AND annotation.account = "12345"',
    'service("api.example.com") { fault = true OR responsetime > 2.5 } AND annotation.account = "12345"',
  ],
  ['edge("api.example.com", "backend.example.com") { fault = true }', 'edge("api.example.com", "backend.example.com") { fault = true }'],
  // cross-account tracing page
  ['service(id(account.id:"X")) OR service(id(account.id:"Y"))', 'service(id(account.id: "X")) OR service(id(account.id: "Y"))'],
];

describe('FilterExpression.parse: the documented examples', () => {
  test.each(DOCUMENTED_EXAMPLES)('%s parses, normalizes and round-trips', (text, normalized) => {
    // GIVEN an example from the X-Ray guide
    // WHEN it is parsed and rendered
    const rendered = roundTrip(text);
    // THEN the normalized text is the expected one, and parsing it again changes nothing
    expect(rendered).toBe(normalized);
  });

  test('throws on the guide\'s one example with a missing "}", and parses it once closed', () => {
    // GIVEN the guide's root-cause exception example, printed without its closing brace
    const printed = 'rootcause.fault.exception { last and message = "Access Denied for account_id: 1234567890" ';
    // WHEN parsed THEN the missing brace is reported at the end of the text
    const error = parseError(printed);
    expect(error.column).toBe(printed.length + 1);
    expect(error.expected).toBe('AND, OR or "}"');
    // AND the intended expression parses
    expect(roundTrip(`${printed}}`)).toBe('rootcause.fault.exception { last = true AND message = "Access Denied for account_id: 1234567890" }');
  });

  test('the builder makes the documented examples', () => {
    expect(F.parse('service("api.example.com") { fault = true OR responsetime > 2.5 } AND annotation.account = "12345"').structurallyEquals(
      F.service('api.example.com', F.fault().or(F.responseTime().greaterThan(2.5))).and(F.annotation('account').equalTo('12345')),
    )).toBe(true);
    expect(F.parse('edge("api.example.com", "backend.example.com") { error }').structurallyEquals(
      F.edge('api.example.com', 'backend.example.com', F.error()),
    )).toBe(true);
    expect(F.parse('service(id(name: "random-name", type: "AWS::Lambda::Function")) { error }').structurallyEquals(
      F.serviceById({ name: 'random-name', nodeType: 'AWS::Lambda::Function' }, F.error()),
    )).toBe(true);
    expect(F.parse('ok !partial duration <3').structurallyEquals(
      F.allOf(F.ok(), F.partial().not(), F.duration().lessThan(3)),
    )).toBe(true);
    expect(F.parse('service() { fault }').toString()).toBe(F.anyService(F.fault()).toString());
    expect(F.parse('rootcause.fault.service { name = "Auth" }').structurallyEquals(
      F.rootCause(RootCauseKeyword.FAULT_SERVICE, F.stringKeyword(StringKeyword.NAME).equalTo('Auth')),
    )).toBe(true);
    expect(F.parse('group.name = "high_response_time" AND user = "alice"').structurallyEquals(
      F.groupName('high_response_time').and(F.user().equalTo('alice')),
    )).toBe(true);
    expect(F.parse('!annotation.age').structurallyEquals(F.annotation('age').isNotSet())).toBe(true);
    expect(F.parse('http.url AND responseTime > 2').structurallyEquals(F.httpUrl().isSet().and(F.responseTime().greaterThan(2)))).toBe(true);
    expect(F.parse('service(id(account.id:"X")) OR service(id(account.id:"Y"))').structurallyEquals(
      F.anyOf(F.serviceById({ accountId: 'X' }), F.serviceById({ accountId: 'Y' })),
    )).toBe(true);
  });
});

describe('FilterExpression.parse: normalization', () => {
  test.each([
    ['RESPONSETIME>5', 'responsetime > 5'],
    ['  duration   >=5    and duration<=8  ', 'duration >= 5 AND duration <= 8'],
    ['http.url contains "x" Or http.url beginswith "y" or http.url EndsWith "z"', 'http.url CONTAINS "x" OR http.url BEGINSWITH "y" OR http.url ENDSWITH "z"'],
    ['OK = TRUE', 'ok = true'],
    ['Fault != False', 'fault != false'],
    ['((ok))', 'ok = true'],
    ['(ok AND error) AND fault', 'ok = true AND error = true AND fault = true'],
    ['ok AND (error AND fault)', 'ok = true AND error = true AND fault = true'],
    ['(ok OR error) OR fault', 'ok = true OR error = true OR fault = true'],
    ['(ok AND error) OR fault', 'ok = true AND error = true OR fault = true'],
    ['!(responsetime > 5)', '!(responsetime > 5)'],
    ['!!ok', '!!ok'],
    ['!(ok = false)', '!(ok = false)'],
    ['annotation[gameid] = "x"', 'annotation.gameid = "x"'],
    ['annotation[order.id] = "x"', 'annotation[order.id] = "x"'],
    ['Annotation.Flag = TRUE', 'annotation.Flag = true'],
    ['annotation.n = -0', 'annotation.n = 0'],
    ['http.status = 200.0', 'http.status = 200'],
    ['responsetime > 1E3', 'responsetime > 1000'],
    ['responsetime > 0.000001', 'responsetime > 0.000001'],
    ['responsetime > 1e-7', 'responsetime > 1e-7'],
    ['responsetime > 1e21', 'responsetime > 1e+21'],
    ['responsetime > -2', 'responsetime > -2'],
    ['SERVICE("x"){FAULT}', 'service("x") { fault = true }'],
    ['id(type: "t", name: "n")', 'id(name: "n", type: "t")'],
    ['group.ARN != "arn:aws:xray:us-east-1:123456789012:group/a/b"', 'group.arn != "arn:aws:xray:us-east-1:123456789012:group/a/b"'],
    ['rootcause.json != #[ ]', 'rootcause.json != #[]'],
  ])('%s normalizes to %s', (text, normalized) => {
    // GIVEN a text in a non-canonical spelling WHEN parsed THEN it renders canonically, idempotently
    expect(roundTrip(text)).toBe(normalized);
  });

  test('toString is idempotent', () => {
    const once = F.parse(' ok   !partial   duration<3 ').toString();
    expect(F.parse(once).toString()).toBe(once);
    expect(F.parse(F.parse(once).toString()).toString()).toBe(once);
  });

  test('a boolean keyword alone means "= true"', () => {
    expect(F.parse('error').structurallyEquals(F.parse('error = true'))).toBe(true);
    expect(F.parse('error').structurallyEquals(F.error())).toBe(true);
    expect(F.parse('error').structurallyEquals(F.error(false))).toBe(false);
    expect(F.parse('error = false').structurallyEquals(F.error(false))).toBe(true);
  });

  test('structurallyEquals tells different expressions apart', () => {
    expect(F.parse('annotation.a = "1"').structurallyEquals(F.parse('annotation.a = 1'))).toBe(false);
    expect(F.parse('responsetime > 5').structurallyEquals(F.parse('responsetime >= 5'))).toBe(false);
    expect(F.parse('user = "a"').structurallyEquals(F.parse('user = "A"'))).toBe(false);
    expect(F.parse('service("a")').structurallyEquals(F.parse('service("a") { fault }'))).toBe(false);
    expect(F.parse('service("a")').structurallyEquals(F.parse('service(id(name: "a"))'))).toBe(false);
  });
});

describe('FilterExpression.parse: precedence', () => {
  test('AND binds tighter than OR: a OR b AND c is a OR (b AND c)', () => {
    // GIVEN a text without parentheses
    const parsed = F.parse('ok OR error AND fault');
    // THEN it is the OR of ok and (error AND fault)
    expect(parsed.structurallyEquals(F.ok().or(F.error().and(F.fault())))).toBe(true);
    expect(parsed.structurallyEquals(F.ok().or(F.error()).and(F.fault()))).toBe(false);
    expect(parsed.toString()).toBe('ok = true OR error = true AND fault = true');
  });

  test('parentheses that change the meaning are kept, others dropped', () => {
    const grouped = F.ok().or(F.error()).and(F.fault());
    expect(grouped.toString()).toBe('(ok = true OR error = true) AND fault = true');
    expect(F.parse(grouped.toString()).structurallyEquals(grouped)).toBe(true);
    expect(F.parse('(ok AND error) OR (fault AND throttle)').toString()).toBe('ok = true AND error = true OR fault = true AND throttle = true');
  });

  test('! binds tighter than AND and OR', () => {
    const parsed = F.parse('!ok AND error OR fault');
    expect(parsed.structurallyEquals(F.ok().not().and(F.error()).or(F.fault()))).toBe(true);
    expect(F.parse('!(ok AND error)').structurallyEquals(F.ok().and(F.error()).not())).toBe(true);
    expect(F.ok().and(F.error()).not().toString()).toBe('!(ok = true AND error = true)');
    expect(F.responseTime().greaterThan(5).not().toString()).toBe('!(responsetime > 5)');
    expect(F.service('x').not().toString()).toBe('!service("x")');
    expect(F.error(false).not().toString()).toBe('!(error = false)');
  });

  test('side by side means AND, at AND\'s precedence', () => {
    expect(F.parse('ok error OR fault').structurallyEquals(F.ok().and(F.error()).or(F.fault()))).toBe(true);
    expect(F.parse('fault OR ok error').structurallyEquals(F.fault().or(F.ok().and(F.error())))).toBe(true);
  });
});

describe('FilterExpression.parse: strings', () => {
  test('\\" and \\\\ are the escapes, and they render back escaped', () => {
    // GIVEN a string with an escaped quote and an escaped backslash
    const parsed = F.parse('user = "say \\"hi\\" \\\\ bye"');
    // THEN the value holds the characters, and the text escapes them again
    expect(parsed.structurallyEquals(F.user().equalTo('say "hi" \\ bye'))).toBe(true);
    expect(parsed.toString()).toBe('user = "say \\"hi\\" \\\\ bye"');
  });

  test('the builder escapes quotes and backslashes', () => {
    const built = F.httpUrl().contains('C:\\path\\"quoted"');
    expect(built.toString()).toBe('http.url CONTAINS "C:\\\\path\\\\\\"quoted\\""');
    expect(F.parse(built.toString()).structurallyEquals(built)).toBe(true);
  });

  test('other characters, newlines and non-ASCII included, are kept as they are', () => {
    const built = F.annotation('note').equalTo('line 1\nline 2 — ünïcode 😀 {}()!=AND');
    expect(F.parse(built.toString()).structurallyEquals(built)).toBe(true);
    expect(built.toString()).toBe('annotation.note = "line 1\nline 2 — ünïcode 😀 {}()!=AND"');
  });

  test('keywords inside strings are just text', () => {
    expect(roundTrip('user = "ok AND error OR service(\\"x\\")"')).toBe('user = "ok AND error OR service(\\"x\\")"');
  });
});

describe('FilterExpression.parse: errors', () => {
  // [text, column, expected]: the column and what was expected there, for the first error
  const MALFORMED: Array<[string, number, string]> = [
    ['', 1, 'an expression (a keyword, "!" or "(")'],
    ['   ', 4, 'an expression (a keyword, "!" or "(")'],
    ['http.status >', 14, 'a value after ">"'],
    ['responsetime >', 15, 'a value after ">"'],
    ['responsetime CONTAINS "x"', 14, 'a number operator (=, !=, <, <=, >, >=) after "responsetime"'],
    ['responsetime > "5"', 16, 'a number after ">"'],
    ['responsetime', 13, 'a number operator (=, !=, <, <=, >, >=) after "responsetime"'],
    ['duration = true', 12, 'a number after "="'],
    ['http.url < 5', 10, 'a string operator (=, !=, CONTAINS, BEGINSWITH, ENDSWITH) after "http.url"'],
    ['http.url = 5', 12, 'a quoted string after "="'],
    ['http.method CONTAINS', 21, 'a value after "CONTAINS"'],
    ['ok = 1', 6, 'true or false after "="'],
    ['ok > true', 4, '"=" or "!=" after the boolean keyword "ok"'],
    ['error = yes', 9, 'true or false after "="'],
    ['(ok', 4, 'AND, OR or ")"'],
    ['ok)', 3, 'AND, OR or end of input'],
    ['((ok) AND error', 16, 'AND, OR or ")"'],
    ['ok AND', 7, 'an expression (a keyword, "!" or "(")'],
    ['ok OR OR error', 7, 'an expression (a keyword, "!" or "(")'],
    ['AND ok', 1, 'an expression (a keyword, "!" or "(")'],
    ['foo = "x"', 1, 'a keyword'],
    ['user = "abc', 12, 'a closing " for the string that starts at column 8'],
    ['user = "a\\nb"', 11, 'a " or a \\ after the backslash (the only escapes)'],
    ['service("x"', 12, '")" after the service'],
    ['service(x)', 9, 'a quoted service name, id(...) or ")" after "service("'],
    ['service("x") { }', 16, 'an expression (a keyword, "!" or "(")'],
    ['service("x") { fault', 21, 'AND, OR or "}"'],
    ['service("x") { annotation.a = 1 }', 16, 'a boolean, number or string keyword inside "{ }"'],
    ['service("x") { service("y") }', 16, 'a boolean, number or string keyword inside "{ }"'],
    ['edge("a")', 9, '"," and the destination of the edge'],
    ['edge("a", )', 11, 'a quoted service name or id(...) for the destination of the edge'],
    ['id()', 4, 'name, type or account.id'],
    ['id(name "x")', 9, '":" after "name"'],
    ['id(name: "x", name: "y")', 15, 'each of name, type and account.id at most once in id(...)'],
    ['annotation', 11, '"." or "[" and an annotation key after "annotation"'],
    ['annotation.a.b = 1', 13, 'an annotation key of letters, digits and _ (write annotation[a.b] for a key with dots)'],
    ['annotation[] = 1', 12, 'an annotation key (letters, digits and _) after "["'],
    ['annotation[a b] = 1', 13, '"]" or an annotation key character (a letter, digit, _ or .)'],
    ['annotation.x CONTAINS 5', 23, 'a quoted string after "CONTAINS"'],
    ['annotation.x > "5"', 16, 'a number after ">"'],
    ['annotation.x = bar', 16, 'a quoted string, a number, true or false after "="'],
    ['group.name CONTAINS "x"', 12, '"=" or "!=" after "group.name"'],
    ['rootcause.fault.service', 24, '"{" after "rootcause.fault.service"'],
    ['rootcause.error.service { fault }', 1, 'a keyword'],
    ['rootcause.json = [1]', 18, 'a JSON array (#[...]) after "="'],
    ['rootcause.json = #[1,]', 19, 'valid JSON after "#"'],
    ['!responsetime > 5', 15, 'parentheses around a comparison negated with "!", like !(responsetime > 5)'],
    ['ok && error', 4, 'AND, OR or end of input'],
    ['responsetime > 5.', 18, 'a digit after the decimal point'],
    ['responsetime > 5abc', 17, 'a space or an operator after the number'],
    ['responsetime > 1e999', 16, 'a number that fits in a double'],
    ['responsetime >= 5 AND responsetime CONTAINS "x"', 36, 'a number operator (=, !=, <, <=, >, >=) after "responsetime"'],
    ['service("x") { fault } extra', 24, 'a keyword'],
    ['!', 2, 'an expression (a keyword, "!" or "(")'],
    ['user = "😀" AND foo', 16, 'a keyword'],
    ['ok == true', 5, 'true or false after "="'],
  ];

  test.each(MALFORMED)('throws for %j at column %d, expecting %s', (text, column, expected) => {
    // GIVEN a malformed text WHEN parsed
    const error = parseError(text);
    // THEN the error names the column of the first problem and what belonged there
    expect(error.column).toBe(column);
    expect(error.expected).toBe(expected);
    expect(error.reason).toBe(`invalid filter expression at column ${column}: expected ${expected}, got ${error.found}`);
    expect(error.message).toBe(`FilterExpression.parse: ${error.reason}`);
    expect(error).toBeInstanceOf(Error);
  });

  test('throws with the example message of the design', () => {
    expect(() => F.parse('http.status >'))
      .toThrow(/^FilterExpression\.parse: invalid filter expression at column 14: expected a value after ">", got end of input$/);
  });

  test('throws naming what was found', () => {
    expect(parseError('responsetime CONTAINS "x"').found).toBe('"CONTAINS"');
    expect(parseError('ok AND').found).toBe('end of input');
    expect(parseError('http.url = 5').found).toBe('"5"');
    expect(parseError('responsetime > "5"').found).toBe('"5"');
    expect(parseError('ok @').found).toBe('"@"');
  });

  test('throws for every operator a keyword type does not take', () => {
    for (const op of ['CONTAINS', 'BEGINSWITH', 'ENDSWITH']) {
      expect(parseError(`duration ${op} "x"`).column).toBe(10);
      expect(parseError(`fault ${op} "x"`).column).toBe(7);
    }
    for (const op of ['<', '<=', '>', '>=']) {
      expect(parseError(`http.method ${op} 1`).column).toBe(13);
      expect(parseError(`throttle ${op} 1`).column).toBe(10);
      expect(parseError(`group.arn ${op} "x"`).column).toBe(11);
    }
    expect(parseError('annotation.a > true').expected).toBe('a number after ">"');
    expect(parseError('annotation.a BEGINSWITH 1').expected).toBe('a quoted string after "BEGINSWITH"');
  });

  test('throws for text longer than 10,000 characters', () => {
    const long = `user = "${'x'.repeat(10_000)}"`;
    const error = parseError(long);
    expect(error.column).toBe(10_001);
    expect(error.expected).toBe('at most 10000 characters');
  });

  test('throws, without overflowing the stack, for nesting deeper than 100 levels', () => {
    const parens = `${'('.repeat(101)}ok${')'.repeat(101)}`;
    const error = parseError(parens);
    expect(error.column).toBe(101);
    expect(error.expected).toBe('at most 100 levels of nesting of "(", "{" and "!"');
    expect(parseError(`${'!'.repeat(5_000)}ok`).column).toBe(101);
    expect(parseError(`${'('.repeat(9_000)}`).column).toBe(101);
    // 100 levels are fine
    expect(F.parse(`${'('.repeat(100)}ok${')'.repeat(100)}`).toString()).toBe('ok = true');
    expect(F.parse(`${'!'.repeat(100)}ok`).toString()).toBe(`${'!'.repeat(100)}ok`);
  });

  test('throws for deeply nested JSON', () => {
    const json = `rootcause.json = #${'['.repeat(101)}${']'.repeat(101)}`;
    expect(parseError(json).column).toBe(119);
  });

  test('throws when the normalized text would be longer than the limit', () => {
    // 2,000 bare "ok" (5 characters each with the separator) normalize to "ok = true AND ..." (14 each)
    const error = parseError(Array(2_000).fill('ok').join(' '));
    expect(error.column).toBe(1);
    expect(error.expected).toBe('at most 10000 characters once normalized');
  });

  test('throws a FilterExpressionError for a non-string', () => {
    const error = parseError(undefined as unknown as string);
    expect(error.column).toBe(1);
  });

  test('validate reports the same facts without throwing', () => {
    expect(F.validate('http.status >')).toEqual({
      valid: false,
      message: 'invalid filter expression at column 14: expected a value after ">", got end of input',
      column: 14,
      expected: 'a value after ">"',
      found: 'end of input',
    });
    expect(F.validate('OK')).toEqual({ valid: true, normalized: 'ok = true' });
  });
});

describe('FilterExpression: builder', () => {
  test.each([
    [F.responseTime().greaterThan(5), 'responsetime > 5'],
    [F.responseTime().greaterThanOrEqualTo(1.5), 'responsetime >= 1.5'],
    [F.duration().lessThan(3), 'duration < 3'],
    [F.duration().lessThanOrEqualTo(8), 'duration <= 8'],
    [F.httpStatus().equalTo(200), 'http.status = 200'],
    [F.httpStatus().notEqualTo(200), 'http.status != 200'],
    [F.numberKeyword(NumberKeyword.COVERAGE).greaterThan(0.7), 'coverage > 0.7'],
    [F.numberKeyword(NumberKeyword.INDEX).greaterThan(5), 'index > 5'],
    [F.httpUrl().beginsWith('http://api.example.com/'), 'http.url BEGINSWITH "http://api.example.com/"'],
    [F.httpUrl().endsWith('.json'), 'http.url ENDSWITH ".json"'],
    [F.httpMethod().equalTo('POST'), 'http.method = "POST"'],
    [F.userAgent().contains('curl'), 'http.useragent CONTAINS "curl"'],
    [F.clientIp().notEqualTo('10.0.0.1'), 'http.clientip != "10.0.0.1"'],
    [F.user().contains(''), 'user CONTAINS ""'],
    [F.httpUrl().isSet(), 'http.url'],
    [F.stringKeyword(StringKeyword.AVAILABILITY_ZONE).equalTo('eu-west-1a'), 'availabilityzone = "eu-west-1a"'],
    [F.stringKeyword(StringKeyword.INSTANCE_ID).equalTo('i-0abc'), 'instance.id = "i-0abc"'],
    [F.stringKeyword(StringKeyword.RESOURCE_ARN).beginsWith('arn:aws:ecs:'), 'resource.arn BEGINSWITH "arn:aws:ecs:"'],
    [F.ok(), 'ok = true'],
    [F.error(), 'error = true'],
    [F.fault(), 'fault = true'],
    [F.throttle(), 'throttle = true'],
    [F.partial(false), 'partial = false'],
    [F.error(false), 'error = false'],
    [F.booleanKeyword(BooleanKeyword.ROOT), 'root = true'],
    [F.booleanKeyword(BooleanKeyword.INFERRED, false), 'inferred = false'],
    [F.ok().not(), '!ok'],
    [F.annotation('age').greaterThan(29), 'annotation.age > 29'],
    [F.annotation('age').lessThanOrEqualTo(29), 'annotation.age <= 29'],
    [F.annotation('age').equalToNumber(30), 'annotation.age = 30'],
    [F.annotation('age').notEqualToNumber(30), 'annotation.age != 30'],
    [F.annotation('age').greaterThanOrEqualTo(-1.25), 'annotation.age >= -1.25'],
    [F.annotation('age').lessThan(0), 'annotation.age < 0'],
    [F.annotation('is_retry').equalToBoolean(false), 'annotation.is_retry = false'],
    [F.annotation('is_retry').notEqualToBoolean(true), 'annotation.is_retry != true'],
    [F.annotation('tier').notEqualTo('free'), 'annotation.tier != "free"'],
    [F.annotation('tier').contains('prem'), 'annotation.tier CONTAINS "prem"'],
    [F.annotation('tier').beginsWith('p'), 'annotation.tier BEGINSWITH "p"'],
    [F.annotation('tier').endsWith('m'), 'annotation.tier ENDSWITH "m"'],
    [F.annotation('age').isSet(), 'annotation.age'],
    [F.annotation('age').isNotSet(), '!annotation.age'],
    [F.annotation('order.id').equalTo('o-1'), 'annotation[order.id] = "o-1"'],
    [F.service('api.example.com'), 'service("api.example.com")'],
    [F.service('api.example.com', F.fault()), 'service("api.example.com") { fault = true }'],
    [F.anyService(), 'service()'],
    [F.anyService(F.fault()), 'service() { fault = true }'],
    [F.serviceById({ nodeType: 'AWS::Lambda::Function' }, F.error()), 'service(id(type: "AWS::Lambda::Function")) { error = true }'],
    [F.edge('a', 'b'), 'edge("a", "b")'],
    [F.edge('a', 'b', F.responseTime().greaterThan(2)), 'edge("a", "b") { responsetime > 2 }'],
    [F.edgeById({ name: 'a', nodeType: 't' }, { name: 'b', accountId: '123456789012' }), 'edge(id(name: "a", type: "t"), id(name: "b", account.id: "123456789012"))'],
    [F.id('random-name', 'AWS::Lambda::Function'), 'id(name: "random-name", type: "AWS::Lambda::Function")'],
    [F.id('random-name'), 'id(name: "random-name")'],
    [F.nodeId({ accountId: '123456789012' }), 'id(account.id: "123456789012")'],
    [F.groupName('high_response_time'), 'group.name = "high_response_time"'],
    [F.groupArn('arn:aws:xray:us-east-1:123456789012:group/g/ABC'), 'group.arn = "arn:aws:xray:us-east-1:123456789012:group/g/ABC"'],
    [
      F.rootCause(RootCauseKeyword.RESPONSE_TIME_ENTITY,
        F.booleanKeyword(BooleanKeyword.LAST).and(F.numberKeyword(NumberKeyword.COVERAGE).greaterThan(0.8))),
      'rootcause.responsetime.entity { last = true AND coverage > 0.8 }',
    ],
    [F.allOf(F.ok(), F.error(), F.fault()), 'ok = true AND error = true AND fault = true'],
    [F.anyOf(F.ok(), F.error().and(F.fault())), 'ok = true OR error = true AND fault = true'],
    [F.allOf(F.anyOf(F.ok(), F.error()), F.fault()), '(ok = true OR error = true) AND fault = true'],
    [F.allOf(F.ok()), 'ok = true'],
  ])('%s renders as expected', (expression, text) => {
    // GIVEN a built expression THEN it renders to the text, which parses back to it
    expect(expression.toString()).toBe(text);
    expect(F.parse(text).structurallyEquals(expression)).toBe(true);
    expect(F.parse(text)).toEqual(expression);
  });

  test('and/or flatten, so the grouping of a chain does not matter', () => {
    const a = F.ok();
    const b = F.error();
    const c = F.fault();
    expect(a.and(b).and(c).structurallyEquals(a.and(b.and(c)))).toBe(true);
    expect(a.or(b).or(c).structurallyEquals(a.or(b.or(c)))).toBe(true);
    expect(a.and(b).or(c).structurallyEquals(a.and(b.or(c)))).toBe(false);
  });

  test('throws for an annotation key X-Ray cannot filter on', () => {
    expect(() => F.annotation('model name')).toThrow(/^FilterExpression\.annotation: annotation key must be 1 to 500 letters, digits and _ .*got "model name"$/);
    expect(() => F.annotation('')).toThrow(/annotation key must be/);
    expect(() => F.annotation('a-b')).toThrow(/got "a-b"/);
    expect(() => F.annotation('a..b')).toThrow(/got "a..b"/);
    expect(() => F.annotation('x'.repeat(501))).toThrow(/annotation key must be 1 to 500/);
  });

  test('throws for a number that is not finite', () => {
    expect(() => F.responseTime().greaterThan(Number.NaN)).toThrow(/^FilterExpression\.responseTime\(\)\.greaterThan: value must be a finite number, got NaN$/);
    expect(() => F.annotation('a').lessThan(Number.POSITIVE_INFINITY))
      .toThrow(/^FilterExpression\.annotation\("a"\)\.lessThan: value must be a finite number, got Infinity$/);
  });

  describe('numbers that are tokens', () => {
    test.each([
      ['a CfnParameter', (stack: Stack) => new CfnParameter(stack, 'Threshold', { type: 'Number' }).valueAsNumber],
      ['a Lazy.number', () => Lazy.number({ produce: () => 5 })],
    ])('throws for %s, naming the call: a filter expression is text parsed at synth', (_what, token) => {
      // GIVEN a threshold only known at deploy time
      const stack = new Stack();
      const threshold = token(stack);
      // WHEN it is written into a filter expression THEN the call refuses it, clearly
      expect(() => F.responseTime().greaterThan(threshold)).toThrow(
        /^FilterExpression\.responseTime\(\)\.greaterThan: value must be known at synth time \(a filter expression is text that X-Ray parses, .*\), got a deploy-time value \(token\)$/,
      );
      expect(() => F.annotation('latency').greaterThanOrEqualTo(threshold)).toThrow(/^FilterExpression\.annotation\("latency"\)\.greaterThanOrEqualTo: value must be known at synth time/);
      expect(() => F.numberKeyword(NumberKeyword.INDEX).equalTo(threshold)).toThrow(/^FilterExpression\.numberKeyword\("index"\)\.equalTo: value must be known at synth time/);
    });

    test('a known number is still written as it is', () => {
      expect(F.duration().lessThan(2.5).toString()).toBe('duration < 2.5');
    });
  });

  test('throws for a keyword outside the enum', () => {
    expect(() => F.booleanKeyword('nope' as BooleanKeyword)).toThrow(/^FilterExpression\.booleanKeyword: boolean keyword must be one of ok, error, .*got "nope"$/);
    expect(() => F.numberKeyword('size' as NumberKeyword)).toThrow(/^FilterExpression\.numberKeyword: number keyword must be one of/);
    expect(() => F.stringKeyword('HTTP.URL' as StringKeyword)).toThrow(/^FilterExpression\.stringKeyword: string keyword must be one of/);
    expect(() => F.rootCause('rootcause.error.service' as RootCauseKeyword, F.fault())).toThrow(/^FilterExpression\.rootCause: root-cause keyword must be one of/);
  });

  test('throws for an id with no field', () => {
    expect(() => F.nodeId({})).toThrow(/^FilterExpression\.nodeId: id needs at least one of name, nodeType and accountId, got none$/);
    expect(() => F.serviceById({})).toThrow(/^FilterExpression\.serviceById: id needs at least one of name, nodeType and accountId, got none$/);
  });

  test('throws for a service, edge or root-cause filter that uses a complex keyword', () => {
    expect(() => F.service('x', F.annotation('a').isSet()))
      .toThrow(/^FilterExpression\.service: the filter of service\(\.\.\.\) may only use boolean, number and string keywords, got annotation\.a$/);
    expect(() => F.edge('a', 'b', F.ok().and(F.service('y')))).toThrow(/^FilterExpression\.edge: .*got service\("y"\)$/);
    expect(() => F.rootCause(RootCauseKeyword.FAULT_SERVICE, F.groupName('g'))).toThrow(/^FilterExpression\.rootCause: the filter of rootcause.fault.service may only use/);
  });

  test('throws for allOf and anyOf of nothing', () => {
    expect(() => F.allOf()).toThrow(/^FilterExpression\.allOf: allOf needs at least one expression, got none$/);
    expect(() => F.anyOf()).toThrow(/^FilterExpression\.anyOf: anyOf needs at least one expression, got none$/);
  });

  test('throws when a built expression would nest deeper than parse reads', () => {
    let expression = F.ok();
    for (let i = 0; i < 100; i++) expression = expression.not();
    expect(F.parse(expression.toString()).structurallyEquals(expression)).toBe(true);
    expect(() => expression.not()).toThrow(/^FilterExpression\.not: filter expression must nest at most 100 levels of "\(", "\{" and "!", got 101$/);
  });

  test('throws when a built expression would be longer than parse reads', () => {
    expect(() => F.user().equalTo('x'.repeat(10_000))).toThrow(/^FilterExpression\.user\(\)\.equalTo: filter expression must have at most 10000 characters, got 10009$/);
  });
});

describe('issue 24 item 2: the errors group matches faults', () => {
  test('the preset\'s errors expression is error OR fault, parses back to the builder\'s tree, and keeps the runbook query readable', () => {
    // GIVEN the expression the preset builds
    const built = F.service('afirgen-main-backend').and(F.error().or(F.fault()));
    // THEN its text keeps the OR in parentheses (AND binds tighter), and parsing it gives the same tree
    expect(built.toString()).toBe('service("afirgen-main-backend") AND (error = true OR fault = true)');
    expect(F.parse('service("afirgen-main-backend") AND (error = true OR fault = true)').structurallyEquals(built)).toBe(true);
    expect(roundTrip('service("afirgen-main-backend") AND (error OR fault)')).toBe(built.toString());
    // the runbook's literal query is a different expression: it misses every 5xx
    expect(F.parse('service("afirgen-main-backend") AND error = true').structurallyEquals(built)).toBe(false);
    // throttle (429) sits beside them
    expect(F.service('afirgen-main-backend').and(F.throttle()).toString()).toBe('service("afirgen-main-backend") AND throttle = true');
  });

  test('serviceNames lists the services an expression names, in service(), edge() and id()', () => {
    expect(F.parse('service("a") AND (error OR fault)').serviceNames).toEqual(['a']);
    expect(F.parse('edge("a", "b") { fault } OR !service(id(name: "c", type: "AWS::ECS::Container")) OR service("a")').serviceNames).toEqual(['a', 'b', 'c']);
    expect(F.parse('annotation.model_name = "summariser"').serviceNames).toEqual([]);
  });
});
