// One unit of store sample extraction that can run on any thread: a range aggregation (as text, with
// the grouping its extractor was compiled with), a time range and some series' stored chunk bytes,
// turned into columnar series samples and the stats of reading them. No I/O.
import { StoredChunk } from '../chunks/index.js';
import { readChunkSamples } from '../iter/chunk-reader.js';
import type { Grouping } from '../logql/ast.js';
import type { SeriesSamples } from '../logql/contracts.js';
import { buildSampleExtractor } from '../logql/log/index.js';
import { parseExpr } from '../logql/syntax/index.js';
import type { Labels, Nanos } from '../model/index.js';
import { emptyChunkStats, type ChunkStats } from '../model/stats.js';

export interface SampleTask {
  /** The range aggregation, printed (printExpr). */
  expr: string;
  /** The enclosing grouping the querier's extractor was compiled with. */
  outer?: Grouping;
  start: Nanos;
  end: Nanos;
  hashLines: boolean;
  series: { labels: Labels; chunks: Uint8Array[] }[];
}

export interface SampleTaskResult {
  series: SeriesSamples[];
  stats: ChunkStats;
}

/** Reads the task's series as StoreSource does on the main thread. */
export function runSampleTask(task: SampleTask): SampleTaskResult {
  const expr = parseExpr(task.expr);
  if (expr.kind !== 'rangeAggregation') throw new Error(`sample task: not a range aggregation: ${task.expr}`);
  const params = {
    expr,
    matchers: expr.range.selector.matchers,
    extractor: buildSampleExtractor(expr, task.outer),
    start: task.start,
    end: task.end,
  };
  const stats = emptyChunkStats();
  const series: SeriesSamples[] = [];
  for (const s of task.series) {
    const chunks = s.chunks.map((c) => StoredChunk.decode(c));
    for (const r of readChunkSamples(s.labels, chunks, params, stats, { head: false, dropDuplicates: true, hashLines: task.hashLines, byMetadata: true })) series.push(r);
  }
  return { series, stats };
}

/** Adds the counters of `from` to `into`. */
export function addChunkStats(into: ChunkStats, from: ChunkStats): void {
  for (const k of Object.keys(from) as (keyof ChunkStats)[]) into[k] += from[k];
}
