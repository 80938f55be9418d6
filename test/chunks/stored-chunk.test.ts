// StoredChunk: round trips through the encoded format per codec, and corruption reported as CorruptDataError.
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type Codec, FORMAT_VERSION, MemChunk, StoredChunk } from '../../src/chunks/index.js';
import { CorruptDataError, type Entry } from '../../src/model/index.js';
import { chunkOf, logfmtEntries, md, sortedByTs, T0, utf8Length } from './fixtures.js';

const FROM = -(2n ** 63n);
const THROUGH = 2n ** 63n - 1n;
const CODECS: Codec[] = ['snappy', 'gzip', 'none'];

function roundTrip(c: MemChunk): StoredChunk {
  return StoredChunk.decode(Uint8Array.from(c.encode()));
}

function readAll(c: StoredChunk): Entry[] {
  return [...c.iterate(FROM, THROUGH, 'forward')];
}

/** Entries with every shape the format must keep: metadata (ordered, unicode), unicode lines, empty lines. */
function variedEntries(): Entry[] {
  const out: Entry[] = logfmtEntries(400);
  out[3] = { ...out[3], metadata: md({ trace_id: 'abc123', span: '7' }) };
  out[4] = { ...out[4], metadata: md({ zeta: 'last-but-first', alpha: '' }) };
  out[5] = { ...out[5], line: '', metadata: md({ 'ключ': 'значение 🚀' }) };
  out[6] = { ...out[6], line: '日本語のログ行 ✓ \u0000 tab\there' };
  out[7] = { ...out[7], ts: out[6].ts };
  return out;
}

