// The `| logfmt` stage (plain, --strict, --keep-empty, and `| logfmt a="key"` expressions) with
// Loki's decoder: its recovery rules and its byte-position error texts. The line is never changed.
import { isValidLabelName } from '../../model/labels.js';
import type { Extraction } from '../ast.js';
import { ERR_LOGFMT, ERROR_LABEL, PipelineBuildError } from './errors.js';
import { extractedName, isLabelNameAt, nameIndexAt, sanitizeLabelKey } from './label-names.js';
import { Category, type LabelsBuilder } from './labels-builder.js';
import type { ParserHints } from './parser-hints.js';
import type { Stage } from './stage.js';

function utf8Length(s: string, end: number): number {
  return Buffer.byteLength(end >= s.length ? s : s.slice(0, end), 'utf8');
}

/** Go's %q of a single byte, as in `unexpected '='`. */
function quoteByte(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '\\') return "'\\\\'";
  return `'${c}'`;
}

const UNQUOTE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', "'": "'", b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Unquotes a quoted logfmt value (JSON-style escapes); undefined when invalid. */
function unquote(q: string): string | undefined {
  let out = '';
  for (let i = 1; i < q.length - 1; i++) {
    const c = q[i];
    if (c === '"') return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = q[++i];
    if (i >= q.length - 1) return undefined;
    const simple = UNQUOTE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    if (e !== 'u' || !/^[0-9a-fA-F]{4}$/.test(q.slice(i + 1, i + 5))) return undefined;
    let r = parseInt(q.slice(i + 1, i + 5), 16);
    i += 4;
    if (r >= 0xd800 && r <= 0xdfff) {
      const low = q[i + 1] === '\\' && q[i + 2] === 'u' && /^[0-9a-fA-F]{4}$/.test(q.slice(i + 3, i + 7)) ? parseInt(q.slice(i + 3, i + 7), 16) : -1;
      if (r < 0xdc00 && low >= 0xdc00 && low <= 0xdfff) {
        out += String.fromCodePoint(((r - 0xd800) << 10) + (low - 0xdc00) + 0x10000);
        i += 6;
        continue;
      }
      r = 0xfffd;
    }
    out += String.fromCharCode(r);
  }
  return out;
}

/** Loki's logfmt decoder over a string; positions in errors are 1-based byte offsets. */
export class LogfmtDecoder {
  private line = '';
  /** Position of the next backslash at or after the last search in this line (-1: none; -2: not searched). */
  private nextBackslash = -2;
  private pos = 0;
  /** The current pair's key: [keyStart, keyEnd) of the line (sliced only when read), or none (keyStart < 0). */
  private keyText: string | undefined;
  keyStart = -1;
  keyEnd = -1;
  /** Whether the current key is all ASCII. */
  keyAscii = false;
  /** The value: an unquoted text, or [valueStart, valueEnd) of the line (sliced only when read). */
  private valueText: string | undefined;
  private valueStart = -1;
  private valueEnd = -1;
  err: string | undefined;

  /** The current pair's key; undefined when absent. */
  get key(): string | undefined {
    if (this.keyText === undefined && this.keyStart >= 0) this.keyText = this.line.slice(this.keyStart, this.keyEnd);
    return this.keyText;
  }

  private setKey(start: number, end: number, ascii: boolean): void {
    this.keyStart = start;
    this.keyEnd = end;
    this.keyAscii = ascii;
  }

  /** The current pair's value; undefined when empty or absent. */
  get value(): string | undefined {
    if (this.valueText !== undefined) return this.valueText;
    return this.valueStart < 0 ? undefined : this.line.slice(this.valueStart, this.valueEnd);
  }

  /** Starts on `line` at position `from` (0, or where a pair starts). */
  reset(line: string, from = 0): void {
    this.line = line;
    this.nextBackslash = -2;
    this.pos = from;
    this.err = undefined;
  }

  eol(): boolean {
    return this.pos >= this.line.length;
  }

  private syntaxError(msg: string): void {
    this.err = `logfmt syntax error at pos ${utf8Length(this.line, this.pos) + 1} : ${msg}`;
  }

  private unexpected(c: string): void {
    this.syntaxError(`unexpected ${quoteByte(c)}`);
  }

  /** Skips to the next whitespace after an error inside a pair. */
  private skipValue(): false {
    const s = this.line;
    while (this.pos < s.length && s.charCodeAt(this.pos) > 0x20) this.pos++;
    return false;
  }

