/**
 * A recursive-descent parser for X-Ray filter expressions, as the X-Ray developer guide's "Use
 * filter expressions" page describes them:
 *
 * ```
 * expression := or
 * or         := and (OR and)*
 * and        := unary ((AND)? unary)*          -- "ok !partial duration <3": side by side means AND
 * unary      := "!" unary | primary
 * primary    := "(" expression ")" | condition
 * condition  := boolean-keyword [("=" | "!=") (true | false)]
 *             | number-keyword ("=" | "!=" | "<" | "<=" | ">" | ">=") number
 *             | string-keyword [("=" | "!=" | CONTAINS | BEGINSWITH | ENDSWITH) string]
 *             | annotation.KEY | annotation[KEY] [operator value]
 *             | service "(" [string | id] ")" [block] | edge "(" ref "," ref ")" [block] | id
 *             | group.name | group.arn ("=" | "!=") string
 *             | rootcause.(fault|responsetime).(service|entity|exception) block
 *             | rootcause.json ("=" | "!=") #[json]
 * block      := "{" expression "}"                -- simple keywords only
 * id         := id "(" (name | type | account.id) ":" string ("," ...)* ")"
 * ```
 *
 * Keywords, AND/OR, CONTAINS/BEGINSWITH/ENDSWITH and true/false are case-insensitive.
 */

import {
  ANNOTATION_KEY_MAX_LENGTH,
  AnnotationValue,
  AnyOperator,
  BOOLEAN_KEYWORDS,
  EqualityOperator,
  FILTER_MAX_DEPTH,
  FILTER_MAX_LENGTH,
  FilterNode,
  GROUP_KEYWORDS,
  IdRef,
  makeAnd,
  makeOr,
  nesting,
  NodeRef,
  normalizeNumber,
  NUMBER_KEYWORDS,
  NUMBER_OPERATORS,
  NumberOperator,
  render,
  ROOT_CAUSE_JSON_KEYWORD,
  ROOT_CAUSE_KEYWORDS,
  STRING_KEYWORDS,
  StringOperator,
  WORD_OPERATORS,
} from './filter-ast';
import { describeToken, FilterSyntaxFailure, Lexer, Token } from './filter-lexer';

export { FilterSyntaxFailure } from './filter-lexer';

/** Words that are never a keyword or a bare value. */
const RESERVED_WORDS: ReadonlySet<string> = new Set(['and', 'or', 'true', 'false', 'contains', 'beginswith', 'endswith']);

const NUMBER_OPERATOR_LIST = '(=, !=, <, <=, >, >=)';
const STRING_OPERATOR_LIST = '(=, !=, CONTAINS, BEGINSWITH, ENDSWITH)';
const ANY_OPERATOR_LIST = '(=, !=, <, <=, >, >=, CONTAINS, BEGINSWITH, ENDSWITH)';

interface Context {
  /** inside `{ }` of service, edge or rootcause: only simple keywords */
  readonly inBlock: boolean;
}

/**
 * Parses a filter expression. Throws {@link FilterSyntaxFailure} at the first error; never
 * recurses deeper than {@link FILTER_MAX_DEPTH} levels of `(`, `{` and `!`.
 */
export function parseFilter(text: string): FilterNode {
  if (text.length > FILTER_MAX_LENGTH) {
    throw new FilterSyntaxFailure(FILTER_MAX_LENGTH, `at most ${FILTER_MAX_LENGTH} characters`, `${text.length} characters`);
  }
  const parser = new Parser(text);
  const node = parser.parseAll();
  // What is accepted must read back: its canonical text has to pass the same limits.
  const canonical = render(node);
  if (canonical.length > FILTER_MAX_LENGTH) {
    throw new FilterSyntaxFailure(0, `at most ${FILTER_MAX_LENGTH} characters once normalized`, `${canonical.length} characters`);
  }
  const depth = nesting(node);
  if (depth > FILTER_MAX_DEPTH) {
    throw new FilterSyntaxFailure(0, `at most ${FILTER_MAX_DEPTH} levels of nesting once normalized`, `${depth} levels`);
  }
  return node;
}

