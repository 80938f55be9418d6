// The `| json` stage: flattening every scalar of a JSON object into labels, or extracting the values
// of `| json a="x.y[0]"` expressions. Errors become __error__ labels; the line is never changed.
import { isValidLabelName } from '../../model/labels.js';
import type { Extraction } from '../ast.js';
import { ERR_JSON, PipelineBuildError } from './errors.js';
import { JsonType, lookupPath, objectEachKey, objectEachKeyPlain, unescapeJson, type JsonPathStep, type JsonValue } from './json-scan.js';
import { childName, extractedName, isLabelNameAt, nameIndexAt } from './label-names.js';
import { Category, type LabelsBuilder } from './labels-builder.js';
import type { ParserHints } from './parser-hints.js';
import type { Stage } from './stage.js';

/** A JSON string value as Loki stores it: unescaped (invalid escapes → ""), U+FFFD → space. */
function stringValue(raw: string): string {
  const v = unescapeJson(raw);
  if (v === undefined) return '';
  return v.includes('\ufffd') ? v.replace(/\ufffd/g, ' ') : v;
}

const MAX_CACHED_PREFIXES = 256;
const MAX_CACHED_KEYS = 1024;

/** objectEach stop reasons that are not JSON errors (no jsonparser error text looks like these). */
const FOUND_ALL_LABELS = '\0found all required labels';
const LABEL_DOES_NOT_MATCH = '\0found a label with a matcher that did not match';

export class JsonParserStage implements Stage {
  private line = '';
  private lbs!: LabelsBuilder;
  private hints: ParserHints | undefined;
  /** The line is printable ASCII without a backslash: keys are scanned natively and sized up before slicing. */
  private plain = false;
  /** Flattened name of the object being visited ("" at the top level). */
  private prefix = '';
  /** prefix → key → label name. */
  private readonly names = new Map<string, Map<string, string>>();
  private readonly onKey = (ks: number, ke: number, unescaped: string | undefined, v: JsonValue): string | undefined => this.visitKey(ks, ke, unescaped, v);
  readonly usesPrintableLines = true;

  process(_ts: bigint, line: string, lbs: LabelsBuilder): string | undefined {
    const hints = lbs.hints;
    if (hints !== undefined && lbs.allRequiredExtracted()) return line;
    this.line = line;
    this.lbs = lbs;
    this.hints = hints;
    this.prefix = '';
    this.plain = hints?.required !== undefined && lbs.printableLine === line && line.indexOf('\\') < 0;
    // At the top level the scanner may leave out the members visitKey passes over at once.
    const err = this.plain ? objectEachKeyPlain(line, 0, line.length, this.onKey, hints!.asciiKeyTable) : objectEachKey(line, 0, line.length, this.onKey);
    if (err === undefined || err === FOUND_ALL_LABELS) return line;
    if (err === LABEL_DOES_NOT_MATCH) return undefined;
    lbs.setParserErr(ERR_JSON, err);
    return line;
  }

  /**
   * With parser hints, a top-level scalar whose key is a label name is its own label name: it is
   * matched against the required names in place (most keys are never sliced).
   */
  private visitKey(ks: number, ke: number, unescaped: string | undefined, v: JsonValue): string | undefined {
    const names = this.hints?.requiredNames;
    if (names !== undefined && unescaped === undefined && this.prefix === '' && v.type !== JsonType.Object) {
      if (v.type !== JsonType.String && v.type !== JsonType.Number && v.type !== JsonType.Boolean) return undefined;
      const line = this.line;
      const i = nameIndexAt(line, ks, ke, names);
      if (i >= 0) return this.setLabel(names[i], v);
      // A printable key without edge spaces keeps its length when sanitized (or gains a leading `_`).
      if (this.plain && !this.hints!.asciiKeyMayBeRequired(line, ks, ke) && line.charCodeAt(ks) !== 0x20 && line.charCodeAt(ke - 1) !== 0x20) return undefined;
      if (isLabelNameAt(line, ks, ke)) return undefined;
    }
    return this.visit(unescaped ?? this.line.slice(ks, ke), v);
  }

  private visit(key: string, v: JsonValue): string | undefined {
    switch (v.type) {
      case JsonType.String:
      case JsonType.Number:
      case JsonType.Boolean:
        return this.setLabel(this.labelName(key), v);
      case JsonType.Object: {
        const parent = this.prefix;
        const prefix = this.labelName(key);
        const hints = this.hints;
        // Loki does not descend into objects no required label lives under (their errors go unseen).
        if (hints !== undefined && !hints.shouldExtractPrefix(prefix)) return undefined;
        this.prefix = prefix;
        const err = this.plain ? objectEachKeyPlain(this.line, v.start, v.end, this.onKey) : objectEachKey(this.line, v.start, v.end, this.onKey);
        this.prefix = parent;
        return err;
      }
      default:
        return undefined;
    }
  }

  private labelName(key: string): string {
    let byKey = this.names.get(this.prefix);
    if (!byKey) {
      byKey = new Map();
      if (this.names.size < MAX_CACHED_PREFIXES) this.names.set(this.prefix, byKey);
    }
    let name = byKey.get(key);
    if (name === undefined) {
      name = childName(this.prefix, key);
      if (byKey.size < MAX_CACHED_KEYS) byKey.set(key, name);
    }
    return name;
  }

