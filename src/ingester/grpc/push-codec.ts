// The Push request on the ingest hot path: PushStreams written straight into one Buffer and read
// back without intermediate message objects or Long values. Byte-compatible with the generated
// lokits.ingester.PushRequest (proto/ingester.proto). Pure; throws PushDecodeError on malformed input.
import { isUtf8 } from 'node:buffer';
import { BytesEntry, lineByteLength, type Entry, type Label } from '../../model/index.js';

/** What the codec needs of a stream: its canonical label string and entries. */
export interface EncodableStream {
  labelsString: string;
  entries: readonly Entry[];
}

/** A decoded stream: the label string as sent (not parsed) and its entries. */
export interface DecodedPushStream {
  labels: string;
  entries: Entry[];
}

export class PushDecodeError extends Error {}

// Tags: (field number << 3) | wire type (0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit).
const REQUEST_STREAMS = (1 << 3) | 2;
const STREAM_LABELS = (1 << 3) | 2;
const STREAM_ENTRIES = (2 << 3) | 2;
const ENTRY_TIMESTAMP = (1 << 3) | 1;
const ENTRY_LINE = (2 << 3) | 2;
const ENTRY_METADATA = (3 << 3) | 2;
const PAIR_NAME = (1 << 3) | 2;
const PAIR_VALUE = (2 << 3) | 2;

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Size of a length-delimited field: tag, length prefix and payload. */
function fieldSize(payload: number): number {
  return 1 + varintSize(payload) + payload;
}

type Utf8Buffer = Buffer & { utf8Write(s: string, offset: number, length: number): number; utf8Slice(start: number, end: number): string };

export function encodePushRequest(streams: readonly EncodableStream[]): Buffer {
  // First pass: UTF-8 sizes of every string and message, in the order the second pass writes them.
  const sizes: number[] = [];
  let total = 0;
  for (const s of streams) {
    const streamAt = sizes.length;
    sizes.push(0, Buffer.byteLength(s.labelsString, 'utf8'));
    let streamSize = fieldSize(sizes[streamAt + 1]);
    for (const e of s.entries) {
      const entryAt = sizes.length;
      sizes.push(0, lineByteLength(e));
      let entrySize = 9 + fieldSize(sizes[entryAt + 1]);
      if (e.metadata) {
        for (const l of e.metadata) {
          const pairAt = sizes.length;
          sizes.push(0, Buffer.byteLength(l.name, 'utf8'), Buffer.byteLength(l.value, 'utf8'));
          const pairSize = fieldSize(sizes[pairAt + 1]) + fieldSize(sizes[pairAt + 2]);
          sizes[pairAt] = pairSize;
          entrySize += fieldSize(pairSize);
        }
      }
      sizes[entryAt] = entrySize;
      streamSize += fieldSize(entrySize);
    }
    sizes[streamAt] = streamSize;
    total += fieldSize(streamSize);
  }

  const w = new PushWriter(Buffer.allocUnsafe(total) as Utf8Buffer);
  let k = 0;
  for (const s of streams) {
    w.tag(REQUEST_STREAMS);
    w.varint(sizes[k++]);
    w.string(STREAM_LABELS, s.labelsString, sizes[k++]);
    for (const e of s.entries) {
      w.tag(STREAM_ENTRIES);
      w.varint(sizes[k++]);
      w.tag(ENTRY_TIMESTAMP);
      w.int64(e.ts);
      const bytes = e.bytes;
      if (bytes !== undefined) w.bytes(ENTRY_LINE, bytes, sizes[k++]);
      else w.string(ENTRY_LINE, e.line, sizes[k++]);
      if (e.metadata) {
        for (const l of e.metadata) {
          w.tag(ENTRY_METADATA);
          w.varint(sizes[k++]);
          w.string(PAIR_NAME, l.name, sizes[k++]);
          w.string(PAIR_VALUE, l.value, sizes[k++]);
        }
      }
    }
  }
  if (w.pos !== total) throw new Error(`push encoding wrote ${w.pos} of ${total} bytes`);
  return w.buf;
}

class PushWriter {
  pos = 0;

  constructor(readonly buf: Utf8Buffer) {}

  tag(tag: number): void {
    this.buf[this.pos++] = tag;
  }

  varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  int64(v: bigint): void {
    this.pos = this.buf.writeBigInt64LE(v, this.pos);
  }

