// Drilldown discovery: labels worth offering, and fields (with Loki's type inference) found in structured
// metadata and json/logfmt parsing of sampled lines, plus their encodings. Pure.
import type { Stage } from '../logql/ast.js';
import type { Pipeline, StreamPipeline } from '../logql/contracts.js';
import type { ResultEntry, ResultStream } from '../logql/engine/index.js';
import { parseGoDurationNanos, parseGoFloat, parseHumanBytes } from '../logql/log/conversions.js';
import { childName } from '../logql/log/label-names.js';
import { labelsString, type Labels } from '../model/labels.js';
import { jsonString } from './encode.js';

// ---------------------------------------------------------------------------------------------
// Detected labels (querier.DetectedLabels / countLabelsAndCardinality)

export interface DetectedLabel {
  label: string;
  cardinality: number;
}

/** Labels kept even when every value looks like an ID. */
const STATIC_LABELS = new Set(['cluster', 'namespace', 'instance', 'pod']);

const HEX = /^[0-9a-fA-F]+$/;

/** google/uuid Parse: the 36-char form, optionally in braces or after `urn:uuid:`, or 32 hex digits. */
export function isUUID(v: string): boolean {
  let s = v;
  if (s.length === 45) {
    if (s.slice(0, 9).toLowerCase() !== 'urn:uuid:') return false;
    s = s.slice(9);
  } else if (s.length === 38) {
    if (s[0] !== '{' || s[37] !== '}') return false;
    s = s.slice(1, 37);
  } else if (s.length === 32) return HEX.test(s);
  if (s.length !== 36) return false;
  if (s[8] !== '-' || s[13] !== '-' || s[18] !== '-' || s[23] !== '-') return false;
  return HEX.test(s.slice(0, 8) + s.slice(9, 13) + s.slice(14, 18) + s.slice(19, 23) + s.slice(24));
}

/** True when every value parses as a float or a UUID (an ID-like label). */
function allIDs(values: readonly string[]): boolean {
  for (const v of values) if (!parseGoFloat(v).ok && !isUUID(v)) return false;
  return true;
}

/** shouldRejectLabel: no values, or only IDs (except labels whose values are all 0/1 when there are at most two). */
function rejectLabel(values: readonly string[]): boolean {
  if (values.length === 0) return true;
  if (values.length > 2) return allIDs(values);
  for (const v of values) if (v !== '0' && v !== '1') return allIDs(values);
  return false;
}

