// The ingester wire format: exact 64-bit timestamps, the push codec's compatibility with the generated
// code, columns, label results, line hashes and typed errors across gRPC.
import { describe, expect, it } from 'vitest';
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { describeError, fromGrpcError, rebuildError, toGrpcStatus, trailerSafeDetails } from '../../src/ingester/grpc/errors.js';
import { lineHash } from '../../src/iter/line-hash.js';
import {
  LabelsResultDecoder,
  nanosToWire,
  readSampleHashColumn,
  readSampleTimestampsColumn,
  resultLabelsToWire,
  sampleHashColumn,
  sampleTimestampsColumn,
  streamResultsToWire,
  wireToNanos,
} from '../../src/ingester/grpc/wire.js';
import { INGESTER_METHODS } from '../../src/ingester/grpc/service.js';
import { decodePushRequest, encodePushRequest, PushDecodeError } from '../../src/ingester/grpc/push-codec.js';
import { lokits } from '../../gen/proto.js';
import {
  BackpressureError,
  CancelledError,
  ParseError,
  RateLimitedError,
  StatusError,
  TimeoutError,
  ValidationError,
  BytesEntry,
  type Entry,
} from '../../src/model/index.js';

import pb = lokits.ingester;

const T = 1_700_000_000_123_456_789n;

/** Decoded streams with plain { ts, line, metadata } entries (decoded lines stay bytes until read). */
function plain(streams: { labels: string; entries: Entry[] }[]): { labels: string; entries: Entry[] }[] {
  return streams.map((s) => ({ labels: s.labels, entries: s.entries.map((e) => (e.metadata ? { ts: e.ts, line: e.line, metadata: e.metadata } : { ts: e.ts, line: e.line })) }));
}
const EXTREMES = [0n, 1n, -1n, 1_700_000_000_123_456_789n, BigInt.asIntN(64, -62135596800n * 1_000_000_000n), (1n << 63n) - 1n, -(1n << 63n)];

