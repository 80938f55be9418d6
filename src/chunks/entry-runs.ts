// Time-ordered reads across a chunk's runs (sealed blocks, then the head): picks the runs a range
// touches, merges runs whose time ranges overlap, and yields entries (optionally only lines passing a
// byte filter) or sample columns. Decodes no run outside the range.
import type { Direction, Entry } from '../model/entry.js';
import { MAX_EXACT_SPAN_NS, type LineBytesFilter, type LineColumns, type Sample, type SampleColumns, type SampleView, type SkippedEntries } from './types.js';

/** Entries sorted by timestamp, ties in insertion order: a sealed block or a head block. */
export interface EntryRun {
  readonly minTs: bigint;
  readonly maxTs: bigint;
  /** Entries with from <= ts < through, ascending; with a filter only lines passing it (the rest counted in `skipped`). */
  entriesIn(from: bigint, through: bigint, filter?: LineBytesFilter, skipped?: SkippedEntries): Entry[];
  /** Columns of the entries with from <= ts < through, ascending. */
  samplesIn(from: bigint, through: bigint): SampleView;
  /** samplesIn with each entry's structured metadata. */
  columnsIn(from: bigint, through: bigint): SampleColumns;
  /**
   * columnsIn with the lines; lines not passing `filter` are masked and counted in `skipped`. Undefined
   * when the run cannot give its lines in time order (callers then read entries).
   */
  lineColumnsIn?(from: bigint, through: bigint, filter?: LineBytesFilter, skipped?: SkippedEntries): LineColumns | undefined;
}

