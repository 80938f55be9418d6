// Index volume: bytes per series or label name in step buckets from chunk extents, grouped, sorted
// and limited as Loki does. Does no I/O itself: extents come from readers the querier passes in.
import type { Pipeline, SelectLogsParams, StreamResult } from '../logql/contracts.js';
import type { QueryResult, MatrixSeries, VectorSample } from '../logql/engine/index.js';
import { parseMatchers } from '../logql/syntax/index.js';
import { ValidationError, type Direction, type Label, type Labels, type Matcher, type Nanos } from '../model/index.js';
import { labelsString } from '../model/labels.js';
import { QueryStats } from '../model/stats.js';
import { nowNanos } from '../model/time.js';
import { parseBounds, parseInstantQuery, parseRangeQuery, type Params } from './params.js';

/** A chunk's time range (inclusive ns) and uncompressed size. */
export interface ChunkExtent {
  from: Nanos;
  through: Nanos;
  bytes: number;
}

export interface SeriesExtents {
  labels: Labels;
  chunks: readonly ChunkExtent[];
}

export type VolumeAggregation = 'series' | 'labels';

export interface VolumeRequest {
  /** The stream selector; `[]` for Loki's match-any `{}`. */
  matchers: Matcher[];
  start: Nanos;
  end: Nanos;
  /** ns; 0 for the instant endpoint (one bucket). */
  step: Nanos;
  limit: number;
  targetLabels: string[];
  aggregateBy: VolumeAggregation;
}

/** An ingester that reports its unflushed chunk extents directly (optional; see ingesterChunkExtents). */
export interface ChunkExtentReader {
  chunkExtents(tenant: string, matchers: Matcher[], from: Nanos, through: Nanos): Promise<SeriesExtents[]>;
}

/** What volume needs of any ingester reader (a subset of IngesterReader). */
export interface VolumeIngester {
  selectLogs(tenant: string, params: SelectLogsParams, stats: QueryStats, served: Set<string>): AsyncIterable<StreamResult[]>;
  series(tenant: string, matchers: Matcher[] | undefined, start: Nanos, end: Nanos): Promise<Labels[]>;
  labelNames(tenant: string, start: Nanos, end: Nanos, matchers?: Matcher[]): Promise<string[]>;
  stats(tenant: string, matchers: Matcher[], start: Nanos, end: Nanos): Promise<{ bytes: number }>;
}

/** The first entry's timestamp of every stream in [start, end) in one direction, by stream labels. */
async function edgeTimestamps(
  ing: VolumeIngester,
  tenant: string,
  matchers: Matcher[],
  pipeline: Pipeline,
  start: Nanos,
  end: Nanos,
  direction: Direction,
): Promise<Map<string, Nanos>> {
  const out = new Map<string, Nanos>();
  const params: SelectLogsParams = { selector: { kind: 'logSelector', matchers, stages: [] }, matchers, pipeline, start, end, direction, limit: 1 };
  for await (const batch of ing.selectLogs(tenant, params, new QueryStats(), new Set())) {
    for (const s of batch) {
      const key = labelsString(s.labels.stream);
      if (!out.has(key) && s.entries.length) out.set(key, s.entries[0].ts);
    }
  }
  return out;
}

/**
 * An ingester's unflushed chunk extents for the matchers in [from, through]. A reader without
 * `chunkExtents` is asked per series for stats (exact label match: the series' labels, every other
 * label name absent) and for its first and last entry in range: one extent per series spanning them.
 */
export async function ingesterChunkExtents(
  ing: VolumeIngester | (VolumeIngester & ChunkExtentReader),
  tenant: string,
  matchers: Matcher[],
  from: Nanos,
  through: Nanos,
  pipeline: Pipeline,
): Promise<SeriesExtents[]> {
  if ('chunkExtents' in ing) return ing.chunkExtents(tenant, matchers, from, through);
  const end = through + 1n;
  const selected = matchers.length ? matchers : undefined;
  const series = await ing.series(tenant, selected, from, end);
  if (series.length === 0) return [];
  const names = await ing.labelNames(tenant, from, end, selected);
  const firsts = await edgeTimestamps(ing, tenant, matchers, pipeline, from, end, 'forward');
  const lasts = await edgeTimestamps(ing, tenant, matchers, pipeline, from, end, 'backward');
  const out: SeriesExtents[] = [];
  for (const labels of series) {
    const key = labelsString(labels);
    const first = firsts.get(key);
    const last = lasts.get(key);
    if (first === undefined || last === undefined) continue;
    const exact: Matcher[] = labels.map((l) => ({ name: l.name, op: '=', value: l.value }));
    for (const n of names) if (!labels.some((l) => l.name === n)) exact.push({ name: n, op: '=', value: '' });
    const { bytes } = await ing.stats(tenant, exact, from, end);
    if (bytes > 0) out.push({ labels, chunks: [{ from: first, through: last, bytes }] });
  }
  return out;
}