describe('ingester wire format', () => {
  it('keeps 64-bit nanosecond timestamps exact through a push request', () => {
    const streams = [{ labelsString: '{a="b"}', entries: EXTREMES.map((ts) => ({ ts, line: String(ts) })) }];
    const decoded = INGESTER_METHODS.push.deserializeRequest(INGESTER_METHODS.push.serializeRequest(streams));
    expect(plain(decoded)).toEqual([{ labels: '{a="b"}', entries: EXTREMES.map((ts) => ({ ts, line: String(ts) })) }]);
  });

  it('writes push requests the generated PushRequest decoder reads, and reads what it writes', () => {
    const streams = [
      { labelsString: '{app="ü", env="prod"}', entries: [{ ts: T, line: 'first ✓', metadata: [{ name: 'trace', value: 'a' }, { name: 'empty', value: '' }] }, { ts: 0n, line: '' }] },
      { labelsString: '{}', entries: [] },
    ];
    const mine = encodePushRequest(streams);
    const theirs = pb.PushRequest.decode(mine);
    expect(
      theirs.streams.map((s) => ({
        labels: s.labels,
        entries: (s.entries ?? []).map((e) => [wireToNanos(e.timestampNs), e.line, (e.structuredMetadata ?? []).map((l) => [l.name, l.value])]),
      })),
    ).toEqual([
      { labels: '{app="ü", env="prod"}', entries: [[T, 'first ✓', [['trace', 'a'], ['empty', '']]], [0n, '', []]] },
      { labels: '{}', entries: [] },
    ]);
    const generated = pb.PushRequest.encode({
      streams: streams.map((s) => ({
        labels: s.labelsString,
        entries: s.entries.map((e) => ({ timestampNs: nanosToWire(e.ts), line: e.line, structuredMetadata: 'metadata' in e ? e.metadata : [] })),
      })),
    }).finish();
    expect(plain(decodePushRequest(generated))).toEqual(streams.map((s) => ({ labels: s.labelsString, entries: s.entries })));
  });

  it('skips unknown push fields and refuses truncated input', () => {
    const known = encodePushRequest([{ labelsString: '{a="b"}', entries: [{ ts: 5n, line: 'x' }] }]);
    // field 7 varint 1, field 8 fixed32, field 9 bytes "zz" before the known stream
    const withUnknown = Buffer.concat([Buffer.from([0x38, 0x01, 0x45, 1, 2, 3, 4, 0x4a, 0x02, 0x7a, 0x7a]), known]);
    expect(plain(decodePushRequest(withUnknown))).toEqual([{ labels: '{a="b"}', entries: [{ ts: 5n, line: 'x' }] }]);
    expect(() => decodePushRequest(known.subarray(0, known.length - 1))).toThrow(PushDecodeError);
  });

  it('re-sends lines held as bytes unchanged, and reads invalid UTF-8 as U+FFFD', () => {
    const entries = [new BytesEntry(1n, Buffer.from('héllo ✓')), new BytesEntry(2n, Buffer.from(''), [{ name: 'k', value: 'v' }])];
    const decoded = decodePushRequest(encodePushRequest([{ labelsString: '{a="b"}', entries }]));
    expect(decoded[0].entries.map((e) => [e.ts, e.bytes && Buffer.from(e.bytes).toString(), e.line, e.metadata])).toEqual([
      [1n, 'héllo ✓', 'héllo ✓', undefined],
      [2n, '', '', [{ name: 'k', value: 'v' }]],
    ]);
    // PushRequest{streams: [{labels: '{a="b"}', entries: [{ts: 0, line: 'a' 0xff}]}]}, by hand.
    const entry = Buffer.concat([Buffer.from([0x09]), Buffer.alloc(8), Buffer.from([0x12, 0x02, 0x61, 0xff])]);
    const stream = Buffer.concat([Buffer.from([0x0a, 0x07]), Buffer.from('{a="b"}'), Buffer.from([0x12, entry.length]), entry]);
    const invalid = Buffer.concat([Buffer.from([0x0a, stream.length]), stream]);
    const [bad] = decodePushRequest(invalid)[0].entries;
    expect([bad.line, bad.bytes]).toEqual(['a\ufffd', undefined]);
  });

  it('sends a lone surrogate in a line as U+FFFD, as Go would store it', () => {
    const decoded = decodePushRequest(encodePushRequest([{ labelsString: '{a="b"}', entries: [{ ts: 1n, line: 'a\ud800b' }] }]));
    expect(decoded[0].entries[0].line).toBe('a\ufffdb');
  });

  it('repairs lone surrogates in query results instead of failing the call', () => {
    const labels = { stream: [{ name: 'app', value: 'x\udc00' }], structuredMetadata: [], parsed: [], all: [], key: '' };
    const bytes = INGESTER_METHODS.queryLogs.serializeResponse({ streams: streamResultsToWire([{ labels, entries: [{ ts: 1n, line: 'a\ud800' }] }]) });
    const batch = INGESTER_METHODS.queryLogs.deserializeResponse(bytes);
    const [s] = new LabelsResultDecoder().streams(batch.streams);
    expect([s.labels.key, s.entries]).toEqual(['{app="x\ufffd"}', [{ ts: 1n, line: 'a\ufffd' }]]);
  });

  it('packs sample timestamps (base + offsets) as little-endian 64-bit integers and reads them back as offsets', () => {
    const MAX = Number.MAX_SAFE_INTEGER;
    const TWO_32 = 2 ** 32;
    const cases: [bigint, number[]][] = [
      [0n, [0, 1, TWO_32 - 1, TWO_32, TWO_32 + 1, MAX]],
      [1_700_000_000_123_456_789n, [-MAX, -TWO_32 - 1, -TWO_32, -1, 0, 0xffffffff - 123_456_789, 3 * TWO_32 + 7, MAX]],
      [-(1n << 63n), [0, 1, TWO_32, MAX]],
      [(1n << 63n) - 1n, [-MAX, -TWO_32, -1, 0]],
      [-1n, [1, 2, -1]],
    ];
    for (const [base, offsets] of cases) {
      const column = sampleTimestampsColumn(base, Float64Array.from(offsets));
      const written = Array.from({ length: offsets.length }, (_, i) => column.readBigInt64LE(i * 8));
      expect(written).toEqual(offsets.map((o) => base + BigInt(o)));
      expect([...readSampleTimestampsColumn(column, base)]).toEqual(offsets);
    }
    expect([...sampleTimestampsColumn(0x0102030405060700n, Float64Array.from([8]))]).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(() => readSampleTimestampsColumn(new Uint8Array(7), 0n)).toThrow('timestamp column of 7 bytes is not a multiple of 8');
    const far = sampleTimestampsColumn(0n, Float64Array.from([MAX]));
    expect(() => readSampleTimestampsColumn(far, -2n)).toThrow('sample timestamp too far from the query start to be read exactly');
  });

  it('packs 53-bit line hashes as 64-bit integers, and folds full 64-bit hashes of older ingesters to them', () => {
    const hashes = [0, 1, 0x89abcdef, 2 ** 53 - 1, lineHash('hello world')];
    const column = sampleHashColumn(Float64Array.from(hashes));
    expect(Array.from({ length: hashes.length }, (_, i) => column.readBigUInt64LE(i * 8))).toEqual(hashes.map(BigInt));
    expect([...readSampleHashColumn(column)!]).toEqual(hashes);
    const full = Buffer.alloc(8);
    full.writeBigUInt64LE(0x0123456789abcdefn);
    expect([...readSampleHashColumn(full)!]).toEqual([0x89abcdef + (0x01234567 & 0x1fffff) * 2 ** 32]);
    expect(readSampleHashColumn(new Uint8Array(0))).toBeUndefined();
  });

  it('rebuilds a result’s sorted label union and key, one object per distinct result', () => {
    const decoder = new LabelsResultDecoder();
    const wire = resultLabelsToWire({
      stream: [{ name: 'app', value: 'a' }],
      structuredMetadata: [{ name: 'trace', value: '' }],
      parsed: [{ name: 'level', value: 'info' }],
      all: [],
      key: '',
    });
    const r = decoder.decode(wire);
    expect(r.all).toEqual([
      { name: 'app', value: 'a' },
      { name: 'level', value: 'info' },
      { name: 'trace', value: '' },
    ]);
    expect(r.key).toBe('{app="a", level="info", trace=""}');
    expect(decoder.decode(wire)).toBe(r);
    const moved = decoder.decode({ stream: wire.stream, structuredMetadata: wire.parsed, parsed: wire.structuredMetadata });
    expect(moved.key).toBe(r.key);
    expect(moved).not.toBe(r);
  });

  it('hashes lines with a fixed function (replicas and versions must agree)', () => {
    const fold = (i: number) => PINNED_HASHES[i] + (PINNED_HASHES[i + 1] & 0x1fffff) * 2 ** 32;
    expect([lineHash(''), lineHash('hello world'), lineHash('héllo wörld ✓')]).toEqual([fold(0), fold(2), fold(4)]);
  });

});