function isWord(token: Token, word: string): boolean {
  return token.kind === 'word' && token.text.toLowerCase() === word;
}

function isPunct(token: Token, ch: string): boolean {
  return token.kind === 'punct' && token.text === ch;
}

function isLiteral(token: Token): boolean {
  return token.kind === 'string' || token.kind === 'number' || token.kind === 'json';
}

/** `=`, `!=`, `<`, `<=`, `>`, `>=` */
function isComparison(token: Token): boolean {
  return token.kind === 'op' && NUMBER_OPERATORS.has(token.text);
}

function isWordOperator(token: Token): boolean {
  return token.kind === 'word' && WORD_OPERATORS.has(token.text.toUpperCase());
}

function isEquality(token: Token): boolean {
  return token.kind === 'op' && (token.text === '=' || token.text === '!=');
}

/** Whether a token can start an operand (for `a b` meaning `a AND b`). */
function startsOperand(token: Token): boolean {
  if (token.kind === 'op') return token.text === '!';
  if (token.kind === 'punct') return token.text === '(';
  if (token.kind === 'annotation') return true;
  return token.kind === 'word' && !RESERVED_WORDS.has(token.text.toLowerCase());
}

class Parser {
  private readonly lexer: Lexer;
  private depth = 0;

  constructor(text: string) {
    this.lexer = new Lexer(text);
  }

  public parseAll(): FilterNode {
    const node = this.parseOr({ inBlock: false });
    const rest = this.lexer.peek();
    if (rest.kind !== 'eof') this.fail(rest, 'AND, OR or end of input');
    return node;
  }

  private fail(token: Token, expected: string): never {
    throw new FilterSyntaxFailure(token.start, expected, describeToken(token));
  }

  private enter(token: Token): void {
    this.depth++;
    if (this.depth > FILTER_MAX_DEPTH) {
      throw new FilterSyntaxFailure(token.start, `at most ${FILTER_MAX_DEPTH} levels of nesting of "(", "{" and "!"`, `level ${this.depth}`);
    }
  }

  private leave(): void {
    this.depth--;
  }

  private expectPunct(ch: string, expected: string): Token {
    const token = this.lexer.peek();
    if (!isPunct(token, ch)) this.fail(token, expected);
    return this.lexer.next();
  }

  private parseOr(ctx: Context): FilterNode {
    const operands = [this.parseAnd(ctx)];
    while (isWord(this.lexer.peek(), 'or')) {
      this.lexer.next();
      operands.push(this.parseAnd(ctx));
    }
    return makeOr(operands);
  }

  private parseAnd(ctx: Context): FilterNode {
    const operands = [this.parseUnary(ctx)];
    for (;;) {
      const token = this.lexer.peek();
      if (isWord(token, 'and')) {
        this.lexer.next();
      } else if (!startsOperand(token)) {
        break;
      }
      operands.push(this.parseUnary(ctx));
    }
    return makeAnd(operands);
  }

  private parseUnary(ctx: Context): FilterNode {
    const token = this.lexer.peek();
    if (token.kind === 'op' && token.text === '!') {
      this.lexer.next();
      this.enter(token);
      const next = this.lexer.peek();
      // the operand of a `!` is a keyword without an operator, or a `!`, or a parenthesised expression
      const operand = next.kind === 'op' && next.text === '!' ? this.parseUnary(ctx) : this.parsePrimary(ctx, true);
      this.leave();
      return { kind: 'not', operand };
    }
    return this.parsePrimary(ctx, false);
  }

