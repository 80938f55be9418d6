// Gram filters: a block is skipped only when its filter proves no line holds a needle; reads with and
// without the filters return the same entries; filters stay small; a damaged filter is an error.
import { describe, expect, it } from 'vitest';
import { type Codec, type LineBytesFilter, MemChunk, StoredChunk, type SkippedEntries } from '../../src/chunks/index.js';
import { buildGramFilter, unfoldedGramBits } from '../../src/chunks/gram-filter.js';
import { CorruptDataError, type Entry } from '../../src/model/index.js';
import { xorshift } from '../support/random.js';
import { chunkOf, logfmtEntries, md, T0 } from './fixtures.js';
import { hashGramsWasm } from '../../src/chunks/gram-hash-wasm.js';

const FROM = -(2n ** 63n);
const THROUGH = 2n ** 63n - 1n;

/** Lines mixing words, hex ids, numbers, IPs and non-ASCII text. */
function mixedLines(n: number, seed: number): string[] {
  const r = xorshift(seed);
  const hex = (k: number): string => Array.from({ length: k }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  const words = ['order', 'placed', 'error', 'timeout', 'user', 'ключ', '日本語', '✓', 'GET', '/api/v1/orders'];
  return Array.from({ length: n }, (_, i) => {
    const w = words[Math.floor(r() * words.length)];
    return `${i} ${w} id=${hex(8 + Math.floor(r() * 24))} ip=10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)} n=${Math.floor(r() * 1e6)} ${w}-${hex(6)}`;
  });
}

const filter = (include: string[], exclude: string[] = [], ignoreBlockFilters = false): LineBytesFilter => ({
  include: include.map((s) => Buffer.from(s)),
  exclude: exclude.map((s) => Buffer.from(s)),
  ignoreBlockFilters,
});

function read(c: { iterate: StoredChunk['iterate'] }, f: LineBytesFilter, direction: 'forward' | 'backward' = 'forward') {
  const skipped: SkippedEntries = { lines: 0, bytes: 0, metadataBytes: 0 };
  return { got: [...c.iterate(FROM, THROUGH, direction, f, skipped)], skipped };
}

describe('gram filter', () => {
  it('never rules out a needle any line holds (every substring of 1 to 40 bytes of every line)', () => {
    for (const seed of [1, 2, 3]) {
      const lines = mixedLines(400, seed);
      const f = buildGramFilter(Buffer.from(lines.join('')));
      for (const line of lines) {
        const bytes = Buffer.from(line);
        for (let start = 0; start < bytes.length; start += 7)
          for (let len = 1; len <= 40 && start + len <= bytes.length; len += 1 + (len >> 2))
            expect(f.mayContain(bytes.subarray(start, start + len))).toBe(true);
      }
    }
  });

  it('rules out needles no line holds, in most blocks of realistic lines', () => {
    const lines = logfmtEntries(1000).map((e) => e.line);
    const f = buildGramFilter(Buffer.from(lines.join('')));
    for (const needle of ['order-7f3a9c', '10.0.3.17', 'user=alice', 'payment declined'])
      expect(f.mayContain(Buffer.from(needle)), needle).toBe(false);
    expect(f.mayContain(Buffer.from('level=error'))).toBe(true);
    // Shorter than a gram: cannot be ruled out.
    expect(f.mayContain(Buffer.from('zq!'))).toBe(true);
  });

  it('takes at most 3 KiB for a 256 KiB block of logfmt lines with random trace ids', () => {
    const r = xorshift(7);
    const lines: string[] = [];
    let bytes = 0;
    for (let i = 0; bytes < 262_144; i++) {
      const trace = Array.from({ length: 32 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
      const line = `${logfmtEntries(1, T0 + BigInt(i))[0].line.replace('users/0', `users/${i * 7919}`)} trace_id=${trace}`;
      lines.push(line);
      bytes += line.length;
    }
    const f = buildGramFilter(Buffer.from(lines.join('')));
    expect(f.byteLength).toBeLessThanOrEqual(3072);
    expect(f.mayContain(Buffer.from('order-7f3a9c'))).toBe(false);
  });

  it('stays tiny for a small block', () => {
    expect(buildGramFilter(Buffer.from('one short line')).byteLength).toBeLessThanOrEqual(16);
  });
});

describe('reads through gram filters', () => {
  const entries = (): Entry[] =>
    mixedLines(600, 11).map((line, i) => ({ ts: T0 + BigInt(i) * 1000n, line, metadata: i % 3 === 0 ? md({ trace: `t${i}` }) : undefined }));
  const needles: [string[], string[]][] = [
    [['order-7f3a9c'], []],
    [['10.0.3.17'], []],
    [['ключ'], []],
    [['order'], ['error']],
    [['error', 'ip=10.1'], []],
    [['GET', 'nothing-like-this'], []],
    [['ord'], []],
    [[], ['order']],
  ];
  // Needles taken from the data itself: they must be found.
  const present = entries()
    .filter((_, i) => i % 97 === 5)
    .map((e) => [[e.line.slice(-10)], []] as [string[], string[]]);

  for (const codec of ['snappy', 'gzip', 'none'] as Codec[]) {
    it(`returns the same entries with and without block filters (${codec}, stored and in memory)`, async () => {
      const mem = chunkOf(entries(), { codec, blockSize: 2048 });
      await mem.whenCompressed();
      const sources = { memory: mem, stored: StoredChunk.decode(mem.encode()) };
      let skippedBlocks = 0;
      for (const [name, source] of Object.entries(sources)) {
        for (const [include, exclude] of [...needles, ...present]) {
          const expected = entries().filter((e) => include.every((n) => e.line.includes(n)) && !exclude.some((n) => e.line.includes(n)));
          for (const direction of ['forward', 'backward'] as const) {
            const want = direction === 'forward' ? expected : [...expected].reverse();
            const off = read(source, filter(include, exclude, true), direction);
            const on = read(source, filter(include, exclude), direction);
            expect(off.got, `${name} ${include}`).toEqual(want);
            expect(on.got, `${name} ${include}`).toEqual(want);
            expect(off.skipped.blocks ?? 0).toBe(0);
            skippedBlocks += on.skipped.blocks ?? 0;
          }
        }
      }
      expect(skippedBlocks).toBeGreaterThan(0);
    });
  }

  it('skips every block for a needle no line holds, counting their bytes', () => {
    const mem = chunkOf(logfmtEntries(2000), { codec: 'gzip', blockSize: 16_384 });
    const stored = StoredChunk.decode(mem.encode());
    const { got, skipped } = read(stored, filter(['order-7f3a9c']));
    expect(got).toEqual([]);
    expect(skipped.blocks).toBe(stored.blocks().length);
    expect(skipped.blockBytes).toBe(stored.uncompressedBytes);
    expect([skipped.lines, skipped.bytes]).toEqual([0, 0]);
  });

  it('are written in the current format (version 4) and cost a few bytes a block', () => {
    const c = chunkOf(logfmtEntries(3000), { codec: 'gzip', blockSize: 65_536 });
    const data = Buffer.from(c.encode());
    expect(data[4]).toBe(4);
    const blocks = c.blocks();
    const last = blocks[blocks.length - 1];
    const tableOffset = data.readUInt32LE(data.length - 8);
    const filterBytes = tableOffset - (last.offset + last.length);
    expect(filterBytes).toBeLessThanOrEqual(9 + blocks.length * (2 + 3072));
  });
});

describe('damaged gram filters', () => {
  /** The chunk with a bit of its gram filters flipped and the table and footer left as they were. */
  function damaged(): { data: Buffer; entries: Entry[] } {
    const entries = logfmtEntries(500);
    const data = Buffer.from(chunkOf(entries, { codec: 'snappy', blockSize: 8192 }).encode());
    const stored = StoredChunk.decode(data);
    const blocks = stored.blocks();
    const last = blocks[blocks.length - 1];
    const filtersStart = last.offset + last.length;
    // Past the kind, count and sizes: inside the first block's bit arrays.
    data[filtersStart + 5 + 2 * blocks.length + 3] ^= 0x10;
    return { data, entries };
  }

  it('fails a needle read with CorruptDataError, never skipping a block on bad bits', () => {
    const { data } = damaged();
    const c = StoredChunk.decode(data);
    expect(() => read(c, filter(['status=500']))).toThrow(CorruptDataError);
    expect(() => read(c, filter(['status=500']))).toThrow(/^corrupt chunk: gram filters checksum mismatch/);
  });

  it('still serves reads that consult no filter', () => {
    const { data, entries } = damaged();
    const c = StoredChunk.decode(data);
    expect([...c.iterate(FROM, THROUGH, 'forward')]).toEqual(entries);
    expect(read(c, filter(['status=500'], [], true)).got).toEqual(entries.filter((e) => e.line.includes('status=500')));
  });

  it('reports filter sizes that do not fit the chunk', () => {
    const data = Buffer.from(chunkOf(logfmtEntries(500), { codec: 'snappy', blockSize: 8192 }).encode());
    const blocks = StoredChunk.decode(data).blocks();
    const last = blocks[blocks.length - 1];
    const filtersStart = last.offset + last.length;
    data[filtersStart + 5] = 20;
    expect(() => StoredChunk.decode(data)).toThrow("corrupt chunk: block 0 gram filter runs past the filters' end");
    data[filtersStart + 5] = 30;
    expect(() => StoredChunk.decode(data)).toThrow('corrupt chunk: block 0 gram filter of 2^30 bits is out of range');
    data[filtersStart] = 7;
    expect(() => StoredChunk.decode(data)).toThrow('corrupt chunk: unknown gram filter kind 7');
  });
});

describe('in-memory chunks', () => {
  it('skip sealed blocks by their filters before and after encoding', () => {
    const c = new MemChunk({ blockSize: 4096, targetSize: 0, codec: 'none' });
    for (const e of logfmtEntries(300)) c.append(e.ts, e.line);
    c.cutBlock();
    const before = read(c, filter(['order-7f3a9c']));
    c.encode();
    const after = read(c, filter(['order-7f3a9c']));
    expect(before.got).toEqual([]);
    expect(after.got).toEqual([]);
    expect(before.skipped.blocks).toBeGreaterThan(0);
    expect(after.skipped.blocks).toBe(before.skipped.blocks);
  });
});

describe('gram bits built in WebAssembly', () => {
  it('equal the JavaScript loop’s for any bytes, short and long (the module’s memory grows)', () => {
    const rand = xorshift(99);
    const alphabets = ['0123456789abcdef', 'abcdefghijklmnopqrstuvwxyz =":/.-_0123456789', ''];
    for (let trial = 0; trial < 200; trial++) {
      const length = trial < 8 ? trial : Math.floor(rand() ** 3 * 400_000);
      const alphabet = alphabets[trial % 3];
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++) bytes[i] = alphabet === '' ? Math.floor(rand() * 256) : alphabet.charCodeAt(Math.floor(rand() * alphabet.length));
      const wasm = unfoldedGramBits(bytes, true);
      const js = unfoldedGramBits(bytes, false);
      expect(Buffer.from(wasm.hex).equals(Buffer.from(js.hex)), `trial ${trial}`).toBe(true);
      expect(Buffer.from(wasm.other).equals(Buffer.from(js.other)), `trial ${trial}`).toBe(true);
    }
  });

  it('is what builds filters here (WebAssembly is available on Node 20)', () => {
    expect(hashGramsWasm(Buffer.from('abcd'), 18)).toBeDefined();
  });
});
