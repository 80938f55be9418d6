// Test doubles for the engine: an in-memory QuerySource over literal streams, a minimal pipeline
// (line filters; labels = stream labels + structured metadata) and sample extractor (count, bytes,
// unwrap of a label with SampleExtractionErr on bad values, range grouping), and AST builders.
import type {
  BinaryOp,
  BinaryOpExpr,
  Grouping,
  LabelReplaceExpr,
  LineFilterOp,
  LiteralExpr,
  LogSelectorExpr,
  Matcher,
  RangeAggregationExpr,
  RangeOp,
  SampleExpr,
  Stage,
  VectorAggregationExpr,
  VectorExpr,
  VectorMatching,
  VectorOp,
} from '../../../src/logql/ast.js';
import type {
  LabelsResult,
  Pipeline,
  QuerySource,
  SampleExtractor,
  SelectLogsParams,
  SelectSamplesParams,
  SeriesSamples,
  StreamResult,
} from '../../../src/logql/contracts.js';
import { evaluate } from '../../../src/logql/engine/index.js';
import type { EngineDeps, QueryResult } from '../../../src/logql/engine/index.js';
import { compileGoRegex } from '../../../src/model/regex.js';
import { compileMatchers, matchesLabels } from '../../../src/model/matchers.js';
import { labelsFromRecord, labelsString, sortLabels } from '../../../src/model/labels.js';
import type { Entry, Labels } from '../../../src/model/index.js';

export interface TestStream {
  labels: Record<string, string>;
  /** [ts ns, line, structured metadata?], ascending by ts */
  entries: [bigint, string, Record<string, string>?][];
}

export const S = 1_000_000_000n;
export const MS = 1_000_000n;

export function result(stream: Labels, metadata: Labels, parsed: Labels = []): LabelsResult {
  const all = sortLabels([...stream, ...metadata, ...parsed]);
  return { stream, structuredMetadata: metadata, parsed, all, key: labelsString(all) };
}

/** Columnar samples of one series at timestamps `ts` (ascending), on `baseTs` (default: the first). */
export function seriesSamples(labels: LabelsResult, ts: bigint[], values: number[], baseTs = ts[0] ?? 0n): SeriesSamples {
  return { labels, baseTs, offsets: Float64Array.from(ts, (t) => Number(t - baseTs)), values: Float64Array.from(values) };
}

/** The timestamps of columnar samples. */
export function timestampsOf(s: SeriesSamples): bigint[] {
  return Array.from(s.offsets, (o) => s.baseTs + BigInt(o));
}

/** A QuerySource over fixed streams; batches are cut small to exercise batch joining. */
export class MemorySource implements QuerySource {
  readonly sampleCalls: SelectSamplesParams[] = [];
  readonly logCalls: SelectLogsParams[] = [];

  constructor(
    private readonly streams: TestStream[],
    private readonly batchSize = 3,
  ) {}

  async *selectSamples(params: SelectSamplesParams): AsyncIterable<SeriesSamples[]> {
    this.sampleCalls.push(params);
    const matchers = compileMatchers(params.matchers);
    for (const stream of this.streams) {
      const labels = labelsFromRecord(stream.labels);
      if (!matchesLabels(matchers, labels)) continue;
      const ex = params.extractor.forStream(labels);
      const bySeries = new Map<string, { labels: LabelsResult; ts: bigint[]; values: number[] }>();
      for (const [ts, line, meta] of stream.entries) {
        if (ts < params.start || ts >= params.end) continue;
        const out = ex.process(ts, line, meta ? labelsFromRecord(meta) : undefined);
        if (!out) continue;
        let s = bySeries.get(out.labels.key);
        if (!s) {
          s = { labels: out.labels, ts: [], values: [] };
          bySeries.set(out.labels.key, s);
        }
        s.ts.push(ts);
        s.values.push(out.value);
      }
      // Each batch on its own base (its first sample), which consumers must not assume shared.
      for (const s of bySeries.values()) {
        for (let i = 0; i < s.ts.length; i += this.batchSize) {
          yield [seriesSamples(s.labels, s.ts.slice(i, i + this.batchSize), s.values.slice(i, i + this.batchSize), s.ts[i])];
        }
      }
    }
  }