  /** `negated`: this is the direct operand of a `!`, so a condition here takes no operator. */
  private parsePrimary(ctx: Context, negated: boolean): FilterNode {
    const token = this.lexer.peek();
    if (isPunct(token, '(')) {
      this.lexer.next();
      this.enter(token);
      const inner = this.parseOr({ inBlock: ctx.inBlock });
      this.expectPunct(')', 'AND, OR or ")"');
      this.leave();
      return inner;
    }
    if (token.kind === 'annotation') {
      this.refuseInBlock(ctx, token);
      this.lexer.next();
      return this.parseAnnotation(token, token.value, negated);
    }
    if (token.kind !== 'word') this.fail(token, 'an expression (a keyword, "!" or "(")');
    const word = token.text.toLowerCase();
    if (RESERVED_WORDS.has(word)) this.fail(token, 'an expression (a keyword, "!" or "(")');

    if (BOOLEAN_KEYWORDS.has(word)) return this.parseBoolean(this.lexer.next(), word, negated);
    if (NUMBER_KEYWORDS.has(word)) return this.parseNumber(this.lexer.next(), word, negated);
    if (STRING_KEYWORDS.has(word)) return this.parseString(this.lexer.next(), word, negated);

    const complex = word === 'annotation' || word.startsWith('annotation.') || GROUP_KEYWORDS.has(word)
      || ROOT_CAUSE_KEYWORDS.has(word) || word === ROOT_CAUSE_JSON_KEYWORD
      || word === 'service' || word === 'edge' || word === 'id';
    if (!complex) this.fail(token, 'a keyword');
    this.refuseInBlock(ctx, token);
    this.lexer.next();

    if (word === 'annotation') this.fail(this.lexer.peek(), '"." or "[" and an annotation key after "annotation"');
    if (word.startsWith('annotation.')) {
      const key = token.text.slice('annotation.'.length);
      const dot = key.indexOf('.');
      if (dot >= 0) {
        throw new FilterSyntaxFailure(
          token.start + 'annotation.'.length + dot,
          `an annotation key of letters, digits and _ (write annotation[${key}] for a key with dots)`,
          '"."',
        );
      }
      return this.parseAnnotation(token, key, negated);
    }
    if (GROUP_KEYWORDS.has(word)) return this.parseGroup(word, negated);
    if (ROOT_CAUSE_KEYWORDS.has(word)) return this.parseRootCause(word);
    if (word === ROOT_CAUSE_JSON_KEYWORD) return this.parseJson(negated);
    if (word === 'service') return this.parseService();
    if (word === 'edge') return this.parseEdge();
    return { kind: 'id', id: this.parseIdArguments() };
  }

  private refuseInBlock(ctx: Context, token: Token): void {
    if (ctx.inBlock) this.fail(token, 'a boolean, number or string keyword inside "{ }"');
  }

  /** A comparison right after `!` must be parenthesised: `!(responsetime > 5)`, not `!responsetime > 5`. */
  private refuseNegatedComparison(operator: Token, negated: boolean): void {
    if (negated) this.fail(operator, 'parentheses around a comparison negated with "!", like !(responsetime > 5)');
  }

  private parseBoolean(keyword: Token, word: string, negated: boolean): FilterNode {
    const operator = this.lexer.peek();
    if (isEquality(operator)) {
      this.refuseNegatedComparison(operator, negated);
      this.lexer.next();
      const value = this.lexer.peek();
      if (isWord(value, 'true') || isWord(value, 'false')) {
        this.lexer.next();
        return { kind: 'boolean', keyword: word, operator: operator.text as EqualityOperator, value: isWord(value, 'true') };
      }
      return this.fail(value, `true or false after "${operator.text}"`);
    }
    if (isComparison(operator) || isWordOperator(operator) || isLiteral(operator)) {
      this.fail(operator, `"=" or "!=" after the boolean keyword "${keyword.text}"`);
    }
    return { kind: 'boolean', keyword: word, operator: '=', value: true };
  }

  private parseNumber(keyword: Token, word: string, negated: boolean): FilterNode {
    const operator = this.lexer.peek();
    if (!isComparison(operator)) this.fail(operator, `a number operator ${NUMBER_OPERATOR_LIST} after "${keyword.text}"`);
    this.refuseNegatedComparison(operator, negated);
    this.lexer.next();
    return { kind: 'number', keyword: word, operator: operator.text as NumberOperator, value: this.expectNumber(operator) };
  }

  private parseString(keyword: Token, word: string, negated: boolean): FilterNode {
    const operator = this.lexer.peek();
    if (isEquality(operator) || isWordOperator(operator)) {
      this.refuseNegatedComparison(operator, negated);
      this.lexer.next();
      const value = this.expectString(operator, true);
      return { kind: 'string', keyword: word, operator: operator.text.toUpperCase() as StringOperator, value };
    }
    if (isComparison(operator) || isLiteral(operator)) {
      this.fail(operator, `a string operator ${STRING_OPERATOR_LIST} after "${keyword.text}"`);
    }
    return { kind: 'present', keyword: word };
  }

