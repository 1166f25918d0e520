/**
 * The tokenizer of X-Ray filter expressions. It reads on demand, one token ahead of the parser, so
 * the first error in the text is the one reported.
 */

import { FILTER_MAX_DEPTH } from './filter-ast';

export type TokenKind =
  | 'word' // a keyword, AND/OR, CONTAINS..., true/false, or a bare value
  | 'annotation' // annotation[KEY]; `value` holds KEY
  | 'string' // "..." ; `value` holds the unescaped text
  | 'number'
  | 'json' // #[...] ; `value` holds the canonical JSON text
  | 'op' // = != < <= > >= !
  | 'punct' // ( ) { } , :
  | 'invalid' // one character that starts no token
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** the text as written */
  readonly text: string;
  /** for `string`, `annotation` and `json`: the value read; else the text */
  readonly value: string;
  /** offset of the first character, in UTF-16 code units */
  readonly start: number;
}

/** A syntax error found at `offset` (in UTF-16 code units). */
export class FilterSyntaxFailure extends Error {
  constructor(
    public readonly offset: number,
    public readonly expected: string,
    public readonly found: string,
  ) {
    super(`expected ${expected}, got ${found}`);
    this.name = 'FilterSyntaxFailure';
  }
}

const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/** How a token is shown after "got": its own text, clipped, in quotes; or `end of input`. */
export function describeToken(token: Token): string {
  if (token.kind === 'eof') return 'end of input';
  const clipped = token.text.length > 40 ? `${token.text.slice(0, 37)}...` : token.text;
  return token.kind === 'string' ? clipped : `"${clipped}"`;
}

export class Lexer {
  private pos = 0;
  private lookahead: Token | undefined;

  constructor(private readonly text: string) {}

  /** The next token, without consuming it. */
  public peek(): Token {
    if (this.lookahead === undefined) this.lookahead = this.read();
    return this.lookahead;
  }

  /** Consumes and returns the next token. */
  public next(): Token {
    const token = this.peek();
    this.lookahead = undefined;
    return token;
  }

  private fail(offset: number, expected: string, found: string): never {
    throw new FilterSyntaxFailure(offset, expected, found);
  }

  private foundAt(offset: number): string {
    if (offset >= this.text.length) return 'end of input';
    const cp = this.text.codePointAt(offset) as number;
    return JSON.stringify(String.fromCodePoint(cp));
  }

  private read(): Token {
    const text = this.text;
    while (this.pos < text.length && WHITESPACE.has(text[this.pos])) this.pos++;
    const start = this.pos;
    if (start >= text.length) return { kind: 'eof', text: '', value: '', start };
    const ch = text[start];

    if (WORD_START.test(ch)) return this.readWord(start);
    if (DIGIT.test(ch) || (ch === '-' && DIGIT.test(text[start + 1] ?? ''))) return this.readNumber(start);
    if (ch === '"') return this.readString(start);
    if (ch === '#') return this.readJson(start);

    const two = text.slice(start, start + 2);
    if (two === '!=' || two === '<=' || two === '>=') {
      this.pos += 2;
      return { kind: 'op', text: two, value: two, start };
    }
    if (ch === '=' || ch === '<' || ch === '>' || ch === '!') {
      this.pos += 1;
      return { kind: 'op', text: ch, value: ch, start };
    }
    if ('(){},:'.includes(ch)) {
      this.pos += 1;
      return { kind: 'punct', text: ch, value: ch, start };
    }
    if (ch === '-') this.fail(start + 1, 'a digit after "-"', this.foundAt(start + 1));
    const cp = text.codePointAt(start) as number;
    const invalid = String.fromCodePoint(cp);
    this.pos += invalid.length;
    return { kind: 'invalid', text: invalid, value: invalid, start };
  }

  /** `word(.part)*`, and `annotation[KEY]`. */
  private readWord(start: number): Token {
    const text = this.text;
    let pos = start + 1;
    while (pos < text.length && WORD_PART.test(text[pos])) pos++;
    while (text[pos] === '.' && WORD_PART.test(text[pos + 1] ?? '')) {
      pos += 2;
      while (pos < text.length && WORD_PART.test(text[pos])) pos++;
    }
    const word = text.slice(start, pos);
    if (word.toLowerCase() === 'annotation' && text[pos] === '[') {
      return this.readBracketAnnotation(start, pos);
    }
    this.pos = pos;
    return { kind: 'word', text: word, value: word, start };
  }

