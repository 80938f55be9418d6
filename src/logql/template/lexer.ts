// Tokenizer for Go text/template source: text, {{ }} actions with trim markers, comments, and the
// tokens inside actions, with Go's line counting and lexer error texts. Produces tokens only.

import { goQuote } from './strconv.js';

export const enum Item {
  Error,
  Bool,
  Char,
  CharConstant,
  Complex,
  Assign,
  Declare,
  EOF,
  Field,
  Identifier,
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,
  // Keywords come after all the rest.
  Keyword,
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
}

export interface Token {
  typ: Item;
  /** Start offset in the source (JS string index). */
  pos: number;
  val: string;
  /** Line number at the start of the token. */
  line: number;
}

const KEYWORDS: Record<string, Item> = {
  '.': Item.Dot,
  block: Item.Block,
  break: Item.Break,
  continue: Item.Continue,
  define: Item.Define,
  else: Item.Else,
  end: Item.End,
  if: Item.If,
  range: Item.Range,
  nil: Item.Nil,
  template: Item.Template,
  with: Item.With,
};

const LEFT_DELIM = '{{';
const RIGHT_DELIM = '}}';
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';
const EOF = -1;

const ALNUM_RE = /[\p{L}\p{Nd}_]/u;

const isSpace = (r: number): boolean => r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
const isAlphaNumeric = (r: number): boolean => {
  if (r < 0x80) return r === 0x5f || (r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
  return r !== EOF && ALNUM_RE.test(String.fromCodePoint(r));
};
const hasLeftTrimMarker = (s: string, i: number): boolean => s.charCodeAt(i) === 0x2d && isSpace(s.charCodeAt(i + 1));
const hasRightTrimMarker = (s: string, i: number): boolean => isSpace(s.charCodeAt(i)) && s.charCodeAt(i + 1) === 0x2d;

/** Go's %#U: "U+0041 'A'" (the character only when printable). */
function formatRune(r: number): string {
  const hex = 'U+' + r.toString(16).toUpperCase().padStart(4, '0');
  return r >= 0x20 && r !== 0x7f ? `${hex} '${String.fromCodePoint(r)}'` : hex;
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 0x0a) n++;
  return n;
}

type State = ((l: Lexer) => void) | null;

/** A state-machine lexer equivalent to text/template/parse's (same tokens, lines and errors). */
export class Lexer {
  private pos = 0;
  private start = 0;
  private width = 0;
  private parenDepth = 0;
  private line = 1;
  private startLine = 1;
  private state: State = lexText;
  private out: Token | undefined;

  constructor(readonly input: string) {}

  /** The next token; after EOF or an error keeps returning EOF. */
  nextItem(): Token {
    while (this.state) {
      this.out = undefined;
      this.state(this);
      if (this.out) return this.out;
    }
    return { typ: Item.EOF, pos: this.pos, val: '', line: this.startLine };
  }