const DEFAULT_LIMIT = 100;
const MATCH_ANY = '{}';

/** loghttp volumeLimit: 0 means the default (100); other values as `limit`. */
function withVolumeLimit(p: Params): Params {
  const v = p.get('limit');
  if (v === null || v === '' || !/^[+-]?\d+$/.test(v) || Number(v) !== 0) return p;
  const copy = new URLSearchParams(p);
  copy.set('limit', String(DEFAULT_LIMIT));
  return copy;
}

function parseAggregateBy(p: Params): VolumeAggregation {
  const v = p.get('aggregateBy');
  if (v === null || v === '' || v === 'series') return 'series';
  if (v === 'labels') return 'labels';
  throw new ValidationError('invalid aggregation option');
}

function parseTargetLabels(p: Params): string[] {
  const v = p.get('targetLabels');
  if (v === null || v === '') return [];
  return v.split(',');
}

function parseVolumeMatchers(query: string): Matcher[] {
  return query === MATCH_ANY ? [] : parseMatchers(query);
}

/** Loki's ParseVolumeInstantQuery / ParseVolumeRangeQuery with their validations and error texts. */
export function parseVolumeRequest(params: Params, range: boolean, now: Nanos = nowNanos()): VolumeRequest {
  const p = withVolumeLimit(params);
  if (range) {
    const r = parseRangeQuery(p, now);
    const aggregateBy = parseAggregateBy(p);
    return {
      matchers: parseVolumeMatchers(r.query),
      start: r.start,
      end: r.end,
      step: r.step,
      limit: r.limit,
      targetLabels: parseTargetLabels(p),
      aggregateBy,
    };
  }
  const q = parseInstantQuery(p, now);
  const aggregateBy = parseAggregateBy(p);
  const targetLabels = parseTargetLabels(p);
  const { start, end } = parseBounds(p, now);
  if (end < start) throw new ValidationError('end timestamp must not be before or equal to start time');
  return { matchers: parseVolumeMatchers(q.query), start, end, step: 0n, limit: q.limit, targetLabels, aggregateBy };
}

/**
 * The matchers series are selected with: the request's, plus `name=~".+"` for every target label
 * the selector does not mention (util.PrepareLabelsAndMatchers).
 */
export function selectionMatchers(req: VolumeRequest): Matcher[] {
  const named = new Set(req.matchers.map((m) => m.name));
  const out = [...req.matchers];
  for (const t of req.targetLabels) if (!named.has(t)) out.push({ name: t, op: '=~', value: '.+' });
  return out;
}

/** One sub-request of the volume middleware: its range (ns, as the querier receives it) and bucket time (ms). */
export interface VolumeBucket {
  from: Nanos;
  through: Nanos;
  atMs: number;
}

const NS_PER_MS = 1_000_000n;

/**
 * Loki's volume middleware split: the request is rounded to milliseconds (start down, end up, in
 * float64 as Go does), cut by util.ForInterval into step-aligned pieces that end 1ms before the next
 * one starts, each labelled with its end; each piece is queried with whole-second bounds.
 */
export function volumeBuckets(start: Nanos, end: Nanos, step: Nanos): VolumeBucket[] {
  const fromMs = BigInt(Math.floor(Number(start) / 1e6));
  const throughMs = BigInt(Math.ceil(Number(end) / 1e6));
  const stepMs = step / NS_PER_MS;
  const pieces: [bigint, bigint][] = [];
  if (stepMs <= 0n) pieces.push([fromMs, throughMs]);
  else {
    const aligned = fromMs - (fromMs % stepMs);
    for (let s = aligned; s < throughMs; s += stepMs) {
      let pieceEnd = s + stepMs;
      if (pieceEnd >= throughMs) pieceEnd = throughMs;
      else pieceEnd -= 1n;
      pieces.push([s === aligned ? fromMs : s, pieceEnd]);
    }
  }
  const wholeSecond = (ms: bigint): Nanos => (ms - (((ms % 1000n) + 1000n) % 1000n)) * NS_PER_MS;
  return pieces.map(([s, e]) => ({ from: wholeSecond(s), through: wholeSecond(e), atMs: Number(e) }));
}

/** util.GetFactorOfTime: the share of a chunk's time span that lies inside [from, through]. */
export function overlapFactor(from: Nanos, through: Nanos, chunkFrom: Nanos, chunkThrough: Nanos): number {
  if (from > chunkThrough || through < chunkFrom) return 0;
  if (chunkFrom === chunkThrough) return 1;
  const total = chunkThrough - chunkFrom;
  const leading = from > chunkFrom ? from - chunkFrom : 0n;
  const trailing = chunkThrough > through ? chunkThrough - through : 0n;
  return Number(total - (leading + trailing)) / Number(total);
}

/** Bytes of a series' chunks attributed to [from, through]: each chunk scaled by its overlap, truncated. */
export function seriesBytesIn(chunks: readonly ChunkExtent[], from: Nanos, through: Nanos): number {
  let bytes = 0;
  for (const c of chunks) {
    const f = overlapFactor(from, through, c.from, c.through);
    if (f > 0) bytes += Math.trunc(c.bytes * f);
  }
  return bytes;
}

