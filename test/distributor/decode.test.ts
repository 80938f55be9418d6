import { deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePushRequest, type DecodeOptions, type PushPayload } from '../../src/distributor/decode.js';
import { TooLargeError, ValidationError } from '../../src/model/errors.js';
import { logproto } from '../../gen/proto.js';
import { encodePush, snappyLiteral } from '../fixtures/conformance/loki.mjs';
import {
  encodePushRequest,
  entryMessage,
  lengthDelimited,
  promtailBody,
  snappyBlock,
  stringField,
  tag,
  varint,
  varintField,
} from './push-bodies.js';

const PROTOBUF: DecodeOptions = {
  contentType: 'application/x-protobuf',
  contentEncoding: undefined,
  legacyJson: false,
  maxRecvMsgSize: 100 << 20,
  maxDecompressedSize: 5000 << 20,
};
const JSON_V1: DecodeOptions = { ...PROTOBUF, contentType: 'application/json' };

function failure(body: Buffer | string, opts: DecodeOptions): { type: string; status: number; message: string } {
  try {
    decodePushRequest(Buffer.from(body), opts);
  } catch (err) {
    const e = err as ValidationError;
    return { type: e.constructor.name, status: e.status, message: e.message };
  }
  throw new Error('expected the body to be refused');
}

/** The payload with plain { ts, line, metadata } entries (protobuf entries keep their line as bytes and decode it when read). */
function decoded(body: Buffer, opts: DecodeOptions): PushPayload {
  const payload = decodePushRequest(body, opts);
  return {
    streams: payload.streams.map((s) => ({ labels: s.labels, entries: s.entries.map((e) => ({ ts: e.ts, line: e.line, metadata: e.metadata })) })),
  };
}

const request = (...streams: Buffer[]): Buffer => Buffer.concat(streams.map((s) => lengthDelimited(1, s)));
const stream = (labels: string, ...entries: Buffer[]): Buffer =>
  Buffer.concat([stringField(1, labels), ...entries.map((e) => lengthDelimited(2, e))]);

