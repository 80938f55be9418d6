// The Push request on the ingest hot path: PushStreams written straight into one Buffer and read
// back without intermediate message objects or Long values. Byte-compatible with the generated
// lokits.ingester.PushRequest (proto/ingester.proto). Pure; throws PushDecodeError on malformed input.
import { isUtf8 } from 'node:buffer';
import { BytesEntry, lineByteLength, type Entry, type Label, type Labels } from '../../model/index.js';

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
  /** Made at the request's first metadata. */
  private interner: MetadataInterner | undefined;

  constructor(readonly buf: Utf8Buffer) {}

  /** An entry's metadata from its fields in start..end: shared with earlier equal metadata unless `split`. */
  metadata(start: number, end: number, split: boolean): Labels {
    if (split) return decodeMetadata(this, start, end);
    const interner = (this.interner ??= new MetadataInterner(this.buf));
    if (!interner.active) return decodeMetadata(this, start, end);
    return interner.find(start, end) ?? interner.remember(start, end, decodeMetadata(this, start, end));
  }

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
 * field would be. Its metadata fields are skipped on the first pass and decoded (or shared) after.
 */
function decodeEntry(r: PushReader, end: number): Entry {
  let ts = 0n;
  let lineStart = 0;
  let lineEnd = 0;
  // The metadata fields: from the first one's tag to the last one's end; split if other fields lie between.
  let metaStart = -1;
  let metaEnd = -1;
  let metaSplit = false;
  while (r.pos < end) {
    const at = r.pos;
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
      if (metaStart < 0) metaStart = at;
      else if (at !== metaEnd) metaSplit = true;
      metaEnd = r.fieldEnd(end);
      r.pos = metaEnd;
    } else {
      r.skip(tag, end);
    }
  }
  const metadata = metaStart < 0 ? undefined : r.metadata(metaStart, metaEnd, metaSplit);
  const view = r.buf.subarray(lineStart, lineEnd);
  if (isUtf8(view)) return new BytesEntry(ts, view, metadata);
  const line = r.buf.utf8Slice(lineStart, lineEnd);
  return metadata ? { ts, line, metadata } : { ts, line };
}

/** The metadata pairs of the entry fields in start..end (metadata fields only; the rest is skipped). */
function decodeMetadata(r: PushReader, start: number, end: number): Label[] {
  const saved = r.pos;
  r.pos = start;
  const metadata: Label[] = [];
  while (r.pos < end) {
    const tag = r.varint(end);
    if (tag === ENTRY_METADATA) metadata.push(decodePair(r, r.fieldEnd(end)));
    else r.skip(tag, end);
  }
  r.pos = saved;
  return metadata;
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

/** Distinct metadata a request remembers (a few: entries mostly repeat a handful, e.g. one per level). */
const INTERNED_SLOTS = 8;
/** Runs longer than this are compared natively rather than byte by byte. */
const NATIVE_COMPARE_FROM = 128;

/**
 * Equal metadata of one request, shared: entries whose metadata fields are byte-identical get one
 * frozen array (and frozen pairs), decoded once. The WAL encodes a frozen metadata object once, and
 * the head block holds one copy. Gives up for the rest of the request when most metadata differs
 * (say, a trace id per entry), so unique metadata costs no more than a few failed comparisons.
 */
class MetadataInterner {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly shared: Labels[] = [];
  private next = 0;
  private hits = 0;
  private misses = 0;

  constructor(private readonly buf: Buffer) {}

  get active(): boolean {
    return this.misses < 32 || this.misses <= this.hits * 4;
  }

  find(start: number, end: number): Labels | undefined {
    const buf = this.buf;
    const len = end - start;
    for (let i = 0; i < this.starts.length; i++) {
      const s = this.starts[i];
      if (this.ends[i] - s !== len) continue;
      if (len >= NATIVE_COMPARE_FROM) {
        if (buf.compare(buf, s, s + len, start, end) === 0) return this.hit(i);
        continue;
      }
      // Backwards: equal-length runs mostly differ in their last value.
      let k = len - 1;
      while (k >= 0 && buf[s + k] === buf[start + k]) k--;
      if (k < 0) return this.hit(i);
    }
    this.misses++;
    return undefined;
  }

  private hit(i: number): Labels {
    this.hits++;
    return this.shared[i];
  }

  remember(start: number, end: number, metadata: Label[]): Labels {
    for (let i = 0; i < metadata.length; i++) Object.freeze(metadata[i]);
    const frozen = Object.freeze(metadata);
    const slot = this.next;
    this.next = (slot + 1) % INTERNED_SLOTS;
    this.starts[slot] = start;
    this.ends[slot] = end;
    this.shared[slot] = frozen;
    return frozen;
  }
}
