// MemChunk behaviour: ordering, range bounds, duplicates, block cutting, fullness and sample columns.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHUNK_OPTIONS, MAX_EXACT_SPAN_NS, MemChunk, type Codec } from '../../src/chunks/index.js';
import type { Entry } from '../../src/model/index.js';
import { chunkOf, logfmtEntries, md, sortedByTs, T0, utf8Length } from './fixtures.js';

const ALL = [-(2n ** 63n), 2n ** 63n - 1n] as const;

function read(c: { iterate(f: bigint, t: bigint, d: 'forward' | 'backward'): Iterable<Entry> }, from = ALL[0], through = ALL[1]) {
  return { fwd: [...c.iterate(from, through, 'forward')], bwd: [...c.iterate(from, through, 'backward')] };
}

describe('MemChunk appends', () => {
  it('returns entries in timestamp order forward and reversed backward', () => {
    const entries = logfmtEntries(50);
    const c = chunkOf(entries);
    const { fwd, bwd } = read(c);
    expect(fwd).toEqual(entries);
    expect(bwd).toEqual([...entries].reverse());
    expect(c.entries).toBe(50);
    expect(c.minTs).toBe(entries[0].ts);
    expect(c.maxTs).toBe(entries[49].ts);
  });

  it('selects exactly from <= ts < through', () => {
    const entries = logfmtEntries(10);
    const c = chunkOf(entries);
    const from = entries[2].ts;
    const through = entries[7].ts;
    expect([...c.iterate(from, through, 'forward')]).toEqual(entries.slice(2, 7));
    expect([...c.iterate(from, through, 'backward')]).toEqual(entries.slice(2, 7).reverse());
    expect([...c.iterate(from + 1n, through + 1n, 'forward')]).toEqual(entries.slice(3, 8));
    expect([...c.iterate(from, from, 'forward')]).toEqual([]);
    expect([...c.iterate(through, from, 'forward')]).toEqual([]);
    c.cutBlock();
    expect([...c.iterate(from, through, 'forward')]).toEqual(entries.slice(2, 7));
    expect([...c.iterate(from + 1n, through + 1n, 'backward')]).toEqual(entries.slice(3, 8).reverse());
  });

  it('keeps equal timestamps in insertion order forward and reverses them backward', () => {
    const entries: Entry[] = ['a', 'b', 'c', 'd'].map((line) => ({ ts: T0, line, metadata: undefined }));
    entries.push({ ts: T0 - 1n, line: 'early', metadata: undefined }, { ts: T0, line: 'e', metadata: undefined });
    const c = chunkOf(entries);
    const lines = [...c.iterate(ALL[0], ALL[1], 'forward')].map((e) => e.line);
    expect(lines).toEqual(['early', 'a', 'b', 'c', 'd', 'e']);
    expect([...c.iterate(ALL[0], ALL[1], 'backward')].map((e) => e.line)).toEqual(['e', 'd', 'c', 'b', 'a', 'early']);
    c.cutBlock();
    expect([...c.iterate(ALL[0], ALL[1], 'forward')].map((e) => e.line)).toEqual(lines);
  });

  it('rejects a repeat of a line at its timestamp in the head block, whatever its metadata (as Loki does), and stores nothing', () => {
    const c = chunkOf([]);
    expect(c.append(T0, 'x', md({ trace: '1' }))).toBe(true);
    expect(c.append(T0, 'x', md({ trace: '1' }))).toBe(false);
    expect(c.append(T0, 'x')).toBe(false);
    expect(c.append(T0, 'x', [])).toBe(false);
    expect(c.append(T0, 'x', md({ trace: '2' }))).toBe(false);
    expect(c.append(T0, 'y', md({ trace: '1' }))).toBe(true);
    expect(c.append(T0 + 1n, 'x', md({ trace: '1' }))).toBe(true);
    expect(c.append(T0, 'x', md({ trace: '1' }))).toBe(false);
    expect(c.entries).toBe(3);
    expect(c.uncompressedBytes).toBe(3 + 3 * 6);
  });

  it('rejects a duplicate arriving out of order among entries with the same timestamp', () => {
    const c = chunkOf([]);
    c.append(T0, 'a');
    c.append(T0, 'b');
    c.append(T0 + 5n, 'c');
    expect(c.append(T0, 'a')).toBe(false);
    expect(c.append(T0, 'b')).toBe(false);
    expect(c.append(T0, 'z')).toBe(true);
    expect([...c.iterate(ALL[0], ALL[1], 'forward')].map((e) => e.line)).toEqual(['a', 'b', 'z', 'c']);
  });

  it('accepts a duplicate of an entry already sealed in an earlier block', () => {
    const c = chunkOf([]);
    c.append(T0, 'x');
    c.cutBlock();
    expect(c.append(T0, 'x')).toBe(true);
    expect(read(c).fwd.map((e) => e.line)).toEqual(['x', 'x']);
  });

  it('sorts out-of-order appends within the head block', () => {
    const c = chunkOf([]);
    const order = [5n, 1n, 9n, 3n, 7n, 2n, 8n];
    for (const d of order) c.append(T0 + d, `l${d}`);
    const expected = [...order].sort((a, b) => Number(a - b)).map((d) => `l${d}`);
    expect(read(c).fwd.map((e) => e.line)).toEqual(expected);
    c.cutBlock();
    expect(read(c).fwd.map((e) => e.line)).toEqual(expected);
    expect(c.minTs).toBe(T0 + 1n);
    expect(c.maxTs).toBe(T0 + 9n);
  });

  it('merges blocks that overlap in time, ties in insertion order', () => {
    const entries: Entry[] = [];
    // 97 is prime, so each 400-entry pass wraps around the 100 timestamps unevenly.
    for (let i = 0; i < 400; i++) entries.push({ ts: T0 + BigInt((i * 97) % 100) * 10n, line: `line-${i}`, metadata: undefined });
    const c = chunkOf(entries, { blockSize: 300 });
    expect(c.blocks().length).toBeGreaterThan(5);
    const expected = sortedByTs(entries);
    const { fwd, bwd } = read(c);
    expect(fwd).toEqual(expected);
    expect(bwd).toEqual([...expected].reverse());
    const from = T0 + 250n;
    const through = T0 + 700n;
    expect([...c.iterate(from, through, 'forward')]).toEqual(expected.filter((e) => e.ts >= from && e.ts < through));
  });

  it('seals the head block once it reaches blockSize', () => {
    const c = chunkOf([], { blockSize: 100 });
    for (let i = 0; i < 9; i++) c.append(T0 + BigInt(i), 'x'.repeat(10));
    expect(c.blocks()).toEqual([]);
    c.append(T0 + 9n, 'x'.repeat(10));
    expect(c.blocks().map((b) => [b.entries, b.minTs, b.maxTs, b.rawBytes])).toEqual([[10, T0, T0 + 9n, 100]]);
    c.append(T0 + 10n, 'y');
    expect(c.blocks().length).toBe(1);
    expect(c.entries).toBe(11);
    expect(c.uncompressedBytes).toBe(101);
  });

  it('counts structured metadata names and values towards the block size', () => {
    const c = chunkOf([], { blockSize: 20 });
    c.append(T0, 'abcd', md({ k: '12345' }));
    expect(c.blocks().length).toBe(0);
    c.append(T0 + 1n, 'abcd', md({ k: '12345' }));
    expect(c.blocks().map((b) => b.rawBytes)).toEqual([20]);
  });

  it('gives a line longer than blockSize a block of its own', () => {
    const long = 'é'.repeat(200_000) + '🚀';
    const c = chunkOf([], { blockSize: 65_536 });
    c.append(T0, 'short');
    c.append(T0 + 1n, long);
    c.append(T0 + 2n, 'after');
    expect(c.blocks().map((b) => [b.entries, b.rawBytes])).toEqual([[2, 5 + 400_004]]);
    expect(read(c).fwd.map((e) => e.line)).toEqual(['short', long, 'after']);
  });

  it('is full once sealed blocks plus the head reach targetSize', () => {
    const c = chunkOf([], { blockSize: 1000, targetSize: 3000, codec: 'none' });
    let i = 0;
    let before = 0;
    while (!c.isFull()) {
      before = c.compressedBytes;
      c.append(T0 + BigInt(i), String(i++).padStart(9, '0'));
    }
    expect(before).toBeLessThan(3000);
    expect(c.compressedBytes).toBeGreaterThanOrEqual(3000);
    expect(c.blocks().length).toBeGreaterThan(1);
    expect(c.spaceFor('x')).toBe(false);
  });

  it('is full after ten blocks when no target size is set', () => {
    const c = chunkOf([], { blockSize: 10, targetSize: 0 });
    for (let i = 0; i < 9; i++) c.append(T0 + BigInt(i), 'x'.repeat(10));
    expect(c.isFull()).toBe(false);
    expect(c.spaceFor('x')).toBe(true);
    c.append(T0 + 9n, 'x'.repeat(10));
    expect(c.isFull()).toBe(true);
    expect(c.spaceFor('x')).toBe(false);
  });

  it('reports space for an entry only while it stays below targetSize (Loki SpaceFor)', () => {
    const c = chunkOf([], { blockSize: 1000, targetSize: 100 });
    c.append(T0, 'x'.repeat(90));
    expect(c.spaceFor('x'.repeat(9))).toBe(true);
    expect(c.spaceFor('x'.repeat(10))).toBe(false);
    expect(c.spaceFor('x'.repeat(5), md({ a: 'bcde' }))).toBe(false);
    expect(c.isFull()).toBe(false);
  });

  it('accounts compressed size as sealed blocks plus the head uncompressed', () => {
    const c = chunkOf(logfmtEntries(100), { blockSize: 4096 });
    const sealed = c.blocks().reduce((n, b) => n + b.length, 0);
    const sealedRaw = c.blocks().reduce((n, b) => n + b.rawBytes, 0);
    expect(c.compressedBytes).toBe(sealed + (c.uncompressedBytes - sealedRaw));
    expect(sealed).toBeLessThan(sealedRaw);
  });

  it('starts a new block rather than let one span more than 2^53 ns', () => {
    const c = chunkOf([]);
    c.append(0n, 'a');
    c.append(MAX_EXACT_SPAN_NS, 'b');
    expect(c.blocks().length).toBe(0);
    c.append(MAX_EXACT_SPAN_NS + 1n, 'c');
    expect(c.blocks().map((b) => [b.minTs, b.maxTs])).toEqual([[0n, MAX_EXACT_SPAN_NS]]);
    c.append(0n, 'd');
    expect(c.blocks().map((b) => [b.minTs, b.maxTs])).toEqual([
      [0n, MAX_EXACT_SPAN_NS],
      [MAX_EXACT_SPAN_NS + 1n, MAX_EXACT_SPAN_NS + 1n],
    ]);
    expect(read(c).fwd.map((e) => e.line)).toEqual(['a', 'd', 'b', 'c']);
  });

  it('holds timestamps anywhere in the signed 64-bit range and rejects others', () => {
    const c = chunkOf([]);
    c.append(-5n, 'neg');
    c.append(2n ** 63n - 2n, 'max');
    c.append(-(2n ** 63n), 'min');
    expect(() => c.append(2n ** 63n, 'x')).toThrow(RangeError);
    expect(read(c).fwd.map((e) => [e.ts, e.line])).toEqual([
      [-(2n ** 63n), 'min'],
      [-5n, 'neg'],
      [2n ** 63n - 2n, 'max'],
    ]);
  });

  it('leaves a started read unchanged by later appends', () => {
    const c = chunkOf(logfmtEntries(3));
    const it = c.iterate(ALL[0], ALL[1], 'forward')[Symbol.iterator]();
    c.append(T0 - 1n, 'late');
    c.cutBlock();
    expect([...{ [Symbol.iterator]: () => it }].map((e) => e.line)).toEqual(logfmtEntries(3).map((e) => e.line));
  });

  it('rejects invalid options', () => {
    expect(() => new MemChunk({ ...DEFAULT_CHUNK_OPTIONS, codec: 'lz4' as Codec })).toThrow('unknown chunk codec "lz4"');
    expect(() => new MemChunk({ ...DEFAULT_CHUNK_OPTIONS, blockSize: 0 })).toThrow('chunk block size must be a positive integer, got 0');
    expect(() => new MemChunk({ ...DEFAULT_CHUNK_OPTIONS, targetSize: -1 })).toThrow(
      'chunk target size must be a non-negative integer, got -1',
    );
  });

  it('reports 0n bounds and no entries while empty', () => {
    const c = new MemChunk(DEFAULT_CHUNK_OPTIONS);
    expect([c.entries, c.minTs, c.maxTs, c.uncompressedBytes, c.compressedBytes, c.isFull()]).toEqual([0, 0n, 0n, 0, 0, false]);
    expect(read(c)).toEqual({ fwd: [], bwd: [] });
    expect([...c.samples(ALL[0], ALL[1])]).toEqual([]);
  });
});

