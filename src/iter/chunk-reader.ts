// Reads one stream's chunks for a query: entries in time order across chunks, through the compiled
// pipeline or sample extractor, into result streams/series. Shared by the ingester (memory) and
// the querier (stored chunks); does no I/O. Lines that plain line filters reject are skipped undecoded,
// blocks whose gram filters rule out a needle are not decompressed at all, and count/bytes aggregations
// without line stages read timestamp, size and metadata columns only.
import { isPrintableAscii, metadataBytes, type LineBytesFilter, type LineColumns, type SampleColumns, type SkippedEntries } from '../chunks/index.js';
import type { Entry, Labels, Nanos, Direction } from '../model/index.js';
import { skippedBlockTotals, type ChunkStats } from '../model/stats.js';
import { lineHash } from './line-hash.js';
import type { RangeAggregationExpr, Stage } from '../logql/ast.js';
import { extractLineNeedles } from '../logql/log/index.js';
import { MAX_SAMPLE_SPAN_NS } from '../logql/contracts.js';
import type {
  LabelsResult,
  SelectLogsParams,
  SelectSamplesParams,
  SeriesSamples,
  StreamPipeline,
  StreamResult,
} from '../logql/contracts.js';
import { SeriesSamplesBuilder, mergeSamples } from '../logql/engine/series-samples.js';

/** What the reader needs of a chunk; MemChunk and StoredChunk both provide it. */
export interface ReadableChunk {
  readonly minTs: Nanos;
  readonly maxTs: Nanos;
  /** With a filter, only lines passing it; the others are counted in `skipped`. */
  iterate(from: Nanos, through: Nanos, direction: Direction, filter?: LineBytesFilter, skipped?: SkippedEntries): Iterable<Entry>;
  /** Timestamps, line sizes and metadata, ascending; undefined when the chunk's blocks overlap in time. */
  sampleColumns(from: Nanos, through: Nanos): SampleColumns[] | undefined;
  /** sampleColumns with the lines, masked by `filter`; undefined when blocks overlap or touch, or lines are out of order. */
  lineColumns?(from: Nanos, through: Nanos, filter?: LineBytesFilter, skipped?: SkippedEntries): LineColumns[] | undefined;
}

/** How one stream's chunks are read. */
export interface ChunkReadOptions {
  /** Memory (counted as head chunk stats) or decompressed stored chunks. */
  head: boolean;
  /** Drop an entry equal (timestamp and line) to one read before: overlapping chunks in the store. */
  dropDuplicates: boolean;
  /** Give every sample its line's hash (replica de-duplication). */
  hashLines?: boolean;
  /**
   * Let queries without stages call the pipeline or extractor once per structured-metadata object
   * instead of once per entry (their output depends on nothing else), and let count/bytes
   * aggregations read columns only. Off for an extractor that must see every line (one that hashes them).
   */
  byMetadata?: boolean;
  /**
   * Log reads: the range is one window of a limited read, sized to hold about what the query takes,
   * so decoding all of it costs little more than stopping at the limit. Strictly disjoint chunks and
   * blocks are then read from line columns, without entry iterators.
   */
  wholeRange?: boolean;
}

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Node's Buffer#utf8Slice: the fastest way from UTF-8 bytes to a string. */
interface Utf8Slicing {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

/**
 * LOKITS_BLOCK_FILTERS=off makes reads ignore the chunks' gram filters (same results, every block
 * decompressed): the switch `npm run bench` uses to measure what the filters save.
 */
const IGNORE_BLOCK_FILTERS = process.env.LOKITS_BLOCK_FILTERS === 'off';

/** Line-byte filters by the stage list they were made for: every stream of a query shares one. */
const filterCache = new WeakMap<readonly Stage[], LineBytesFilter | null>();

/**
 * The line-byte filter for a selector's stages: the plain substring tests its line filters make on
 * the raw line, as UTF-8 needles (a needle that is not valid UTF-8 is left to the pipeline).
 */
export function lineBytesFilter(stages: readonly Stage[]): LineBytesFilter | undefined {
  let filter = filterCache.get(stages);
  if (filter === undefined) {
    filter = null;
    const needles = extractLineNeedles(stages);
    if (needles !== undefined) {
      const bytesOf = (list: string[]): Buffer[] =>
        list.map((s) => Buffer.from(s, 'utf8')).filter((b, i) => b.toString('utf8') === list[i]);
      const include = bytesOf(needles.include);
      const exclude = bytesOf(needles.exclude);
      if (include.length > 0 || exclude.length > 0) filter = { include, exclude, ignoreBlockFilters: IGNORE_BLOCK_FILTERS };
    }
    filterCache.set(stages, filter);
  }
  return filter ?? undefined;
}

/** Entries of the chunks with from <= ts < through, ordered by `direction` across chunks. */
export function* chunkEntries(
  chunks: readonly ReadableChunk[],
  from: Nanos,
  through: Nanos,
  direction: Direction,
  filter?: LineBytesFilter,
  skipped?: SkippedEntries,
): Generator<Entry> {
  const sorted = sortedInRange(chunks, from, through);
  if (sorted.length === 0) return;
  if (disjoint(sorted, false)) {
    if (direction === 'forward') for (const c of sorted) yield* c.iterate(from, through, 'forward', filter, skipped);
    else for (let i = sorted.length - 1; i >= 0; i--) yield* sorted[i].iterate(from, through, 'backward', filter, skipped);
    return;
  }
  // Out-of-order writes made chunks overlap: merge them (stable: ties keep chunk order).
  const all: Entry[] = [];
  for (const c of sorted) for (const e of c.iterate(from, through, 'forward', filter, skipped)) all.push(e);
  all.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  if (direction === 'forward') yield* all;
  else for (let i = all.length - 1; i >= 0; i--) yield all[i];
}

/** Tells entries repeating one seen before at the same timestamp, met in time order (either way). */
class RepeatCheck {
  private lastTs = -1n;
  // The first line at the current timestamp, and the others (rare: no array per entry).
  private first = '';
  private others: string[] | undefined;