  async *selectLogs(params: SelectLogsParams): AsyncIterable<StreamResult[]> {
    this.logCalls.push(params);
    const matchers = compileMatchers(params.matchers);
    for (const stream of this.streams) {
      const labels = labelsFromRecord(stream.labels);
      if (!matchesLabels(matchers, labels)) continue;
      const p = params.pipeline.forStream(labels);
      const entries = stream.entries.filter(([ts]) => ts >= params.start && ts < params.end);
      if (params.direction === 'backward') entries.reverse();
      const byKey = new Map<string, StreamResult>();
      let taken = 0;
      for (const [ts, line, meta] of entries) {
        if (taken >= params.limit) break;
        const metadata = meta ? labelsFromRecord(meta) : undefined;
        const out = p.process(ts, line, metadata);
        if (!out) continue;
        taken++;
        let r = byKey.get(out.labels.key);
        if (!r) {
          r = { labels: out.labels, entries: [] };
          byKey.set(out.labels.key, r);
        }
        const e: Entry = metadata ? { ts, line: out.line, metadata } : { ts, line: out.line };
        r.entries.push(e);
      }
      for (const r of byKey.values()) {
        for (let i = 0; i < r.entries.length; i += this.batchSize) {
          yield [{ labels: r.labels, entries: r.entries.slice(i, i + this.batchSize) }];
        }
      }
    }
  }
}

/** A QuerySource that returns exactly the given batches, whatever is asked. */
export class ScriptedSource implements QuerySource {
  constructor(
    private readonly samples: SeriesSamples[][] = [],
    private readonly logs: StreamResult[][] = [],
  ) {}

  async *selectSamples(): AsyncIterable<SeriesSamples[]> {
    for (const b of this.samples) yield b;
  }

  async *selectLogs(): AsyncIterable<StreamResult[]> {
    for (const b of this.logs) yield b;
  }
}

function lineTest(op: LineFilterOp, value: string): (line: string) => boolean {
  switch (op) {
    case '|=':
      return (l) => l.includes(value);
    case '!=':
      return (l) => !l.includes(value);
    case '|~': {
      const re = compileGoRegex(value);
      return (l) => re.test(l);
    }
    case '!~': {
      const re = compileGoRegex(value);
      return (l) => !re.test(l);
    }
    default:
      throw new Error(`test pipeline does not support ${op}`);
  }
}

function linePredicate(stages: Stage[]): (line: string) => boolean {
  const tests: ((line: string) => boolean)[] = [];
  for (const stage of stages) {
    if (stage.kind !== 'lineFilters') throw new Error(`test pipeline does not support ${stage.kind}`);
    for (const f of stage.filters) tests.push(lineTest(f.op, f.match.value));
  }
  return (line) => tests.every((t) => t(line));
}

function testPipeline(stages: Stage[]): Pipeline {
  const keep = linePredicate(stages);
  return {
    noop: stages.length === 0,
    forStream(streamLabels) {
      return {
        process(_ts, line, metadata) {
          if (!keep(line)) return undefined;
          return { line, labels: result(streamLabels, metadata ?? []) };
        },
      };
    },
  };
}

function applyGrouping(ls: Labels, g: Grouping | undefined): Labels {
  if (!g) return ls;
  return g.without ? ls.filter((l) => !g.labels.includes(l.name)) : ls.filter((l) => g.labels.includes(l.name));
}

const encoder = new TextEncoder();

function testExtractor(expr: RangeAggregationExpr): SampleExtractor {
  const keep = linePredicate(expr.range.selector.stages);
  const unwrap = expr.range.unwrap;
  const bytes = expr.op === 'bytes_over_time' || expr.op === 'bytes_rate';
  return {
    forStream(streamLabels) {
      return {
        process(_ts, line, metadata) {
          if (!keep(line)) return undefined;
          let ls = sortLabels([...streamLabels, ...(metadata ?? [])]);
          let value = bytes ? encoder.encode(line).length : 1;
          if (unwrap) {
            const raw = ls.find((l) => l.name === unwrap.label)?.value ?? '';
            value = Number(raw);
            ls = ls.filter((l) => l.name !== unwrap.label);
            if (raw === '' || Number.isNaN(value)) {
              value = 0;
              ls = sortLabels([...ls, { name: '__error__', value: 'SampleExtractionErr' }]);
            }
          }
          if (!ls.some((l) => l.name === '__error__')) ls = applyGrouping(ls, expr.grouping);
          return { value, labels: result(ls, []) };
        },
      };
    },
  };
}