  private parseAnnotation(keyword: Token, key: string, negated: boolean): FilterNode {
    if (key.length > ANNOTATION_KEY_MAX_LENGTH) {
      throw new FilterSyntaxFailure(keyword.start, `an annotation key of at most ${ANNOTATION_KEY_MAX_LENGTH} characters`, `${key.length} characters`);
    }
    const operator = this.lexer.peek();
    if (isComparison(operator) || isWordOperator(operator)) {
      this.refuseNegatedComparison(operator, negated);
      this.lexer.next();
      const op = operator.text.toUpperCase() as AnyOperator;
      let value: AnnotationValue;
      if (WORD_OPERATORS.has(op)) {
        value = { type: 'string', value: this.expectString(operator, false) };
      } else if (op === '=' || op === '!=') {
        value = this.expectAnnotationValue(operator);
      } else {
        value = { type: 'number', value: this.expectNumber(operator) };
      }
      return { kind: 'annotation', key, operator: op, value };
    }
    if (isLiteral(operator)) this.fail(operator, `an operator ${ANY_OPERATOR_LIST} after "${keyword.text}"`);
    return { kind: 'annotation', key };
  }

  private parseGroup(word: string, negated: boolean): FilterNode {
    const operator = this.lexer.peek();
    if (!isEquality(operator)) this.fail(operator, `"=" or "!=" after "${word}"`);
    this.refuseNegatedComparison(operator, negated);
    this.lexer.next();
    const value = this.expectString(operator, false);
    return { kind: 'group', keyword: word, operator: operator.text as EqualityOperator, value };
  }

  private parseJson(negated: boolean): FilterNode {
    const operator = this.lexer.peek();
    if (!isEquality(operator)) this.fail(operator, `"=" or "!=" after "${ROOT_CAUSE_JSON_KEYWORD}"`);
    this.refuseNegatedComparison(operator, negated);
    this.lexer.next();
    const value = this.lexer.peek();
    if (value.kind !== 'json') this.fail(value, `a JSON array (#[...]) after "${operator.text}"`);
    this.lexer.next();
    return { kind: 'json', operator: operator.text as EqualityOperator, json: value.value };
  }

  private parseRootCause(word: string): FilterNode {
    const brace = this.lexer.peek();
    if (!isPunct(brace, '{')) this.fail(brace, `"{" after "${word}"`);
    return { kind: 'rootcause', keyword: word, filter: this.parseBlock() };
  }

  /** `{ expression }`, with the `{` next. */
  private parseBlock(): FilterNode {
    const brace = this.lexer.next();
    this.enter(brace);
    const inner = this.parseOr({ inBlock: true });
    this.expectPunct('}', 'AND, OR or "}"');
    this.leave();
    return inner;
  }

  private parseOptionalBlock(): FilterNode | undefined {
    return isPunct(this.lexer.peek(), '{') ? this.parseBlock() : undefined;
  }

  private parseService(): FilterNode {
    this.expectPunct('(', '"(" after "service"');
    const token = this.lexer.peek();
    let target: NodeRef | undefined;
    if (token.kind === 'string') {
      this.lexer.next();
      target = { kind: 'name', name: token.value };
    } else if (isWord(token, 'id')) {
      this.lexer.next();
      target = this.parseIdArguments();
    } else if (!isPunct(token, ')')) {
      this.fail(token, 'a quoted service name, id(...) or ")" after "service("');
    }
    this.expectPunct(')', '")" after the service');
    const filter = this.parseOptionalBlock();
    return {
      kind: 'service',
      ...(target === undefined ? {} : { target }),
      ...(filter === undefined ? {} : { filter }),
    };
  }

