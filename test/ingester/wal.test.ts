import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeRecords, encodeRecords, type WalRecord } from '../../src/ingester/wal/record.js';
import { WriteAheadLog } from '../../src/ingester/wal/wal.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lokits-wal-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const rec = (seq: number, n: number): WalRecord => ({
  type: 'entries',
  seq,
  tenant: 'fake',
  labels: '{app="x"}',
  entries: Array.from({ length: n }, (_, i) => ({
    ts: 1795440866462000536n + BigInt(seq * 1000 + i),
    line: `line ${seq}-${i} ünïcödé ✓`,
    ...(i % 2 ? { metadata: [{ name: 'trace_id', value: `t${i}` }] } : {}),
  })),
});

describe('WAL records', () => {
  it('round-trip entries (ns timestamps, unicode, metadata) and flush marks', () => {
    const records: WalRecord[] = [rec(1, 3), { type: 'flushed', seq: 1, tenant: 'fake', labels: '{app="x"}' }, rec(2, 0)];
    expect(decodeRecords(encodeRecords(records))).toEqual({ records });
  });

  it('stop at a torn tail and report where', () => {
    const buf = encodeRecords([rec(1, 2), rec(2, 2)]);
    const torn = buf.subarray(0, buf.length - 5);
    const res = decodeRecords(torn);
    expect(res.records).toEqual([rec(1, 2)]);
    expect(res.corruption?.reason).toMatch(/torn/);
  });

  it('detect a flipped byte by checksum instead of decoding garbage', () => {
    const buf = Buffer.from(encodeRecords([rec(1, 2), rec(2, 2)]));
    buf[buf.length - 3] ^= 0x40;
    const res = decodeRecords(buf);
    expect(res.records).toEqual([rec(1, 2)]);
    expect(res.corruption?.reason).toBe('checksum mismatch');
  });
});

describe('WriteAheadLog', () => {
  it('replays appended records after a restart, from a fresh segment each time', async () => {
    const dir = tempDir();
    const wal = await WriteAheadLog.open({ dir });
    await wal.start();
    await Promise.all([wal.append([rec(1, 2)]), wal.append([rec(2, 2)]), wal.append([rec(3, 1)])]);
    await wal.close();
    const again = await WriteAheadLog.open({ dir });
    const data = await again.load();
    expect(data.segments.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(data.corruptions).toEqual([]);
    await again.start();
    expect(readdirSync(dir).sort()).toEqual(['00000000', '00000001']);
    await again.close();
  });

  it('skips a torn tail in one segment, reports it, and still replays later segments', async () => {
    const dir = tempDir();
    const wal = await WriteAheadLog.open({ dir });
    await wal.start();
    await wal.append([rec(1, 2)]);
    await wal.append([rec(2, 2)]);
    await wal.close();
    const seg = join(dir, '00000000');
    truncateSync(seg, statSync(seg).size - 3);
    const second = await WriteAheadLog.open({ dir });
    await second.start();
    await second.append([rec(3, 1)]);
    await second.close();
    const data = await (await WriteAheadLog.open({ dir })).load();
    expect(data.segments.map((r) => r.seq)).toEqual([1, 3]);
    expect(data.corruptions).toHaveLength(1);
    expect(data.corruptions[0]).toMatch(/segment 00000000 at byte \d+: torn/);
  });

  it('does not crash on a segment of garbage', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '00000000'), Buffer.from('this is not a wal segment at all, just text'));
    const data = await (await WriteAheadLog.open({ dir })).load();
    expect(data.segments).toEqual([]);
    expect(data.corruptions).toHaveLength(1);
  });

  it('writes a checkpoint, deletes the segments it covers, and replays checkpoint + newer segments', async () => {
    const dir = tempDir();
    const wal = await WriteAheadLog.open({ dir });
    await wal.start();
    await wal.append([rec(1, 2)]);
    await wal.checkpoint(async (emit) => {
      await wal.append([rec(2, 1)]); // lands in the new segment, after the rotation
      await emit([rec(1, 2)]);
    });
    await wal.close();
    const names = readdirSync(dir).sort();
    expect(names).toEqual(['00000001', 'checkpoint.00000001']);
    expect(readFileSync(join(dir, 'checkpoint.00000001')).length).toBeGreaterThan(0);
    const data = await (await WriteAheadLog.open({ dir })).load();
    expect(data.checkpoint.map((r) => r.seq)).toEqual([1]);
    expect(data.segments.map((r) => r.seq)).toEqual([2]);
  });
});
