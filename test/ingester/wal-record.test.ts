import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePushRequest, encodePushRequest, type EncodableStream } from '../../src/ingester/grpc/push-codec.js';
import { decodeRecords, encodeRecords, type WalRecord } from '../../src/ingester/wal/record.js';
import type { Entry, Label } from '../../src/model/index.js';
import { lokits } from '../../gen/proto.js';

import pb = lokits.ingester;

const T = 1_700_000_000_000_000_000n;
const level = (value: string): Label[] => [{ name: 'detected_level', value }];
const LEVELS = ['info', 'warn', 'error'];

/** The WAL format as documented in record.ts, written the slow way: the reference for byte identity. */
function referenceEncode(records: readonly WalRecord[]): Buffer {
  const parts: Buffer[] = [];
  const varint = (n: number): Buffer => {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return Buffer.from(out);
  };
  const str = (s: string): Buffer => {
    const b = Buffer.from(s, 'utf8');
    return Buffer.concat([varint(b.length), b]);
  };
  for (const r of records) {
    const body: Buffer[] = [Buffer.from([r.type === 'entries' ? 1 : 2])];
    const seq = Buffer.alloc(8);
    seq.writeDoubleLE(r.seq);
    body.push(seq, str(r.tenant), str(r.labels));
    if (r.type === 'entries') {
      body.push(varint(r.entries.length));
      for (const e of r.entries) {
        const ts = Buffer.alloc(8);
        ts.writeBigInt64LE(e.ts);
        body.push(ts, str(e.line));
        const md = e.metadata ?? [];
        body.push(varint(md.length));
        for (const l of md) body.push(str(l.name), str(l.value));
      }
    }
    const payload = Buffer.concat(body);
    const header = Buffer.alloc(8);
    header.writeUInt32LE(payload.length, 0);
    header.writeUInt32LE(crc32(payload), 4);
    parts.push(header, payload);
  }
  return Buffer.concat(parts);
}

/** Two streams whose entries cycle through three levels, some with a second pair, some without metadata. */
function pushedStreams(): EncodableStream[] {
  return ['{app="a"}', '{app="b"}'].map((labelsString, s) => ({
    labelsString,
    entries: Array.from({ length: 30 }, (_, i): Entry => {
      const ts = T + BigInt(s * 1000 + i);
      const line = `line ${s}-${i} ✓`;
      if (i % 10 === 9) return { ts, line };
      const md = i % 5 === 4 ? [...level(LEVELS[i % 3]), { name: 'pod', value: 'p-1' }] : level(LEVELS[i % 3]);
      return { ts, line, metadata: md };
    }),
  }));
}

const plainMetadata = (e: Entry): Label[] | undefined => e.metadata?.map((l) => ({ name: l.name, value: l.value }));