describe('StoredChunk round trip', () => {
  for (const codec of CODECS) {
    it(`reads back what a ${codec} MemChunk encoded, forward and backward`, () => {
      const entries = variedEntries();
      const mem = chunkOf(entries, { codec, blockSize: 8192 });
      const stored = roundTrip(mem);
      expect(stored.codec).toBe(codec);
      expect(stored.entries).toBe(400);
      expect(stored.minTs).toBe(entries[0].ts);
      expect(stored.maxTs).toBe(entries[399].ts);
      expect(stored.uncompressedBytes).toBe(mem.uncompressedBytes);
      expect(stored.blocks()).toEqual(mem.blocks());
      expect(stored.blocks().length).toBeGreaterThan(5);
      expect(readAll(stored)).toEqual(entries);
      expect([...stored.iterate(FROM, THROUGH, 'backward')]).toEqual([...entries].reverse());
    });
  }

  it('keeps structured metadata names, values and order exactly', () => {
    const stored = roundTrip(chunkOf(variedEntries()));
    const got = readAll(stored);
    expect(got[3].metadata).toEqual([
      { name: 'trace_id', value: 'abc123' },
      { name: 'span', value: '7' },
    ]);
    expect(got[4].metadata).toEqual([
      { name: 'zeta', value: 'last-but-first' },
      { name: 'alpha', value: '' },
    ]);
    expect(got[5]).toEqual({ ts: variedEntries()[5].ts, line: '', metadata: [{ name: 'ключ', value: 'значение 🚀' }] });
    expect(got[0].metadata).toBeUndefined();
  });

  it('selects exactly from <= ts < through within and across blocks', () => {
    const entries = logfmtEntries(500);
    const stored = roundTrip(chunkOf(entries, { blockSize: 4096 }));
    for (const [a, b] of [
      [0, 500],
      [17, 18],
      [17, 17],
      [30, 333],
      [499, 500],
    ]) {
      const from = entries[a].ts;
      const through = b < 500 ? entries[b].ts : entries[499].ts + 1n;
      expect([...stored.iterate(from, through, 'forward')]).toEqual(entries.slice(a, b));
      expect([...stored.iterate(from, through, 'backward')]).toEqual(entries.slice(a, b).reverse());
      expect([...stored.samples(from, through)]).toEqual(entries.slice(a, b).map((e) => ({ ts: e.ts, bytes: utf8Length(e.line) })));
    }
    expect([...stored.iterate(entries[499].ts + 1n, THROUGH, 'forward')]).toEqual([]);
    expect([...stored.iterate(FROM, entries[0].ts, 'forward')]).toEqual([]);
  });

  it('merges overlapping blocks written out of order, ties in insertion order', () => {
    const entries: Entry[] = [];
    for (let i = 0; i < 1000; i++) entries.push({ ts: T0 + BigInt((i * 7919) % 250), line: `entry ${i}`, metadata: undefined });
    const stored = roundTrip(chunkOf(entries, { blockSize: 2000 }));
    expect(stored.blocks().length).toBeGreaterThan(3);
    const expected = sortedByTs(entries);
    expect(readAll(stored)).toEqual(expected);
    expect([...stored.iterate(FROM, THROUGH, 'backward')]).toEqual([...expected].reverse());
    expect([...stored.samples(T0 + 100n, T0 + 200n)]).toEqual(
      expected.filter((e) => e.ts >= T0 + 100n && e.ts < T0 + 200n).map((e) => ({ ts: e.ts, bytes: e.line.length })),
    );
  });

  it('keeps a line longer than blockSize intact in a block of its own', () => {
    const long = 'ünïcødé '.repeat(50_000);
    const entries: Entry[] = [
      { ts: T0, line: 'a', metadata: undefined },
      { ts: T0 + 1n, line: long, metadata: undefined },
    ];
    const stored = roundTrip(chunkOf(entries, { blockSize: 1024 }));
    expect(stored.blocks().map((b) => b.entries)).toEqual([2]);
    expect(readAll(stored)).toEqual(entries);
    expect([...stored.samples(FROM, THROUGH)].map((s) => s.bytes)).toEqual([1, utf8Length(long)]);
  });

  it('round-trips a block whose lines are all empty', () => {
    const entries: Entry[] = [0n, 1n, 2n, 5n].map((d, i) => ({ ts: T0 + d, line: '', metadata: i === 2 ? md({ a: 'b' }) : undefined }));
    const stored = roundTrip(chunkOf(entries));
    expect(readAll(stored)).toEqual(entries);
    expect([...stored.samples(FROM, THROUGH)].map((s) => s.bytes)).toEqual([0, 0, 0, 0]);
    expect(stored.uncompressedBytes).toBe(2);
  });

  it('encodes an empty chunk that reads back empty', () => {
    const data = new MemChunk({ blockSize: 1024, targetSize: 0, codec: 'gzip' }).encode();
    const stored = StoredChunk.decode(data);
    expect([stored.entries, stored.minTs, stored.maxTs, stored.codec, stored.blocks().length]).toEqual([0, 0n, 0n, 'gzip', 0]);
    expect(readAll(stored)).toEqual([]);
    expect(stored.sampleViews(FROM, THROUGH)).toEqual([]);
  });

  it('lays out a versioned header naming the codec', () => {
    const data = Buffer.from(chunkOf(logfmtEntries(3), { codec: 'gzip' }).encode());
    expect(data.subarray(0, 4).toString('latin1')).toBe('LKCH');
    expect([data[4], data[5]]).toEqual([FORMAT_VERSION, 1]);
  });

  it('stays readable and appendable after encode, and encodes again with the new entries', () => {
    const mem = chunkOf(logfmtEntries(10));
    const first = mem.encode();
    expect(mem.encode()).toBe(first);
    mem.append(T0 - 1n, 'earlier');
    expect([...mem.iterate(FROM, THROUGH, 'forward')][0].line).toBe('earlier');
    const second = StoredChunk.decode(mem.encode());
    expect(second.entries).toBe(11);
    expect(readAll(second)[0].line).toBe('earlier');
    expect(StoredChunk.decode(first).entries).toBe(10);
  });

  it('serves samples from timestamps and lengths without decompressing line bytes', () => {
    const entries = logfmtEntries(50);
    const data = Buffer.from(chunkOf(entries, { codec: 'gzip' }).encode());
    // Wreck the lines section's gzip stream, then re-seal the block and table checksums around it.
    const block = StoredChunk.decode(data).blocks()[0];
    const linesStart = block.offset + 32 + data.readUInt32LE(block.offset) + data.readUInt32LE(block.offset + 8);
    data.fill(0x55, linesStart, linesStart + 10);
    const tableOffset = data.readUInt32LE(data.length - 8);
    data.writeUInt32LE(zlib.crc32(data.subarray(block.offset, block.offset + block.length)), tableOffset + 4 + 36);
    expect(data.readUInt32LE(tableOffset + 4 + 40)).toBe(block.columnsCrc32);
    data.writeUInt32LE(zlib.crc32(data.subarray(tableOffset, data.length - 8)), data.length - 4);
    const stored = StoredChunk.decode(data);
    expect([...stored.samples(FROM, THROUGH)]).toEqual(entries.map((e) => ({ ts: e.ts, bytes: utf8Length(e.line) })));
    expect(() => readAll(stored)).toThrow(/^corrupt chunk: block 0 lines section does not decompress with gzip/);
  });
});

