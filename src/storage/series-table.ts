// Merges index content from many files into one view per series: chunk refs de-duplicated by key
// (replicas, chunks listed in several periods, files seen before and after compaction). Pure: no I/O.
import { labelsEqual, labelsString, type Labels } from '../model/labels.js';
import type { ChunkRef } from './chunk-ref.js';
import type { IndexSeries } from './index-format.js';

export interface MergedSeries {
  labels: Labels;
  fingerprint: string;
  chunks: Map<string, ChunkRef>;
  minFrom: bigint;
  maxThrough: bigint;
}

function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i].name !== b[i].name) return a[i].name < b[i].name ? -1 : 1;
    if (a[i].value !== b[i].value) return a[i].value < b[i].value ? -1 : 1;
  }
  return a.length - b.length;
}

export function compareChunkRefs(a: ChunkRef, b: ChunkRef): number {
  if (a.from !== b.from) return a.from < b.from ? -1 : 1;
  if (a.through !== b.through) return a.through < b.through ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export class SeriesTable {
  /** Keyed by fingerprint; a (never yet seen) fingerprint collision falls back to fingerprint + labels. */
  readonly series = new Map<string, MergedSeries>();

  addSeries(labels: Labels, fingerprint: string, chunks: Iterable<ChunkRef>): void {
    let id = fingerprint;
    let entry = this.series.get(id);
    if (entry && !labelsEqual(entry.labels, labels)) {
      id = `${fingerprint}${labelsString(labels)}`;
      entry = this.series.get(id);
    }
    if (!entry) {
      entry = { labels, fingerprint, chunks: new Map(), minFrom: 0n, maxThrough: -1n };
      this.series.set(id, entry);
    }
    for (const c of chunks) {
      if (entry.chunks.has(c.key)) continue;
      if (entry.chunks.size === 0 || c.from < entry.minFrom) entry.minFrom = c.from;
      if (entry.chunks.size === 0 || c.through > entry.maxThrough) entry.maxThrough = c.through;
      entry.chunks.set(c.key, c);
    }
  }

  addAll(series: Iterable<IndexSeries | MergedSeries>): void {
    for (const s of series) this.addSeries(s.labels, s.fingerprint, s.chunks instanceof Map ? s.chunks.values() : s.chunks);
  }

  /** The content as index series, sorted by labels, chunks by time then key. */
  toIndexSeries(): IndexSeries[] {
    return [...this.series.values()]
      .sort((a, b) => compareLabels(a.labels, b.labels))
      .map((s) => ({ labels: s.labels, fingerprint: s.fingerprint, chunks: [...s.chunks.values()].sort(compareChunkRefs) }));
  }
}
