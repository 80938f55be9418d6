// A small JSON reader that keeps what Go's lenient decoders see and JSON.parse hides: members in
// document order with duplicates, raw (still escaped) string text and source offsets. Pure.

export type JsonNode = JsonObject | JsonArray | JsonString | JsonScalar;

interface JsonSpan {
  /** Offsets of the value's first character and one past its last in the source text. */
  start: number;
  end: number;
}

export interface JsonObject extends JsonSpan {
  kind: 'object';
  members: JsonMember[];
}

export interface JsonMember {
  key: string;
  value: JsonNode;
}

export interface JsonArray extends JsonSpan {
  kind: 'array';
  items: JsonNode[];
}

export interface JsonString extends JsonSpan {
  kind: 'string';
  /** The unescaped text. */
  value: string;
  /** The text between the quotes as written (escapes not applied). */
  raw: string;
}

export interface JsonScalar extends JsonSpan {
  kind: 'number' | 'true' | 'false' | 'null';
}

/** Deepest nesting accepted (Go's json-iterator allows 10000; push bodies never nest past 4, and recursion needs stack). */
const MAX_DEPTH = 1000;

export class JsonSyntaxError extends Error {
  constructor(
    readonly operation: string,
    readonly detail: string,
    readonly offset: number,
  ) {
    super(`${operation}: ${detail}`);
  }
}

const NUMBER_RE = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Reads the first JSON value of `text` (what follows it is ignored, as Go's stream decoder does).
 * Returns undefined when the text holds nothing but whitespace; throws JsonSyntaxError.
 */
export function readJsonValue(text: string): JsonNode | undefined {
  const reader = new JsonReader(text);
  reader.skipWhitespace();
  if (reader.pos >= text.length) return undefined;
  return reader.value(0);
}

/** Unescapes the body of a JSON string; returns undefined for an invalid escape. */
export function unescapeJsonString(raw: string): string | undefined {
  let out = '';
  let from = 0;
  let i = raw.indexOf('\\');
  while (i !== -1) {
    out += raw.slice(from, i);
    const e = raw[i + 1];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        i += 2;
        break;
      case 'b':
        out += '\b';
        i += 2;
        break;
      case 'f':
        out += '\f';
        i += 2;
        break;
      case 'n':
        out += '\n';
        i += 2;
        break;
      case 'r':
        out += '\r';
        i += 2;
        break;
      case 't':
        out += '\t';
        i += 2;
        break;
      case 'u': {
        const hex = raw.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
        let code = parseInt(hex, 16);
        i += 6;
        if (code >= 0xd800 && code < 0xdc00) {
          const low = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(raw.slice(i, i + 6));
          if (low) {
            code = 0x10000 + ((code - 0xd800) << 10) + (parseInt(low[1], 16) - 0xdc00);
            i += 6;
          } else {
            code = 0xfffd;
          }
        } else if (code >= 0xdc00 && code < 0xe000) {
          code = 0xfffd;
        }
        out += String.fromCodePoint(code);
        break;
      }
      default:
        return undefined;
    }
    from = i;
    i = raw.indexOf('\\', i);
  }
  return out + raw.slice(from);
}

class JsonReader {
  pos = 0;

  constructor(private readonly text: string) {}

  skipWhitespace(): void {
    const text = this.text;
    while (this.pos < text.length && isWhitespace(text.charCodeAt(this.pos))) this.pos++;
  }

  private found(): string {
    return this.pos < this.text.length ? this.text[this.pos] : '\x00';
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError('incrementDepth', 'exceeded max depth', this.pos);
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b:
        return this.object(depth);
      case 0x5b:
        return this.array(depth);
      case 0x22:
        return this.string();
      case 0x74:
        return this.literal('true');
      case 0x66:
        return this.literal('false');
      case 0x6e:
        return this.literal('null');
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        throw new JsonSyntaxError('ReadAny', `unexpected character: ${this.found()}`, this.pos);
    }
  }

  private object(depth: number): JsonObject {
    const start = this.pos++;
    const members: JsonMember[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return { kind: 'object', members, start, end: this.pos };
    }
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== 0x22)
        throw new JsonSyntaxError('ReadObjectCB', `expect " after {, but found ${this.found()}`, this.pos);
      const key = this.string().value;
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x3a)
        throw new JsonSyntaxError('ReadObjectCB', `expect : after object field, but found ${this.found()}`, this.pos);
      this.pos++;
      this.skipWhitespace();
      members.push({ key, value: this.value(depth + 1) });
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x7d) return { kind: 'object', members, start, end: this.pos };
      if (c !== 0x2c) {
        this.pos--;
        throw new JsonSyntaxError('ReadObjectCB', `object not ended with }, but found ${this.found()}`, this.pos);
      }
      this.skipWhitespace();
    }
  }

  private array(depth: number): JsonArray {
    const start = this.pos++;
    const items: JsonNode[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return { kind: 'array', items, start, end: this.pos };
    }
    for (;;) {
      if (this.pos >= this.text.length) throw new JsonSyntaxError('ReadArrayCB', 'expect value, but found \x00', this.pos);
      items.push(this.value(depth + 1));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x5d) return { kind: 'array', items, start, end: this.pos };
      if (c !== 0x2c) {
        this.pos--;
        throw new JsonSyntaxError('ReadArrayCB', `expect , or ], but found ${this.found()}`, this.pos);
      }
      this.skipWhitespace();
    }
  }

  private string(): JsonString {
    const text = this.text;
    const start = this.pos;
    let quote = start;
    for (;;) {
      quote = text.indexOf('"', quote + 1);
      if (quote === -1) throw new JsonSyntaxError('readStringSlowPath', 'unexpected end of input', text.length);
      // A quote preceded by an odd number of backslashes is part of the string.
      let backslashes = 0;
      while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
      if (backslashes % 2 === 0) break;
    }
    const raw = text.slice(start + 1, quote);
    this.pos = quote + 1;
    const value = raw.includes('\\') ? unescapeJsonString(raw) : raw;
    if (value === undefined) throw new JsonSyntaxError('readEscapedChar', 'invalid escape char after \\', start);
    return { kind: 'string', value, raw, start, end: this.pos };
  }

  private literal(word: 'true' | 'false' | 'null'): JsonScalar {
    const start = this.pos;
    if (this.text.startsWith(word, start)) {
      this.pos += word.length;
      return { kind: word, start, end: this.pos };
    }
    throw new JsonSyntaxError('ReadAny', `invalid literal, expect ${word}`, start);
  }

  private number(): JsonScalar {
    const start = this.pos;
    const text = this.text;
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (!((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45)) break;
    }
    if (!NUMBER_RE.test(text.slice(start, i))) throw new JsonSyntaxError('readNumberAsString', 'invalid number', start);
    this.pos = i;
    return { kind: 'number', start, end: i };
  }
}
