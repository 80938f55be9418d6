// Loki's `detected_level` discovery (pkg/distributor/field_detection.go): the level of an entry from
// its labels, structured metadata, OTLP severity, JSON or logfmt fields, or words in the line. Pure.
import type { Label } from '../model/labels.js';

export const DETECTED_LEVEL = 'detected_level';

/** Field names that hold a level, in order of preference (Loki's default `log_level_fields`). */
export const LEVEL_FIELDS: readonly string[] = [
  'level',
  'LEVEL',
  'Level',
  'Severity',
  'severity',
  'SEVERITY',
  'lvl',
  'LVL',
  'Lvl',
  'severity_text',
  'Severity_Text',
  'SEVERITY_TEXT',
];
const LEVEL_FIELD_SET = new Set(LEVEL_FIELDS);
/** Lower-cased field name → its earliest position in LEVEL_FIELDS (logfmt keys match without case). */
const LEVEL_FIELD_RANK = new Map<string, number>();
for (let i = LEVEL_FIELDS.length - 1; i >= 0; i--) LEVEL_FIELD_RANK.set(LEVEL_FIELDS[i].toLowerCase(), i);
const SHORTEST_FIELD = Math.min(...LEVEL_FIELDS.map((f) => f.length));
const LONGEST_FIELD = Math.max(...LEVEL_FIELDS.map((f) => f.length));

/** Nesting levels of a JSON line searched for a level field (Loki's `log_level_from_json_max_depth`). */
const JSON_MAX_DEPTH = 2;

const OTLP_SEVERITY_NUMBER = 'severity_number';
const INT64_MAX = (1n << 63n) - 1n;

/** The value of the first level field present in `labels`, in LEVEL_FIELDS order (Loki's labelsContainAny). */
export function levelField(labels: readonly Label[]): string | undefined {
  for (const field of LEVEL_FIELDS) {
    for (const l of labels) if (l.name === field) return l.value;
  }
  return undefined;
}

function metadataValue(metadata: readonly Label[], name: string): string {
  for (const l of metadata) if (l.name === name) return l.value;
  return '';
}

/**
 * The detected level of an entry whose stream labels hold no level field: a level field of the
 * structured metadata (its value as is), else the OTLP severity number, else the line's content.
 * Returns '' when the metadata names a level field with an empty value (Loki then adds nothing).
 */
export function detectEntryLevel(line: string, metadata: readonly Label[] | undefined): string {
  if (metadata !== undefined && metadata.length > 0) {
    const fromMetadata = levelField(metadata);
    if (fromMetadata !== undefined) return fromMetadata;
    const severity = metadataValue(metadata, OTLP_SEVERITY_NUMBER);
    if (severity !== '') return levelFromSeverityNumber(severity);
  }
  return levelFromLine(line);
}

/** OpenTelemetry SeverityNumber ranges: 1-4 trace, 5-8 debug, 9-12 info, 13-16 warn, 17-20 error, 21-24 fatal. */
function levelFromSeverityNumber(text: string): string {
  // Go's strconv.Atoi: optional sign, decimal digits, int64 range; anything else counts as info.
  if (!/^[+-]?[0-9]+$/.test(text)) return 'info';
  const big = BigInt(text);
  if (big > INT64_MAX || big < -INT64_MAX - 1n) return 'info';
  const n = Number(big);
  if (n === 0) return 'unknown';
  if (n <= 4) return 'trace';
  if (n <= 8) return 'debug';
  if (n <= 12) return 'info';
  if (n <= 16) return 'warn';
  if (n <= 20) return 'error';
  if (n <= 24) return 'fatal';
  return 'unknown';
}

/** Go unicode.IsSpace for one UTF-16 unit (the BMP is all that spaces need). */
function isSpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** A line whose first and last non-space characters are braces. */
function isJsonLine(line: string): boolean {
  let first = 0;
  while (first < line.length && isSpace(line.charCodeAt(first))) first++;
  if (line.charCodeAt(first) !== 0x7b) return false;
  let last = line.length - 1;
  while (last > first && isSpace(line.charCodeAt(last))) last--;
  return line.charCodeAt(last) === 0x7d;
}

function levelFromLine(line: string): string {
  let value: string | undefined;
  if (isJsonLine(line)) value = jsonLevelValue(line);
  else if (line.includes('=')) value = logfmtLevelValue(line);
  else return levelFromWords(line);
  switch (value?.toLowerCase()) {
    case 'trace':
    case 'trc':
      return 'trace';
    case 'debug':
    case 'dbg':
      return 'debug';
    case 'info':
    case 'inf':
      return 'info';
    case 'warn':
    case 'wrn':
    case 'warning':
      return 'warn';
    case 'error':
    case 'err':
      return 'error';
    case 'critical':
      return 'critical';
    case 'fatal':
      return 'fatal';
    default:
      return levelFromWords(line);
  }
}

function levelFromWords(line: string): string {
  if (line.includes('info') || line.includes('INFO')) return 'info';
  if (line.includes('err') || line.includes('ERR')) return 'error';
  if (line.includes('warn') || line.includes('WARN')) return 'warn';
  if (line.includes('CRITICAL') || line.includes('critical')) return 'critical';
  if (line.includes('debug') || line.includes('DEBUG')) return 'debug';
  return 'unknown';
}

/**
 * Walks the members of a JSON object line (and of objects nested less than JSON_MAX_DEPTH deep) and
 * returns the raw text of the first string member named like a level field. Stops quietly at the
 * first malformed construct, as Loki's jsonparser does.
 */
