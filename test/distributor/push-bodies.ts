// Builds push bodies the way clients do, for the distributor tests: Promtail's snappy-compressed
// protobuf (through the generated encoder and an independent snappy compressor) and raw wire pieces.
import snappy from 'snappyjs';
import { logproto } from '../../gen/proto.js';

export interface ClientEntry {
  ns: bigint;
  line: string;
  metadata?: Record<string, string>;
}

export interface ClientStream {
  labels: string;
  entries: ClientEntry[];
}

/** PushRequest bytes from the protobufjs code generated from proto/push.proto. */
export function encodePushRequest(streams: ClientStream[]): Buffer {
  const message = {
    streams: streams.map((s) => ({
      labels: s.labels,
      entries: s.entries.map((e) => ({
        timestamp: { seconds: Number(e.ns / 1_000_000_000n), nanos: Number(e.ns % 1_000_000_000n) },
        line: e.line,
        structuredMetadata: Object.entries(e.metadata ?? {}).map(([name, value]) => ({ name, value })),
      })),
    })),
  };
  return Buffer.from(logproto.PushRequest.encode(message).finish());
}

/** What Promtail sends: snappy block format over the protobuf PushRequest. */
export function promtailBody(streams: ClientStream[]): Buffer {
  return snappyBlock(encodePushRequest(streams));
}

export function snappyBlock(bytes: Buffer): Buffer {
  return Buffer.from(snappy.compress(bytes));
}

/** Base-128 varint; negative numbers as their 64-bit two's complement, as protobuf writes int64. */
export function varint(n: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

export const tag = (field: number, wireType: number): Buffer => varint((field << 3) | wireType);
export const lengthDelimited = (field: number, bytes: Buffer): Buffer => Buffer.concat([tag(field, 2), varint(bytes.length), bytes]);
export const stringField = (field: number, s: string): Buffer => lengthDelimited(field, Buffer.from(s, 'utf8'));
export const varintField = (field: number, n: number | bigint): Buffer => Buffer.concat([tag(field, 0), varint(n)]);

/** One EntryAdapter message with a timestamp and line, plus any extra raw fields. */
export function entryMessage(seconds: number | bigint, nanos: number, line: string, ...extra: Buffer[]): Buffer {
  const ts = Buffer.concat([varintField(1, seconds), varintField(2, nanos)]);
  return Buffer.concat([lengthDelimited(1, ts), stringField(2, line), ...extra]);
}
