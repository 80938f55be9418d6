import { describe, expect, it } from 'vitest';
import { CorruptDataError } from '../../src/model/errors.js';
import { labelsFromRecord } from '../../src/model/labels.js';
import type { ChunkRef } from '../../src/storage/chunk-ref.js';
import { decodeIndexFile, encodeIndexFile, INDEX_FORMAT_VERSION, type IndexFile } from '../../src/storage/index-format.js';
import { splitByPeriod } from '../../src/storage/index-writer.js';
import { chunkKey } from '../../src/storage/object-keys.js';

function ref(fp: string, from: bigint, through: bigint, checksum = 0xdeadbeef): ChunkRef {
  return { tenant: 't', fingerprint: fp, from, through, checksum, entries: 7, uncompressedBytes: 700, size: 90, key: chunkKey('t', fp, from, through, checksum) };
}

const file: IndexFile = {
  tenant: 't',
  period: 20415n,
  series: [
    { labels: labelsFromRecord({ app: 'api', msg: 'quote " and \\ and ünïcode' }), fingerprint: '00ab', chunks: [ref('00ab', 1_795_400_000_000_000_001n, 1_795_400_000_999_999_999n)] },
    { labels: [], fingerprint: 'ffffffffffffffff', chunks: [ref('ffffffffffffffff', 0n, 0n, 0), ref('ffffffffffffffff', 5n, 9n, 1)] },
  ],
};

describe('index file format', () => {
  it('round-trips labels, fingerprints and exact nanosecond chunk refs', () => {
    expect(decodeIndexFile('k', encodeIndexFile(file))).toEqual(file);
  });

  it('starts with the magic LIDX and the format version', () => {
    const data = encodeIndexFile(file);
    expect(new TextDecoder().decode(data.subarray(0, 4))).toBe('LIDX');
    expect(data[4]).toBe(INDEX_FORMAT_VERSION);
  });

  it('reports damage as CorruptDataError naming the file', () => {
    const good = encodeIndexFile(file);
    const damaged = (at: number, value: number): Uint8Array => {
      const copy = good.slice();
      copy[at] = value;
      return copy;
    };
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(0), 'bad magic'],
      [damaged(0, 0), 'bad magic'],
      [damaged(4, 99), 'unsupported version 99'],
      [damaged(good.length - 1, good[good.length - 1] ^ 1), 'checksum mismatch'],
      [good.subarray(0, good.length - 4), 'checksum mismatch'],
    ];
    for (const [data, why] of cases) {
      const err = (() => {
        try {
          decodeIndexFile('index/1/t/w-1', data);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(CorruptDataError);
      expect((err as Error).message).toBe(`corrupt index file index/1/t/w-1: ${why}`);
    }
  });

  it('lists a chunk in every period it spans and nothing else in each file', () => {
    const series = [
      { labels: labelsFromRecord({ a: '1' }), fingerprint: '01', chunks: [ref('01', 50n, 250n), ref('01', 260n, 270n)] },
      { labels: labelsFromRecord({ a: '2' }), fingerprint: '02', chunks: [ref('02', 100n, 199n)] },
    ];
    const files = splitByPeriod('t', series, 100n);
    expect(files.map((f) => [f.period, f.series.map((s) => `${s.fingerprint}:${s.chunks.map((c) => `${c.from}-${c.through}`).join(',')}`)])).toEqual([
      [0n, ['01:50-250']],
      [1n, ['01:50-250', '02:100-199']],
      [2n, ['01:50-250,260-270']],
    ]);
  });
});