  private setLabel(name: string, v: JsonValue): string | undefined {
    const { lbs, hints } = this;
    const hinted = hints?.required !== undefined;
    // A required `x_extracted` also requires `x`: an unrequired name cannot become a required one.
    if (hinted && hints.requiredIndex(name) < 0) return undefined;
    const key = extractedName(lbs, name);
    if (hinted && key !== name && hints.requiredIndex(key) < 0) return undefined;
    if (lbs.wasExtracted(key)) return undefined;
    const raw = this.line.slice(v.start, v.end);
    lbs.set(Category.Parsed, key, v.type === JsonType.String ? stringValue(raw) : raw);
    if (hints === undefined) return undefined;
    if (!hints.continueParsing(key, lbs)) return LABEL_DOES_NOT_MATCH;
    return lbs.allRequiredExtracted() ? FOUND_ALL_LABELS : undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// `| json name="expression"`: Loki's jsonexpr grammar (field, .field, ["key"], [index]).

type Token = { t: 'DOT' | 'LSB' | 'RSB' | '$end' } | { t: 'FIELD' | 'STRING'; v: string } | { t: 'INDEX'; v: number };

/** Loki's jsonexpr scanner: returns tokens and the first lexer error (which ends the input). */
function lexJsonExpression(src: string): { tokens: Token[]; err?: string } {
  const tokens: Token[] = [];
  const chars = [...src];
  let i = 0;
  const isIdentStart = (c: string): boolean => /^[A-Za-z_]$/.test(c);
  const isIdent = (c: string): boolean => /^[A-Za-z0-9_]$/.test(c);
  while (i < chars.length) {
    const c = chars[i];
    if (c === '\0') break;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    if (c >= '0' && c <= '9') {
      let digits = '';
      for (;;) {
        const d = i < chars.length ? chars[i] : '\0';
        if (d === '.' && digits.length > 0) return { tokens, err: 'cannot use float as array index' };
        if (d === ' ' || d === '\t' || d === '\n' || d === '.' || d === ']') break;
        if (!(d >= '0' && d <= '9')) return { tokens, err: `non-integer value: ${d}` };
        digits += d;
        i++;
      }
      tokens.push({ t: 'INDEX', v: Number(digits) });
      continue;
    }
    if (c === '[') tokens.push({ t: 'LSB' });
    else if (c === ']') tokens.push({ t: 'RSB' });
    else if (c === '.') tokens.push({ t: 'DOT' });
    else if (isIdentStart(c)) {
      let f = '';
      while (i < chars.length && isIdent(chars[i])) f += chars[i++];
      tokens.push({ t: 'FIELD', v: f });
      continue;
    } else if (c === '"') {
      let s = '';
      i++;
      while (i < chars.length && chars[i] !== '\0' && chars[i] !== '"' && chars[i] !== ']') s += chars[i++];
      tokens.push({ t: 'STRING', v: s });
    } else return { tokens, err: `unexpected char ${c}` };
    i++;
  }
  return { tokens };
}

/** Parses a json expression into path steps; throws the Loki error text after "cannot parse expression [..]: ". */
export function parseJsonExpression(src: string): JsonPathStep[] {
  const { tokens, err } = lexJsonExpression(src);
  tokens.push({ t: '$end' });
  let k = 0;
  const syntax = (expecting: string): never => {
    throw new Error(`syntax error: unexpected ${tokens[k].t}${expecting ? `, expecting ${expecting}` : ''}`);
  };
  const path: JsonPathStep[] = [];
  const bracket = (): void => {
    k++;
    const tok = tokens[k];
    if (tok.t !== 'STRING' && tok.t !== 'INDEX') syntax('STRING or INDEX');
    k++;
    if (tokens[k].t !== 'RSB') syntax('RSB');
    path.push((tok as { v: string | number }).v);
    k++;
  };
  const first = tokens[0];
  if (first.t === 'FIELD') {
    path.push(first.v);
    k++;
  } else if (first.t === 'LSB') bracket();
  else syntax('LSB or FIELD');
  for (;;) {
    const tok = tokens[k];
    if (tok.t === '$end') break;
    if (tok.t === 'LSB') bracket();
    else if (tok.t === 'DOT') {
      k++;
      const f = tokens[k];
      if (f.t !== 'FIELD') syntax('FIELD');
      path.push((f as { v: string }).v);
      k++;
    } else syntax('');
  }
  if (err !== undefined) throw new Error(err);
  return path;
}

interface CompiledExtraction {
  label: string;
  path: JsonPathStep[];
}

export class JsonExpressionStage implements Stage {
  private readonly exprs: CompiledExtraction[];

  constructor(extractions: readonly Extraction[]) {
    this.exprs = extractions.map((e) => {
      let path: JsonPathStep[];
      try {
        path = parseJsonExpression(e.expression);
      } catch (err) {
        throw new PipelineBuildError(`cannot parse expression [${e.expression}]: ${(err as Error).message}`);
      }
      if (!isValidLabelName(e.label)) throw new PipelineBuildError(`invalid extracted label name '${e.label}'`);
      return { label: e.label, path };
    });
  }

  process(_ts: bigint, line: string, lbs: LabelsBuilder): string | undefined {
    if (line.length === 0 || (lbs.hints !== undefined && lbs.allRequiredExtracted())) return line;
    const c = line[0];
    if (c !== '"' && c !== '{' && c !== '[') {
      lbs.setParserErr(ERR_JSON);
      return line;
    }
    let matches = 0;
    for (const e of this.exprs) {
      const v = lookupPath(line, e.path);
      if (!v) continue;
      const raw = line.slice(v.start, v.end);
      let value: string;
      if (v.type === JsonType.Null) value = '';
      else if (v.type === JsonType.Object) value = raw;
      else value = stringValue(raw);
      lbs.set(Category.Parsed, extractedName(lbs, e.label), value);
      matches++;
    }
    if (matches < this.exprs.length) {
      for (const e of this.exprs) if (lbs.get(e.label) === undefined) lbs.set(Category.Parsed, e.label, '');
    }
    return line;
  }
}