  /** Whether (ts, line) was seen before; counts it in `stats` if so, remembers it if not. */
  repeats(ts: bigint, line: string, stats: ChunkStats): boolean {
    if (ts !== this.lastTs) {
      this.lastTs = ts;
      this.first = line;
      this.others = undefined;
      return false;
    }
    if (line === this.first || (this.others !== undefined && this.others.includes(line))) {
      stats.totalDuplicates++;
      return true;
    }
    (this.others ??= []).push(line);
    return false;
  }
}

/** Drops entries equal to one already seen at the same timestamp (overlapping chunks of a stream). */
function* withoutDuplicates(entries: Iterable<Entry>, stats: ChunkStats): Generator<Entry> {
  const check = new RepeatCheck();
  for (const e of entries) if (!check.repeats(e.ts, e.line, stats)) yield e;
}

/** Adds an entry's size to the stats of its side (memory or decompressed chunks). */
export function countEntry(stats: ChunkStats, head: boolean, e: Entry): void {
  countRead(stats, head, 1, utf8Length(e.line), metadataBytes(e.metadata));
}

/** Adds lines read (decoded or not) to the stats of their side. */
function countRead(stats: ChunkStats, head: boolean, lines: number, bytes: number, md: number): void {
  if (head) {
    stats.headChunkLines += lines;
    stats.headChunkBytes += bytes;
    stats.headChunkStructuredMetadataBytes += md;
  } else {
    stats.decompressedLines += lines;
    stats.decompressedBytes += bytes;
    stats.decompressedStructuredMetadataBytes += md;
  }
}

const noneSkipped = (): SkippedEntries => ({ lines: 0, bytes: 0, metadataBytes: 0 });

/** Adds the blocks a read skipped by their gram filters to the process totals (they are not lines read). */
function countSkippedBlocks(head: boolean, skipped: SkippedEntries): void {
  if (skipped.blocks === undefined) return;
  const totals = head ? skippedBlockTotals.ingester : skippedBlockTotals.store;
  totals.blocks += skipped.blocks;
  totals.bytes += skipped.blockBytes ?? 0;
}

/**
 * Runs a log query over one stream's chunks (see readStreamLogs): lines the query's plain line
 * filters reject are skipped without being decoded.
 */
export function readChunkLogs(
  streamLabels: Labels,
  chunks: readonly ReadableChunk[],
  params: SelectLogsParams,
  stats: ChunkStats,
  o: ChunkReadOptions,
): StreamResult[] {
  const skipped = noneSkipped();
  const filter = filterFor(params.selector.stages, chunks, params.start, params.end, o);
  const columns = o.wholeRange ? lineColumnsOf(chunks, params.start, params.end, filter, skipped) : undefined;
  let res: StreamResult[];
  if (columns !== undefined) res = logsOfLines(streamLabels, columns, params, stats, o);
  else {
    let entries: Iterable<Entry> = chunkEntries(chunks, params.start, params.end, params.direction, filter, skipped);
    if (o.dropDuplicates) entries = withoutDuplicates(entries, stats);
    res = logsOf(streamLabels, entries, params, stats, o.head, o.byMetadata === true);
  }
  countRead(stats, o.head, skipped.lines, skipped.bytes, skipped.metadataBytes);
  countSkippedBlocks(o.head, skipped);
  return res;
}

/**
 * logsOf over line columns (ascending, strictly disjoint blocks), walked in the query's direction:
 * an entry object is made for each line taken; lines at one timestamp repeating an earlier one are
 * dropped (with dropDuplicates) as withoutDuplicates does; a line's size is its stored length.
 */
function logsOfLines(streamLabels: Labels, columns: readonly LineColumns[], params: SelectLogsParams, stats: ChunkStats, o: ChunkReadOptions): StreamResult[] {
  const logs = new StreamLogs(streamLabels, params, stats, o.byMetadata === true);
  const backward = params.direction === 'backward';
  let read = 0;
  let bytes = 0;
  let md = 0;
  let mdOf: Labels | undefined | null = null;
  let mdBytes = 0;
  const repeats = o.dropDuplicates ? new RepeatCheck() : undefined;
  walk: for (let k = 0; k < columns.length; k++) {
    const c = columns[backward ? columns.length - 1 - k : k];
    const { offsetsNs, bytes: sizes, metadata, mask } = c;
    const lines = c.lines as unknown as Utf8Slicing;
    const n = offsetsNs.length;
    let p = c.lineStart;
    if (backward) for (let i = 0; i < n; i++) p += sizes[i];
    let prevOffset = -1;
    let ts = c.baseTs;
    for (let j = 0; j < n; j++) {
      const i = backward ? n - 1 - j : j;
      const size = sizes[i];
      const start = backward ? p - size : p;
      p = backward ? start : p + size;
      if (mask !== undefined && mask[i] === 0) continue;
      const offset = offsetsNs[i];
      if (offset !== prevOffset) {
        prevOffset = offset;
        ts = c.baseTs + BigInt(offset);
      }
      const line = lines.utf8Slice(start, start + size);
      if (repeats !== undefined && repeats.repeats(ts, line, stats)) continue;
      const m = metadata === undefined ? undefined : metadata[i];
      if (m !== mdOf) {
        mdOf = m;
        mdBytes = metadataBytes(m);
      }
      read++;
      bytes += size;
      md += mdBytes;
      if (!logs.take({ ts, line, metadata: m })) break walk;
    }
  }
  countRead(stats, o.head, read, bytes, md);
  return logs.result();
}

/**
 * Extracts one stream's samples from its chunks (see readStreamSamples). Count and bytes
 * aggregations without line stages read only the timestamp, size and metadata columns when no
 * duplicate can hide among the chunks; otherwise lines the plain line filters reject are skipped
 * without being decoded.
 */
export function readChunkSamples(
  streamLabels: Labels,
  chunks: readonly ReadableChunk[],
  params: SelectSamplesParams,
  stats: ChunkStats,
  o: ChunkReadOptions,
): SeriesSamples[] {
  checkSpan(params);
  const lineFree = o.byMetadata ? valueWithoutLine(params.expr) : undefined;
  if (lineFree !== undefined && !o.hashLines) {
    const columns = columnsOf(chunks, params.start, params.end, o.dropDuplicates);
    if (columns !== undefined) return samplesOfColumns(streamLabels, columns, params, stats, o.head, lineFree);
  }
  const skipped = noneSkipped();
  const filter = filterFor(params.expr.range.selector.stages, chunks, params.start, params.end, o);
  if (lineFree === undefined && !o.hashLines) {
    const columns = lineColumnsOf(chunks, params.start, params.end, filter, skipped);
    if (columns !== undefined) {
      const res = samplesOfLines(streamLabels, columns, params, stats, o.head);
      countRead(stats, o.head, skipped.lines, skipped.bytes, skipped.metadataBytes);
      countSkippedBlocks(o.head, skipped);
      return res;
    }
  }
  let entries: Iterable<Entry> = chunkEntries(chunks, params.start, params.end, 'forward', filter, skipped);
  if (o.dropDuplicates) entries = withoutDuplicates(entries, stats);
  const res = samplesOf(streamLabels, entries, params, stats, o.head, o.hashLines === true, o.byMetadata === true);
  countRead(stats, o.head, skipped.lines, skipped.bytes, skipped.metadataBytes);
  countSkippedBlocks(o.head, skipped);
  return res;
}

/** Sample offsets are taken from `params.start`: the span asked for must keep them exact. */
function checkSpan(params: SelectSamplesParams): void {
  if (params.end - params.start > MAX_SAMPLE_SPAN_NS) throw new Error(`samples asked for over ${params.end - params.start} ns, more than offsets hold exactly`);
}

/**
 * The line-bytes filter a read may use: none when duplicates are dropped and chunks overlap in time,
 * since a skipped line's duplicate must still be recognised (and counted as one, not as a line read).
 */
function filterFor(stages: readonly Stage[], chunks: readonly ReadableChunk[], from: Nanos, through: Nanos, o: ChunkReadOptions): LineBytesFilter | undefined {
  if (o.dropDuplicates && sortedIfDisjoint(chunks, from, through, true) === undefined) return undefined;
  return lineBytesFilter(stages);
}

/** The chunks holding entries in [from, through), by minTs. */
function sortedInRange(chunks: readonly ReadableChunk[], from: Nanos, through: Nanos): ReadableChunk[] {
  return chunks.filter((c) => c.maxTs >= from && c.minTs < through).sort((a, b) => (a.minTs < b.minTs ? -1 : a.minTs > b.minTs ? 1 : 0));
}

/** Whether no two of the sorted chunks overlap in time (with `strict`, also none touch). */
function disjoint(sorted: readonly ReadableChunk[], strict: boolean): boolean {
  for (let i = 1; i < sorted.length; i++) if (strict ? sorted[i].minTs <= sorted[i - 1].maxTs : sorted[i].minTs < sorted[i - 1].maxTs) return false;
  return true;
}

/** The chunks overlapping [from, through) by minTs, or undefined when two overlap (with `strict`, also when they touch). */
function sortedIfDisjoint(chunks: readonly ReadableChunk[], from: Nanos, through: Nanos, strict: boolean): ReadableChunk[] | undefined {
  const sorted = sortedInRange(chunks, from, through);
  return disjoint(sorted, strict) ? sorted : undefined;
}

/**
 * The columns of the chunks' entries with from <= ts < through, ascending; undefined when chunks or
 * blocks overlap in time (with `strict`, also when they touch: an equal timestamp could be a duplicate).
 */
function columnsOf(chunks: readonly ReadableChunk[], from: Nanos, through: Nanos, strict: boolean): SampleColumns[] | undefined {
  const sorted = sortedIfDisjoint(chunks, from, through, strict);
  if (sorted === undefined) return undefined;
  const out: SampleColumns[] = [];
  for (const c of sorted) {
    const columns = c.sampleColumns(from, through);
    if (columns === undefined) return undefined;
    for (const v of columns) out.push(v);
  }
  return out;
}

/**
 * The line columns of the chunks' entries with from <= ts < through, ascending; undefined when chunks
 * or blocks overlap in time or touch (an equal timestamp could be a duplicate), or a chunk cannot give
 * its lines as columns (a head block holding entries out of order). Skipped lines count only on success.
 */
function lineColumnsOf(
  chunks: readonly ReadableChunk[],
  from: Nanos,
  through: Nanos,
  filter: LineBytesFilter | undefined,
  skipped: SkippedEntries,
): LineColumns[] | undefined {
  const sorted = sortedIfDisjoint(chunks, from, through, true);
  if (sorted === undefined || sorted.some((c) => c.lineColumns === undefined)) return undefined;
  // A chunk that turns out to overlap itself leaves no trace: its skipped lines are counted on success only.
  const attempt = noneSkipped();
  const out: LineColumns[] = [];
  for (const c of sorted) {
    const columns = c.lineColumns!(from, through, filter, attempt);
    if (columns === undefined) return undefined;
    for (const v of columns) out.push(v);
  }
  addSkipped(skipped, attempt);
  return out;
}

function addSkipped(to: SkippedEntries, from: SkippedEntries): void {
  to.lines += from.lines;
  to.bytes += from.bytes;
  to.metadataBytes += from.metadataBytes;
  if (from.blocks !== undefined) {
    to.blocks = (to.blocks ?? 0) + from.blocks;
    to.blockBytes = (to.blockBytes ?? 0) + (from.blockBytes ?? 0);
  }
}

/**
 * Samples of an aggregation whose stages read lines, straight from line columns: each line is decoded
 * once and handed to the extractor; no entry objects, and a line's size is its stored UTF-8 length.
 */
function samplesOfLines(
  streamLabels: Labels,
  columns: readonly LineColumns[],
  params: SelectSamplesParams,
  stats: ChunkStats,
  head: boolean,
): SeriesSamples[] {
  const extractor = params.extractor.forStream(streamLabels);
  const groups = new Map<LabelsResult, SeriesSamplesBuilder>();
  let lastLabels: LabelsResult | undefined;
  let g: SeriesSamplesBuilder | undefined;
  let read = 0;
  let bytes = 0;
  let md = 0;
  let passed = 0;
  let total = 0;
  for (const c of columns) total += c.offsetsNs.length;
  const wantsPrintable = params.extractor.usesPrintableLines === true;
  // The samples are placed by their offsets; a timestamp object is made for stages that read it.
  const readsTs = params.extractor.readsTimestamps !== false;
  for (const c of columns) {
    const { offsetsNs, bytes: sizes, metadata, mask } = c;
    const lines = c.lines as unknown as Utf8Slicing;
    let printable = false;
    if (wantsPrintable) {
      let end = c.lineStart;
      for (let i = 0; i < sizes.length; i++) end += sizes[i];
      printable = isPrintableAscii(c.lines, c.lineStart, end);
    }
    const shift = Number(c.baseTs - params.start);
    let p = c.lineStart;
    let prevOffset = -1;
    let ts = c.baseTs;
    let lastMetadata: Labels | undefined | null = null;
    let mdBytes = 0;
    for (let i = 0; i < offsetsNs.length; i++) {
      const size = sizes[i];
      const end = p + size;
      if (mask !== undefined && mask[i] === 0) {
        p = end;
        continue;
      }
      const m = metadata === undefined ? undefined : metadata[i];
      if (m !== lastMetadata) {
        lastMetadata = m;
        mdBytes = metadataBytes(m);
      }
      read++;
      bytes += size;
      md += mdBytes;
      const offset = offsetsNs[i];
      if (offset !== prevOffset && readsTs) {
        prevOffset = offset;
        ts = c.baseTs + BigInt(offset);
      }
      // Printable ASCII reads the same as Latin-1, which skips UTF-8 decoding.
      const out = extractor.process(ts, printable ? lines.latin1Slice(p, end) : lines.utf8Slice(p, end), m, printable);
      p = end;
      if (out === undefined) continue;
      passed++;
      if (out.labels !== lastLabels) {
        lastLabels = out.labels;
        // The first series gets room for every entry (usually it is the only one).
        g = groupOf(groups, out.labels, params, false, groups.size === 0 ? total : 256);
      }
      g!.push(shift + offset, out.value);
    }
  }
  countRead(stats, head, read, bytes, md);
  stats.postFilterLines += passed;
  return finished(groups);
}

/** Samples of line-free aggregations from columns: the extractor runs once per metadata object. */
function samplesOfColumns(
  streamLabels: Labels,
  columns: readonly SampleColumns[],
  params: SelectSamplesParams,
  stats: ChunkStats,
  head: boolean,
  value: 'count' | 'bytes',
): SeriesSamples[] {
  const extractor = params.extractor.forStream(streamLabels);
  const groups = new Map<LabelsResult, SeriesSamplesBuilder>();
  let total = 0;
  for (const v of columns) total += v.offsetsNs.length;
  let lastMetadata: Labels | undefined | null = null;
  let g: SeriesSamplesBuilder | undefined;
  let mdBytes = 0;
  let bytes = 0;
  let md = 0;
  let passed = 0;
  for (const v of columns) {
    const { offsetsNs, bytes: sizes, metadata } = v;
    const shift = Number(v.baseTs - params.start);
    for (let i = 0; i < offsetsNs.length; i++) {
      const m = metadata === undefined ? undefined : metadata[i];
      if (m !== lastMetadata) {
        lastMetadata = m;
        mdBytes = metadataBytes(m);
        // No stage reads the line, so an empty one stands in for it.
        const out = extractor.process(v.baseTs + BigInt(offsetsNs[i]), '', m);
        // The first series gets room for every entry (usually it is the only one).
        g = out ? groupOf(groups, out.labels, params, false, groups.size === 0 ? total : 256) : undefined;
      }
      bytes += sizes[i];
      md += mdBytes;
      if (g === undefined) continue;
      passed++;
      g.push(shift + offsetsNs[i], value === 'count' ? 1 : sizes[i]);
    }
  }
  countRead(stats, head, total, bytes, md);
  stats.postFilterLines += passed;
  return finished(groups);
}

/**
 * Runs a log query over one stream: at most `limit` entries that pass the pipeline, grouped by
 * their post-pipeline labels, in the query direction.
 */
export function readStreamLogs(
  streamLabels: Labels,
  entries: Iterable<Entry>,
  params: SelectLogsParams,
  stats: ChunkStats,
  head: boolean,
): StreamResult[] {
  return logsOf(streamLabels, entries, params, stats, head, false);
}

/** readStreamLogs; with `byMetadata` a pipeline without stages runs once per metadata object. */
function logsOf(
  streamLabels: Labels,
  entries: Iterable<Entry>,
  params: SelectLogsParams,
  stats: ChunkStats,
  head: boolean,
  byMetadata: boolean,
): StreamResult[] {
  const logs = new StreamLogs(streamLabels, params, stats, byMetadata);
  for (const e of entries) {
    countEntry(stats, head, e);
    if (!logs.take(e)) break;
  }
  return logs.result();
}

/**
 * One stream's log results, entry by entry in query order: the pipeline (with `byMetadata` and no
 * stages, once per metadata object), grouping by output labels, and the query's limit.
 */
class StreamLogs {
  private readonly pipeline: StreamPipeline;
  private readonly noop: boolean;
  private readonly groups = new Map<string, StreamResult>();
  // Without stages an entry keeps its line and its labels depend on its metadata object alone.
  private lastMetadata: Labels | undefined | null = null;
  private g: StreamResult | undefined;
  private taken = 0;