/** The labels Logs Drilldown offers, with their number of distinct values, sorted by name. */
export function detectedLabels(valuesByLabel: ReadonlyMap<string, readonly string[]>): DetectedLabel[] {
  const out: DetectedLabel[] = [];
  for (const [label, values] of valuesByLabel) {
    const keep = (STATIC_LABELS.has(label) && values.length > 0) || !rejectLabel(values);
    if (keep) out.push({ label, cardinality: new Set(values).size });
  }
  return out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

export function encodeDetectedLabels(labels: readonly DetectedLabel[]): string {
  if (labels.length === 0) return '{}\n';
  return `{"detectedLabels":[${labels.map((l) => `{"label":${jsonString(l.label)},"cardinality":${l.cardinality}}`).join(',')}]}\n`;
}

// ---------------------------------------------------------------------------------------------
// Field types (determineType)

export type DetectedFieldType = 'string' | 'int' | 'float' | 'boolean' | 'duration' | 'bytes';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const GO_BOOLS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

/** strconv.ParseInt(v, 10, 64) succeeds. */
function isGoInt64(v: string): boolean {
  if (!/^[+-]?\d+$/.test(v)) return false;
  const n = BigInt(v);
  return n >= INT64_MIN && n <= INT64_MAX;
}

/** The first Go parser that accepts the value decides: int, float, bool, duration, bytes, else string. */
export function determineFieldType(value: string): DetectedFieldType {
  if (isGoInt64(value)) return 'int';
  if (parseGoFloat(value).ok) return 'float';
  if (GO_BOOLS.has(value)) return 'boolean';
  if (parseGoDurationNanos(value).ok) return 'duration';
  if (parseHumanBytes(value).ok) return 'bytes';
  return 'string';
}

/** go-humanize Bytes: SI units, one decimal below 10 (`%.1f`), none above (`%.0f`, ties to even). */
export function humanizeBytes(n: number): string {
  if (n < 10) return `${n} B`;
  const sizes = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const val = Math.floor((n / Math.pow(1000, e)) * 10 + 0.5) / 10;
  if (val < 10) return `${val.toFixed(1)} ${sizes[e]}`;
  const tie = Number.isInteger(val * 2) && !Number.isInteger(val);
  const whole = tie ? (Math.floor(val) % 2 === 0 ? Math.floor(val) : Math.ceil(val)) : Math.round(val);
  return `${whole} ${sizes[e]}`;
}

const BYTES_UNIT_SUFFIXES = ['b', 'kib', 'kb', 'mib', 'mb', 'gib', 'gb', 'tib', 'tb', 'pib', 'pb', 'eib', 'eb', 'ki', 'k', 'mi', 'm', 'gi', 'g', 'ti', 't', 'pi', 'p', 'ei', 'e'];

/** A parsed value as /detected_field/<name>/values reports it: byte sizes with a unit normalized ("10MB"). */
function fieldValue(v: string): string {
  const bytes = parseHumanBytes(v);
  if (!bytes.ok) return v;
  const lower = v.toLowerCase();
  if (!BYTES_UNIT_SUFFIXES.some((u) => lower.endsWith(u))) return v;
  return humanizeBytes(bytes.value).replace(' ', '');
}

// ---------------------------------------------------------------------------------------------
// Detected fields (queryrange.parseDetectedFields / parseEntry)

export interface DetectedField {
  label: string;
  type: DetectedFieldType;
  cardinality: number;
  /** json or logfmt, or none for structured metadata (encoded as null). */
  parsers: string[];
  /** Keys leading to the field in the JSON line, for fields the json parser found. */
  jsonPath?: string[];
}

const ERROR_LABELS = new Set(['__error__', '__error_details__', '__preserve_error__']);
const JSON_STAGES: Stage[] = [{ kind: 'json', extractions: [] }];
const LOGFMT_STAGES: Stage[] = [{ kind: 'logfmt', strict: false, keepEmpty: false, extractions: [] }];

interface ParsedEntry {
  /** Field name → distinct values. */
  fields: Map<string, string[]>;
  parser: 'json' | 'logfmt' | undefined;
  line: string;
}

function addValue(m: Map<string, string[]>, name: string, value: string): void {
  const vs = m.get(name);
  if (!vs) m.set(name, [value]);
  else if (!vs.includes(value)) vs.push(value);
}

function groupLabels(ls: Labels | undefined): Map<string, string[]> {
  const m = new Map<string, string[]>();
  if (ls) for (const l of ls) if (!ERROR_LABELS.has(l.name)) addValue(m, l.name, l.value);
  return m;
}

function hasError(ls: Labels): boolean {
  for (const l of ls) if (l.name === '__error__') return true;
  return false;
}

/** Paths of the scalar fields of a JSON object line by their flattened label names (arrays skipped). */
export function jsonFieldPaths(line: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    return out;
  }
  const walk = (obj: Record<string, unknown>, prefix: string, path: string[]): void => {
    for (const [key, v] of Object.entries(obj)) {
      const name = childName(prefix, key);
      if (v !== null && typeof v === 'object') {
        if (!Array.isArray(v)) walk(v as Record<string, unknown>, name, [...path, key]);
      } else if (v !== null) out.set(name, [...path, key]);
    }
  };
  if (root !== null && typeof root === 'object' && !Array.isArray(root)) walk(root as Record<string, unknown>, '', []);
  return out;
}

/**
 * Runs Loki's field detection over categorized query results: structured metadata fields, and the
 * fields of each line parsed as JSON, else as logfmt (plus labels the query's own parsers added).
 */
export class FieldDetector {
  private readonly json: Pipeline;
  private readonly logfmt: Pipeline;
  private readonly streams = new Map<string, { json: StreamPipeline; logfmt: StreamPipeline }>();

  constructor(buildPipeline: (stages: Stage[]) => Pipeline) {
    this.json = buildPipeline(JSON_STAGES);
    this.logfmt = buildPipeline(LOGFMT_STAGES);
  }

  private pipelines(streamLabels: Labels, entryParsed: Labels | undefined) {
    const base = entryParsed && entryParsed.length ? streamLabels.filter((l) => !entryParsed.some((p) => p.name === l.name)) : streamLabels;
    const key = labelsString(base);
    let p = this.streams.get(key);
    if (!p) this.streams.set(key, (p = { json: this.json.forStream(base), logfmt: this.logfmt.forStream(base) }));
    return p;
  }

