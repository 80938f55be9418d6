// Contracts between the LogQL engine and everything that feeds it: compiled pipelines (built once
// per query, applied per entry) and the query source (ingester memory, the store, remote ingesters).
import type { Entry, Labels, Nanos, Direction } from '../model/index.js';
import type { Grouping, LogSelectorExpr, Matcher, RangeAggregationExpr } from './ast.js';

/**
 * The labels of an entry after the pipeline, split by origin. `all` is the sorted union (what a
 * response shows without categorize-labels) and `key` its labelsString, used to group results.
 */
export interface LabelsResult {
  stream: Labels;
  structuredMetadata: Labels;
  parsed: Labels;
  all: Labels;
  key: string;
}

export interface PipelineOutput {
  line: string;
  labels: LabelsResult;
}

/** A compiled log pipeline; `forStream` is called once per stream, `process` once per entry. */
export interface Pipeline {
  /** True when the pipeline has no stage at all (entries pass through unchanged). */
  readonly noop: boolean;
  forStream(streamLabels: Labels): StreamPipeline;
}

export interface StreamPipeline {
  /** Returns undefined when the entry is filtered out. */
  process(ts: Nanos, line: string, metadata: Labels | undefined): PipelineOutput | undefined;
}

export interface SampleOutput {
  value: number;
  labels: LabelsResult;
}

/** A compiled sample extractor for a range aggregation (pipeline + count/bytes/unwrap + grouping). */
export interface SampleExtractor {
  forStream(streamLabels: Labels): StreamSampleExtractor;
  /**
   * What it was compiled from (buildSampleExtractor's arguments), when compiling them again gives
   * an equal extractor: sources may then extract on other threads. Absent: only this object will do.
   */
  readonly compiledFrom?: { expr: RangeAggregationExpr; outer?: Grouping };
  /** Whether telling process() that a line is printable ASCII speeds it up (readers may then check blocks for it). */
  readonly usesPrintableLines?: boolean;
  /** False when no stage reads an entry's timestamp: readers may then hand process() any timestamp. */
  readonly readsTimestamps?: boolean;
}

export interface StreamSampleExtractor {
  /** `printable`: the caller knows every character of the line is printable ASCII (0x20–0x7f). */
  process(ts: Nanos, line: string, metadata: Labels | undefined, printable?: boolean): SampleOutput | undefined;
}

export interface SelectLogsParams {
  /** The log selector (matchers + stages); remote sources re-compile it from its printed form. */
  selector: LogSelectorExpr;
  matchers: Matcher[];
  pipeline: Pipeline;
  /** Inclusive start, exclusive end (ns). */
  start: Nanos;
  end: Nanos;
  direction: Direction;
  /** A source may stop after `limit` entries per input stream (after the pipeline). */
  limit: number;
}

/** Log query output of a source: entries of one result stream, ordered by `direction`. */
export interface StreamResult {
  labels: LabelsResult;
  entries: Entry[];
}

export interface SelectSamplesParams {
  /** The range aggregation whose samples are wanted; remote sources re-compile it. */
  expr: RangeAggregationExpr;
  matchers: Matcher[];
  extractor: SampleExtractor;
  /**
   * The same extractor compiled with the enclosing grouping pushed in, when `extractor` was compiled
   * without it (replicas must be compared by full labels). A source may use it for a read whose samples
   * meet no replica of themselves from another read; that read's series then carry grouped labels.
   */
  groupedExtractor?: SampleExtractor;
  /** Inclusive start, exclusive end (ns) of the sample timestamps needed; end - start <= MAX_SAMPLE_SPAN_NS. */
  start: Nanos;
  end: Nanos;
}

/**
 * The widest span of sample timestamps one selectSamples call may ask for (about 104 days): sample
 * offsets from a base inside it are integral nanoseconds exactly representable as doubles.
 */
export const MAX_SAMPLE_SPAN_NS = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Samples of one series, columnar and ascending: sample i is at `baseTs + offsets[i]` ns (integral,
 * exact: |offsets[i]| <= MAX_SAFE_INTEGER) with value `values[i]`. Sources use the query's `start`
 * as base unless they have reason not to; consumers must not assume two series share a base.
 */
export interface SeriesSamples {
  labels: LabelsResult;
  baseTs: Nanos;
  offsets: Float64Array;
  values: Float64Array;
  /** Hash of each sample's source line (53-bit integers; when replicas may overlap), so duplicates can be dropped. */
  hashes?: Float64Array;
}

/**
 * Anything the engine can read from. Within one series/result stream, successive batches continue
 * in order (ascending for samples; `direction` for logs); exact duplicates are already removed.
 */
export interface QuerySource {
  selectLogs(params: SelectLogsParams): AsyncIterable<StreamResult[]>;
  selectSamples(params: SelectSamplesParams): AsyncIterable<SeriesSamples[]>;
}