  constructor(
    streamLabels: Labels,
    private readonly params: SelectLogsParams,
    private readonly stats: ChunkStats,
    byMetadata: boolean,
  ) {
    this.pipeline = params.pipeline.forStream(streamLabels);
    this.noop = byMetadata && params.pipeline.noop;
  }

  /** Runs an entry through; false once `limit` entries have been taken. */
  take(e: Entry): boolean {
    if (this.noop) {
      if (e.metadata !== this.lastMetadata) {
        this.lastMetadata = e.metadata;
        const out = this.pipeline.process(e.ts, e.line, e.metadata);
        this.g = out === undefined ? undefined : groupOfEntries(this.groups, out.labels);
      }
      if (this.g === undefined) return true;
      this.stats.postFilterLines++;
      this.g.entries.push(e);
    } else {
      const out = this.pipeline.process(e.ts, e.line, e.metadata);
      if (!out) return true;
      this.stats.postFilterLines++;
      groupOfEntries(this.groups, out.labels).entries.push(out.line === e.line ? e : { ts: e.ts, line: out.line, metadata: e.metadata });
    }
    return ++this.taken < this.params.limit;
  }

  result(): StreamResult[] {
    return [...this.groups.values()];
  }
}

function groupOfEntries(groups: Map<string, StreamResult>, labels: LabelsResult): StreamResult {
  let g = groups.get(labels.key);
  if (!g) {
    g = { labels, entries: [] };
    groups.set(labels.key, g);
  }
  return g;
}

/**
 * The per-entry value of a range aggregation that never looks at a line's content: 'count' (1 an
 * entry) or 'bytes' (the line's UTF-8 length); undefined when a stage or unwrap reads the line. Such
 * an aggregation's labels depend on the stream and the entry's structured metadata only.
 */
export function valueWithoutLine(expr: RangeAggregationExpr): 'count' | 'bytes' | undefined {
  if (expr.range.selector.stages.length > 0 || expr.range.unwrap !== undefined) return undefined;
  switch (expr.op) {
    case 'count_over_time':
    case 'rate':
    case 'absent_over_time':
      return 'count';
    case 'bytes_over_time':
    case 'bytes_rate':
      return 'bytes';
    default:
      return undefined;
  }
}

/**
 * Extracts samples of one stream (ascending time), grouped by their output labels; with
 * `hashLines` each sample also carries its line's hash (for replica de-duplication).
 */
export function readStreamSamples(
  streamLabels: Labels,
  entries: Iterable<Entry>,
  params: SelectSamplesParams,
  stats: ChunkStats,
  head: boolean,
  hashLines = false,
): SeriesSamples[] {
  return samplesOf(streamLabels, entries, params, stats, head, hashLines, false);
}

/** readStreamSamples; with `byMetadata` a count/bytes aggregation without stages runs the extractor once per metadata object. */
function samplesOf(
  streamLabels: Labels,
  entries: Iterable<Entry>,
  params: SelectSamplesParams,
  stats: ChunkStats,
  head: boolean,
  hashLines: boolean,
  byMetadata: boolean,
): SeriesSamples[] {
  checkSpan(params);
  const extractor = params.extractor.forStream(streamLabels);
  const groups = new Map<LabelsResult, SeriesSamplesBuilder>();
  const lineFree = byMetadata ? valueWithoutLine(params.expr) : undefined;
  // Without a stage that reads lines, an entry's output depends on its metadata object alone.
  let lastMetadata: Labels | undefined | null = null;
  let g: SeriesSamplesBuilder | undefined;
  // Entries read from one block share the timestamp object of equal timestamps: one subtraction each.
  let lastTs = params.start;
  let offset = 0;
  for (const e of entries) {
    countEntry(stats, head, e);
    let value: number;
    if (lineFree === undefined) {
      const out = extractor.process(e.ts, e.line, e.metadata);
      if (!out) continue;
      g = groupOf(groups, out.labels, params, hashLines, 256);
      value = out.value;
    } else {
      if (e.metadata !== lastMetadata) {
        lastMetadata = e.metadata;
        const out = extractor.process(e.ts, e.line, e.metadata);
        g = out ? groupOf(groups, out.labels, params, hashLines, 256) : undefined;
      }
      if (!g) continue;
      value = lineFree === 'count' ? 1 : utf8Length(e.line);
    }
    stats.postFilterLines++;
    if (e.ts !== lastTs) {
      lastTs = e.ts;
      offset = Number(e.ts - params.start);
    }
    if (hashLines) g.pushHashed(offset, value, lineHash(e.line));
    else g.push(offset, value);
  }
  return finished(groups);
}

function groupOf(
  groups: Map<LabelsResult, SeriesSamplesBuilder>,
  labels: LabelsResult,
  params: SelectSamplesParams,
  hashLines: boolean,
  capacity: number,
): SeriesSamplesBuilder {
  let g = groups.get(labels);
  if (!g) {
    g = new SeriesSamplesBuilder(labels, params.start, hashLines, capacity);
    groups.set(labels, g);
  }
  return g;
}

/**
 * The groups' series. Series from the same stream can map to equal label sets held in different
 * objects; they are joined.
 */
function finished(groups: Map<LabelsResult, SeriesSamplesBuilder>): SeriesSamples[] {
  const series: SeriesSamples[] = [];
  for (const g of groups.values()) series.push(g.finish());
  if (series.length < 2) return series;
  const byKey = new Map<string, SeriesSamples>();
  for (const s of series) {
    const prev = byKey.get(s.labels.key);
    byKey.set(s.labels.key, prev ? mergeSamples(prev, s) : s);
  }
  return [...byKey.values()];
}