  next(): number {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos)!;
    this.width = r > 0xffff ? 2 : 1;
    this.pos += this.width;
    if (r === 0x0a) this.line++;
    return r;
  }

  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  backup(): void {
    this.pos -= this.width;
    if (this.width === 1 && this.input.charCodeAt(this.pos) === 0x0a) this.line--;
  }

  emit(t: Item, next: State): void {
    this.out = { typ: t, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.startLine };
    this.start = this.pos;
    this.startLine = this.line;
    this.state = next;
  }

  ignore(): void {
    this.line += countNewlines(this.input, this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }

  accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || !valid.includes(String.fromCodePoint(r))) break;
    }
    this.backup();
  }

  errorf(msg: string): void {
    this.out = { typ: Item.Error, pos: this.start, val: msg, line: this.startLine };
    this.state = null;
  }

  atRightDelim(): [boolean, boolean] {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith(RIGHT_DELIM, this.pos + 2)) return [true, true];
    if (this.input.startsWith(RIGHT_DELIM, this.pos)) return [true, false];
    return [false, false];
  }

  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF:
      case 0x2e: // .
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3a: // :
      case 0x29: // )
      case 0x28: // (
        return true;
    }
    return r === RIGHT_DELIM.charCodeAt(0);
  }

  scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }

  // State helpers that need private fields.
  static text(l: Lexer): void {
    l.width = 0;
    const x = l.input.indexOf(LEFT_DELIM, l.pos);
    if (x >= 0) {
      l.pos = x;
      let trim = 0;
      if (hasLeftTrimMarker(l.input, l.pos + LEFT_DELIM.length)) {
        const before = l.input.slice(l.start, l.pos);
        trim = before.length - before.replace(/[ \t\r\n]+$/, '').length;
      }
      l.pos -= trim;
      let emitted = false;
      if (l.pos > l.start) {
        l.line += countNewlines(l.input, l.start, l.pos);
        l.emit(Item.Text, lexLeftDelim);
        emitted = true;
      }
      l.pos += trim;
      l.ignore();
      if (!emitted) l.state = lexLeftDelim;
      return;
    }
    l.pos = l.input.length;
    if (l.pos > l.start) {
      l.line += countNewlines(l.input, l.start, l.pos);
      l.emit(Item.Text, lexText);
      return;
    }
    l.emit(Item.EOF, null);
  }

  static leftDelim(l: Lexer): void {
    l.pos += LEFT_DELIM.length;
    const trimSpace = hasLeftTrimMarker(l.input, l.pos);
    const afterMarker = trimSpace ? 2 : 0;
    if (l.input.startsWith(LEFT_COMMENT, l.pos + afterMarker)) {
      l.pos += afterMarker;
      l.ignore();
      l.state = lexComment;
      return;
    }
    l.emit(Item.LeftDelim, lexInsideAction);
    l.pos += afterMarker;
    l.ignore();
    l.parenDepth = 0;
  }

  static comment(l: Lexer): void {
    l.pos += LEFT_COMMENT.length;
    const i = l.input.indexOf(RIGHT_COMMENT, l.pos);
    if (i < 0) return l.errorf('unclosed comment');
    l.pos = i + RIGHT_COMMENT.length;
    const [delim, trimSpace] = l.atRightDelim();
    if (!delim) return l.errorf('comment ends before closing delimiter');
    if (trimSpace) l.pos += 2;
    l.pos += RIGHT_DELIM.length;
    if (trimSpace) l.pos += leftTrimLength(l.input, l.pos);
    l.ignore();
    l.state = lexText;
  }

  static rightDelim(l: Lexer): void {
    const trimSpace = hasRightTrimMarker(l.input, l.pos);
    if (trimSpace) {
      l.pos += 2;
      l.ignore();
    }
    l.pos += RIGHT_DELIM.length;
    l.emit(Item.RightDelim, lexText);
    if (trimSpace) {
      l.pos += leftTrimLength(l.input, l.pos);
      l.ignore();
    }
  }

  static insideAction(l: Lexer): void {
    const [delim] = l.atRightDelim();
    if (delim) {
      if (l.parenDepth === 0) {
        l.state = lexRightDelim;
        return;
      }
      return l.errorf('unclosed left paren');
    }
    const r = l.next();
    if (r === EOF) return l.errorf('unclosed action');
    if (isSpace(r)) {
      l.backup();
      l.state = lexSpace;
      return;
    }
    switch (r) {
      case 0x3d: // =
        return l.emit(Item.Assign, lexInsideAction);
      case 0x3a: // :
        if (l.next() !== 0x3d) return l.errorf('expected :=');
        return l.emit(Item.Declare, lexInsideAction);
      case 0x7c:
        return l.emit(Item.Pipe, lexInsideAction);
      case 0x22:
        l.state = lexQuote;
        return;
      case 0x60:
        l.state = lexRawQuote;
        return;
      case 0x24:
        l.state = lexVariable;
        return;
      case 0x27:
        l.state = lexChar;
        return;
      case 0x28:
        l.emit(Item.LeftParen, lexInsideAction);
        l.parenDepth++;
        return;
      case 0x29:
        l.emit(Item.RightParen, lexInsideAction);
        l.parenDepth--;
        if (l.parenDepth < 0) l.errorf(`unexpected right paren ${formatRune(r)}`);
        return;
    }
    if (r === 0x2e && l.pos < l.input.length) {
      const c = l.input.charCodeAt(l.pos);
      if (c < 0x30 || c > 0x39) {
        l.state = lexField;
        return;
      }
    }
    if (r === 0x2e || r === 0x2b || r === 0x2d || (r >= 0x30 && r <= 0x39)) {
      l.backup();
      l.state = lexNumber;
      return;
    }
    if (isAlphaNumeric(r)) {
      l.backup();
      l.state = lexIdentifier;
      return;
    }
    if (r < 0x7f && r >= 0x20) return l.emit(Item.Char, lexInsideAction);
    l.errorf(`unrecognized character in action: ${formatRune(r)}`);
  }

  static space(l: Lexer): void {
    let numSpaces = 0;
    while (isSpace(l.peek())) {
      l.next();
      numSpaces++;
    }
    if (hasRightTrimMarker(l.input, l.pos - 1) && l.input.startsWith(RIGHT_DELIM, l.pos - 1 + 2)) {
      l.backup();
      if (numSpaces === 1) {
        l.state = lexRightDelim;
        return;
      }
    }
    l.emit(Item.Space, lexInsideAction);
  }

  static identifier(l: Lexer): void {
    for (;;) {
      const r = l.next();
      if (isAlphaNumeric(r)) continue;
      l.backup();
      const word = l.input.slice(l.start, l.pos);
      if (!l.atTerminator()) return l.errorf(`bad character ${formatRune(r)}`);
      const kw = KEYWORDS[word];
      if (kw !== undefined && kw > Item.Keyword) l.emit(kw, lexInsideAction);
      else if (word[0] === '.') l.emit(Item.Field, lexInsideAction);
      else if (word === 'true' || word === 'false') l.emit(Item.Bool, lexInsideAction);
      else l.emit(Item.Identifier, lexInsideAction);
      return;
    }
  }

  static fieldOrVariable(l: Lexer, typ: Item): void {
    if (l.atTerminator()) {
      l.emit(typ === Item.Variable ? Item.Variable : Item.Dot, lexInsideAction);
      return;
    }
    let r: number;
    for (;;) {
      r = l.next();
      if (!isAlphaNumeric(r)) {
        l.backup();
        break;
      }
    }
    if (!l.atTerminator()) return l.errorf(`bad character ${formatRune(r)}`);
    l.emit(typ, lexInsideAction);
  }

  static char(l: Lexer): void {
    for (;;) {
      let r = l.next();
      if (r === 0x5c) {
        r = l.next();
        if (r !== EOF && r !== 0x0a) continue;
        return l.errorf('unterminated character constant');
      }
      if (r === EOF || r === 0x0a) return l.errorf('unterminated character constant');
      if (r === 0x27) break;
    }
    l.emit(Item.CharConstant, lexInsideAction);
  }

  static number(l: Lexer): void {
    if (!l.scanNumber()) return l.errorf(`bad number syntax: ${goQuote(l.input.slice(l.start, l.pos))}`);
    const sign = l.peek();
    if (sign === 0x2b || sign === 0x2d) {
      if (!l.scanNumber() || l.input[l.pos - 1] !== 'i') return l.errorf(`bad number syntax: ${goQuote(l.input.slice(l.start, l.pos))}`);
      return l.emit(Item.Complex, lexInsideAction);
    }
    l.emit(Item.Number, lexInsideAction);
  }

  static quote(l: Lexer): void {
    for (;;) {
      let r = l.next();
      if (r === 0x5c) {
        r = l.next();
        if (r !== EOF && r !== 0x0a) continue;
        return l.errorf('unterminated quoted string');
      }
      if (r === EOF || r === 0x0a) return l.errorf('unterminated quoted string');
      if (r === 0x22) break;
    }
    l.emit(Item.String, lexInsideAction);
  }

  static rawQuote(l: Lexer): void {
    for (;;) {
      const r = l.next();
      if (r === EOF) return l.errorf('unterminated raw quoted string');
      if (r === 0x60) break;
    }
    l.emit(Item.RawString, lexInsideAction);
  }

  static variable(l: Lexer): void {
    if (l.atTerminator()) return l.emit(Item.Variable, lexInsideAction);
    Lexer.fieldOrVariable(l, Item.Variable);
  }
}

function leftTrimLength(s: string, i: number): number {
  let j = i;
  while (j < s.length && isSpace(s.charCodeAt(j))) j++;
  return j - i;
}

const lexText = Lexer.text;
const lexLeftDelim = Lexer.leftDelim;
const lexComment = Lexer.comment;
const lexRightDelim = Lexer.rightDelim;
const lexInsideAction = Lexer.insideAction;
const lexSpace = Lexer.space;
const lexIdentifier = Lexer.identifier;
const lexField = (l: Lexer): void => Lexer.fieldOrVariable(l, Item.Field);
const lexVariable = Lexer.variable;
const lexChar = Lexer.char;
const lexNumber = Lexer.number;
const lexQuote = Lexer.quote;
const lexRawQuote = Lexer.rawQuote;
