// DoQuery paging against an in-memory Loki that shuffles equal timestamps on every request: nothing
// lost or repeated at batch boundaries either way, logcli's request sequence, "Invalid batch size".
import { describe, expect, it } from 'vitest';
import { labelsFromRecord, labelsString } from '../../src/model/labels.js';
import type { Direction } from '../../src/cli/client.js';
import { createLogOutput } from '../../src/cli/output.js';
import { runQuery, type QueryClient } from '../../src/cli/query.js';
import { ResultPrinter } from '../../src/cli/result-printer.js';
import { Colors, FatalError, GoLogger, type CliIO } from '../../src/cli/terminal.js';
import type { QueryResponse, Stream } from '../../src/cli/wire.js';

interface Row {
  stream: string;
  ts: bigint;
  line: string;
}

interface Call {
  limit: number;
  start: bigint;
  end: bigint;
  direction: Direction;
}

/** A deterministic shuffle (LCG) so that equal timestamps come back in varying orders. */
function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Loki's query_range for streams: [start, end), global limit in direction order, grouped by stream. */
class MemoryLoki implements QueryClient {
  readonly calls: Call[] = [];

  constructor(private readonly rows: Row[]) {}

  async queryRange(_q: string, limit: number, start: bigint, end: bigint, direction: Direction): Promise<QueryResponse> {
    this.calls.push({ limit, start, end, direction });
    const inRange = shuffled(
      this.rows.filter((r) => r.ts >= start && r.ts < end),
      this.calls.length,
    );
    inRange.sort((a, b) => (a.ts === b.ts ? 0 : (a.ts < b.ts) === (direction === 'FORWARD') ? -1 : 1));
    const picked = inRange.slice(0, limit);
    const byStream = new Map<string, Row[]>();
    for (const r of picked) byStream.set(r.stream, [...(byStream.get(r.stream) ?? []), r]);
    const streams: Stream[] = [...byStream.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([name, rs]) => ({ labels: labelsFromRecord({ job: 'paging', stream: name }), entries: rs.map((r) => ({ ts: r.ts, line: r.line })) }));
    return { result: { type: 'streams', streams }, stats: {} };
  }

  async query(): Promise<QueryResponse> {
    throw new Error('not an instant query');
  }
}

function captureIO(): { io: CliIO; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIO = {
    writeStdout: (s) => stdout.push(s),
    writeStderr: (s) => stderr.push(s),
    env: {},
    stdoutIsTTY: false,
    clock: () => new Date(0),
    allowInsecureTLS: () => undefined,
    onInterrupt: () => () => undefined,
  };
  return { io, stdout, stderr };
}

/** Two streams, 150 entries each; every timestamp is shared by `perTs` entries of each stream. */
function dataset(perTs: number): Row[] {
  const rows: Row[] = [];
  for (const stream of ['a', 'b'])
    for (let i = 0; i < 150; i++) rows.push({ stream, ts: 1_000_000n + BigInt(Math.floor(i / perTs)) * 1000n, line: `${stream}-${i}` });
  return rows;
}

async function page(rows: Row[], limit: number, batchSize: number, forward: boolean) {
  const loki = new MemoryLoki(rows);
  const { io, stdout } = captureIO();
  const printed: string[] = [];
  const colors = new Colors(io);
  const out = createLogOutput('raw', { timezone: 'UTC', noLabels: false, coloredOutput: false }, (s) => printed.push(s.slice(0, -1)), colors);
  const printer = new ResultPrinter(
    { showLabelsKey: [], ignoreLabelsKey: [], quiet: true, fixedLabelsLen: 0, forward },
    { out, stdout: (s) => stdout.push(s), stderr: () => undefined, log: new GoLogger(io), colors },
  );
  await runQuery(
    { query: '{job="paging"}', start: 0n, end: 10_000_000n, limit, batchSize, forward, step: 0n, interval: 0n, quiet: true },
    loki,
    { printer, showStats: false, afterBatch: () => undefined },
  );
  return { printed, calls: loki.calls };
}

const tsOf = (rows: Row[]): Map<string, bigint> => new Map(rows.map((r) => [r.line, r.ts]));

