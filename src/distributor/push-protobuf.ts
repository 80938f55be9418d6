// Decodes a protobuf logproto.PushRequest straight from the buffer into a PushPayload, with the
// checks and error texts of Loki's gogo-generated Unmarshal; lines stay views of the buffer (decoded
// to strings only when read). Pure; never throws anything but ProtobufError.
import { isUtf8 } from 'node:buffer';
import type { Label } from '../model/labels.js';
import { BytesEntry, type Entry } from '../model/entry.js';
import type { PushPayload, PushStream } from './push-payload.js';

export class ProtobufError extends Error {}

const UNEXPECTED_EOF = 'unexpected EOF';
const INTEGER_OVERFLOW = 'proto: integer overflow';
const NEGATIVE_LENGTH = 'proto: negative length found during unmarshaling';

const NS_PER_SECOND = 1_000_000_000n;
/** Seconds of 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the range a Timestamp may hold. */
const MIN_VALID_SECONDS = -62135596800n;
const MAX_VALID_SECONDS = 253402300800n;
/** Go's time.Time{}.UnixNano() (year 1 wraps around int64): the timestamp of an entry that has none. */
export const ZERO_TIME_UNIX_NANO = BigInt.asIntN(64, MIN_VALID_SECONDS * NS_PER_SECOND);

const TWO_POW_32 = 4294967296;

/** Field names as Go's generated code names them in "wrong wireType" errors. */
const WRONG_WIRE_TYPE = (wireType: number, field: string): string =>
  `proto: wrong wireType = ${wireType} for field ${field}`;

/** Buffer's native UTF-8 decoder of a byte range (undocumented but stable; invalid bytes become U+FFFD). */
type Utf8SlicingBuffer = Buffer & { utf8Slice(start: number, end: number): string };

export function decodePushProtobuf(buf: Uint8Array): PushPayload {
  return new PushRequestDecoder(buf).decode();
}

class PushRequestDecoder {
  private pos = 0;
  /** Low and high 32 bits of the varint read last. */
  private lo = 0;
  private hi = 0;
  /** Wire type of the tag read last. */
  private wireType = 0;
  /** The last timestamp's seconds and that second in nanoseconds. */
  private baseSeconds = -1;
  private baseNanos = 0n;
  private readonly buf: Utf8SlicingBuffer;

  constructor(buf: Uint8Array) {
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.buf = b as Utf8SlicingBuffer;
  }

  private utf8(start: number, end: number): string {
    return this.buf.utf8Slice(start, end);
  }

  decode(): PushPayload {
    const streams: PushStream[] = [];
    const start = 0;
    const end = this.buf.length;
    while (this.pos < end) {
      const fieldStart = this.pos;
      const field = this.tag(end, 'PushRequest');
      const wireType = this.wireType;
      if (field === 1) {
        if (wireType !== 2) throw new ProtobufError(WRONG_WIRE_TYPE(wireType, 'Streams'));
        const len = this.length(end, start);
        streams.push(this.stream(this.pos + len));
      } else if (field === 2) {
        if (wireType !== 2) throw new ProtobufError(WRONG_WIRE_TYPE(wireType, 'Format'));
        const len = this.length(end, start);
        this.pos += len;
      } else {
        this.skip(fieldStart, end);
      }
    }
    return { streams };
  }

  private stream(end: number): PushStream {
    const start = this.pos;
    let labels = '';
    const entries: Entry[] = [];
    while (this.pos < end) {
      const fieldStart = this.pos;
      const field = this.tag(end, 'StreamAdapter');
      const wireType = this.wireType;
      if (field === 1) {
        if (wireType !== 2) throw new ProtobufError(WRONG_WIRE_TYPE(wireType, 'Labels'));
        const len = this.length(end, start);
        labels = this.utf8(this.pos, this.pos + len);
        this.pos += len;
      } else if (field === 2) {
        if (wireType !== 2) throw new ProtobufError(WRONG_WIRE_TYPE(wireType, 'Entries'));
        const len = this.length(end, start);
        entries.push(this.entry(this.pos + len));
      } else if (field === 3) {
        if (wireType !== 0) throw new ProtobufError(WRONG_WIRE_TYPE(wireType, 'Hash'));
        this.varint(end);
      } else {
        this.skip(fieldStart, end);
      }
    }
    return { labels, entries };
  }

