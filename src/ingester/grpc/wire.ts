// Conversions between our types (bigint ns timestamps, Labels, matchers, LabelsResult, stats) and
// the messages of proto/ingester.proto, for server and client alike. Pure; never does I/O.
import protobuf from 'protobufjs/minimal.js';
import { lokits } from '../../../gen/proto.js';
import type { LabelsResult, StreamResult } from '../../logql/contracts.js';
import { labelsString, sortLabels, type Direction, type Entry, type Label, type Labels, type Matcher, type MatchOp, type Nanos } from '../../model/index.js';
import type { IngesterStats } from '../../model/stats.js';

import pb = lokits.ingester;

type WireInt64 = NonNullable<pb.Entry.$Properties['timestampNs']>;
type WireLong = Exclude<WireInt64, number>;

// protobufjs represents 64-bit integers exactly only through the `long` package it depends on.
const LongClass = protobuf.util.Long as unknown as (new (low: number, high: number, unsigned: boolean) => WireLong) | null;
if (!LongClass) throw new Error('protobufjs runs without its long package: 64-bit timestamps would lose precision');
const Long = LongClass;

export function nanosToWire(ts: Nanos): WireLong {
  return new Long(Number(BigInt.asIntN(32, ts)), Number(BigInt.asIntN(32, ts >> 32n)), false);
}

export function wireToNanos(v: WireInt64 | null | undefined): Nanos {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(v);
  return (BigInt(v.high) << 32n) + BigInt(v.low >>> 0);
}

/** A 64-bit counter (never near 2^53 in practice) as a number. */
export function wireToNumber(v: WireInt64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  return v.toNumber();
}

// ES2024's String.prototype.isWellFormed/toWellFormed (Node 20 has them; our TypeScript lib does not).
const stringMethods = String.prototype as unknown as { isWellFormed(this: string): boolean; toWellFormed(this: string): string };

function isWellFormed(s: string): boolean {
  return stringMethods.isWellFormed.call(s);
}

/**
 * A lone UTF-16 surrogate (a template can cut a pair in two) becomes U+FFFD, as in Go strings: the
 * generated encoder would otherwise write bytes the receiving decoder rejects, failing the whole call.
 */
export function wellFormed(s: string): string {
  return isWellFormed(s) ? s : stringMethods.toWellFormed.call(s);
}

/** Labels go out as they are (a Label has the LabelPair shape) unless a string must be repaired. */
export function labelsToWire(ls: Labels): pb.LabelPair.$Properties[] {
  for (const l of ls) {
    if (!isWellFormed(l.name) || !isWellFormed(l.value)) return ls.map((x) => ({ name: wellFormed(x.name), value: wellFormed(x.value) }));
  }
  return ls as Label[];
}

/**
 * Decoded pairs become plain objects: a decoded message keeps an empty string only on its
 * prototype, which a spread or Object.keys would not see.
 */
export function wireToLabels(pairs: readonly pb.LabelPair.$Properties[] | null | undefined): Label[] {
  if (!pairs || pairs.length === 0) return [];
  const out: Label[] = new Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) out[i] = { name: pairs[i].name ?? '', value: pairs[i].value ?? '' };
  return out;
}

const MATCH_TYPES: Record<MatchOp, pb.MatchType> = {
  '=': pb.MatchType.EQUAL,
  '!=': pb.MatchType.NOT_EQUAL,
  '=~': pb.MatchType.REGEX_MATCH,
  '!~': pb.MatchType.REGEX_NO_MATCH,
};
const MATCH_OPS: Record<number, MatchOp> = {
  [pb.MatchType.EQUAL]: '=',
  [pb.MatchType.NOT_EQUAL]: '!=',
  [pb.MatchType.REGEX_MATCH]: '=~',
  [pb.MatchType.REGEX_NO_MATCH]: '!~',
};

export function matchersToWire(ms: readonly Matcher[] | undefined): pb.LabelMatcher.$Properties[] {
  if (!ms) return [];
  return ms.map((m) => ({ type: MATCH_TYPES[m.op], name: m.name, value: wellFormed(m.value) }));
}

export function wireToMatchers(ms: readonly pb.LabelMatcher.$Properties[] | null | undefined): Matcher[] {
  if (!ms) return [];
  return ms.map((m) => {
    const op = MATCH_OPS[m.type ?? pb.MatchType.EQUAL];
    if (!op) throw new Error(`unknown label matcher type ${m.type}`);
    return { name: m.name ?? '', op, value: m.value ?? '' };
  });
}

export function directionToWire(d: Direction): pb.Direction {
  return d === 'backward' ? pb.Direction.BACKWARD : pb.Direction.FORWARD;
}

export function wireToDirection(d: pb.Direction | null | undefined): Direction {
  return d === pb.Direction.BACKWARD ? 'backward' : 'forward';
}

export function entriesToWire(entries: readonly Entry[]): pb.Entry.$Properties[] {
  const out: pb.Entry.$Properties[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    out[i] = { timestampNs: nanosToWire(e.ts), line: wellFormed(e.line), structuredMetadata: e.metadata ? labelsToWire(e.metadata) : null };
  }
  return out;
}

export function wireToEntries(entries: readonly pb.Entry.$Properties[] | null | undefined): Entry[] {
  if (!entries) return [];
  const out: Entry[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const md = e.structuredMetadata;
    out[i] = md && md.length ? { ts: wireToNanos(e.timestampNs), line: e.line ?? '', metadata: wireToLabels(md) } : { ts: wireToNanos(e.timestampNs), line: e.line ?? '' };
  }
  return out;
}