describe('logcli paging (DoQuery)', () => {
  it('prints the newest 250 of 300 entries exactly once with --limit 250 --batch 100 backward', async () => {
    const rows = dataset(5);
    const { printed, calls } = await page(rows, 250, 100, false);
    const ts = tsOf(rows);
    const expected = [...rows].sort((a, b) => (a.ts > b.ts ? -1 : a.ts < b.ts ? 1 : 0)).slice(0, 250);
    expect(printed).toHaveLength(250);
    expect(new Set(printed).size).toBe(250);
    expect(new Set(printed)).toEqual(new Set(expected.map((r) => r.line)));
    for (let i = 1; i < printed.length; i++) expect(ts.get(printed[i])! <= ts.get(printed[i - 1])!).toBe(true);
    expect(calls.map((c) => c.direction)).toEqual(['BACKWARD', 'BACKWARD', 'BACKWARD']);
    expect(calls[0]).toEqual({ limit: 100, start: 0n, end: 10_000_000n, direction: 'BACKWARD' });
    // Each next request ends 1ns past the oldest timestamp printed so far.
    expect(calls[1].end).toBe(ts.get(printed[99])! + 1n);
    expect(calls[1].limit).toBe(100);
    expect(calls[2].end).toBe(ts.get(printed[189])! + 1n);
  });

  it('prints the oldest 250 entries exactly once forward, restarting each batch at its newest timestamp', async () => {
    const rows = dataset(5);
    const { printed, calls } = await page(rows, 250, 100, true);
    const ts = tsOf(rows);
    const expected = [...rows].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0)).slice(0, 250);
    expect(printed).toHaveLength(250);
    expect(new Set(printed)).toEqual(new Set(expected.map((r) => r.line)));
    for (let i = 1; i < printed.length; i++) expect(ts.get(printed[i])! >= ts.get(printed[i - 1])!).toBe(true);
    expect(calls[1].start).toBe(ts.get(printed[99])!);
    expect(calls[1].end).toBe(10_000_000n);
  });

  it('asks the last page for the missing entries plus the boundary repeats', async () => {
    const rows = dataset(5);
    const { calls } = await page(rows, 250, 100, false);
    // 100 per batch with 10 entries per timestamp: batch 1 ends on a full timestamp group (10 repeats),
    // batch 2 prints 90 new ones and again ends on a full group; 60 are missing, plus 10 repeats.
    expect(calls.map((c) => c.limit)).toEqual([100, 100, 70]);
  });

  it('fetches everything with --limit 0 and stops on the first batch without new entries', async () => {
    const rows = dataset(3);
    const { printed, calls } = await page(rows, 0, 100, false);
    expect(printed).toHaveLength(300);
    expect(new Set(printed).size).toBe(300);
    expect(calls.every((c) => c.limit === 100)).toBe(true);
  });

  it('uses the limit as the batch size when the limit is smaller and makes a single request', async () => {
    const rows = dataset(1);
    const { printed, calls } = await page(rows, 30, 1000, false);
    expect(printed).toHaveLength(30);
    expect(calls).toEqual([{ limit: 30, start: 0n, end: 10_000_000n, direction: 'BACKWARD' }]);
  });

  it('stops with "Invalid batch size" when a whole batch shares one timestamp', async () => {
    const rows = dataset(5);
    const err = await page(rows, 50, 8, false).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FatalError);
    expect((err as Error).message).toBe(
      'Invalid batch size 8, the next query will have 8 overlapping entries (there will always be 1 overlapping entry but Loki allows multiple entries to have the same timestamp, so when a batch ends in this scenario the next query will include all the overlapping entries again).  Please increase your batch size to at least 9 to account for overlapping entryes\n',
    );
  });

  it('keeps two streams apart when they log the same line at the boundary timestamp', async () => {
    const rows: Row[] = [];
    for (let i = 0; i < 40; i++) for (const stream of ['a', 'b']) rows.push({ stream, ts: 1_000_000n + BigInt(Math.floor(i / 3)), line: `same-${i}` });
    const loki = new MemoryLoki(rows);
    const { io } = captureIO();
    const printed: string[] = [];
    const colors = new Colors(io);
    const out = createLogOutput('default', { timezone: 'UTC', noLabels: false, coloredOutput: false }, (s) => printed.push(s), colors);
    const printer = new ResultPrinter(
      { showLabelsKey: [], ignoreLabelsKey: [], quiet: true, fixedLabelsLen: 0, forward: false },
      { out, stdout: () => undefined, stderr: () => undefined, log: new GoLogger(io), colors },
    );
    await runQuery(
      { query: '{job="paging"}', start: 0n, end: 10_000_000n, limit: 80, batchSize: 25, forward: false, step: 0n, interval: 0n, quiet: true },
      loki,
      { printer, showStats: false, afterBatch: () => undefined },
    );
    expect(printed).toHaveLength(80);
    expect(new Set(printed).size).toBe(80);
    expect(printed.filter((l) => l.includes(labelsString(labelsFromRecord({ stream: 'a' }))))).toHaveLength(40);
  });
});