describe('ingester errors across gRPC', () => {
  it('rebuilds the same error class, status and text', () => {
    for (const err of [
      new ValidationError('bad'),
      new ParseError('parse error at line 1, col 2: syntax error'),
      new RateLimitedError('slow down'),
      new BackpressureError('memory'),
      new StatusError(503, 'Ingester is shutting down'),
      new TimeoutError(),
      new CancelledError(),
    ]) {
      const back = rebuildError(describeError(err));
      expect(back.constructor).toBe(err.constructor);
      expect([back.status, back.message]).toEqual([err.status, err.message]);
    }
  });

  it('reads a typed error back from a gRPC status', () => {
    const st = toGrpcStatus(new RateLimitedError('too many streams'));
    expect(st.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    const err = Object.assign(new Error('x'), { code: st.code!, details: st.details!, metadata: st.metadata as Metadata }) as ServiceError;
    const back = fromGrpcError(err, 'h:1', 'Push', 10);
    expect(back).toBeInstanceOf(RateLimitedError);
    expect(back.message).toBe('too many streams');
  });

  it('keeps trailer details well-formed and bounded', () => {
    expect(trailerSafeDetails('plain\nmulti-line é')).toBe('plain\nmulti-line é');
    expect(trailerSafeDetails('lone \ud800 surrogate')).toBe('lone \ufffd surrogate');
    const long = trailerSafeDetails('é'.repeat(100_000));
    expect(encodeURI(long).length).toBeLessThanOrEqual(16 * 1024);
    expect(long.endsWith(' … (truncated)')).toBe(true);
  });
});

/** The (low, high) 32-bit lanes of the hashes of '', 'hello world' and 'héllo wörld ✓', as first released. */
const PINNED_HASHES = [0x811c9dc5, 0xd68ee33e, 0xd58b3fa7, 0x19932c7b, 0x68c5fa93, 0x572a25bc];