  private entry(end: number): Entry {
    const start = this.pos;
    let ts = ZERO_TIME_UNIX_NANO;
    let lineStart = 0;
    let lineEnd = 0;
    let metadata: Label[] | undefined;
    while (this.pos < end) {
      const fieldStart = this.pos;
      const field = this.tag(end, 'EntryAdapter');
      const wireType = this.wireType;
      switch (field) {
        case 1: {
          if (wireType !== 2) throw new ProtobufError(WRONG_WIRE_TYPE(wireType, 'Timestamp'));
          const len = this.length(end, start);
          ts = this.timestamp(this.pos + len);
          break;
        }
        case 2: {
          if (wireType !== 2) throw new ProtobufError(WRONG_WIRE_TYPE(wireType, 'Line'));
          const len = this.length(end, start);
          lineStart = this.pos;
          lineEnd = this.pos + len;
          this.pos += len;
          break;
        }
        case 3: {
          if (wireType !== 2) throw new ProtobufError(WRONG_WIRE_TYPE(wireType, 'StructuredMetadata'));
          const len = this.length(end, start);
          const label = this.labelPair(this.pos + len);
          if (metadata === undefined) metadata = [label];
          else metadata.push(label);
          break;
        }
        case 4: {
          if (wireType !== 2) throw new ProtobufError(WRONG_WIRE_TYPE(wireType, 'Parsed'));
          const len = this.length(end, start);
          this.labelPair(this.pos + len);
          break;
        }
        default:
          this.skip(fieldStart, end);
      }
    }
    return new BytesEntry(ts, this.lineBytes(lineStart, lineEnd), metadata);
  }

  /** A line's bytes: a view of the buffer, or (for invalid UTF-8) the bytes of its decoded text, so `line` and `bytes` agree. */
  private lineBytes(start: number, end: number): Buffer {
    const view = this.buf.subarray(start, end);
    return isUtf8(view) ? view : Buffer.from(this.utf8(start, end), 'utf8');
  }

  private labelPair(end: number): Label {
    const start = this.pos;
    let name = '';
    let value = '';
    while (this.pos < end) {
      const fieldStart = this.pos;
      const field = this.tag(end, 'LabelPairAdapter');
      const wireType = this.wireType;
      if (field === 1 || field === 2) {
        if (wireType !== 2) throw new ProtobufError(WRONG_WIRE_TYPE(wireType, field === 1 ? 'Name' : 'Value'));
        const len = this.length(end, start);
        const text = this.utf8(this.pos, this.pos + len);
        this.pos += len;
        if (field === 1) name = text;
        else value = text;
      } else {
        this.skip(fieldStart, end);
      }
    }
    return { name, value };
  }

  /** google.protobuf.Timestamp → Unix ns, validated as Go's types.TimestampFromProto does. */
  private timestamp(end: number): bigint {
    let secondsLo = 0;
    let secondsHi = 0;
    let nanos = 0;
    while (this.pos < end) {
      const fieldStart = this.pos;
      const field = this.tag(end, 'Timestamp');
      const wireType = this.wireType;
      if (field === 1) {
        if (wireType !== 0) throw new ProtobufError(WRONG_WIRE_TYPE(wireType, 'Seconds'));
        this.varint(end);
        secondsLo = this.lo;
        secondsHi = this.hi;
      } else if (field === 2) {
        if (wireType !== 0) throw new ProtobufError(WRONG_WIRE_TYPE(wireType, 'Nanos'));
        this.varint(end);
        nanos = this.lo | 0;
      } else {
        this.skip(fieldStart, end);
      }
    }
    if (secondsHi === 0 && nanos >= 0 && nanos < 1e9) {
      // Common case: 0 <= seconds < 2^32, so the nanosecond value always fits in an int64.
      // Entries of a batch mostly share their second: reuse its nanosecond base.
      if (secondsLo !== this.baseSeconds) {
        this.baseSeconds = secondsLo;
        this.baseNanos = BigInt(secondsLo) * NS_PER_SECOND;
      }
      return nanos === 0 ? this.baseNanos : this.baseNanos + BigInt(nanos);
    }
    const seconds = BigInt.asIntN(64, (BigInt(secondsHi) << 32n) | BigInt(secondsLo));
    const shown = `&types.Timestamp{Seconds: ${seconds},\nNanos: ${nanos},\n}`;
    if (seconds < MIN_VALID_SECONDS) throw new ProtobufError(`timestamp: ${shown} before 0001-01-01`);
    if (seconds >= MAX_VALID_SECONDS) throw new ProtobufError(`timestamp: ${shown} after 10000-01-01`);
    if (nanos < 0 || nanos >= 1e9) throw new ProtobufError(`timestamp: ${shown}: nanos not in range [0, 1e9)`);
    // Go's UnixNano wraps around outside int64; keep that so accept/reject decisions match.
    return BigInt.asIntN(64, seconds * NS_PER_SECOND + BigInt(nanos));
  }