describe('StoredChunk corruption', () => {
  const encoded = (codec: Codec = 'snappy'): Buffer =>
    Buffer.from(chunkOf(variedEntries().slice(0, 120), { codec, blockSize: 2048 }).encode());

  /** Decodes and reads everything, also through the gram filters; any failure must be a CorruptDataError. */
  function readFully(data: Uint8Array): unknown {
    const c = StoredChunk.decode(data);
    const needle = { include: [Buffer.from('status=500')], exclude: [] };
    return [readAll(c), [...c.samples(FROM, THROUGH)], [...c.iterate(FROM, THROUGH, 'forward', needle)]];
  }

  it('reports a flipped line byte when entries of that block are read, and only then', () => {
    const data = encoded();
    const stored = StoredChunk.decode(data);
    const b = stored.blocks()[1];
    const samples = [...stored.samples(FROM, THROUGH)];
    data[b.offset + b.length - 3] ^= 0x01;
    const damaged = StoredChunk.decode(data);
    expect(() => readAll(damaged)).toThrow(CorruptDataError);
    expect(() => readAll(damaged)).toThrow(/^corrupt chunk: block 1 checksum mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/);
    expect([...damaged.iterate(FROM, b.minTs, 'forward')].length).toBe(stored.blocks()[0].entries);
    expect([...damaged.samples(FROM, THROUGH)]).toEqual(samples);
  });

  it('checks metadata with the columns checksum: a flipped metadata byte fails sample reads, a flipped line byte does not', () => {
    const list = logfmtEntries(120).map((e, i) => ({ ...e, metadata: md({ detected_level: i % 3 === 0 ? 'warn' : 'info' }) }));
    const data = Buffer.from(chunkOf(list, { codec: 'gzip', blockSize: 2048 }).encode());
    const stored = StoredChunk.decode(data);
    const b = stored.blocks()[1];
    const sizes = (s: number) => data.readUInt32LE(b.offset + 8 * s);
    const metadataStart = b.offset + b.length - sizes(3);
    const lineByte = metadataStart - 5;
    expect(sizes(3)).toBeGreaterThan(0);
    const columns = stored.sampleColumns(FROM, THROUGH);

    const lineFlipped = Buffer.from(data);
    lineFlipped[lineByte] ^= 0x01;
    const withBadLine = StoredChunk.decode(lineFlipped);
    expect(withBadLine.sampleColumns(FROM, THROUGH)).toEqual(columns);
    expect(() => readAll(withBadLine)).toThrow(/^corrupt chunk: block 1 checksum mismatch/);

    const metadataFlipped = Buffer.from(data);
    metadataFlipped[metadataStart + 2] ^= 0x01;
    expect(() => StoredChunk.decode(metadataFlipped).sampleColumns(FROM, THROUGH)).toThrow(/^corrupt chunk: block 1 columns checksum mismatch/);
    expect(() => readAll(StoredChunk.decode(metadataFlipped))).toThrow(CorruptDataError);
  });

  it('reports a flipped timestamp byte to sample reads as well', () => {
    const data = encoded();
    const b = StoredChunk.decode(data).blocks()[1];
    data[b.offset + 33] ^= 0x01;
    const damaged = StoredChunk.decode(data);
    expect(() => [...damaged.samples(FROM, THROUGH)]).toThrow(/^corrupt chunk: block 1 columns checksum mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/);
    expect(() => readAll(damaged)).toThrow(/^corrupt chunk: block 1 columns checksum mismatch/);
  });

  it('reports a flipped byte in the block table', () => {
    const data = encoded();
    const tableOffset = data.readUInt32LE(data.length - 8);
    data[tableOffset + 10] ^= 0x80;
    expect(() => StoredChunk.decode(data)).toThrow(/^corrupt chunk: block table checksum mismatch/);
  });

  it('reports a damaged header', () => {
    const magic = encoded();
    magic[0] = 0x00;
    expect(() => StoredChunk.decode(magic)).toThrow('corrupt chunk: bad magic number 0x004b4348, not a chunk');
    const codec = encoded();
    codec[5] = 0;
    expect(() => StoredChunk.decode(codec)).toThrow(/^corrupt chunk: header checksum mismatch/);
  });

  it('reports a version it does not know', () => {
    const data = encoded();
    data[4] = 9;
    data.writeUInt32LE(zlib.crc32(data.subarray(0, 8)), 8);
    expect(() => StoredChunk.decode(data)).toThrow('corrupt chunk: unsupported format version 9 (this reader knows 1 to 4)');
  });

  it('reports truncation', () => {
    const data = encoded();
    expect(() => StoredChunk.decode(data.subarray(0, data.length - 1))).toThrow(CorruptDataError);
    expect(() => StoredChunk.decode(data.subarray(0, 10))).toThrow('corrupt chunk: 10 bytes is too short for a chunk (at least 24; truncated?)');
    expect(() => StoredChunk.decode(data.subarray(0, 0))).toThrow(/too short/);
  });

  for (const codec of CODECS) {
    it(`never returns data from a ${codec} chunk with any single flipped bit`, () => {
      const data = encoded(codec);
      readFully(data);
      // Every byte of header, table and footer; every 13th byte of the blocks.
      const tableOffset = data.readUInt32LE(data.length - 8);
      const positions = [...Array(data.length).keys()].filter((p) => p < 12 || p >= tableOffset || p % 13 === 0);
      for (const pos of positions) {
        const copy = Buffer.from(data);
        copy[pos] ^= 1 << pos % 8;
        try {
          readFully(copy);
        } catch (err) {
          expect(err).toBeInstanceOf(CorruptDataError);
          expect((err as Error).message).toMatch(/^corrupt chunk: /);
          continue;
        }
        expect.fail(`flipping a bit of byte ${pos} went unnoticed`);
      }
    });
  }

  it('never returns data from a chunk cut short at any length', () => {
    const data = encoded('none');
    for (let len = 0; len < data.length; len += 7) {
      expect(() => readFully(data.subarray(0, len))).toThrow(CorruptDataError);
    }
  });
});