  private parseEdge(): FilterNode {
    this.expectPunct('(', '"(" after "edge"');
    const source = this.parseRef('a quoted service name or id(...) for the source of the edge');
    this.expectPunct(',', '"," and the destination of the edge');
    const destination = this.parseRef('a quoted service name or id(...) for the destination of the edge');
    this.expectPunct(')', '")" after the destination of the edge');
    const filter = this.parseOptionalBlock();
    return { kind: 'edge', source, destination, ...(filter === undefined ? {} : { filter }) };
  }

  private parseRef(expected: string): NodeRef {
    const token = this.lexer.peek();
    if (token.kind === 'string') {
      this.lexer.next();
      return { kind: 'name', name: token.value };
    }
    if (isWord(token, 'id')) {
      this.lexer.next();
      return this.parseIdArguments();
    }
    return this.fail(token, expected);
  }

  /** `(name: "...", type: "...", account.id: "...")` after `id`. */
  private parseIdArguments(): IdRef {
    this.expectPunct('(', '"(" after "id"');
    const fields: { name?: string; type?: string; accountId?: string } = {};
    for (;;) {
      const label = this.lexer.peek();
      const word = label.kind === 'word' ? label.text.toLowerCase() : '';
      const field = word === 'name' ? 'name' : word === 'type' ? 'type' : word === 'account.id' ? 'accountId' : undefined;
      if (field === undefined) this.fail(label, 'name, type or account.id');
      if (fields[field] !== undefined) {
        throw new FilterSyntaxFailure(label.start, 'each of name, type and account.id at most once in id(...)', `a second "${label.text}"`);
      }
      this.lexer.next();
      this.expectPunct(':', `":" after "${label.text}"`);
      const value = this.lexer.peek();
      if (value.kind !== 'string') this.fail(value, `a quoted string after "${label.text}:"`);
      this.lexer.next();
      fields[field] = value.value;
      const separator = this.lexer.peek();
      if (isPunct(separator, ',')) {
        this.lexer.next();
        continue;
      }
      if (isPunct(separator, ')')) {
        this.lexer.next();
        break;
      }
      this.fail(separator, '"," or ")" in id(...)');
    }
    return {
      kind: 'id',
      ...(fields.name === undefined ? {} : { name: fields.name }),
      ...(fields.type === undefined ? {} : { type: fields.type }),
      ...(fields.accountId === undefined ? {} : { accountId: fields.accountId }),
    };
  }

  /** A number after `operator`. */
  private expectNumber(operator: Token): number {
    const value = this.lexer.peek();
    if (value.kind === 'number') {
      this.lexer.next();
      return normalizeNumber(Number(value.value));
    }
    if (isLiteral(value) || value.kind === 'word' || value.kind === 'annotation') {
      this.fail(value, `a number after "${operator.text}"`);
    }
    return this.fail(value, `a value after "${operator.text}"`);
  }

  /** A quoted string after `operator`; or, where `bare` allows, a single word (`name = traces`). */
  private expectString(operator: Token, bare: boolean): string {
    const value = this.lexer.peek();
    if (value.kind === 'string') {
      this.lexer.next();
      return value.value;
    }
    if (bare && value.kind === 'word' && !RESERVED_WORDS.has(value.text.toLowerCase())) {
      this.lexer.next();
      return value.text;
    }
    if (isLiteral(value) || value.kind === 'word' || value.kind === 'annotation') {
      this.fail(value, `a quoted string after "${operator.text}"`);
    }
    return this.fail(value, `a value after "${operator.text}"`);
  }

  /** A string, a number, true or false after `=` or `!=`. */
  private expectAnnotationValue(operator: Token): AnnotationValue {
    const value = this.lexer.peek();
    if (value.kind === 'string') {
      this.lexer.next();
      return { type: 'string', value: value.value };
    }
    if (value.kind === 'number') {
      this.lexer.next();
      return { type: 'number', value: normalizeNumber(Number(value.value)) };
    }
    if (isWord(value, 'true') || isWord(value, 'false')) {
      this.lexer.next();
      return { type: 'boolean', value: isWord(value, 'true') };
    }
    if (isLiteral(value) || value.kind === 'word' || value.kind === 'annotation') {
      this.fail(value, `a quoted string, a number, true or false after "${operator.text}"`);
    }
    return this.fail(value, `a value after "${operator.text}"`);
  }
}