  private parseEntry(streamLabels: Labels, e: ResultEntry): ParsedEntry {
    const fields = groupLabels(e.parsed);
    const p = this.pipelines(streamLabels, e.parsed);
    let parser: ParsedEntry['parser'] = 'json';
    let out = p.json.process(e.ts, e.line, undefined);
    if (!out || hasError(out.labels.all)) {
      parser = 'logfmt';
      out = p.logfmt.process(e.ts, e.line, undefined);
      if (!out || hasError(out.labels.all)) return { fields, parser: undefined, line: e.line };
    }
    for (const l of out.labels.parsed) if (!ERROR_LABELS.has(l.name)) addValue(fields, l.name, l.value);
    return { fields, parser, line: e.line };
  }

  /** The detected fields (at most `limit`, first come first kept), sorted by name. */
  fields(streams: readonly ResultStream[], limit: number): DetectedField[] {
    const found = new Map<string, { type: DetectedFieldType; values: Set<string>; parsers: string[]; jsonPath?: string[] }>();
    const field = (name: string, parsers: readonly string[]) => {
      let f = found.get(name);
      if (!f && found.size < limit) found.set(name, (f = { type: 'string', values: new Set(), parsers: [...parsers] }));
      return f;
    };
    for (const s of streams) {
      for (const e of s.entries) {
        const metadata = groupLabels(e.structuredMetadata);
        for (const name of [...metadata.keys()].sort()) {
          const f = field(name, []);
          if (!f) continue;
          const values = metadata.get(name)!;
          f.type = determineFieldType(values[0]);
          for (const v of values) f.values.add(v);
        }
        const parsed = this.parseEntry(s.labels, e);
        const parsers = parsed.parser ? [parsed.parser] : [];
        const paths = parsed.parser === 'json' ? jsonFieldPaths(parsed.line) : undefined;
        for (const name of [...parsed.fields.keys()].sort()) {
          const f = field(name, parsers);
          if (!f) continue;
          for (const p of parsers) if (!f.parsers.includes(p)) f.parsers.push(p);
          const path = paths?.get(name) ?? paths?.get(name.replace(/_extracted$/, ''));
          if (path) f.jsonPath = path;
          const values = parsed.fields.get(name)!;
          f.type = determineFieldType(values[0]);
          for (const v of values) f.values.add(v);
        }
      }
    }
    return [...found.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([label, f]) => ({ label, type: f.type, cardinality: f.values.size, parsers: f.parsers, ...(f.jsonPath ? { jsonPath: f.jsonPath } : {}) }));
  }

  /** Distinct values of one field (parseDetectedFieldValues: stops taking entries at `limit`), sorted. */
  values(streams: readonly ResultStream[], name: string, limit: number): string[] {
    const values = new Set<string>();
    for (const s of streams) {
      for (const e of s.entries) {
        if (values.size >= limit) break;
        for (const l of e.structuredMetadata ?? []) if (l.name === name) values.add(l.value);
        const parsed = this.parseEntry(s.labels, e).fields.get(name);
        if (parsed) for (const v of parsed) values.add(fieldValue(v));
      }
    }
    return [...values].sort();
  }
}

const stringArray = (xs: readonly string[]): string => '[' + xs.map(jsonString).join(',') + ']';

function fieldJSON(f: DetectedField): string {
  return (
    `{"label":${jsonString(f.label)},"type":"${f.type}"` +
    (f.cardinality ? `,"cardinality":${f.cardinality}` : '') +
    `,"parsers":${f.parsers.length ? stringArray(f.parsers) : 'null'}` +
    (f.jsonPath ? `,"jsonPath":${stringArray(f.jsonPath)}` : '') +
    '}'
  );
}

/** DetectedFieldsResponse JSON: `fields` and `limit` are omitted when there are no fields. */
export function encodeDetectedFields(fields: readonly DetectedField[], limit: number): string {
  if (fields.length === 0) return '{}\n';
  return `{"fields":[${fields.map(fieldJSON).join(',')}],"limit":${limit}}\n`;
}

export function encodeDetectedFieldValues(values: readonly string[], limit: number): string {
  if (values.length === 0) return '{}\n';
  return `{"values":${stringArray(values)},"limit":${limit}}\n`;
}