  string(tag: number, s: string, bytes: number): void {
    this.buf[this.pos++] = tag;
    this.varint(bytes);
    this.pos += this.buf.utf8Write(s, this.pos, bytes);
  }

  /** A line already held as UTF-8 bytes (a pushed entry's view of its request): copied as is. */
  bytes(tag: number, b: Uint8Array, length: number): void {
    this.buf[this.pos++] = tag;
    this.varint(length);
    this.buf.set(b, this.pos);
    this.pos += length;
  }
}

class PushReader {
  pos = 0;

  constructor(readonly buf: Utf8Buffer) {}

  varint(end: number): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) throw new PushDecodeError('push request: truncated varint');
      const b = this.buf[this.pos++];
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 128;
    }
    throw new PushDecodeError('push request: varint too long');
  }

  /** End of the length-delimited field starting at pos (after its tag). */
  fieldEnd(end: number): number {
    const len = this.varint(end);
    const fieldEnd = this.pos + len;
    if (fieldEnd > end) throw new PushDecodeError('push request: field runs past its message');
    return fieldEnd;
  }

  string(end: number): string {
    const fieldEnd = this.fieldEnd(end);
    const s = fieldEnd > this.pos ? this.buf.utf8Slice(this.pos, fieldEnd) : '';
    this.pos = fieldEnd;
    return s;
  }

  skip(tag: number, end: number): void {
    switch (tag & 7) {
      case 0:
        this.varint(end);
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.fieldEnd(end);
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new PushDecodeError(`push request: unsupported wire type ${tag & 7}`);
    }
    if (this.pos > end) throw new PushDecodeError('push request: field runs past its message');
  }
}

export function decodePushRequest(bytes: Uint8Array): DecodedPushStream[] {
  const buf = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as Utf8Buffer;
  const r = new PushReader(buf);
  const streams: DecodedPushStream[] = [];
  while (r.pos < buf.length) {
    const tag = r.varint(buf.length);
    if (tag === REQUEST_STREAMS) streams.push(decodeStream(r, r.fieldEnd(buf.length)));
    else r.skip(tag, buf.length);
  }
  return streams;
}

function decodeStream(r: PushReader, end: number): DecodedPushStream {
  let labels = '';
  const entries: Entry[] = [];
  while (r.pos < end) {
    const tag = r.varint(end);
    if (tag === STREAM_LABELS) labels = r.string(end);
    else if (tag === STREAM_ENTRIES) entries.push(decodeEntry(r, r.fieldEnd(end)));
    else r.skip(tag, end);
  }
  return { labels, entries };
}

/**
 * An entry whose line stays a view of the request's bytes (decoded to text only if something reads
 * it); a line that is not valid UTF-8 is decoded at once (invalid bytes become U+FFFD), as a string
 * field would be.
 */
function decodeEntry(r: PushReader, end: number): Entry {
  let ts = 0n;
  let lineStart = 0;
  let lineEnd = 0;
  let metadata: Label[] | undefined;
  while (r.pos < end) {
    const tag = r.varint(end);
    if (tag === ENTRY_TIMESTAMP) {
      if (r.pos + 8 > end) throw new PushDecodeError('push request: truncated timestamp');
      ts = r.buf.readBigInt64LE(r.pos);
      r.pos += 8;
    } else if (tag === ENTRY_LINE) {
      lineEnd = r.fieldEnd(end);
      lineStart = r.pos;
      r.pos = lineEnd;
    } else if (tag === ENTRY_METADATA) {
      const label = decodePair(r, r.fieldEnd(end));
      if (metadata) metadata.push(label);
      else metadata = [label];
    } else {
      r.skip(tag, end);
    }
  }
  const view = r.buf.subarray(lineStart, lineEnd);
  if (isUtf8(view)) return new BytesEntry(ts, view, metadata);
  const line = r.buf.utf8Slice(lineStart, lineEnd);
  return metadata ? { ts, line, metadata } : { ts, line };
}

function decodePair(r: PushReader, end: number): Label {
  let name = '';
  let value = '';
  while (r.pos < end) {
    const tag = r.varint(end);
    if (tag === PAIR_NAME) name = r.string(end);
    else if (tag === PAIR_VALUE) value = r.string(end);
    else r.skip(tag, end);
  }
  return { name, value };
}