  /** Reads a field tag (the caller ensures pos < end); returns its field number and sets wireType. */
  private tag(end: number, message: string): number {
    const b = this.buf[this.pos];
    if (b < 0x80) {
      this.pos++;
      const wireType = b & 7;
      if (wireType === 4) throw new ProtobufError(`proto: ${message}: wiretype end group for non-group`);
      if (b < 8) throw new ProtobufError(`proto: ${message}: illegal tag 0 (wire type ${b})`);
      this.wireType = wireType;
      return b >>> 3;
    }
    this.varint(end);
    const wireType = this.lo & 7;
    if (wireType === 4) throw new ProtobufError(`proto: ${message}: wiretype end group for non-group`);
    const field = ((this.lo >>> 3) | (this.hi << 29)) | 0;
    if (field <= 0) {
      const wire = this.hi === 0 ? String(this.lo) : String((BigInt(this.hi) << 32n) | BigInt(this.lo));
      throw new ProtobufError(`proto: ${message}: illegal tag ${field} (wire type ${wire})`);
    }
    this.wireType = wireType;
    return field;
  }

  /** Reads a length prefix the way Go's generated code does (as an int, checked against the message end). */
  private length(end: number, messageStart: number): number {
    this.varint(end);
    const lo = this.lo;
    const hi = this.hi;
    if (hi === 0) {
      if (lo > end - this.pos) throw new ProtobufError(UNEXPECTED_EOF);
      return lo;
    }
    if (hi >= 0x80000000 || (hi === 0x7fffffff && lo + (this.pos - messageStart) >= TWO_POW_32))
      throw new ProtobufError(NEGATIVE_LENGTH);
    throw new ProtobufError(UNEXPECTED_EOF);
  }

  /** Reads a base-128 varint into lo/hi (bits past 64 dropped, more than 10 bytes is an overflow). */
  private varint(end: number): void {
    const buf = this.buf;
    let p = this.pos;
    let lo = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= end) throw new ProtobufError(UNEXPECTED_EOF);
      const b = buf[p++];
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.lo = lo;
        this.hi = 0;
        this.pos = p;
        return;
      }
    }
    if (p >= end) throw new ProtobufError(UNEXPECTED_EOF);
    let b = buf[p++];
    lo = (lo | ((b & 0x0f) << 28)) >>> 0;
    let hi = (b & 0x7f) >>> 4;
    for (let shift = 3; b >= 0x80; shift += 7) {
      if (shift > 31) throw new ProtobufError(INTEGER_OVERFLOW);
      if (p >= end) throw new ProtobufError(UNEXPECTED_EOF);
      b = buf[p++];
      hi |= (b & 0x7f) << shift;
    }
    this.lo = lo;
    this.hi = hi >>> 0;
    this.pos = p;
  }

  /** Skips the unknown field starting at `start` (its tag included), as gogo's skip function does. */
  private skip(start: number, end: number): void {
    this.pos = start;
    let depth = 0;
    while (this.pos < end) {
      this.varint(end);
      const wireType = this.lo & 7;
      switch (wireType) {
        case 0:
          this.varint(end);
          break;
        case 1:
          this.pos += 8;
          break;
        case 2: {
          this.varint(end);
          if (this.hi >= 0x80000000) throw new ProtobufError(NEGATIVE_LENGTH);
          this.pos += this.hi * TWO_POW_32 + this.lo;
          break;
        }
        case 3:
          depth++;
          break;
        case 4:
          // Only reached inside a group: callers refuse a field that starts with an end-group tag.
          depth--;
          break;
        case 5:
          this.pos += 4;
          break;
        default:
          throw new ProtobufError(`proto: illegal wireType ${wireType}`);
      }
      if (depth === 0) {
        if (this.pos > end) throw new ProtobufError(UNEXPECTED_EOF);
        return;
      }
    }
    throw new ProtobufError(UNEXPECTED_EOF);
  }
}