export interface Volume {
  /** The series' labels string, or the label name when aggregating by labels. */
  name: string;
  metric: Labels;
  volume: number;
}

/**
 * Sums volumes of one bucket. By series: each series is reduced to the target labels, or to the
 * labels its selector names (all labels for `{}`). By labels: every label name (or every target
 * label) of a series gets the series' bytes.
 */
export class VolumeAccumulator {
  private readonly volumes = new Map<string, Volume>();
  private readonly keep: Set<string> | undefined;

  constructor(
    private readonly req: VolumeRequest,
    private readonly maxSeries: number,
  ) {
    const names = req.targetLabels.length ? req.targetLabels : req.matchers.map((m) => m.name);
    this.keep = req.targetLabels.length || req.matchers.length ? new Set(names) : undefined;
  }

  add(labels: Labels, bytes: number): void {
    if (bytes <= 0) return;
    if (this.req.aggregateBy === 'series') {
      const kept = this.keep ? labels.filter((l) => this.keep!.has(l.name)) : labels;
      this.addVolume(labelsString(kept), kept, bytes);
      return;
    }
    const byTarget = this.req.targetLabels.length > 0;
    for (const l of labels) {
      if (byTarget && !this.keep!.has(l.name)) continue;
      this.addVolume(l.name, [{ name: l.name, value: '' }], bytes);
    }
  }

  private addVolume(name: string, metric: readonly Label[], bytes: number): void {
    const v = this.volumes.get(name);
    if (v) v.volume += bytes;
    else this.volumes.set(name, { name, metric, volume: bytes });
    if (this.volumes.size > this.maxSeries)
      throw new ValidationError(`the query hit the max number of series limit (limit: ${this.maxSeries} series)`);
  }

  /** Largest first, ties by name; at most `limit` (seriesvolume.MapToVolumeResponse). */
  top(limit: number): Volume[] {
    const all = [...this.volumes.values()];
    all.sort((a, b) => (a.volume !== b.volume ? b.volume - a.volume : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return all.slice(0, limit);
  }
}

/** Where the volume of a tenant's series comes from (the Querier). */
export interface ExtentSource {
  chunkExtents(tenant: string, matchers: Matcher[], from: Nanos, through: Nanos): Promise<SeriesExtents[]>;
}

/**
 * Answers a volume request: the chunk extents of the whole range once, each bucket's share of them,
 * Loki's vector/matrix, and the number of buckets (splits).
 */
export async function queryVolume(
  source: ExtentSource,
  tenant: string,
  req: VolumeRequest,
  maxSeries: number,
): Promise<{ result: QueryResult; buckets: number }> {
  const buckets = volumeBuckets(req.start, req.end, req.step);
  const extents = await source.chunkExtents(tenant, selectionMatchers(req), buckets[0].from, buckets[buckets.length - 1].through);
  return { result: volumeQueryResult(buckets, bucketVolumes(req, buckets, extents, maxSeries)), buckets: buckets.length };
}

/** The volumes of every bucket of a request from the series' chunk extents. */
export function bucketVolumes(req: VolumeRequest, buckets: readonly VolumeBucket[], extents: readonly SeriesExtents[], maxSeries: number): Volume[][] {
  return buckets.map((b) => {
    const acc = new VolumeAccumulator(req, maxSeries);
    for (const s of extents) acc.add(s.labels, seriesBytesIn(s.chunks, b.from, b.through));
    return acc.top(req.limit);
  });
}

/**
 * queryrange.ToPrometheusResponse: samples per name in time order; a vector when no name has more
 * than one sample, else a matrix; ordered by the first sample's value (largest first), then name.
 */
export function volumeQueryResult(buckets: readonly VolumeBucket[], volumes: readonly (readonly Volume[])[]): QueryResult {
  const byName = new Map<string, { metric: Labels; values: [number, number][] }>();
  buckets.forEach((b, i) => {
    for (const v of volumes[i]) {
      let s = byName.get(v.name);
      if (!s) byName.set(v.name, (s = { metric: v.metric, values: [] }));
      s.values.push([b.atMs, v.volume]);
    }
  });
  const series = [...byName.entries()].map(([name, s]) => {
    s.values.sort((a, b) => a[0] - b[0]);
    return { name, ...s };
  });
  series.sort((a, b) => {
    const va = a.values[0][1];
    const vb = b.values[0][1];
    if (va !== vb) return vb - va;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  if (series.some((s) => s.values.length > 1)) {
    const matrix: MatrixSeries[] = series.map((s) => ({ metric: s.metric, values: s.values }));
    return { type: 'matrix', series: matrix };
  }
  const samples: VectorSample[] = series.map((s) => ({ metric: s.metric, ms: s.values[0][0], value: s.values[0][1] }));
  return { type: 'vector', samples };
}