/** First index whose value is >= `key` in an ascending array. */
export function lowerBound<T extends number | bigint>(values: ArrayLike<T>, key: T, lo = 0, hi = values.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Groups the runs overlapping [from, through) into clusters of runs whose time ranges overlap (or touch),
 * clusters ascending in time and separated by a gap; each cluster's runs keep their insertion order.
 */
function clustersOf(runs: readonly EntryRun[], from: bigint, through: bigint): EntryRun[][] {
  if (from >= through) return [];
  const picked: number[] = [];
  for (let i = 0; i < runs.length; i++) if (runs[i].minTs < through && runs[i].maxTs >= from) picked.push(i);
  picked.sort((a, b) => {
    const x = runs[a].minTs;
    const y = runs[b].minTs;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  const clusters: EntryRun[][] = [];
  let current: number[] = [];
  let currentMax = 0n;
  const close = (): void => {
    if (current.length > 0) clusters.push(current.sort((a, b) => a - b).map((i) => runs[i]));
  };
  for (const i of picked) {
    const run = runs[i];
    if (current.length > 0 && run.minTs <= currentMax) {
      current.push(i);
      if (run.maxTs > currentMax) currentMax = run.maxTs;
    } else {
      close();
      current = [i];
      currentMax = run.maxTs;
    }
  }
  close();
  return clusters;
}

/** Merges ascending lists by `ts`; on equal timestamps the earlier list wins, so insertion order holds. */
function mergeByTs<T extends { ts: bigint }>(lists: T[][]): T[] {
  const live = lists.filter((l) => l.length > 0);
  if (live.length <= 1) return live[0] ?? [];
  let total = 0;
  for (const l of live) total += l.length;
  const pos = new Array<number>(live.length).fill(0);
  const out = new Array<T>(total);
  for (let n = 0; n < total; n++) {
    let best = -1;
    let bestTs = 0n;
    for (let j = 0; j < live.length; j++) {
      if (pos[j] < live[j].length && (best < 0 || live[j][pos[j]].ts < bestTs)) {
        best = j;
        bestTs = live[j][pos[j]].ts;
      }
    }
    out[n] = live[best][pos[best]++];
  }
  return out;
}

/** Entries with from <= ts < through across runs, sorted by ts in `direction`; ties in insertion order (reversed backward). */
export function* iterateRuns(
  runs: readonly EntryRun[],
  from: bigint,
  through: bigint,
  direction: Direction,
  filter?: LineBytesFilter,
  skipped?: SkippedEntries,
): Generator<Entry, void, undefined> {
  const clusters = clustersOf(runs, from, through);
  if (direction === 'forward') {
    for (const cluster of clusters) {
      const entries = mergeByTs(cluster.map((r) => r.entriesIn(from, through, filter, skipped)));
      for (let i = 0; i < entries.length; i++) yield entries[i];
    }
  } else {
    for (let c = clusters.length - 1; c >= 0; c--) {
      const entries = mergeByTs(clusters[c].map((r) => r.entriesIn(from, through, filter, skipped)));
      for (let i = entries.length - 1; i >= 0; i--) yield entries[i];
    }
  }
}

function lastTsOf(v: SampleView): bigint {
  return v.baseTs + BigInt(v.offsetsNs[v.offsetsNs.length - 1]);
}

/** Merges the views of overlapping runs into views ascending by ts (ties: earlier view first). */
function mergeViews(views: SampleView[]): SampleView[] {
  const live = views.filter((v) => v.offsetsNs.length > 0);
  if (live.length <= 1) return live;
  let base = live[0].baseTs;
  let last = lastTsOf(live[0]);
  let total = 0;
  for (const v of live) {
    if (v.baseTs < base) base = v.baseTs;
    const l = lastTsOf(v);
    if (l > last) last = l;
    total += v.offsetsNs.length;
  }
  if (last - base > MAX_EXACT_SPAN_NS) return mergeWideViews(live);
  const shifts = live.map((v) => Number(v.baseTs - base));
  const pos = new Array<number>(live.length).fill(0);
  const offsetsNs = new Float64Array(total);
  const bytes = new Uint32Array(total);
  for (let n = 0; n < total; n++) {
    let best = -1;
    let bestKey = Infinity;
    for (let j = 0; j < live.length; j++) {
      const p = pos[j];
      if (p < live[j].offsetsNs.length) {
        const key = shifts[j] + live[j].offsetsNs[p];
        if (key < bestKey) {
          best = j;
          bestKey = key;
        }
      }
    }
    offsetsNs[n] = bestKey;
    bytes[n] = live[best].bytes[pos[best]++];
  }
  return [{ baseTs: base, offsetsNs, bytes }];
}

/** The rare merge of runs spanning more than MAX_EXACT_SPAN_NS: bigint keys, output split to keep offsets exact. */
function mergeWideViews(views: SampleView[]): SampleView[] {
  const merged = mergeByTs(
    views.map((v) => Array.from(v.offsetsNs, (off, i): Sample => ({ ts: v.baseTs + BigInt(off), bytes: v.bytes[i] }))),
  );
  const out: SampleView[] = [];
  for (let start = 0; start < merged.length; ) {
    const baseTs = merged[start].ts;
    let end = start;
    while (end < merged.length && merged[end].ts - baseTs <= MAX_EXACT_SPAN_NS) end++;
    const offsetsNs = new Float64Array(end - start);
    const bytes = new Uint32Array(end - start);
    for (let i = start; i < end; i++) {
      offsetsNs[i - start] = Number(merged[i].ts - baseTs);
      bytes[i - start] = merged[i].bytes;
    }
    out.push({ baseTs, offsetsNs, bytes });
    start = end;
  }
  return out;
}

/** Non-empty sample views of entries with from <= ts < through, ascending and in order across views. */
export function sampleViewsOfRuns(runs: readonly EntryRun[], from: bigint, through: bigint): SampleView[] {
  const out: SampleView[] = [];
  for (const cluster of clustersOf(runs, from, through)) {
    if (cluster.length === 1) {
      const view = cluster[0].samplesIn(from, through);
      if (view.offsetsNs.length > 0) out.push(view);
    } else {
      for (const view of mergeViews(cluster.map((r) => r.samplesIn(from, through)))) out.push(view);
    }
  }
  return out;
}

/**
 * Sample columns with structured metadata of entries with from <= ts < through, ascending and in order
 * across views; undefined when runs overlap in time (or touch), where equal timestamps from two runs
 * might be duplicates only their lines could tell apart.
 */
export function sampleColumnsOfRuns(runs: readonly EntryRun[], from: bigint, through: bigint): SampleColumns[] | undefined {
  const out: SampleColumns[] = [];
  for (const cluster of clustersOf(runs, from, through)) {
    if (cluster.length > 1) return undefined;
    const columns = cluster[0].columnsIn(from, through);
    if (columns.offsetsNs.length > 0) out.push(columns);
  }
  return out;
}

/**
 * Line columns of entries with from <= ts < through, ascending and in order across views; undefined
 * when runs overlap in time or touch (before any run is read), or a run cannot give its lines as
 * columns (callers then discard what `skipped` counted).
 */
export function lineColumnsOfRuns(
  runs: readonly EntryRun[],
  from: bigint,
  through: bigint,
  filter?: LineBytesFilter,
  skipped?: SkippedEntries,
): LineColumns[] | undefined {
  const clusters = clustersOf(runs, from, through);
  for (const cluster of clusters) if (cluster.length > 1 || cluster[0].lineColumnsIn === undefined) return undefined;
  const out: LineColumns[] = [];
  for (const [run] of clusters) {
    const columns = run.lineColumnsIn!(from, through, filter, skipped);
    if (columns === undefined) return undefined;
    if (columns.offsetsNs.length > 0) out.push(columns);
  }
  return out;
}

/** The samples of views, one object each (the convenient, slower form of sampleViewsOfRuns). */
export function* samplesOfViews(views: readonly SampleView[]): Generator<Sample, void, undefined> {
  for (const v of views) {
    for (let i = 0; i < v.offsetsNs.length; i++) yield { ts: v.baseTs + BigInt(v.offsetsNs[i]), bytes: v.bytes[i] };
  }
}
