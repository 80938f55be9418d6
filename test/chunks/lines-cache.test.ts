// Stored chunks read with a lines cache: each block's lines section is expanded once per chunk name and
// then served from the cache (same entries); other names expand their own; uncompressed ones are not held.
import { describe, expect, it } from 'vitest';
import { type Codec, type LinesSectionCache, StoredChunk } from '../../src/chunks/index.js';
import type { Entry } from '../../src/model/index.js';
import { ChunkCache } from '../../src/storage/chunk-cache.js';
import { chunkOf, logfmtEntries } from './fixtures.js';

const FROM = -(2n ** 63n);
const THROUGH = 2n ** 63n - 1n;

function encoded(codec: Codec, n = 600): Uint8Array {
  return Uint8Array.from(chunkOf(logfmtEntries(n), { codec, blockSize: 8192 }).encode());
}

/** The real cache, with the keys it was asked for and how often it answered. */
class CountingCache implements LinesSectionCache {
  readonly inner = new ChunkCache<Buffer>(64 * 1024 * 1024);
  readonly stored: string[] = [];
  hits = 0;
  get(key: string): Buffer | undefined {
    const v = this.inner.get(key);
    if (v !== undefined) this.hits++;
    return v;
  }
  set(key: string, lines: Buffer): void {
    this.stored.push(key);
    this.inner.set(key, lines);
  }
}

function read(data: Uint8Array, lines?: { cache: LinesSectionCache; chunk: string }, direction: 'forward' | 'backward' = 'forward'): Entry[] {
  return [...StoredChunk.decode(data, lines).iterate(FROM, THROUGH, direction)];
}

describe('stored chunks with a lines cache', () => {
  for (const codec of ['gzip', 'snappy'] as const) {
    it(`expands a ${codec} chunk's lines once and serves later reads of it from the cache, with the same entries`, () => {
      const data = encoded(codec);
      const blocks = StoredChunk.decode(data).blocks().length;
      expect(blocks).toBeGreaterThan(3);
      const want = read(data);
      const cache = new CountingCache();
      const lines = { cache, chunk: 'tenant/chunk-a' };
      expect(read(data, lines)).toEqual(want);
      expect(cache.stored).toEqual(Array.from({ length: blocks }, (_, i) => `tenant/chunk-a#${i}`));
      expect(cache.hits).toBe(0);
      const held = cache.inner.size;
      expect(held).toBeGreaterThan(0);
      // Later reads decode the chunk again (as each query does) and find every block's lines.
      expect(read(data, lines, 'backward')).toEqual([...want].reverse());
      expect(read(data, lines)).toEqual(want);
      expect(cache.stored.length).toBe(blocks);
      expect(cache.hits).toBe(2 * blocks);
      expect(cache.inner.size).toBe(held);
      // Line columns of a range read through the cache too.
      const columns = StoredChunk.decode(data, lines).lineColumns(want[100].ts, want[200].ts)!;
      let n = 0;
      for (const c of columns) n += c.offsetsNs.length;
      expect(n).toBe(want.filter((e) => e.ts >= want[100].ts && e.ts < want[200].ts).length);
      expect(cache.stored.length).toBe(blocks);
    });
  }

  it('keeps another chunk name apart and does not hold uncompressed lines', () => {
    const data = encoded('gzip');
    const cache = new CountingCache();
    read(data, { cache, chunk: 'a' });
    const blocks = cache.stored.length;
    expect(read(Uint8Array.from(data), { cache, chunk: 'b' })).toEqual(read(data));
    expect(cache.stored.length).toBe(2 * blocks);
    expect(cache.hits).toBe(0);
    const plain = new CountingCache();
    read(encoded('none'), { cache: plain, chunk: 'c' });
    read(encoded('none'), { cache: plain, chunk: 'c' });
    expect([plain.stored.length, plain.hits, plain.inner.size]).toEqual([0, 0, 0]);
  });
});