export const testDeps: EngineDeps = { buildPipeline: testPipeline, buildSampleExtractor: testExtractor };

// ---------------------------------------------------------------------------------------------
// AST builders

export function m(name: string, op: Matcher['op'], value: string): Matcher {
  return { name, op, value };
}

export function selector(matchers: Matcher[], ...filters: [LineFilterOp, string][]): LogSelectorExpr {
  const stages: Stage[] = filters.length
    ? [{ kind: 'lineFilters', filters: filters.map(([op, value]) => ({ op, match: { value, ip: false }, or: [] })) }]
    : [];
  return { kind: 'logSelector', matchers, stages };
}

export interface RangeOptions {
  offset?: bigint;
  unwrap?: string;
  param?: number;
  by?: string[];
  without?: string[];
}

export function rangeAgg(op: RangeOp, sel: LogSelectorExpr, range: bigint, o: RangeOptions = {}): RangeAggregationExpr {
  return {
    kind: 'rangeAggregation',
    op,
    param: o.param,
    range: {
      selector: sel,
      range,
      offset: o.offset ?? 0n,
      unwrap: o.unwrap ? { label: o.unwrap, conversion: '', postFilters: [] } : undefined,
    },
    grouping: o.by ? { without: false, labels: o.by } : o.without ? { without: true, labels: o.without } : undefined,
  };
}

export function vecAgg(
  op: VectorOp,
  expr: SampleExpr,
  o: { by?: string[]; without?: string[]; param?: number } = {},
): VectorAggregationExpr {
  return {
    kind: 'vectorAggregation',
    op,
    param: o.param,
    expr,
    grouping: o.by ? { without: false, labels: o.by } : o.without ? { without: true, labels: o.without } : undefined,
  };
}

export function binOp(
  op: BinaryOp,
  lhs: SampleExpr,
  rhs: SampleExpr,
  o: { bool?: boolean; matching?: VectorMatching } = {},
): BinaryOpExpr {
  return { kind: 'binaryOp', op, returnBool: o.bool ?? false, matching: o.matching, lhs, rhs };
}

export function lit(value: number): LiteralExpr {
  return { kind: 'literal', value };
}

export function vectorOf(value: number): VectorExpr {
  return { kind: 'vector', value };
}

export function labelReplace(expr: SampleExpr, dst: string, replacement: string, src: string, regex: string): LabelReplaceExpr {
  return { kind: 'labelReplace', expr, dst, replacement, src, regex };
}

// ---------------------------------------------------------------------------------------------
// Query runners

export function runInstant(expr: SampleExpr, source: QuerySource, time: bigint, maxQuerySeries = 500): Promise<QueryResult> {
  return evaluate(
    { expr, start: time, end: time, step: 0n, interval: 0n, direction: 'backward', limit: 100, instant: true },
    source,
    testDeps,
    { maxQuerySeries },
  );
}

export function runRange(
  expr: SampleExpr,
  source: QuerySource,
  start: bigint,
  end: bigint,
  step: bigint,
  maxQuerySeries = 500,
): Promise<QueryResult> {
  return evaluate(
    { expr, start, end, step, interval: 0n, direction: 'backward', limit: 100, instant: false },
    source,
    testDeps,
    { maxQuerySeries },
  );
}

/** Matrix/vector results as plain {labels string: points} for compact expectations. */
export function byLabels(r: QueryResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.type === 'matrix') for (const s of r.series) out[labelsString(s.metric)] = s.values;
  else if (r.type === 'vector') for (const s of r.samples) out[labelsString(s.metric)] = s.value;
  else throw new Error(`unexpected result type ${r.type}`);
  return out;
}

/** Entries at whole seconds with the given lines and optional metadata. */
export function at(seconds: number, line: string, meta?: Record<string, string>): [bigint, string, Record<string, string>?] {
  const ts = BigInt(Math.round(seconds * 1000)) * MS;
  return meta ? [ts, line, meta] : [ts, line];
}
