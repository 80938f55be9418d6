// Query-time /patterns: Loki's pattern ingester algorithm (Drain per stream and level, its tokenizers,
// `<_>` placeholders, 10s samples by step, merge and prune). Pure: lines come from the caller.
import { LogfmtDecoder } from '../logql/log/logfmt-parser.js';
import { jsonString } from './encode.js';

const PARAM = '<_>';
const LOG_CLUSTER_DEPTH = 30;
const MAX_NODE_DEPTH = LOG_CLUSTER_DEPTH - 2;
const SIM_TH = 0.3;
const MAX_CHILDREN = 15;
const MAX_CLUSTERS = 300;
const MAX_LINE_LENGTH = 3000;
const MIN_TOKENS = 4;
const MAX_TOKENS = 80;
/** Sample resolution of pattern counts (ms). */
const TIME_RESOLUTION_MS = 10_000;
/** The pattern querier drops patterns seen fewer times than this, and keeps at most MAX_PATTERNS. */
const MIN_CLUSTER_SIZE = 30;
const MAX_PATTERNS = 300;
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'critical', 'fatal']);
const JSON_MESSAGE_FIELDS = ['log', 'message', 'msg', 'msg_', '_msg', 'content'];

// ---------------------------------------------------------------------------------------------
// Tokenizers

interface Tokenized {
  tokens: string[];
  /** Punctuation tokenizer: indices of tokens followed by a space (one entry per space). */
  spacesAfter: number[];
}

interface LineTokenizer {
  tokenize(line: string): Tokenized | undefined;
  join(t: Tokenized): string;
}

const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;
const PUNCT = /\p{P}/u;
const NUMBER = /\p{N}/u;

/** Splits at spaces, `=` and Unicode punctuation except `_ - . : /`; punctuation becomes its own token. */
class PunctuationTokenizer implements LineTokenizer {
  tokenize(line: string): Tokenized | undefined {
    if (Buffer.byteLength(line) > MAX_LINE_LENGTH) return undefined;
    const tokens: string[] = [];
    const spacesAfter: number[] = [];
    let start = 0;
    let i = 0;
    for (const ch of line) {
      const at = i;
      i += ch.length;
      if (tokens.length >= 127) break;
      if (ch === '_' || ch === '-' || ch === '.' || ch === ':' || ch === '/') continue;
      if (LETTER_OR_NUMBER.test(ch)) continue;
      if (ch === ' ' || ch === '=' || PUNCT.test(ch)) {
        if (at > start) tokens.push(line.slice(start, at));
        if (ch === ' ') spacesAfter.push(tokens.length - 1);
        else tokens.push(ch);
        start = i;
      }
    }
    if (start < line.length) tokens.push(line.slice(start));
    return { tokens, spacesAfter };
  }

  join(t: Tokenized): string {
    let out = '';
    let s = 0;
    for (let i = 0; i < t.tokens.length; i++) {
      out += t.tokens[i];
      while (s < t.spacesAfter.length && t.spacesAfter[s] === i) {
        out += ' ';
        s++;
      }
    }
    return out;
  }
}

/** Keys whose values always vary (timestamps, trace ids) are replaced by the placeholder. */
function isVariableKey(key: string): boolean {
  const k = key.toLowerCase();
  return key === 't' || k === 'ts' || k === 'traceid' || k === 'time' || k === 'timestamp';
}