  /** Advances to the next key/value pair; false at the end of the line or on an error. */
  scanKeyval(): boolean {
    this.keyText = this.valueText = undefined;
    this.keyStart = -1;
    this.valueStart = -1;
    const s = this.line;
    const n = s.length;
    // Positions live in locals in the loops (stored back on every exit): this.pos is a field.
    let p = this.pos;
    while (p < n && s.charCodeAt(p) <= 0x20) p++;
    this.pos = p;
    if (p >= n) return false;

    const start = p;
    let multibyte = false;
    for (; p < n; p++) {
      const c = s.charCodeAt(p);
      if (c === 0x3d) {
        this.pos = p;
        if (p > start) {
          this.setKey(start, p, !multibyte);
          if (multibyte && this.key!.includes('\ufffd')) {
            this.syntaxError('invalid key');
            return this.skipValue();
          }
        }
        if (this.keyStart < 0) {
          this.unexpected('=');
          return this.skipValue();
        }
        return this.scanValue();
      }
      if (c === 0x22) {
        this.pos = p;
        this.unexpected('"');
        return this.skipValue();
      }
      if (c <= 0x20) {
        this.pos = p;
        this.setKey(start, p, !multibyte);
        if (multibyte && this.key!.includes('\ufffd')) {
          this.syntaxError('invalid key');
          return false;
        }
        return true;
      }
      if (c >= 0x80) multibyte = true;
    }
    this.pos = n;
    this.setKey(start, n, !multibyte);
    if (multibyte && this.key!.includes('\ufffd')) {
      this.syntaxError('invalid key');
      return false;
    }
    return true;
  }

  private setValueRange(start: number, end: number): void {
    this.valueStart = start;
    this.valueEnd = end;
  }

  private scanValue(): boolean {
    const s = this.line;
    const n = s.length;
    let p = ++this.pos;
    if (p >= n) return true;
    const c0 = s.charCodeAt(p);
    if (c0 <= 0x20) return true;
    if (c0 === 0x22) return this.scanQuoted();
    const start = p;
    for (; p < n; p++) {
      const c = s.charCodeAt(p);
      if (c === 0x3d || c === 0x22) {
        this.pos = p;
        this.unexpected(s[p]);
        return this.skipValue();
      }
      if (c <= 0x20) {
        this.pos = p;
        if (p > start) this.setValueRange(start, p);
        return true;
      }
    }
    this.pos = n;
    if (n > start) this.setValueRange(start, n);
    return true;
  }

  private scanQuoted(): boolean {
    const s = this.line;
    const n = s.length;
    const start = this.pos;
    // Without a backslash before the next quote, that quote ends the value (found natively).
    const quote = s.indexOf('"', start + 1);
    if (quote >= 0) {
      // Scans move forward only, so one search serves every quoted value up to that backslash.
      let backslash = this.nextBackslash;
      if (backslash === -2 || (backslash >= 0 && backslash <= start)) backslash = this.nextBackslash = s.indexOf('\\', start + 1);
      if (backslash < 0 || backslash > quote) {
        this.pos = quote + 1;
        if (quote > start + 1) this.setValueRange(start + 1, quote);
        return true;
      }
    }
    let hasEsc = false;
    let esc = false;
    for (let p = start + 1; p < n; p++) {
      const c = s.charCodeAt(p);
      if (esc) esc = false;
      else if (c === 0x5c) hasEsc = esc = true;
      else if (c === 0x22) {
        this.pos = p + 1;
        if (hasEsc) {
          const v = unquote(s.slice(start, this.pos));
          if (v === undefined) {
            this.syntaxError('invalid quoted value');
            return false;
          }
          this.valueText = v;
        } else if (p > start + 1) this.setValueRange(start + 1, p);
        return true;
      }
    }
    this.pos = n;
    this.syntaxError('unterminated quoted value');
    return false;
  }
}

export class LogfmtParserStage implements Stage {
  private readonly dec = new LogfmtDecoder();
  private readonly names = new Map<string, string>();

  readonly usesPrintableLines: boolean;

  constructor(
    private readonly strict: boolean,
    private readonly keepEmpty: boolean,
  ) {
    this.usesPrintableLines = !strict;
  }

  private sanitized(key: string): string {
    let name = this.names.get(key);
    if (name === undefined) {
      name = sanitizeLabelKey(key, true);
      if (this.names.size < 1024) this.names.set(key, name);
    }
    return name;
  }

  process(_ts: bigint, line: string, lbs: LabelsBuilder): string | undefined {
    const hints = lbs.hints;
    if (hints !== undefined && lbs.allRequiredExtracted()) return line;
    if (hints?.required !== undefined && !this.strict && lbs.printableLine === line) return this.scanPrintable(line, lbs, hints);
    return this.scanDecoded(line, lbs, 0);
  }