  /** `annotation[KEY]`: KEY is letters, digits and `_` in dot-separated parts. */
  private readBracketAnnotation(start: number, bracket: number): Token {
    const text = this.text;
    let pos = bracket + 1;
    let partStart = pos;
    for (;;) {
      while (pos < text.length && WORD_PART.test(text[pos])) pos++;
      if (pos === partStart) {
        const what = pos === bracket + 1 ? 'an annotation key (letters, digits and _) after "["' : 'a letter, digit or _ after "."';
        this.fail(pos, what, this.foundAt(pos));
      }
      if (text[pos] === '.') {
        pos++;
        partStart = pos;
        continue;
      }
      if (text[pos] === ']') break;
      this.fail(pos, '"]" or an annotation key character (a letter, digit, _ or .)', this.foundAt(pos));
    }
    const key = text.slice(bracket + 1, pos);
    this.pos = pos + 1;
    return { kind: 'annotation', text: text.slice(start, this.pos), value: key, start };
  }

  /** `-?digits(.digits)?([eE][+-]?digits)?` */
  private readNumber(start: number): Token {
    const text = this.text;
    let pos = start;
    if (text[pos] === '-') pos++;
    while (DIGIT.test(text[pos] ?? '')) pos++;
    if (text[pos] === '.') {
      pos++;
      if (!DIGIT.test(text[pos] ?? '')) this.fail(pos, 'a digit after the decimal point', this.foundAt(pos));
      while (DIGIT.test(text[pos] ?? '')) pos++;
    }
    if (text[pos] === 'e' || text[pos] === 'E') {
      pos++;
      if (text[pos] === '+' || text[pos] === '-') pos++;
      if (!DIGIT.test(text[pos] ?? '')) this.fail(pos, 'a digit in the exponent', this.foundAt(pos));
      while (DIGIT.test(text[pos] ?? '')) pos++;
    }
    if (WORD_START.test(text[pos] ?? '')) {
      this.fail(pos, 'a space or an operator after the number', this.foundAt(pos));
    }
    const written = text.slice(start, pos);
    const value = Number(written);
    if (!Number.isFinite(value)) this.fail(start, 'a number that fits in a double', JSON.stringify(written));
    this.pos = pos;
    return { kind: 'number', text: written, value: written, start };
  }

  /** `"..."` with `\"` and `\\` escapes. */
  private readString(start: number): Token {
    const text = this.text;
    let pos = start + 1;
    let value = '';
    let chunk = pos;
    for (;;) {
      if (pos >= text.length) {
        this.fail(pos, `a closing " for the string that starts at column ${columnOf(text, start)}`, 'end of input');
      }
      const ch = text[pos];
      if (ch === '"') break;
      if (ch === '\\') {
        const escaped = text[pos + 1];
        if (escaped !== '"' && escaped !== '\\') {
          this.fail(pos + 1, 'a " or a \\ after the backslash (the only escapes)', this.foundAt(pos + 1));
        }
        value += text.slice(chunk, pos) + escaped;
        pos += 2;
        chunk = pos;
        continue;
      }
      pos++;
    }
    value += text.slice(chunk, pos);
    this.pos = pos + 1;
    return { kind: 'string', text: text.slice(start, this.pos), value, start };
  }

  /** `#[ ...JSON... ]`: scanned to its closing bracket, then checked and canonicalised with JSON. */
  private readJson(start: number): Token {
    const text = this.text;
    if (text[start + 1] !== '[') this.fail(start + 1, 'a JSON array ("[") after "#"', this.foundAt(start + 1));
    let pos = start + 1;
    let depth = 0;
    let inString = false;
    for (;;) {
      if (pos >= text.length) {
        this.fail(pos, `a closing "]" for the JSON that starts at column ${columnOf(text, start)}`, 'end of input');
      }
      const ch = text[pos];
      if (inString) {
        if (ch === '\\') {
          pos += 2;
          continue;
        }
        if (ch === '"') inString = false;
      } else if (ch === '"') {
        inString = true;
      } else if (ch === '[' || ch === '{') {
        depth++;
        if (depth > FILTER_MAX_DEPTH) {
          this.fail(pos, `JSON nested at most ${FILTER_MAX_DEPTH} levels deep`, `a level ${depth} "${ch}"`);
        }
      } else if (ch === ']' || ch === '}') {
        depth--;
        if (depth === 0) break;
      }
      pos++;
    }
    const raw = text.slice(start + 1, pos + 1);
    let canonical: string;
    try {
      canonical = JSON.stringify(JSON.parse(raw));
    } catch {
      // JSON.parse says why in engine-specific words; the column and the text are what matter
      return this.fail(start + 1, 'valid JSON after "#"', JSON.stringify(clip(raw)));
    }
    this.pos = pos + 1;
    return { kind: 'json', text: text.slice(start, this.pos), value: canonical, start };
  }
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** The 1-based column of an offset, counting characters (code points), not UTF-16 units. */
export function columnOf(text: string, offset: number): number {
  let column = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    const code = text.charCodeAt(i);
    // the low half of a surrogate pair does not start a new character
    if (code >= 0xdc00 && code <= 0xdfff && i > 0) {
      const prev = text.charCodeAt(i - 1);
      if (prev >= 0xd800 && prev <= 0xdbff) continue;
    }
    column++;
  }
  return column + Math.max(0, offset - text.length);
}