const needsQuote = (s: string): boolean => /[\u0000- ="\ufffd]/.test(s);

/** go-logfmt's quoting of a value: JSON-style escapes. */
function quoteLogfmt(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** Tokens are key, value pairs of the logfmt line. */
class LogfmtTokenizer implements LineTokenizer {
  private readonly dec = new LogfmtDecoder();

  tokenize(line: string): Tokenized | undefined {
    if (Buffer.byteLength(line) > MAX_LINE_LENGTH) return undefined;
    const tokens: string[] = [];
    this.dec.reset(line);
    while (!this.dec.eol() && this.dec.scanKeyval()) {
      const key = this.dec.key ?? '';
      tokens.push(key, isVariableKey(key) ? PARAM : (this.dec.value ?? ''));
    }
    if (this.dec.err !== undefined) return undefined;
    return { tokens, spacesAfter: [] };
  }

  /** go-logfmt encoding of the pairs; an invalid key makes the pattern empty. */
  join(t: Tokenized): string {
    const parts: string[] = [];
    for (let i = 0; i < t.tokens.length; i += 2) {
      const k = t.tokens[i];
      const v = t.tokens[i + 1] ?? '';
      if (k === '' || needsQuote(k)) return '';
      parts.push(k + '=' + (needsQuote(v) ? quoteLogfmt(v) : v));
    }
    return parts.join(' ');
  }
}

/** Tokenizes the message field of a JSON line; the pattern is framed by placeholders. */
class JsonTokenizer implements LineTokenizer {
  private readonly inner = new PunctuationTokenizer();

  tokenize(line: string): Tokenized | undefined {
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      return undefined;
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
    for (const field of JSON_MESSAGE_FIELDS) {
      const v = (obj as Record<string, unknown>)[field];
      if (typeof v === 'string') return this.inner.tokenize(v);
    }
    return undefined;
  }

  join(t: Tokenized): string {
    return PARAM + this.inner.join(t) + PARAM;
  }
}

/** Loki's logfmt guess: space-separated `word=value` pairs (quoted values may hold spaces). */
function looksLikeLogfmt(line: string): boolean {
  const n = line.length;
  let pos = 0;
  for (;;) {
    const keyStart = pos;
    while (pos < n && /\w/.test(line[pos])) pos++;
    if (pos === keyStart || line[pos] !== '=') return false;
    pos++;
    if (pos >= n) return false;
    if (line[pos] === '"') {
      let close = -1;
      for (let q = pos + 2; q < n; q++) {
        if (line[q] === '"' && (q + 1 === n || line[q + 1] === ' ')) {
          close = q;
          break;
        }
      }
      if (close < 0) return false;
      pos = close + 1;
    } else {
      pos++;
      while (pos < n && line[pos] !== ' ') pos++;
    }
    if (pos === n) return true;
    pos++;
  }
}

export type LogFormat = 'json' | 'logfmt' | 'unknown';

/** drain.DetectLogFormat, decided on a stream's first line. */
export function detectLogFormat(line: string): LogFormat {
  if (line.length < 2) return 'unknown';
  if (line[0] === '{' && line[line.length - 1] === '}') return 'json';
  return looksLikeLogfmt(line) ? 'logfmt' : 'unknown';
}

function tokenizerFor(format: LogFormat): LineTokenizer {
  return format === 'json' ? new JsonTokenizer() : format === 'logfmt' ? new LogfmtTokenizer() : new PunctuationTokenizer();
}

/** Collapses runs of placeholders (`<_><_>` → `<_>`). */
export function deduplicatePlaceholders(s: string): string {
  return s.includes(PARAM + PARAM) ? s.replace(/(?:<_>){2,}/g, PARAM) : s;
}

// ---------------------------------------------------------------------------------------------
// Drain

interface Node {
  children: Map<string, Node>;
  clusterIds: number[];
}

const newNode = (): Node => ({ children: new Map(), clusterIds: [] });

export interface LogCluster {
  id: number;
  tokens: string[];
  spacesAfter: number[];
  /** Sample counts at 10s resolution, ascending: [ms, count]. */
  samples: [number, number][];
}

function hasNumber(s: string): boolean {
  for (const ch of s) if (NUMBER.test(ch)) return true;
  return false;
}

/** Drain: a fixed-depth prefix tree over token counts and leading tokens, clusters at the leaves. */
export class Drain {
  private readonly root = newNode();
  /** id → cluster, in least-recently-used order (first = oldest). */
  private readonly clusters = new Map<number, LogCluster>();
  private counter = 0;
  private readonly tokenizer: LineTokenizer;

  constructor(format: LogFormat) {
    this.tokenizer = tokenizerFor(format);
  }

  private get(id: number): LogCluster | undefined {
    const c = this.clusters.get(id);
    if (c) {
      this.clusters.delete(id);
      this.clusters.set(id, c);
    }
    return c;
  }

  /** Adds a line seen at `tsMs`; returns its cluster, or undefined when the line is skipped. */
  train(line: string, tsMs: number): LogCluster | undefined {
    const t = this.tokenizer.tokenize(line);
    if (!t || t.tokens.length < MIN_TOKENS || t.tokens.length > MAX_TOKENS) return undefined;
    let cluster = this.search(t.tokens);
    if (!cluster) {
      cluster = { id: ++this.counter, tokens: [...t.tokens], spacesAfter: [...t.spacesAfter], samples: [] };
      this.clusters.set(cluster.id, cluster);
      if (this.clusters.size > MAX_CLUSTERS) this.clusters.delete(this.clusters.keys().next().value!);
      this.addToTree(cluster);
    } else {
      for (let i = 0; i < t.tokens.length; i++) if (t.tokens[i] !== cluster.tokens[i]) cluster.tokens[i] = PARAM;
      this.get(cluster.id);
    }
    addSample(cluster.samples, tsMs);
    return cluster;
  }

  /** The cluster's pattern; "" when it would be a lone placeholder or cannot be printed. */
  pattern(c: LogCluster): string {
    const s = deduplicatePlaceholders(this.tokenizer.join(c));
    return s === PARAM ? '' : s;
  }

  all(): LogCluster[] {
    return [...this.clusters.values()];
  }

  private search(tokens: readonly string[]): LogCluster | undefined {
    let node = this.root.children.get(String(tokens.length));
    if (!node) return undefined;
    if (tokens.length < 2) return this.get(node.clusterIds[0]);
    let depth = 1;
    for (const token of tokens) {
      if (depth >= MAX_NODE_DEPTH || depth === tokens.length) break;
      const next: Node | undefined = node!.children.get(token) ?? node!.children.get(PARAM);
      if (!next) return undefined;
      node = next;
      depth++;
    }
    return this.fastMatch(node!.clusterIds, tokens);
  }

  private fastMatch(ids: readonly number[], tokens: readonly string[]): LogCluster | undefined {
    let best: LogCluster | undefined;
    let bestSim = -1;
    let bestParams = -1;
    for (const id of ids) {
      const c = this.get(id);
      if (!c) continue;
      let same = 0;
      let params = 0;
      for (let i = 0; i < c.tokens.length; i++) {
        if (c.tokens[i] === PARAM) params++;
        else if (c.tokens[i] === tokens[i]) same++;
      }
      const sim = same / c.tokens.length;
      if (sim > bestSim || (sim === bestSim && params > bestParams)) {
        bestSim = sim;
        bestParams = params;
        best = c;
      }
    }
    return bestSim >= SIM_TH ? best : undefined;
  }

  private addToTree(cluster: LogCluster): void {
    const count = cluster.tokens.length;
    const key = String(count);
    let node = this.root.children.get(key);
    if (!node) this.root.children.set(key, (node = newNode()));
    if (count === 0) {
      node.clusterIds.push(cluster.id);
      return;
    }
    let depth = 1;
    for (const token of cluster.tokens) {
      if (depth >= MAX_NODE_DEPTH || depth >= count) {
        node.clusterIds = node.clusterIds.filter((id) => this.clusters.has(id));
        node.clusterIds.push(cluster.id);
        break;
      }
      const existing = node.children.get(token);
      if (existing) node = existing;
      else node = this.childFor(node, token);
      depth++;
    }
  }

  /** Where a token without its own child goes: a new child while there is room, else the wildcard. */
  private childFor(node: Node, token: string): Node {
    const wildcard = node.children.get(PARAM);
    if (hasNumber(token)) {
      if (wildcard) return wildcard;
      const n = newNode();
      node.children.set(PARAM, n);
      return n;
    }
    if (wildcard) {
      if (node.children.size < MAX_CHILDREN) {
        const n = newNode();
        node.children.set(token, n);
        return n;
      }
      return wildcard;
    }
    if (node.children.size + 1 < MAX_CHILDREN) {
      const n = newNode();
      node.children.set(token, n);
      return n;
    }
    const n = newNode();
    node.children.set(PARAM, n);
    return n;
  }
}

/** Counts a line in its 10s slot; out-of-order lines older than the last slot are not counted (as Loki). */
function addSample(samples: [number, number][], tsMs: number): void {
  const t = tsMs - (((tsMs % TIME_RESOLUTION_MS) + TIME_RESOLUTION_MS) % TIME_RESOLUTION_MS);
  const last = samples[samples.length - 1];
  if (last && last[0] === t) last[1]++;
  else if (!last || t > last[0]) samples.push([t, 1]);
}

// ---------------------------------------------------------------------------------------------
// Query side

export interface PatternSeries {
  pattern: string;
  level: string;
  /** [unix seconds, count], ascending. */
  samples: [number, number][];
}

export interface PatternLine {
  tsMs: number;
  line: string;
  /** detected_level of the entry, if any. */
  level: string | undefined;
}

/** A stream's lines, oldest first. */
export type PatternStream = readonly PatternLine[];

export interface PatternRange {
  /** ms, inclusive */
  fromMs: number;
  /** ms, exclusive */
  throughMs: number;
  stepMs: number;
}

/** Chunk.ForRange: samples in [from, through) summed into step buckets, empty buckets between kept as 0. */
export function samplesForRange(samples: readonly [number, number][], r: PatternRange): [number, number][] {
  const step = Math.max(r.stepMs, TIME_RESOLUTION_MS);
  const inRange = samples.filter(([t]) => t >= r.fromMs && t < r.throughMs);
  if (inRange.length === 0) return [];
  if (step === TIME_RESOLUTION_MS) return inRange.map(([t, v]) => [t, v]);
  const trunc = (t: number): number => t - (((t % step) + step) % step);
  let current = trunc(inRange[0][0]);
  const out: [number, number][] = [[current, 0]];
  for (const [t, v] of inRange) {
    if (t >= current + step) {
      const bucket = trunc(t);
      for (let b = current + step; b <= bucket; b += step) out.push([b, 0]);
      current = bucket;
    }
    out[out.length - 1][1] += v;
  }
  return out;
}

function levelOf(level: string | undefined): string {
  const l = level?.toLowerCase();
  return l !== undefined && LEVELS.has(l) ? l : 'unknown';
}

/**
 * Patterns of the given streams: one Drain per stream and level (format guessed from the stream's
 * first line), samples in range by step, identical patterns of a level merged across streams, then
 * those seen fewer than `minCount` times dropped, the rest ordered by count (most first), at most 300.
 */
export function detectPatterns(streams: Iterable<PatternStream>, r: PatternRange, minCount = MIN_CLUSTER_SIZE): PatternSeries[] {
  const merged = new Map<string, { pattern: string; level: string; counts: Map<number, number> }>();
  for (const lines of streams) {
    if (lines.length === 0) continue;
    const format = detectLogFormat(lines[0].line);
    const drains = new Map<string, Drain>();
    for (const l of lines) {
      const level = levelOf(l.level);
      let d = drains.get(level);
      if (!d) drains.set(level, (d = new Drain(format)));
      d.train(l.line, l.tsMs);
    }
    for (const [level, d] of drains) {
      for (const c of d.all()) {
        const pattern = d.pattern(c);
        if (pattern === '') continue;
        const samples = samplesForRange(c.samples, r);
        if (samples.length === 0) continue;
        const key = level + '\u0000' + pattern;
        let m = merged.get(key);
        if (!m) merged.set(key, (m = { pattern, level, counts: new Map() }));
        for (const [t, v] of samples) m.counts.set(t, (m.counts.get(t) ?? 0) + v);
      }
    }
  }
  const out: (PatternSeries & { total: number })[] = [];
  for (const m of merged.values()) {
    const samples = [...m.counts.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]): [number, number] => [Math.floor(t / 1000), v]);
    const total = samples.reduce((n, s) => n + s[1], 0);
    if (total >= minCount) out.push({ pattern: m.pattern, level: m.level, samples, total });
  }
  out.sort((a, b) => b.total - a.total || (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : a.level < b.level ? -1 : 1));
  return out.slice(0, MAX_PATTERNS).map(({ pattern, level, samples }) => ({ pattern, level, samples }));
}

/** WriteQueryPatternsResponseJSON. */
export function encodePatterns(series: readonly PatternSeries[]): string {
  const items = series.map(
    (s) => `{"pattern":${jsonString(s.pattern)},"level":${jsonString(s.level)},"samples":[${s.samples.map(([t, v]) => `[${t},${v}]`).join(',')}]}`,
  );
  return `{"status":"success","data":[${items.join(',')}]}\n`;
}
