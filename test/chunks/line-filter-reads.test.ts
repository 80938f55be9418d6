// Filtered reads: only lines containing every include needle and no exclude needle are decoded, the
// rest are counted as skipped; sample columns carry metadata and refuse overlapping blocks.
import { describe, expect, it } from 'vitest';
import { StoredChunk, type LineBytesFilter, type SkippedEntries } from '../../src/chunks/index.js';
import type { Entry } from '../../src/model/index.js';
import { chunkOf, md, T0, utf8Length } from './fixtures.js';

const FROM = -(2n ** 63n);
const THROUGH = 2n ** 63n - 1n;

const filter = (include: string[], exclude: string[] = []): LineBytesFilter => ({
  include: include.map((s) => Buffer.from(s)),
  exclude: exclude.map((s) => Buffer.from(s)),
});

function entries(): Entry[] {
  const words = ['error timeout', 'ok', 'errand', 'Error', 'fatal error ✓', 'ërror', 'error', '', 'time out error'];
  return Array.from({ length: 90 }, (_, i) => ({
    ts: T0 + BigInt(i) * 1000n,
    line: `${i} ${words[i % words.length]}`,
    metadata: i % 2 === 0 ? md({ detected_level: 'error' }) : undefined,
  }));
}

function read(c: { iterate: StoredChunk['iterate'] }, f: LineBytesFilter, direction: 'forward' | 'backward' = 'forward') {
  const skipped: SkippedEntries = { lines: 0, bytes: 0, metadataBytes: 0 };
  return { got: [...c.iterate(FROM, THROUGH, direction, f, skipped)], skipped };
}

const variants = {
  'sealed blocks': () => StoredChunk.decode(chunkOf(entries(), { blockSize: 200, codec: 'gzip' }).encode()),
  'the head block': () => chunkOf(entries(), { blockSize: 1 << 20 }),
};

describe('reads with a line-bytes filter', () => {
  for (const [name, make] of Object.entries(variants)) {
    it(`decodes only lines with every include and no exclude needle, counting the others (${name})`, () => {
      const all = entries();
      const cases: [string[], string[]][] = [
        [['error'], []],
        [['error', 'time'], []],
        [[], ['error']],
        [['error'], ['fatal', 'timeout']],
        [['ërror'], []],
        [['✓'], []],
        [['rror 1'], []],
      ];
      for (const [include, exclude] of cases) {
        const expected = all.filter((e) => include.every((n) => e.line.includes(n)) && !exclude.some((n) => e.line.includes(n)));
        const rest = all.filter((e) => !expected.includes(e));
        const restBytes = rest.reduce((n, e) => n + utf8Length(e.line), 0);
        const restMetadataBytes = rest.reduce((n, e) => n + (e.metadata ? 'detected_levelerror'.length : 0), 0);
        const { got, skipped } = read(make(), { ...filter(include, exclude), ignoreBlockFilters: true });
        expect(got).toEqual(expected);
        expect(skipped).toEqual({ lines: rest.length, bytes: restBytes, metadataBytes: restMetadataBytes });
        // Blocks the gram filters rule out count as whole blocks, never as lines.
        const filtered = read(make(), filter(include, exclude));
        expect(filtered.got).toEqual(expected);
        expect(filtered.skipped.bytes + filtered.skipped.metadataBytes + (filtered.skipped.blockBytes ?? 0)).toBe(restBytes + restMetadataBytes);
        expect(read(make(), filter(include, exclude), 'backward').got).toEqual([...expected].reverse());
      }
    });
  }

  it('never matches a needle across two lines', () => {
    const c = chunkOf(
      [
        { ts: T0, line: 'abc err', metadata: undefined },
        { ts: T0 + 1n, line: 'or def', metadata: undefined },
      ],
      { codec: 'none' },
    );
    expect(read(StoredChunk.decode(c.encode()), filter(['error'])).got).toEqual([]);
  });
});

describe('sample columns', () => {
  it('carry timestamps, sizes and shared metadata objects of sealed and head blocks', () => {
    const all = entries();
    const c = chunkOf(all, { blockSize: 300, codec: 'gzip' });
    for (const source of [c, StoredChunk.decode(c.encode())]) {
      const columns = source.sampleColumns(FROM, THROUGH)!;
      const flat = columns.flatMap((v) =>
        Array.from(v.offsetsNs, (off, i) => ({ ts: v.baseTs + BigInt(off), bytes: v.bytes[i], metadata: v.metadata?.[i] })),
      );
      expect(flat).toEqual(all.map((e) => ({ ts: e.ts, bytes: utf8Length(e.line), metadata: e.metadata })));
    }
    const stored = StoredChunk.decode(c.encode()).sampleColumns(FROM, THROUGH)!;
    const withMetadata = stored[0].metadata!.filter((m) => m !== undefined);
    expect(new Set(withMetadata).size).toBe(1);
  });

  it('are refused when blocks overlap in time', () => {
    const c = chunkOf([], { blockSize: 20 });
    c.append(T0 + 1n, 'x'.repeat(10));
    c.append(T0 + 5n, 'y'.repeat(10));
    c.append(T0 + 3n, 'z'.repeat(10));
    expect(c.blocks().map((b) => [b.minTs - T0, b.maxTs - T0])).toEqual([[1n, 5n]]);
    expect(c.sampleColumns(FROM, THROUGH)).toBeUndefined();
    expect(c.sampleColumns(T0 + 4n, THROUGH)?.map((v) => v.offsetsNs.length)).toEqual([1]);
  });
});