describe('MemChunk head block growth and ordering', () => {
  it('matches a stable sort by timestamp for shuffled appends that outgrow the head buffers, dropping exact duplicates', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const c = chunkOf([], { blockSize: 1 << 20 });
    const accepted: Entry[] = [];
    for (let i = 0; i < 600; i++) {
      const ts = T0 + BigInt(Math.floor(rnd() * 200));
      const line = i % 7 === 0 ? `ünïcødé ${i} ` + 'x'.repeat(Math.floor(rnd() * 300)) : `line ${Math.floor(rnd() * 50)}`;
      const e: Entry = { ts, line, metadata: i % 5 === 0 ? md({ k: String(i % 3) }) : undefined };
      // A repeat of a line at its timestamp is dropped whatever its metadata (as Loki's head block does).
      const duplicate = accepted.some((a) => a.ts === e.ts && a.line === e.line);
      expect(c.append(e.ts, e.line, e.metadata)).toBe(!duplicate);
      if (!duplicate) accepted.push(e);
    }
    expect(accepted.length).toBeLessThan(600);
    expect(c.entries).toBe(accepted.length);
    const expected = sortedByTs(accepted);
    expect(read(c).fwd).toEqual(expected);
    expect([...c.samples(ALL[0], ALL[1])]).toEqual(expected.map((e) => ({ ts: e.ts, bytes: utf8Length(e.line) })));
    expect(c.uncompressedBytes).toBe(accepted.reduce((n, e) => n + utf8Length(e.line) + (e.metadata ? 1 + e.metadata[0].value.length : 0), 0));
    c.cutBlock();
    expect(read(c).fwd).toEqual(expected);
  });

  it('keeps a snapshot read unchanged while later appends grow and reorder the head', () => {
    const c = chunkOf(logfmtEntries(10));
    const started = c.iterate(ALL[0], ALL[1], 'forward')[Symbol.iterator]();
    const first = started.next().value as Entry;
    for (const e of logfmtEntries(500, T0 - 1_000_000_000n)) c.append(e.ts, e.line + ' later');
    const rest = [...{ [Symbol.iterator]: () => started }];
    expect([first, ...rest]).toEqual(logfmtEntries(10));
    expect(c.entries).toBe(510);
  });
});

