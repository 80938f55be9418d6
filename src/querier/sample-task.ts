// One unit of store sample extraction that can run on any thread: a range aggregation (as text, with
// the grouping its extractor was compiled with), a time range and some series' stored chunk bytes,
// turned into columnar series samples and the stats of reading them. No I/O.
import { StoredChunk } from '../chunks/index.js';
import { readChunkSamples, type ReadableChunk } from '../iter/chunk-reader.js';
import type { Grouping, RangeAggregationExpr } from '../logql/ast.js';
import type { SampleExtractor, SeriesSamples } from '../logql/contracts.js';
import { buildSampleExtractor } from '../logql/log/index.js';
import { parseExpr } from '../logql/syntax/index.js';
import { CancelledError, type Labels, type Nanos } from '../model/index.js';
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
  /**
   * The query read the task belongs to (taskScope): tasks of one read share the extractor a thread
   * compiled for it, and its `over` flag (shared memory), set once the read is cancelled or done.
   */
  scope?: TaskScope;
}

export interface TaskScope {
  /** Unique in the process that made it. */
  id: number;
  /** One Int32 on a SharedArrayBuffer: 0 while the read goes on, 1 once it is over (cancelled or done). */
  over: Int32Array;
}

export interface SampleTaskResult {
  series: SeriesSamples[];
  stats: ChunkStats;
}

let nextScope = 0;

/** A scope for the tasks of one read: the flag lives in shared memory, so threads see it set at once. */
export function taskScope(): TaskScope {
  return { id: nextScope++, over: new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) };
}

/** Marks the read over: its queued tasks are skipped and running ones stop at their next chunk. */
export function endScope(scope: TaskScope): void {
  Atomics.store(scope.over, 0, 1);
}

export function scopeEnded(scope: TaskScope | undefined): boolean {
  return scope !== undefined && Atomics.load(scope.over, 0) !== 0;
}

export interface TaskCounts {
  /** Expressions parsed. */
  parsed: number;
  /** Extractors compiled. */
  compiled: number;
  /** Tasks skipped or stopped because their read was over. */
  cancelled: number;
}

/** What this thread did with its tasks so far (diagnostics). */
export const taskCounts: TaskCounts = { parsed: 0, compiled: 0, cancelled: 0 };

function cancelled(): CancelledError {
  taskCounts.cancelled++;
  return new CancelledError();
}

interface Compiled {
  expr: RangeAggregationExpr;
  /** Compiled for the tasks of this scope only (undefined: a task without a scope). */
  extractor?: { scope: TaskScope; value: SampleExtractor };
}

/**
 * Compiled expressions by (expression, outer grouping), least recently used first. The parsed
 * expression (immutable) is kept across reads; the extractor only for the read it was compiled for,
 * since it keeps per-stream builders and a cache of every label set it produced.
 */
const compiled = new Map<string, Compiled>();
const MAX_COMPILED = 4;

function compileKey(task: SampleTask): string {
  const o = task.outer;
  return `${o === undefined ? '-' : `${o.without ? 'without' : 'by'}(${o.labels.join(',')})`} ${task.expr}`;
}

/**
 * Forgets the extractors of reads that are over (their tasks are all answered or to be skipped).
 * Returns whether extractors of reads still going on are kept.
 */
export function dropEndedExtractors(): boolean {
  let live = false;
  for (const c of compiled.values()) {
    if (c.extractor === undefined) continue;
    if (scopeEnded(c.extractor.scope)) c.extractor = undefined;
    else live = true;
  }
  return live;
}

/** The task's extractor: compiled once per read (scope) and thread, its expression parsed once per thread. */
function extractorFor(task: SampleTask): { expr: RangeAggregationExpr; extractor: SampleExtractor } {
  const key = compileKey(task);
  let c = compiled.get(key);
  if (c !== undefined) {
    compiled.delete(key);
  } else {
    taskCounts.parsed++;
    const expr = parseExpr(task.expr);
    if (expr.kind !== 'rangeAggregation') throw new Error(`sample task: not a range aggregation: ${task.expr}`);
    c = { expr };
    while (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  }
  compiled.set(key, c);
  const scope = task.scope;
  if (scope !== undefined && c.extractor !== undefined && c.extractor.scope.id === scope.id) return { expr: c.expr, extractor: c.extractor.value };
  taskCounts.compiled++;
  const extractor = buildSampleExtractor(c.expr, task.outer);
  c.extractor = scope === undefined ? undefined : { scope, value: extractor };
  return { expr: c.expr, extractor };
}

/**
 * A chunk that throws a cancellation when read after its task's read is over. It must pass on
 * every read of ReadableChunk, the optional ones too (a missing one would turn off a faster path).
 */
function stopping(c: ReadableChunk, scope: TaskScope): ReadableChunk {
  const out: ReadableChunk = {
    minTs: c.minTs,
    maxTs: c.maxTs,
    iterate(from, through, direction, filter, skipped) {
      if (scopeEnded(scope)) throw cancelled();
      return c.iterate(from, through, direction, filter, skipped);
    },
    sampleColumns(from, through) {
      if (scopeEnded(scope)) throw cancelled();
      return c.sampleColumns(from, through);
    },
  };
  if (c.lineColumns !== undefined)
    out.lineColumns = (from, through, filter, skipped) => {
      if (scopeEnded(scope)) throw cancelled();
      return c.lineColumns!(from, through, filter, skipped);
    };
  return out;
}

/**
 * Reads the task's series as StoreSource does on the main thread. A task whose read is over fails
 * with a CancelledError before it starts, or between its chunks.
 */
export function runSampleTask(task: SampleTask): SampleTaskResult {
  const { scope } = task;
  if (scopeEnded(scope)) throw cancelled();
  const { expr, extractor } = extractorFor(task);
  const params = { expr, matchers: expr.range.selector.matchers, extractor, start: task.start, end: task.end };
  const stats = emptyChunkStats();
  const series: SeriesSamples[] = [];
  for (const s of task.series) {
    if (scopeEnded(scope)) throw cancelled();
    const chunks = s.chunks.map((c) => (scope === undefined ? StoredChunk.decode(c) : stopping(StoredChunk.decode(c), scope)));
    for (const r of readChunkSamples(s.labels, chunks, params, stats, { head: false, dropDuplicates: true, hashLines: task.hashLines, byMetadata: true })) series.push(r);
  }
  return { series, stats };
}

/** Adds the counters of `from` to `into`. */
export function addChunkStats(into: ChunkStats, from: ChunkStats): void {
  for (const k of Object.keys(from) as (keyof ChunkStats)[]) into[k] += from[k];
}