  /**
   * Sets the parsed label `name` (its `_extracted` form when the stream or metadata has it) to `val`
   * unless already set: KEEP_SCANNING, STOP (every required label is set, or none can follow
   * without --strict) or DROP (an early filter rejected the entry).
   */
  private setParsed(lbs: LabelsBuilder, hints: ParserHints | undefined, name: string, val: string): number {
    const hinted = hints?.required !== undefined;
    const key = extractedName(lbs, name);
    if (hinted && key !== name && hints.requiredIndex(key) < 0) return KEEP_SCANNING;
    if (lbs.wasExtracted(key)) return KEEP_SCANNING;
    if (val.includes('\ufffd')) val = val.replace(/\ufffd/g, ' ');
    if (!this.keepEmpty && val.length === 0) return KEEP_SCANNING;
    lbs.set(Category.Parsed, key, val);
    if (hints === undefined) return KEEP_SCANNING;
    if (hints.earlyFilters.length > 0 && !hints.continueParsing(key, lbs)) return DROP;
    if (lbs.allRequiredExtracted()) return STOP;
    // Without --strict nothing later in the line is observable once no required label can follow.
    if (hinted && !this.strict && lbs.restUnneeded()) return STOP;
    return KEEP_SCANNING;
  }

  /**
   * The name a hinted parse extracts key [start, end) of `line` as, or undefined when no required
   * label can come of it. Most keys are label names already: compared in place, never sliced.
   */
  private requiredName(line: string, start: number, end: number, ascii: boolean, hints: ParserHints): string | undefined {
    // A required `x_extracted` also requires `x`: an unrequired name cannot become a required one.
    const names = hints.requiredNames!;
    const i = nameIndexAt(line, start, end, names);
    if (i >= 0) return names[i];
    if (ascii && !hints.asciiKeyMayBeRequired(line, start, end)) return undefined;
    if (isLabelNameAt(line, start, end)) return undefined;
    const name = this.sanitized(line.slice(start, end));
    return name.length === 0 || hints.requiredIndex(name) < 0 ? undefined : name;
  }

  /** Loki's decoder over the line from pair start `from` on. */
  private scanDecoded(line: string, lbs: LabelsBuilder, from: number): string | undefined {
    const hints = lbs.hints;
    const hinted = hints?.required !== undefined;
    const dec = this.dec;
    dec.reset(line, from);
    while (!dec.eol()) {
      if (!dec.scanKeyval()) {
        if (this.strict) break;
        continue;
      }
      let name: string | undefined;
      if (hinted) {
        if (dec.keyStart < 0) continue;
        name = this.requiredName(line, dec.keyStart, dec.keyEnd, dec.keyAscii, hints);
        if (name === undefined) continue;
      } else {
        name = this.sanitized(dec.key!);
        if (name.length === 0) continue;
      }
      const next = this.setParsed(lbs, hints, name, dec.value ?? '');
      if (next === DROP) return undefined;
      if (next === STOP) break;
    }
    if (this.strict && dec.err !== undefined) {
      lbs.setParserErr(ERR_LOGFMT, dec.err);
      if (hints !== undefined && hints.earlyFilters.length > 0 && !hints.continueParsing(ERROR_LABEL, lbs)) return undefined;
    }
    return line;
  }

  /**
   * The hinted, non-strict parse of a line of printable ASCII, pair by pair with native searches for
   * the space, '=' and '"' that end them, to the positions the decoder reaches character by character:
   * without control characters a space is the only separator, and without --strict a pair in error is
   * dropped and scanning resumes at the next space, as the decoder's skip does. A quoted value with a
   * backslash hands the rest of the line to the decoder.
   */
  private scanPrintable(line: string, lbs: LabelsBuilder, hints: ParserHints): string | undefined {
    const n = line.length;
    let pos = 0;
    // The first '"' at or after the last search (-1: none; -2: not searched yet).
    let quote = -2;
    let backslash = -2;
    while (pos < n) {
      while (pos < n && line.charCodeAt(pos) === 0x20) pos++;
      if (pos >= n) break;
      const start = pos;
      let space = line.indexOf(' ', start);
      if (space < 0) space = n;
      if (quote !== -1 && quote < start) quote = line.indexOf('"', start);
      // Without a '"' before the next space a pair ends there, whatever it holds; one whose key cannot
      // become a required label is passed over without looking for its '='.
      if ((quote < 0 || quote > space) && !hints.asciiFirstMayBeRequired(line.charCodeAt(start))) {
        pos = space;
        continue;
      }
      let eq = line.indexOf('=', start);
      if (eq < 0 || eq > space) eq = space;
      // A '"' in the key, or '=' with no key: the decoder skips to the next space.
      if ((quote >= 0 && quote < eq) || eq === start) {
        pos = space;
        continue;
      }
      let valueStart = -1;
      let valueEnd = -1;
      let unquoted = false;
      const v = eq + 1;
      if (eq === space || v >= n || line.charCodeAt(v) === 0x20) {
        // A key alone, or an empty value: the pair ends where the key or '=' does.
        pos = eq === space ? space : v;
      } else if (line.charCodeAt(v) === 0x22) {
        const close = line.indexOf('"', v + 1);
        if (backslash !== -1 && backslash <= v) backslash = line.indexOf('\\', v + 1);
        if (close < 0) break; // unterminated: the decoder's scan ends with the line
        if (backslash >= 0 && backslash < close) return this.scanDecoded(line, lbs, start);
        if (close > v + 1) {
          valueStart = v + 1;
          valueEnd = close;
        }
        pos = close + 1;
      } else {
        unquoted = true;
        valueStart = v;
        valueEnd = space;
        pos = space;
      }
      const name = this.requiredName(line, start, eq, true, hints);
      if (name === undefined) continue;
      if (unquoted) {
        // '=' or '"' inside an unquoted value is an error: the decoder drops the pair.
        if (quote !== -1 && quote < v) quote = line.indexOf('"', v);
        const inner = line.indexOf('=', v);
        if ((quote >= 0 && quote < space) || (inner >= 0 && inner < space)) continue;
      }
      const next = this.setParsed(lbs, hints, name, valueStart < 0 ? '' : line.slice(valueStart, valueEnd));
      if (next === DROP) return undefined;
      if (next === STOP) break;
    }
    return line;
  }
}