describe('protobuf push bodies', () => {
  it('decodes a Promtail body with exact nanosecond timestamps and structured metadata', () => {
    const body = promtailBody([
      {
        labels: '{a="b", c="d"}',
        entries: [
          { ns: 1795448066462000536n, line: 'first line' },
          { ns: 1795448066462000537n, line: 'второй ☃', metadata: { trace_id: 'abc', user: 'u1' } },
        ],
      },
      { labels: '{a="x"}', entries: [{ ns: 1n, line: '' }] },
    ]);
    expect(decoded(body, PROTOBUF)).toEqual({
      streams: [
        {
          labels: '{a="b", c="d"}',
          entries: [
            { ts: 1795448066462000536n, line: 'first line', metadata: undefined },
            {
              ts: 1795448066462000537n,
              line: 'второй ☃',
              metadata: [
                { name: 'trace_id', value: 'abc' },
                { name: 'user', value: 'u1' },
              ],
            },
          ],
        },
        { labels: '{a="x"}', entries: [{ ts: 1n, line: '', metadata: undefined }] },
      ],
    });
  });

  it('agrees with the conformance client encoder (literal-only snappy, hand-rolled protobuf)', () => {
    const body = snappyLiteral(
      encodePush([
        { labels: '{app="x", env="prod"}', entries: [['1700000000123456789', 'hello', { k: 'v' }], ['1700000000123456790', 'world']] },
      ]),
    );
    const payload = decoded(body, PROTOBUF);
    expect(payload.streams).toEqual([
      {
        labels: '{app="x", env="prod"}',
        entries: [
          { ts: 1700000000123456789n, line: 'hello', metadata: [{ name: 'k', value: 'v' }] },
          { ts: 1700000000123456790n, line: 'world', metadata: undefined },
        ],
      },
    ]);
  });

  it('agrees with the generated protobufjs decoder on random valid requests', () => {
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const text = (): string => Array.from({ length: next(12) }, () => String.fromCodePoint(pick())).join('');
    const pick = (): number => [0x61 + next(26), 0x20, 0xe9, 0x4e2d, 0x1f600, 0x0a][next(6)];
    for (let round = 0; round < 200; round++) {
      const message = {
        streams: Array.from({ length: next(4) }, () => ({
          labels: text(),
          hash: next(2) ? next(1 << 30) : 0,
          entries: Array.from({ length: next(5) }, () => ({
            timestamp: { seconds: next(2) ? next(2 ** 31) : 0, nanos: next(1_000_000_000) },
            line: text(),
            structuredMetadata: Array.from({ length: next(3) }, () => ({ name: text(), value: text() })),
          })),
        })),
      };
      const bytes = Buffer.from(logproto.PushRequest.encode(message).finish());
      const reference = logproto.PushRequest.decode(bytes);
      const expected = (reference.streams ?? []).map((s) => ({
        labels: s.labels ?? '',
        entries: (s.entries ?? []).map((e) => {
          const meta = (e.structuredMetadata ?? []).map((l) => ({ name: l.name ?? '', value: l.value ?? '' }));
          const seconds = BigInt(String(e.timestamp?.seconds ?? 0));
          return { ts: seconds * 1_000_000_000n + BigInt(e.timestamp?.nanos ?? 0), line: e.line ?? '', metadata: meta.length ? meta : undefined };
        }),
      }));
      expect(decoded(snappyBlock(bytes), PROTOBUF).streams).toEqual(expected);
    }
  });

  it('treats every media type but application/json as snappy protobuf, also with Content-Encoding snappy', () => {
    const body = promtailBody([{ labels: '{a="b"}', entries: [{ ns: 5n, line: 'x' }] }]);
    for (const contentType of ['application/x-protobuf', 'text/plain; charset=utf-8', 'application']) {
      for (const contentEncoding of [undefined, '', 'snappy']) {
        expect(decodePushRequest(body, { ...PROTOBUF, contentType, contentEncoding }).streams[0].entries[0].ts).toBe(5n);
      }
    }
  });

  it('accepts the format field, the hash field, parsed labels and unknown fields of every wire type', () => {
    const parsed = lengthDelimited(4, Buffer.concat([stringField(1, 'p'), stringField(2, 'q')]));
    const unknown = Buffer.concat([
      varintField(9, 300),
      tag(10, 1),
      Buffer.alloc(8, 7),
      stringField(11, 'skip me'),
      tag(12, 3),
      varintField(1, 1),
      stringField(2, 'in group'),
      tag(12, 4),
      tag(13, 5),
      Buffer.alloc(4, 9),
    ]);
    const body = Buffer.concat([
      stringField(2, 'loki'),
      lengthDelimited(1, Buffer.concat([stream('{a="b"}', entryMessage(10, 20, 'line', parsed, unknown)), varintField(3, 12345), unknown])),
      unknown,
    ]);
    expect(decoded(snappyBlock(body), PROTOBUF)).toEqual({
      streams: [{ labels: '{a="b"}', entries: [{ ts: 10_000_000_020n, line: 'line', metadata: undefined }] }],
    });
  });

  it('keeps the last value of a repeated singular field and gives a missing timestamp Go zero time', () => {
    const entry = Buffer.concat([stringField(2, 'first'), stringField(2, 'second')]);
    const body = request(Buffer.concat([stringField(1, '{a="1"}'), stringField(1, '{a="2"}'), lengthDelimited(2, entry)]));
    expect(decoded(snappyBlock(body), PROTOBUF).streams).toEqual([
      { labels: '{a="2"}', entries: [{ ts: -6795364578871345152n, line: 'second', metadata: undefined }] },
    ]);
  });

  it('decodes timestamps before 1970 and with 10-byte negative seconds exactly', () => {
    const body = request(stream('{a="b"}', entryMessage(-1, 999_999_999, 'before epoch'), entryMessage(0, 0, 'epoch')));
    expect(decodePushRequest(snappyBlock(body), PROTOBUF).streams[0].entries.map((e) => e.ts)).toEqual([-1n, 0n]);
  });

  it.each([
    ['a truncated length', Buffer.concat([tag(1, 2), varint(10), Buffer.from('abc')]), 'unexpected EOF'],
    ['a truncated varint', Buffer.from([0x0a, 0x80]), 'unexpected EOF'],
    ['an 11-byte varint', Buffer.concat([Buffer.from([0x0a]), Buffer.alloc(10, 0xff), Buffer.from([1])]), 'proto: integer overflow'],
    ['a negative length', Buffer.concat([tag(1, 2), varint(-1n)]), 'proto: negative length found during unmarshaling'],
    ['streams as a varint', varintField(1, 1), 'proto: wrong wireType = 0 for field Streams'],
    ['an end-group tag', tag(3, 4), 'proto: PushRequest: wiretype end group for non-group'],
    ['field number 0', Buffer.from([0x02, 0x00]), 'proto: PushRequest: illegal tag 0 (wire type 2)'],
    ['wire type 6', Buffer.from([0x7e]), 'proto: illegal wireType 6'],
    ['an end of group after a group', Buffer.concat([tag(7, 3), tag(7, 4), tag(7, 4)]), 'proto: PushRequest: wiretype end group for non-group'],
    ['an unterminated group', Buffer.concat([tag(7, 3), varintField(1, 1)]), 'unexpected EOF'],
    ['labels as a varint', request(varintField(1, 5)), 'proto: wrong wireType = 0 for field Labels'],
    ['hash as a string', request(stringField(3, 'x')), 'proto: wrong wireType = 2 for field Hash'],
    ['a line as a varint', request(lengthDelimited(2, varintField(2, 1))), 'proto: wrong wireType = 0 for field Line'],
    ['an end group in an entry', request(lengthDelimited(2, tag(5, 4))), 'proto: EntryAdapter: wiretype end group for non-group'],
    [
      'metadata as a varint',
      request(lengthDelimited(2, varintField(3, 1))),
      'proto: wrong wireType = 0 for field StructuredMetadata',
    ],
    ['seconds as a string', request(lengthDelimited(2, lengthDelimited(1, stringField(1, 'x')))), 'proto: wrong wireType = 2 for field Seconds'],
    [
      'nanos out of range',
      request(stream('{a="b"}', entryMessage(1, 1_000_000_000, 'x'))),
      'timestamp: &types.Timestamp{Seconds: 1,\nNanos: 1000000000,\n}: nanos not in range [0, 1e9)',
    ],
    [
      'negative nanos',
      request(stream('{a="b"}', entryMessage(1, -1, 'x'))),
      'timestamp: &types.Timestamp{Seconds: 1,\nNanos: -1,\n}: nanos not in range [0, 1e9)',
    ],
    [
      'a year past 9999',
      request(stream('{a="b"}', entryMessage(253402300800n, 0, 'x'))),
      'timestamp: &types.Timestamp{Seconds: 253402300800,\nNanos: 0,\n} after 10000-01-01',
    ],
    [
      'a year before 1',
      request(stream('{a="b"}', entryMessage(-62135596801n, 0, 'x'))),
      'timestamp: &types.Timestamp{Seconds: -62135596801,\nNanos: 0,\n} before 0001-01-01',
    ],
  ])('refuses %s with Go protobuf text', (_name, body, message) => {
    expect(failure(snappyBlock(body), PROTOBUF)).toEqual({ type: 'ValidationError', status: 400, message });
  });

  it.each([
    ['an empty body', Buffer.alloc(0)],
    ['a body that is not snappy', Buffer.from('{"streams":[]}')],
    ['a snappy stream shorter than its header says', Buffer.from([0x10, 0x08, 0x61, 0x62])],
    ['a copy reaching before the output', Buffer.from([0x08, 0x00, 0x61, 0x05, 0x09])],
  ])('refuses %s with snappy: corrupt input', (_name, body) => {
    expect(failure(body, PROTOBUF)).toEqual({ type: 'ValidationError', status: 400, message: 'snappy: corrupt input' });
  });
});

