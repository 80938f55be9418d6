// StoreSource.selectLogs over an in-memory store: gives every entry of the windows it reads while
// holding only the chunks a later window needs and those of the few series it fetches ahead.
import { describe, expect, it } from 'vitest';
import type { LogSelectorExpr } from '../../src/logql/ast.js';
import type { SelectLogsParams, StreamResult } from '../../src/logql/contracts.js';
import { buildPipeline } from '../../src/logql/log/index.js';
import { parseExpr } from '../../src/logql/syntax/index.js';
import { fingerprint, labelsFromRecord } from '../../src/model/labels.js';
import { QueryStats } from '../../src/model/stats.js';
import { nextWidth, PREFETCH_SERIES, StoreSource } from '../../src/querier/sources.js';
import { MemStore, type Entry } from './mem-store.js';

const T0 = 1_700_000_000_000_000_000n;
const SEC = 1_000_000_000n;

describe('StoreSource.selectLogs', () => {
  const store = new MemStore();
  // More series than selectLogs fetches ahead.
  const SERIES = ['api', 'auth', 'web', 'db', 'cache', 'queue', 'mail', 'search', 'billing', 'cart', 'ship', 'audit'];
  const PER_CHUNK = 50;
  const CHUNKS = 16;
  for (const [k, app] of SERIES.entries()) {
    const chunks: Entry[][] = [];
    for (let c = 0; c < CHUNKS; c++)
      chunks.push(Array.from({ length: PER_CHUNK }, (_, j) => {
        const i = c * PER_CHUNK + j;
        // One line in 40 passes the query's filter; streams are offset so windows cut chunks apart.
        return { ts: T0 + BigInt(i) * SEC + BigInt(k) * 7n * SEC, line: `app=${app} i=${i}${i % 40 === 3 ? ' keep' : ''}` };
      }));
    // A replica chunk overlapping two others (its entries are duplicates, read once).
    chunks.push(chunks[5].slice(20).concat(chunks[6].slice(0, 30)));
    store.add(labelsFromRecord({ app }), chunks);
  }
  const total = SERIES.length * (CHUNKS + 1);
  const start = T0;
  const end = T0 + BigInt(CHUNKS * PER_CHUNK + 30) * SEC;
  const selector = parseExpr('{app=~".+"} |= "keep"') as LogSelectorExpr;

  /** Every stream's matching entries, de-duplicated, in the read direction. */
  function expected(backward: boolean, range = { start, end }): Map<string, Entry[]> {
    const out = new Map<string, Entry[]>();
    for (const s of store.list) {
      const seen = new Set<string>();
      const list = store.entries
        .get(s.fingerprint)!
        .filter((e) => e.line.includes('keep') && e.ts >= range.start && e.ts < range.end && !seen.has(`${e.ts} ${e.line}`) && seen.add(`${e.ts} ${e.line}`))
        .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      out.set(s.fingerprint, backward ? list.reverse() : list);
    }
    return out;
  }

  async function read(direction: 'forward' | 'backward', limit: number, range = { start, end }) {
    const stats = new QueryStats();
    const source = new StoreSource(store.asStore(), 't', stats);
    const p: SelectLogsParams = { selector, matchers: selector.matchers, pipeline: buildPipeline(selector.stages), ...range, direction, limit };
    const got = new Map<string, Entry[]>();
    for await (const batch of source.selectLogs(p, new Set()) as AsyncIterable<StreamResult[]>)
      for (const r of batch) {
        const fp = fingerprint(r.labels.stream);
        got.set(fp, [...(got.get(fp) ?? []), ...r.entries.map((e) => ({ ts: e.ts, line: e.line }))]);
      }
    return {
      got,
      peak: source.peakChunksHeld,
      downloaded: stats.store.totalChunksDownloaded,
      duplicates: stats.store.chunk.totalDuplicates,
      lines: stats.store.chunk.decompressedLines,
    };
  }

  for (const direction of ['backward', 'forward'] as const) {
    it(`reads ${direction} every matching entry of the windows it reads, holding at most the chunks of one window's next few series`, async () => {
      const want = expected(direction === 'backward');
      // A limit the whole range barely holds: windows double across all of it.
      const all = await read(direction, 1000);
      expect(all.downloaded).toBe(total);
      expect(all.duplicates).toBeGreaterThan(0);
      for (const s of store.list) expect(all.got.get(s.fingerprint)).toEqual(want.get(s.fingerprint));
      // Chunks are held for the series being read and those fetched ahead of it, plus one a series
      // reaching into the next window.
      expect(SERIES.length).toBeGreaterThan(PREFETCH_SERIES + 1);
      expect(all.peak).toBeLessThanOrEqual((PREFETCH_SERIES + 1) * (CHUNKS + 1) + SERIES.length);

      // A small limit stops early: each stream gives the first of its entries in the read direction.
      const some = await read(direction, 8);
      let taken = 0;
      for (const s of store.list) {
        const list = some.got.get(s.fingerprint) ?? [];
        taken += list.length;
        expect(list).toEqual(want.get(s.fingerprint)!.slice(0, list.length));
      }
      expect(taken).toBeGreaterThanOrEqual(8);
      expect(some.downloaded).toBeLessThan(total);
      expect(some.peak).toBeLessThan(some.downloaded);
    });
  }
  for (const direction of ['backward', 'forward'] as const) {
    it(`sizes its windows ${direction} by the stored data, not by a range reaching far beyond it`, async () => {
      let first = -1n;
      let last = -1n;
      for (const list of store.entries.values())
        for (const e of list) {
          if (first < 0n || e.ts < first) first = e.ts;
          if (e.ts > last) last = e.ts;
        }
      const hour = 3600n * SEC;
      const exact = await read(direction, 8, { start: first, end: last + 1n });
      const far = await read(direction, 8, { start: first - hour, end: last + hour });
      // The same entries from windows of the same size: the empty hours on either side cost nothing.
      const want = expected(direction === 'backward', { start: first, end: last + 1n });
      for (const s of store.list) {
        const list = far.got.get(s.fingerprint) ?? [];
        expect(list).toEqual(want.get(s.fingerprint)!.slice(0, list.length));
      }
      expect(far.got).toEqual(exact.got);
      expect(far.lines).toBe(exact.lines);
      expect(far.lines).toBeLessThan((total * PER_CHUNK) / 10);
    });
  }
});

describe('selectLogs window growth (nextWidth)', () => {
  it('grows by what the yield so far says the rest needs, with half again to spare, and at least doubles', () => {
    // 100 s gave 100 of 1000 entries: the other 900 need about 900 s; 1,350 s asked.
    expect(nextWidth(100n * SEC, 100n * SEC, 100, 1000)).toBe(1350n * SEC);
    // Nearly there: never less than twice the last window.
    expect(nextWidth(100n * SEC, 300n * SEC, 990, 1000)).toBe(200n * SEC);
    // Nothing taken yet: four times.
    expect(nextWidth(100n * SEC, 100n * SEC, 0, 1000)).toBe(400n * SEC);
  });
});
