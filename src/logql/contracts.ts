// Contracts between the LogQL engine and everything that feeds it: compiled pipelines (built once
// per query, applied per entry) and the query source (ingester memory, the store, remote ingesters).
import type { Entry, Labels, Nanos, Direction } from '../model/index.js';
import type { LogSelectorExpr, Matcher, RangeAggregationExpr } from './ast.js';

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
}

export interface StreamSampleExtractor {
  process(ts: Nanos, line: string, metadata: Labels | undefined): SampleOutput | undefined;
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
  /** Inclusive start, exclusive end (ns) of the sample timestamps needed. */
  start: Nanos;
  end: Nanos;
}

/** Samples of one series; `ts` ascending, `values[i]` belongs to `ts[i]`. */
export interface SeriesSamples {
  labels: LabelsResult;
  ts: Nanos[];
  values: number[];
  /** Hash of each sample's source line (when replicas may overlap), so duplicates can be dropped. */
  hashes?: number[];
}

/**
 * Anything the engine can read from. Within one series/result stream, successive batches continue
 * in order (ascending for samples; `direction` for logs); exact duplicates are already removed.
 */
export interface QuerySource {
  selectLogs(params: SelectLogsParams): AsyncIterable<StreamResult[]>;
  selectSamples(params: SelectSamplesParams): AsyncIterable<SeriesSamples[]>;
}