describe('JSON push bodies', () => {
  it('decodes the v1 shape: string ns timestamps, metadata objects, null values skipped', () => {
    const body = JSON.stringify({
      streams: [
        {
          stream: { job: 'x', app: 'a"b' },
          values: [['1795448066462000536', 'line 1'], null, ['1795448066462000537', 'line 2', { trace_id: 'abc', user: 'u1' }], ['3', 'no meta', {}]],
        },
        { stream: { a: 'b' }, values: null },
      ],
    });
    expect(decodePushRequest(Buffer.from(body), JSON_V1)).toEqual({
      streams: [
        {
          labels: '{app="a\\"b", job="x"}',
          entries: [
            { ts: 1795448066462000536n, line: 'line 1', metadata: undefined },
            {
              ts: 1795448066462000537n,
              line: 'line 2',
              metadata: [
                { name: 'trace_id', value: 'abc' },
                { name: 'user', value: 'u1' },
              ],
            },
            { ts: 3n, line: 'no meta', metadata: undefined },
          ],
        },
        { labels: '{a="b"}', entries: [] },
      ],
    });
  });

  it('turns the fixture push into the label string Loki parses', () => {
    const body = '{"streams":[{"stream":{"0bad":"x"},"values":[["1795448066462000536","bad label name"]]}]}';
    expect(decodePushRequest(Buffer.from(body), JSON_V1).streams[0].labels).toBe('{0bad="x"}');
  });

  it('accepts media type parameters, a null body, trailing data and any letter case of "streams"', () => {
    const opts = { ...JSON_V1, contentType: 'Application/JSON; charset=utf-8' };
    expect(decodePushRequest(Buffer.from('null'), opts)).toEqual({ streams: [] });
    expect(decodePushRequest(Buffer.from('{"Streams":[{"stream":{"a":"b"},"values":[["1","x"]]}]} trailing'), opts).streams).toHaveLength(1);
  });

  it('decodes gzip and raw deflate bodies', () => {
    const json = JSON.stringify({ streams: [{ stream: { a: 'b' }, values: [['42', 'compressed']] }] });
    const expected = { streams: [{ labels: '{a="b"}', entries: [{ ts: 42n, line: 'compressed', metadata: undefined }] }] };
    expect(decodePushRequest(gzipSync(json), { ...JSON_V1, contentEncoding: 'gzip' })).toEqual(expected);
    expect(decodePushRequest(deflateRawSync(json), { ...JSON_V1, contentEncoding: 'deflate' })).toEqual(expected);
    const proto = promtailBody([{ labels: '{a="b"}', entries: [{ ns: 42n, line: 'compressed' }] }]);
    expect(decoded(gzipSync(proto), { ...PROTOBUF, contentEncoding: 'gzip' })).toEqual(expected);
  });

  it('decodes the legacy shape on /api/prom/push with RFC3339 timestamps', () => {
    const body = JSON.stringify({
      streams: [
        {
          labels: '{foo="bar"}',
          entries: [
            { ts: '2018-12-18T08:28:06.801064-04:00', line: 'fizzbuzz' },
            { ts: '2018-12-18T12:28:06.000000001Z', line: 'with meta', structuredMetadata: { z: '1', a: '2' } },
          ],
        },
      ],
    });
    expect(decodePushRequest(Buffer.from(body), { ...JSON_V1, legacyJson: true })).toEqual({
      streams: [
        {
          labels: '{foo="bar"}',
          entries: [
            { ts: 1545136086801064000n, line: 'fizzbuzz', metadata: undefined },
            {
              ts: 1545136086000000001n,
              line: 'with meta',
              metadata: [
                { name: 'a', value: '2' },
                { name: 'z', value: '1' },
              ],
            },
          ],
        },
      ],
    });
  });

  it.each([
    ['a number timestamp', '{"streams":[{"stream":{"a":"b"},"values":[[1795448066462000536,"x"]]}]}', /Value looks like Number/],
    ['a number timestamp alone', '{"streams":[{"stream":{"a":"b"},"values":[[1]]}]}', /unmarshalerDecoder: Value is not a string, error found in #/],
    ['a non-numeric timestamp', '{"streams":[{"stream":{"a":"b"},"values":[["12x","x"]]}]}', /Value looks like Number\/Boolean\/None/],
    ['an int64 overflow', '{"streams":[{"stream":{"a":"b"},"values":[["9223372036854775808"]]}]}', /Value is number, but overflowed while parsing/],
    ['a bad timestamp followed by a line (Loki re-reads the line as the timestamp)', '{"streams":[{"stream":{"a":"b"},"values":[["-9223372036854775809","x"]]}]}', /Value looks like Number\/Boolean\/None/],
    ['a number line', '{"streams":[{"stream":{"a":"b"},"values":[["1",2]]}]}', /Value is not a string/],
    ['a non-string metadata value', '{"streams":[{"stream":{"a":"b"},"values":[["1","x",{"k":1}]]}]}', /Value is not a string/],
    ['metadata that is not an object', '{"streams":[{"stream":{"a":"b"},"values":[["1","x",[]]]}]}', /Value looks like object/],
    ['values that are not an array', '{"streams":[{"stream":{"a":"b"},"values":{}}]}', /Value is array, but can't find closing/],
    ['streams that are not an array', '{"streams":{}}', /^loghttp\.PushRequest\.Streams: \[\]loghttp\.LogProtoStream: decode slice: expect \[ or n, but found \{/],
    ['a top-level array', '[]', /^readObjectStart: expect \{ or n, but found \[/],
    ['broken JSON', '{"streams":[{"stream":', /error found in #\d+ byte of/],
  ])('refuses %s with a 400', (_name, body, message) => {
    const f = failure(body, JSON_V1);
    expect(f.status).toBe(400);
    expect(f.message).toMatch(message);
  });

  it('answers an empty JSON body with EOF', () => {
    expect(failure('', JSON_V1)).toEqual({ type: 'ValidationError', status: 400, message: 'EOF' });
  });

  it('refuses a legacy entry whose timestamp is not RFC3339', () => {
    const f = failure('{"streams":[{"labels":"{a=\\"b\\"}","entries":[{"ts":"yesterday","line":"x"}]}]}', { ...JSON_V1, legacyJson: true });
    expect(f.status).toBe(400);
    expect(f.message).toMatch(/^push\.PushRequest\.Streams: \[\]push\.Stream: push\.Stream\.Entries: \[\]push\.Entry: push\.Entry\.Timestamp: unmarshalerDecoder: parsing time "yesterday"/);
  });
});

describe('request headers and sizes', () => {
  it.each([
    [{ contentEncoding: 'br' }, 'Content-Encoding "br" not supported'],
    [{ contentEncoding: 'GZIP' }, 'Content-Encoding "GZIP" not supported'],
    [{ contentType: undefined }, 'mime: no media type'],
    [{ contentType: '' }, 'mime: no media type'],
    [{ contentType: 'application/json; charset' }, 'mime: invalid media parameter'],
    [{ contentType: 'application json' }, 'mime: expected slash after first token'],
    [{ contentType: 'application/' }, 'mime: expected token after slash'],
    [{ contentType: 'application/json/x' }, 'mime: unexpected content after media subtype'],
    [{ contentType: 'application/json; a=1; a=2' }, 'mime: duplicate parameter name'],
  ])('refuses headers %j with %j', (headers, message) => {
    expect(failure('{}', { ...JSON_V1, ...headers })).toEqual({ type: 'ValidationError', status: 400, message });
  });

  it('checks the Content-Encoding before the media type, and a gzip header before both', () => {
    expect(failure('{}', { ...JSON_V1, contentType: undefined, contentEncoding: 'zstd' }).message).toBe('Content-Encoding "zstd" not supported');
    expect(failure('', { ...JSON_V1, contentType: undefined, contentEncoding: 'gzip' }).message).toBe('EOF');
    expect(failure('not gzip at all', { ...JSON_V1, contentType: undefined, contentEncoding: 'gzip' }).message).toBe('gzip: invalid header');
  });

  it('reports corrupt and truncated compressed bodies with Go texts', () => {
    const gz = gzipSync('{"streams":[]}');
    expect(failure(gz.subarray(0, gz.length - 4), { ...JSON_V1, contentEncoding: 'gzip' }).message).toBe('unexpected EOF');
    const badCrc = Buffer.from(gz);
    badCrc[badCrc.length - 8] ^= 0xff;
    expect(failure(badCrc, { ...JSON_V1, contentEncoding: 'gzip' }).message).toBe('gzip: invalid checksum');
    expect(failure(Buffer.from([0xff, 0xff, 0xff]), { ...JSON_V1, contentEncoding: 'deflate' }).message).toBe('flate: corrupt input');
  });

  it('refuses bodies over max_recv_msg_size and past max_decompressed_size with 413', () => {
    const proto = promtailBody([{ labels: '{a="b"}', entries: [{ ns: 1n, line: 'x'.repeat(1000) }] }]);
    expect(failure(proto, { ...PROTOBUF, maxRecvMsgSize: 10 })).toEqual({
      type: TooLargeError.name,
      status: 413,
      message: `request body too large: message size too large than max (${proto.length} vs 10)`,
    });
    const decoded = encodePushRequest([{ labels: '{a="b"}', entries: [{ ns: 1n, line: 'x'.repeat(1000) }] }]).length;
    expect(failure(proto, { ...PROTOBUF, maxDecompressedSize: 100 })).toEqual({
      type: TooLargeError.name,
      status: 413,
      message: `request body too large: decompressed message size too large than max (${decoded} vs 100)`,
    });
    expect(failure('{"streams":[]}', { ...JSON_V1, maxRecvMsgSize: 5 }).message).toBe(
      'request body too large: message size too large than max (6 vs 5)',
    );
    expect(failure(gzipSync('x'.repeat(5000)), { ...JSON_V1, contentEncoding: 'gzip', maxDecompressedSize: 1000 }).message).toBe(
      'request body too large: decompressed message size too large than max (1001 vs 1000)',
    );
  });

  it('inflates gzip bodies under the default 5000 MiB decompressed limit (larger than any Buffer)', () => {
    const json = JSON.stringify({ streams: [{ stream: { a: 'b' }, values: [['1', 'x']] }] });
    expect(decodePushRequest(gzipSync(json), { ...JSON_V1, contentEncoding: 'gzip', maxDecompressedSize: 5000 * 1024 * 1024 }).streams).toHaveLength(1);
  });

  it('applies no limit when a limit is 0', () => {
    const proto = promtailBody([{ labels: '{a="b"}', entries: [{ ns: 1n, line: 'x'.repeat(1000) }] }]);
    expect(decodePushRequest(proto, { ...PROTOBUF, maxRecvMsgSize: 0, maxDecompressedSize: 0 }).streams).toHaveLength(1);
  });
});