function jsonLevelValue(line: string): string | undefined {
  const scanner = new JsonMemberScanner(line);
  return scanner.findLevel(line.indexOf('{'), 0);
}

class JsonMemberScanner {
  pos = 0;
  constructor(private readonly s: string) {}

  private skipSpace(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  /** Reads a string starting at pos (on its quote); returns its raw body or undefined if unterminated. */
  private rawString(): string | undefined {
    const s = this.s;
    let i = this.pos + 1;
    for (;;) {
      const q = s.indexOf('"', i);
      if (q === -1) return undefined;
      let backslashes = 0;
      while (s.charCodeAt(q - 1 - backslashes) === 0x5c) backslashes++;
      if (backslashes % 2 === 0) {
        const raw = s.slice(this.pos + 1, q);
        this.pos = q + 1;
        return raw;
      }
      i = q + 1;
    }
  }

  /** Skips any value; returns false when the JSON is malformed. */
  private skipValue(): boolean {
    const s = this.s;
    const c = s[this.pos];
    if (c === '"') return this.rawString() !== undefined;
    if (c === '{' || c === '[') {
      let depth = 0;
      while (this.pos < s.length) {
        const ch = s[this.pos];
        if (ch === '"') {
          if (this.rawString() === undefined) return false;
          continue;
        }
        if (ch === '{' || ch === '[') depth++;
        else if (ch === '}' || ch === ']') {
          depth--;
          if (depth === 0) {
            this.pos++;
            return true;
          }
        }
        this.pos++;
      }
      return false;
    }
    const start = this.pos;
    while (this.pos < s.length && !',}] \t\r\n'.includes(s[this.pos])) this.pos++;
    return this.pos > start;
  }

  findLevel(open: number, depth: number): string | undefined {
    if (depth >= JSON_MAX_DEPTH) return undefined;
    const s = this.s;
    this.pos = open + 1;
    this.skipSpace();
    if (s[this.pos] === '}') return undefined;
    while (this.pos < s.length) {
      if (s[this.pos] !== '"') return undefined;
      const rawKey = this.rawString();
      if (rawKey === undefined) return undefined;
      this.skipSpace();
      if (s[this.pos] !== ':') return undefined;
      this.pos++;
      this.skipSpace();
      const c = s[this.pos];
      if (c === '"') {
        const value = this.rawString();
        if (value === undefined) return undefined;
        if (LEVEL_FIELD_SET.has(rawKey)) return value;
      } else if (c === '{') {
        const nestedStart = this.pos;
        const found = this.findLevel(nestedStart, depth + 1);
        if (found !== undefined) return found;
        this.pos = nestedStart;
        if (!this.skipValue()) return undefined;
      } else if (!this.skipValue()) {
        return undefined;
      }
      this.skipSpace();
      if (s[this.pos] === '}') return undefined;
      if (s[this.pos] !== ',') return undefined;
      this.pos++;
      this.skipSpace();
    }
    return undefined;
  }
}

/**
 * Scans `key=value` pairs (go-logfmt rules) and returns the value of the key matching the earliest
 * level field, compared without regard to case; stops at the first syntax error.
 */
function logfmtLevelValue(line: string): string | undefined {
  let best = LEVEL_FIELDS.length;
  let result: string | undefined;
  const n = line.length;
  let pos = 0;
  while (pos < n) {
    while (pos < n && line.charCodeAt(pos) <= 0x20) pos++;
    if (pos >= n) break;
    const keyStart = pos;
    while (pos < n) {
      const c = line.charCodeAt(pos);
      if (c === 0x3d || c <= 0x20) break;
      if (c === 0x22) return result;
      pos++;
    }
    const keyEnd = pos;
    // The value is only cut out of the line when its key is a level field.
    let valueStart = pos;
    let valueEnd = pos;
    let unquoted: string | undefined;
    if (pos < n && line.charCodeAt(pos) === 0x3d) {
      if (pos === keyStart) return result;
      pos++;
      if (pos < n && line.charCodeAt(pos) === 0x22) {
        const close = quotedEnd(line, pos);
        if (close === -1) return result;
        valueStart = pos + 1;
        valueEnd = close;
        pos = close + 1;
        const backslash = line.indexOf('\\', valueStart);
        if (backslash !== -1 && backslash < valueEnd) {
          unquoted = unquoteLogfmt(line.slice(valueStart, valueEnd));
          if (unquoted === undefined) return result;
        }
      } else {
        valueStart = pos;
        while (pos < n) {
          const c = line.charCodeAt(pos);
          if (c <= 0x20) break;
          if (c === 0x3d || c === 0x22) return result;
          pos++;
        }
        valueEnd = pos;
      }
    }
    const length = keyEnd - keyStart;
    if (length < SHORTEST_FIELD || length > LONGEST_FIELD) continue;
    const rank = LEVEL_FIELD_RANK.get(line.slice(keyStart, keyEnd).toLowerCase());
    if (rank !== undefined && rank < best) {
      result = unquoted ?? line.slice(valueStart, valueEnd);
      best = rank;
      if (rank === 0) return result;
    }
  }
  return result;
}

function quotedEnd(line: string, open: number): number {
  let escaped = false;
  for (let i = open + 1; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (escaped) escaped = false;
    else if (c === 0x5c) escaped = true;
    else if (c === 0x22) return i;
  }
  return -1;
}

function unquoteLogfmt(body: string): string | undefined {
  try {
    const v: unknown = JSON.parse(`"${body}"`);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