export function resultLabelsToWire(l: LabelsResult): pb.ResultLabels.$Properties {
  return { stream: labelsToWire(l.stream), structuredMetadata: labelsToWire(l.structuredMetadata), parsed: labelsToWire(l.parsed) };
}

export function streamResultsToWire(streams: readonly StreamResult[]): pb.ResultStream.$Properties[] {
  return streams.map((s) => ({ labels: resultLabelsToWire(s.labels), entries: entriesToWire(s.entries) }));
}

/**
 * Rebuilds LabelsResults (the sorted union and its key) from their three parts, handing out one
 * object per distinct result, as a local pipeline does. One decoder per call.
 */
export class LabelsResultDecoder {
  private readonly results = new Map<string, LabelsResult>();

  decode(w: pb.ResultLabels.$Properties | null | undefined): LabelsResult {
    const stream = wireToLabels(w?.stream);
    const structuredMetadata = wireToLabels(w?.structuredMetadata);
    const parsed = wireToLabels(w?.parsed);
    const all =
      structuredMetadata.length === 0 && parsed.length === 0 ? stream : sortLabels([...stream, ...structuredMetadata, ...parsed]);
    const key = labelsString(all);
    let cacheKey = key;
    for (const l of structuredMetadata) cacheKey += '\u0000m' + l.name;
    for (const l of parsed) cacheKey += '\u0000p' + l.name;
    const hit = this.results.get(cacheKey);
    if (hit) return hit;
    const r: LabelsResult = { stream, structuredMetadata, parsed, all, key };
    this.results.set(cacheKey, r);
    return r;
  }

  streams(ws: readonly pb.ResultStream.$Properties[] | null | undefined): StreamResult[] {
    if (!ws) return [];
    return ws.map((s) => ({ labels: this.decode(s.labels), entries: wireToEntries(s.entries) }));
  }
}

/** Ingester stats out; the proto's field names mirror model/stats.ts, so the generated mapping fits. */
export function statsToWire(s: IngesterStats): pb.IngesterStats {
  return pb.IngesterStats.fromObject(s);
}

export function wireToStats(m: pb.IngesterStats.$Properties): IngesterStats {
  return pb.IngesterStats.toObject(pb.IngesterStats.fromObject(m), { longs: Number, defaults: true }) as IngesterStats;
}

const TWO_POW_32 = 4294967296;
const MAX_EXACT = Number.MAX_SAFE_INTEGER;

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The 32-bit words of a timestamp: low unsigned, high signed. */
function wordsOf(ts: Nanos): [low: number, high: number] {
  return [Number(BigInt.asUintN(32, ts)), Number(ts >> 32n)];
}

/**
 * Sample timestamps `baseTs + offsets[i]` as their wire column: 64-bit little-endian integers,
 * 8 bytes each, computed on 32-bit words (no BigInt per sample).
 */
export function sampleTimestampsColumn(baseTs: Nanos, offsets: Float64Array): Buffer {
  const out = Buffer.allocUnsafe(offsets.length * 8);
  const view = viewOf(out);
  const [baseLow, baseHigh] = wordsOf(baseTs);
  for (let i = 0; i < offsets.length; i++) {
    const offsetHigh = Math.floor(offsets[i] / TWO_POW_32);
    let low = baseLow + (offsets[i] - offsetHigh * TWO_POW_32);
    let high = baseHigh + offsetHigh;
    if (low >= TWO_POW_32) {
      low -= TWO_POW_32;
      high++;
    }
    view.setUint32(i * 8, low, true);
    view.setInt32(i * 8 + 4, high, true);
  }
  return out;
}

/** A timestamp column read as offsets from `baseTs`; every timestamp must lie within ±MAX_SAFE_INTEGER ns of it. */
export function readSampleTimestampsColumn(bytes: Uint8Array | null | undefined, baseTs: Nanos): Float64Array {
  if (!bytes || bytes.length === 0) return new Float64Array(0);
  if (bytes.length % 8 !== 0) throw new Error(`timestamp column of ${bytes.length} bytes is not a multiple of 8`);
  const view = viewOf(bytes);
  const [baseLow, baseHigh] = wordsOf(baseTs);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) {
    const offset = (view.getInt32(i * 8 + 4, true) - baseHigh) * TWO_POW_32 + (view.getUint32(i * 8, true) - baseLow);
    if (offset > MAX_EXACT || offset < -MAX_EXACT) throw new Error(`sample timestamp too far from the query start to be read exactly`);
    out[i] = offset;
  }
  return out;
}

/** Line hashes (53-bit integers, iter/line-hash) as their wire column of 64-bit little-endian integers. */
export function sampleHashColumn(hashes: Float64Array): Buffer {
  const out = Buffer.allocUnsafe(hashes.length * 8);
  const view = viewOf(out);
  for (let i = 0; i < hashes.length; i++) {
    const high = Math.floor(hashes[i] / TWO_POW_32);
    view.setUint32(i * 8, hashes[i] - high * TWO_POW_32, true);
    view.setUint32(i * 8 + 4, high, true);
  }
  return out;
}

/**
 * A line hash column folded to 53-bit integers (low word + the high word's low 21 bits · 2^32): a
 * full 64-bit lane pair from an older ingester folds to the hash a newer one sends.
 */
export function readSampleHashColumn(bytes: Uint8Array | null | undefined): Float64Array | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  if (bytes.length % 8 !== 0) throw new Error(`line hash column of ${bytes.length} bytes is not a multiple of 8`);
  const view = viewOf(bytes);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 8, true) + (view.getUint32(i * 8 + 4, true) & 0x1fffff) * TWO_POW_32;
  return out;
}
