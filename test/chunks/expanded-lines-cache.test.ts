// The expanded-lines cache: stored blocks' lines sections are decompressed once per fetched chunk and then
// served from the cache (same entries), found only for the very bytes they came from, and held within budget.
import { describe, expect, it } from 'vitest';
import { type Codec, ExpandedLinesCache, StoredChunk } from '../../src/chunks/index.js';
import type { Entry } from '../../src/model/index.js';
import { chunkOf, logfmtEntries } from './fixtures.js';

const FROM = -(2n ** 63n);
const THROUGH = 2n ** 63n - 1n;

function encoded(codec: Codec, n = 600): Uint8Array {
  return Uint8Array.from(chunkOf(logfmtEntries(n), { codec, blockSize: 8192 }).encode());
}

function read(data: Uint8Array, cache?: ExpandedLinesCache, direction: 'forward' | 'backward' = 'forward'): Entry[] {
  return [...StoredChunk.decode(data, cache).iterate(FROM, THROUGH, direction)];
}

describe('expanded-lines cache', () => {
  for (const codec of ['gzip', 'snappy'] as const) {
    it(`serves a ${codec} chunk's lines from the cache on later reads of the same bytes, with the same entries`, () => {
      const data = encoded(codec);
      const blocks = StoredChunk.decode(data).blocks().length;
      expect(blocks).toBeGreaterThan(3);
      const want = read(data);
      const cache = new ExpandedLinesCache(64 * 1024 * 1024);
      expect(read(data, cache)).toEqual(want);
      expect(cache.entries).toBe(blocks);
      const held = cache.bytes;
      expect(held).toBeGreaterThan(0);
      // Later reads decode the chunk again (as each query does) and find every block's lines.
      expect(read(data, cache, 'backward')).toEqual([...want].reverse());
      expect(read(data, cache)).toEqual(want);
      expect(cache.entries).toBe(blocks);
      expect(cache.bytes).toBe(held);
      // Line columns of a range read through the cache too.
      const stored = StoredChunk.decode(data, cache);
      const columns = stored.lineColumns(want[100].ts, want[200].ts)!;
      let lines = 0;
      for (const c of columns) lines += c.offsetsNs.length;
      expect(lines).toBe(want.filter((e) => e.ts >= want[100].ts && e.ts < want[200].ts).length);
    });
  }

  it('is not consulted for other bytes, even equal ones, and not filled by uncompressed chunks', () => {
    const data = encoded('gzip');
    const cache = new ExpandedLinesCache(64 * 1024 * 1024);
    read(data, cache);
    const entries = cache.entries;
    // A copy is another fetch: its blocks are expanded (and checked) on their own.
    const copy = Uint8Array.from(data);
    expect(read(copy, cache)).toEqual(read(data));
    expect(cache.entries).toBe(2 * entries);
    const plain = new ExpandedLinesCache(64 * 1024 * 1024);
    read(encoded('none'), plain);
    expect(plain.entries).toBe(0);
  });

  it('finds a block only under its own CRC and length', () => {
    const cache = new ExpandedLinesCache(1024);
    const stored = new Uint8Array(100);
    const block = stored.subarray(10, 60);
    const lines = Buffer.from('expanded lines');
    cache.set(block, 7, lines);
    expect(cache.get(block, 7)).toBe(lines);
    expect(cache.get(stored.subarray(10, 60), 7)).toBe(lines);
    expect(cache.get(block, 8)).toBeUndefined();
    expect(cache.get(stored.subarray(10, 59), 7)).toBeUndefined();
    expect(cache.get(stored.subarray(11, 61), 7)).toBeUndefined();
    expect(cache.get(new Uint8Array(100).subarray(10, 60), 7)).toBeUndefined();
  });

  it('drops the least recently used sections beyond its budget and holds none over a quarter of it', () => {
    const cache = new ExpandedLinesCache(1000);
    const stored = new Uint8Array(1000);
    const block = (i: number) => stored.subarray(i * 10, i * 10 + 10);
    for (let i = 0; i < 4; i++) cache.set(block(i), i, Buffer.alloc(250, i));
    expect([cache.entries, cache.bytes]).toEqual([4, 1000]);
    // Block 0 read again: block 1 is now the least recently used.
    expect(cache.get(block(0), 0)?.[0]).toBe(0);
    cache.set(block(4), 4, Buffer.alloc(100, 4));
    expect([cache.entries, cache.bytes]).toEqual([4, 850]);
    expect(cache.get(block(1), 1)).toBeUndefined();
    for (const i of [0, 2, 3, 4]) expect(cache.get(block(i), i)?.[0]).toBe(i);
    // Set again for the same block: replaced, counted once.
    cache.set(block(4), 4, Buffer.alloc(50, 9));
    expect([cache.entries, cache.bytes]).toEqual([4, 800]);
    expect(cache.get(block(4), 4)?.[0]).toBe(9);
    cache.set(block(5), 5, Buffer.alloc(251));
    expect(cache.get(block(5), 5)).toBeUndefined();
    expect(cache.bytes).toBe(800);
  });
});