describe('MemChunk samples', () => {
  it('equal the timestamps and UTF-8 line lengths iterate returns, including the head', () => {
    const entries = logfmtEntries(300).map((e, i) => (i % 5 === 0 ? { ...e, line: e.line + ' ünïcødé 🚀' } : e));
    const c = chunkOf(entries, { blockSize: 8192 });
    expect(c.blocks().length).toBeGreaterThan(2);
    const from = entries[17].ts;
    const through = entries[281].ts + 1n;
    const expected = [...c.iterate(from, through, 'forward')].map((e) => ({ ts: e.ts, bytes: utf8Length(e.line) }));
    expect(expected.length).toBe(265);
    expect([...c.samples(from, through)]).toEqual(expected);
  });

  it('come out ascending across overlapping blocks as one merged view', () => {
    const entries: Entry[] = [];
    for (let i = 0; i < 200; i++) entries.push({ ts: T0 + BigInt((i * 37) % 50), line: 'x'.repeat(i % 7), metadata: undefined });
    const c = chunkOf(entries, { blockSize: 60 });
    const views = c.sampleViews(ALL[0], ALL[1]);
    expect(views.length).toBe(1);
    expect(views[0].offsetsNs.length).toBe(200);
    const expected = sortedByTs(entries).map((e) => ({ ts: e.ts, bytes: e.line.length }));
    expect([...c.samples(ALL[0], ALL[1])]).toEqual(expected);
  });

  it('split into exact views when overlapping blocks span more than 2^53 ns', () => {
    const c = chunkOf([]);
    c.append(0n, 'a');
    c.append(MAX_EXACT_SPAN_NS, 'bb');
    c.cutBlock();
    c.append(MAX_EXACT_SPAN_NS - 1n, 'ccc');
    c.append(MAX_EXACT_SPAN_NS + 100n, 'dddd');
    const views = c.sampleViews(ALL[0], ALL[1]);
    expect(views.map((v) => v.baseTs)).toEqual([0n, MAX_EXACT_SPAN_NS + 100n]);
    expect([...c.samples(ALL[0], ALL[1])]).toEqual([
      { ts: 0n, bytes: 1 },
      { ts: MAX_EXACT_SPAN_NS - 1n, bytes: 3 },
      { ts: MAX_EXACT_SPAN_NS, bytes: 2 },
      { ts: MAX_EXACT_SPAN_NS + 100n, bytes: 4 },
    ]);
  });
});