describe('gRPC Push decoding shares equal metadata', () => {
  it('gives byte-identical metadata of one request one frozen array, across entries and streams', () => {
    const sent = pushedStreams();
    const decoded = decodePushRequest(encodePushRequest(sent));
    const all = decoded.flatMap((s) => s.entries);
    const sentAll = sent.flatMap((s) => s.entries);
    expect(all.map(plainMetadata)).toEqual(sentAll.map((e) => e.metadata));

    const byContent = new Map<string, Set<unknown>>();
    for (const e of all) {
      if (e.metadata === undefined) continue;
      expect(Object.isFrozen(e.metadata)).toBe(true);
      for (const l of e.metadata) expect(Object.isFrozen(l)).toBe(true);
      const key = JSON.stringify(e.metadata);
      if (!byContent.has(key)) byContent.set(key, new Set());
      byContent.get(key)!.add(e.metadata);
    }
    // 3 levels alone and 3 levels with the pod pair: six distinct contents, one object each.
    expect(byContent.size).toBe(6);
    for (const objects of byContent.values()) expect(objects.size).toBe(1);
  });

  it('shares metadata the generated encoder wrote, too', () => {
    const bytes = pb.PushRequest.encode({
      streams: [
        {
          labels: '{app="a"}',
          entries: [1, 2, 3].map((i) => ({ timestampNs: Number(T) + i, line: `l${i}`, structuredMetadata: [{ name: 'k', value: 'v' }] })),
        },
      ],
    }).finish();
    const [s] = decodePushRequest(bytes);
    expect(s.entries[0].metadata).toEqual([{ name: 'k', value: 'v' }]);
    expect(s.entries[1].metadata).toBe(s.entries[0].metadata);
    expect(s.entries[2].metadata).toBe(s.entries[0].metadata);
  });

  it('tells apart metadata of equal length, and order matters', () => {
    const entries: Entry[] = [
      { ts: T, line: 'a', metadata: [{ name: 'k', value: 'v1' }] },
      { ts: T + 1n, line: 'b', metadata: [{ name: 'k', value: 'v2' }] },
      { ts: T + 2n, line: 'c', metadata: [{ name: 'j', value: 'v1' }] },
      { ts: T + 3n, line: 'd', metadata: [{ name: 'x', value: '1' }, { name: 'y', value: '2' }] },
      { ts: T + 4n, line: 'e', metadata: [{ name: 'y', value: '2' }, { name: 'x', value: '1' }] },
      { ts: T + 5n, line: 'f', metadata: [{ name: 'k', value: 'v2' }] },
    ];
    const [s] = decodePushRequest(encodePushRequest([{ labelsString: '{a="b"}', entries }]));
    expect(s.entries.map(plainMetadata)).toEqual(entries.map((e) => e.metadata));
    expect(new Set(s.entries.slice(0, 5).map((e) => e.metadata)).size).toBe(5);
    expect(s.entries[5].metadata).toBe(s.entries[1].metadata);
  });

  it('decodes metadata fields with other fields between them', () => {
    // Entry: metadata {k: v}, line "x", timestamp, metadata {k2: v2}; then the same entry again.
    const pair = (name: string, value: string) =>
      Buffer.concat([Buffer.from([0x0a, name.length]), Buffer.from(name), Buffer.from([0x12, value.length]), Buffer.from(value)]);
    const field = (tag: number, b: Buffer) => Buffer.concat([Buffer.from([tag, b.length]), b]);
    const ts = Buffer.alloc(8);
    ts.writeBigInt64LE(T);
    const entry = Buffer.concat([field(0x1a, pair('k', 'v')), field(0x12, Buffer.from('x')), Buffer.from([0x09]), ts, field(0x1a, pair('k2', 'v2'))]);
    const stream = Buffer.concat([field(0x0a, Buffer.from('{a="b"}')), field(0x12, entry), field(0x12, entry)]);
    const [s] = decodePushRequest(field(0x0a, stream));
    for (const e of s.entries) {
      expect([e.ts, e.line, e.metadata]).toEqual([T, 'x', [{ name: 'k', value: 'v' }, { name: 'k2', value: 'v2' }]]);
    }
  });

  it('decodes unique metadata per entry (a trace id each) correctly past the point it stops sharing', () => {
    const entries: Entry[] = Array.from({ length: 200 }, (_, i) => ({
      ts: T + BigInt(i),
      line: `l${i}`,
      metadata: i % 50 === 0 ? level('info') : [{ name: 'trace_id', value: `trace-${1000 + i}` }],
    }));
    const [s] = decodePushRequest(encodePushRequest([{ labelsString: '{a="b"}', entries }]));
    expect(s.entries.map(plainMetadata)).toEqual(entries.map((e) => e.metadata));
  });
});

describe('WAL records of decoded pushes', () => {
  it('encode byte-identically whether metadata is shared and frozen or fresh per entry, and round-trip exactly', () => {
    const sent = pushedStreams();
    const decoded = decodePushRequest(encodePushRequest(sent));
    const shared: WalRecord[] = decoded.map((s, i) => ({ type: 'entries', seq: i + 1, tenant: 'fake', labels: s.labels, entries: s.entries }));
    const fresh: WalRecord[] = sent.map((s, i) => ({
      type: 'entries',
      seq: i + 1,
      tenant: 'fake',
      labels: s.labelsString,
      entries: s.entries.map((e) => (e.metadata ? { ts: e.ts, line: e.line, metadata: plainMetadata(e) } : { ts: e.ts, line: e.line })),
    }));
    const records = [...shared, { type: 'flushed', seq: 1, tenant: 'fake', labels: '{app="a"}' } as WalRecord];
    const expected = referenceEncode([...fresh, records[2]]);
    expect(encodeRecords(records).equals(expected)).toBe(true);
    expect(encodeRecords([...fresh, records[2]]).equals(expected)).toBe(true);
    // Encoding again (the frozen metadata's encoding now remembered) gives the same bytes.
    expect(encodeRecords(records).equals(expected)).toBe(true);

    const back = decodeRecords(expected);
    expect(back.corruption).toBeUndefined();
    expect(back.records).toEqual([...fresh, records[2]]);
  });

  it('writes metadata that is not frozen as it is at encoding time', () => {
    const md: Label[] = [{ name: 'k', value: 'one' }];
    const record = (): WalRecord => ({ type: 'entries', seq: 1, tenant: 't', labels: '{a="b"}', entries: [{ ts: T, line: 'x', metadata: md }] });
    const first = encodeRecords([record()]);
    md[0] = { name: 'k', value: 'two ünïcödé' };
    const second = encodeRecords([record()]);
    expect(first.equals(referenceEncode([{ ...record(), entries: [{ ts: T, line: 'x', metadata: [{ name: 'k', value: 'one' }] }] }]))).toBe(true);
    expect(second.equals(referenceEncode([record()]))).toBe(true);
  });
});
