// Stored chunks read with a section cache: each block's sections (timestamps, lengths, lines,
// metadata) are expanded once per chunk name and then served from the cache (same entries); other
// names expand their own; uncompressed ones are not held; small decoder outputs are held as copies
// that do not share a larger allocation.
import { describe, expect, it } from 'vitest';
import { type Codec, type SectionCache, StoredChunk } from '../../src/chunks/index.js';
import type { Entry } from '../../src/model/index.js';
import { ChunkCache } from '../../src/storage/chunk-cache.js';
import { chunkOf, logfmtEntries, md } from './fixtures.js';

const FROM = -(2n ** 63n);
const THROUGH = 2n ** 63n - 1n;
/** timestamps, lengths, lines and metadata: the sections every block of `encoded` holds. */
const SECTIONS = 4;

/** Every third entry carries structured metadata, so blocks have all four sections. */
function encoded(codec: Codec, n = 600): Uint8Array {
  const entries = logfmtEntries(n).map((e, i) => (i % 3 === 0 ? { ...e, metadata: md({ trace_id: `t${i}` }) } : e));
  return Uint8Array.from(chunkOf(entries, { codec, blockSize: 8192 }).encode());
}

/** The real cache, with the keys it was asked for and how often it answered. */
class CountingCache implements SectionCache {
  readonly inner = new ChunkCache<Buffer>(64 * 1024 * 1024);
  readonly stored: string[] = [];
  readonly held = new Map<string, Buffer>();
  hits = 0;
  get(key: string): Buffer | undefined {
    const v = this.inner.get(key);
    if (v !== undefined) this.hits++;
    return v;
  }
  set(key: string, section: Buffer): void {
    this.stored.push(key);
    this.held.set(key, section);
    this.inner.set(key, section);
  }
}

function read(data: Uint8Array, sections?: { cache: SectionCache; chunk: string }, direction: 'forward' | 'backward' = 'forward'): Entry[] {
  return [...StoredChunk.decode(data, sections).iterate(FROM, THROUGH, direction)];
}

describe('stored chunks with a section cache', () => {
  for (const codec of ['gzip', 'snappy'] as const) {
    it(`expands a ${codec} chunk's sections once and serves later reads of it from the cache, with the same entries`, () => {
      const data = encoded(codec);
      const blocks = StoredChunk.decode(data).blocks().length;
      expect(blocks).toBeGreaterThan(3);
      const want = read(data);
      expect(want.filter((e) => e.metadata !== undefined).length).toBe(200);
      const cache = new CountingCache();
      const sections = { cache, chunk: 'tenant/chunk-a' };
      expect(read(data, sections)).toEqual(want);
      const keys = Array.from({ length: blocks }, (_, i) => Array.from({ length: SECTIONS }, (_, s) => `tenant/chunk-a#${i}#${s}`)).flat();
      expect([...cache.stored].sort()).toEqual([...keys].sort());
      expect(cache.hits).toBe(0);
      const size = cache.inner.size;
      expect(size).toBeGreaterThan(0);
      // Later reads decode the chunk again (as each query does) and find every block's sections.
      expect(read(data, sections, 'backward')).toEqual([...want].reverse());
      expect(read(data, sections)).toEqual(want);
      expect(cache.stored.length).toBe(blocks * SECTIONS);
      expect(cache.hits).toBe(2 * blocks * SECTIONS);
      expect(cache.inner.size).toBe(size);
      // Line columns of a range read through the cache too.
      const columns = StoredChunk.decode(data, sections).lineColumns(want[100].ts, want[200].ts)!;
      let n = 0;
      for (const c of columns) n += c.offsetsNs.length;
      expect(n).toBe(want.filter((e) => e.ts >= want[100].ts && e.ts < want[200].ts).length);
      // So do sample columns, which never expand lines.
      const hits = cache.hits;
      const samples = StoredChunk.decode(data, sections).sampleColumns(FROM, THROUGH)!;
      expect(samples.reduce((a, c) => a + c.offsetsNs.length, 0)).toBe(want.length);
      expect(samples.flatMap((c) => c.metadata ?? []).filter((m) => m !== undefined).length).toBe(200);
      expect(cache.hits).toBeGreaterThan(hits);
      expect(cache.stored.length).toBe(blocks * SECTIONS);
    });
  }

  it('holds small sections as copies of their own, not views of a shared allocation', () => {
    // snappy's small outputs come from Node's 8 KiB pool: holding such a view would hold the pool slab.
    const cache = new CountingCache();
    read(encoded('snappy'), { cache, chunk: 'a' });
    const small = [...cache.held.values()].filter((b) => b.length > 0 && b.length < 1024);
    expect(small.length).toBeGreaterThan(0);
    for (const b of cache.held.values()) expect(b.buffer.byteLength).toBeLessThanOrEqual(b.length + 1024);
  });

  it('keeps another chunk name apart and does not hold uncompressed sections', () => {
    const data = encoded('gzip');
    const cache = new CountingCache();
    read(data, { cache, chunk: 'a' });
    const stored = cache.stored.length;
    expect(read(Uint8Array.from(data), { cache, chunk: 'b' })).toEqual(read(data));
    expect(cache.stored.length).toBe(2 * stored);
    expect(cache.hits).toBe(0);
    const plain = new CountingCache();
    read(encoded('none'), { cache: plain, chunk: 'c' });
    read(encoded('none'), { cache: plain, chunk: 'c' });
    expect([plain.stored.length, plain.hits, plain.inner.size]).toEqual([0, 0, 0]);
  });
});