describe('MemChunk background compression (gzip)', () => {
  const opts = { blockSize: 2048, codec: 'gzip' as const };

  it('reads blocks whose lines are still compressing from their columns, equal to the compressed reads', async () => {
    const entries = logfmtEntries(200).map((e, i) => (i % 3 === 0 ? { ...e, metadata: md({ trace: `t${i % 2}` }) } : e));
    const c = chunkOf(entries, opts);
    const pending = { ...read(c), samples: [...c.samples(ALL[0], ALL[1])] };
    await c.whenCompressed();
    expect(pending).toEqual({ ...read(c), samples: [...c.samples(ALL[0], ALL[1])] });
    expect(pending.fwd).toEqual(entries);
  });

  it('encodes byte for byte the same chunk whether the background compression finished or not', async () => {
    const entries = logfmtEntries(300);
    const settled = chunkOf(entries, opts);
    await settled.whenCompressed();
    const early = chunkOf(entries, opts);
    expect(Buffer.from(early.encode()).equals(Buffer.from(settled.encode()))).toBe(true);
    expect(early.blocks()).toEqual(settled.blocks());
    await early.whenCompressed();
    expect(Buffer.from(early.encode()).equals(Buffer.from(settled.encode()))).toBe(true);
  });

  it('counts a block still compressing at its uncompressed size, then at its encoded size (the first compresses at once)', async () => {
    const c = chunkOf(logfmtEntries(40), opts);
    const rawTotal = c.uncompressedBytes;
    const before = c.compressedBytes;
    await c.whenCompressed();
    const blocks = c.blocks();
    expect(blocks.length).toBeGreaterThan(1);
    expect(before).toBe(blocks[0].length + (rawTotal - blocks[0].rawBytes));
    const sealedRaw = blocks.reduce((n, b) => n + b.rawBytes, 0);
    expect(c.compressedBytes).toBe(blocks.reduce((n, b) => n + b.length, 0) + (rawTotal - sealedRaw));
    expect(c.compressedBytes).toBeLessThan(rawTotal);
  });

  it('lays out table offsets back to back after blocks finished in any order', async () => {
    const c = chunkOf(logfmtEntries(400), opts);
    await c.whenCompressed();
    const blocks = c.blocks();
    expect(blocks.length).toBeGreaterThan(3);
    let offset = 12;
    for (const b of blocks) {
      expect(b.offset).toBe(offset);
      offset += b.length;
    }
  });
});

describe('MemChunk fullness with background compression', () => {
  /** Appends until full; returns how many entries the chunk took. `settle` awaits compressions after each cut. */
  async function entriesUntilFull(settle: boolean): Promise<{ taken: number; bytes: number }> {
    const c = new MemChunk({ blockSize: 4096, targetSize: 16 * 1024, codec: 'gzip' });
    const list = logfmtEntries(20_000);
    let blocks = 0;
    for (let i = 0; i < list.length; i++) {
      if (c.isFull() || !c.spaceFor(list[i].line)) return { taken: i, bytes: c.encode().length };
      c.append(list[i].ts, list[i].line);
      if (settle && c.uncompressedBytes >= (blocks + 1) * 4096) {
        blocks++;
        await c.whenCompressed();
      }
    }
    throw new Error('never full');
  }

  it('cuts at the same entry whether compressions finished early or are all still running', async () => {
    const early = await entriesUntilFull(true);
    const late = await entriesUntilFull(false);
    expect(late.taken).toBe(early.taken);
    // The estimate stays near the target: the encoded chunk is within a block of it.
    expect(early.bytes).toBeGreaterThan(12 * 1024);
    expect(early.bytes).toBeLessThan(20 * 1024);
  });
});