const KEEP_SCANNING = 0;
const STOP = 1;
const DROP = 2;

/** Loki's logfmt expression grammar: a single key; returns it or throws the syntax/lexer error text. */
export function parseLogfmtExpression(src: string): string {
  const tokens: { t: 'KEY' | 'STRING'; v: string }[] = [];
  let lexErr: string | undefined;
  const chars = [...src];
  for (let i = 0; i < chars.length; ) {
    const c = chars[i];
    if (c === '\0') break;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    if (/^[A-Za-z_]$/.test(c)) {
      let k = '';
      while (i < chars.length && /^[A-Za-z0-9_]$/.test(chars[i])) k += chars[i++];
      tokens.push({ t: 'KEY', v: k });
    } else if (c === '"') {
      let str = '';
      i++;
      while (i < chars.length && chars[i] !== '\0' && chars[i] !== '"' && chars[i] !== ']') str += chars[i++];
      i++;
      tokens.push({ t: 'STRING', v: str });
    } else {
      lexErr = `unexpected char ${c}`;
      break;
    }
  }
  if (tokens.length === 0) throw new Error('syntax error: unexpected $end, expecting KEY');
  if (tokens[0].t !== 'KEY') throw new Error(`syntax error: unexpected ${tokens[0].t}, expecting KEY`);
  if (tokens.length > 1) throw new Error(`syntax error: unexpected ${tokens[1].t}`);
  if (lexErr !== undefined) throw new Error(lexErr);
  return tokens[0].v;
}

export class LogfmtExpressionStage implements Stage {
  private readonly dec = new LogfmtDecoder();
  private readonly ids: string[] = [];
  private readonly keys: string[] = [];

  constructor(
    extractions: readonly Extraction[],
    private readonly strict: boolean,
  ) {
    for (const e of extractions) {
      let key: string;
      try {
        key = parseLogfmtExpression(e.expression);
      } catch (err) {
        throw new PipelineBuildError(`cannot parse expression [${e.expression}]: ${(err as Error).message}`);
      }
      if (!isValidLabelName(e.label)) throw new PipelineBuildError(`invalid extracted label name '${e.label}'`);
      const at = this.ids.indexOf(e.label);
      if (at >= 0) this.keys[at] = key;
      else {
        this.ids.push(e.label);
        this.keys.push(key);
      }
    }
  }

  process(_ts: bigint, line: string, lbs: LabelsBuilder): string | undefined {
    if (lbs.hints !== undefined && lbs.allRequiredExtracted()) return line;
    for (const id of this.ids) if (!lbs.baseHas(id) && !lbs.hasStructuredMetadata(id)) lbs.set(Category.Parsed, id, '');
    const dec = this.dec;
    dec.reset(line);
    while (!dec.eol()) {
      if (!dec.scanKeyval()) {
        if (this.strict) break;
        continue;
      }
      let key = sanitizeLabelKey(dec.key!, true);
      if (key.length === 0) continue;
      const renamed = this.keys.indexOf(key);
      if (renamed >= 0) key = this.ids[renamed];
      if (!this.ids.includes(key)) continue;
      const val = dec.value !== undefined && !dec.value.includes('\ufffd') ? dec.value : '';
      lbs.set(Category.Parsed, extractedName(lbs, key), val);
    }
    if (this.strict && dec.err !== undefined) lbs.setParserErr(ERR_LOGFMT, dec.err);
    return line;
  }
}
