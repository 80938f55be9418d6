// WAL record encoding: checksummed frames holding accepted entries (per stream, with a global
// sequence number) and flush marks. Pure: encodes into and decodes from Buffers only.
//
// Frame:   u32le payloadLength | u32le crc32(payload) | payload
// Payload: u8 type | body
//   type 1 (entries): f64le seq | str tenant | str labels | varint n | n × (i64le ts | str line | varint m | m × (str name | str value))
//   type 2 (flushed): f64le seq | str tenant | str labels      — entries of the stream with seq' <= seq are in storage
// str = varint byteLength | utf8 bytes
import { crc32 } from 'node:zlib';
import { lineByteLength, type Entry, type Label } from '../../model/index.js';

/** Buffer's native UTF-8 writer (no encoding-name argument to check). */
type Utf8WritingBuffer = Buffer & { utf8Write(s: string, offset: number, length: number): number };

/** Buffer#copy, which also copies out of a plain Uint8Array (the quickest native copy of a short range). */
const copyBytes = Buffer.prototype.copy as (this: Uint8Array, target: Uint8Array, targetStart: number) => number;

export const FRAME_HEADER = 8;

export interface EntriesRecord {
  type: 'entries';
  seq: number;
  tenant: string;
  labels: string;
  /** `labels` as UTF-8, when the writer keeps it (copied instead of encoding the text again). */
  labelsBytes?: Uint8Array;
  entries: Entry[];
}

export interface FlushedRecord {
  type: 'flushed';
  seq: number;
  tenant: string;
  labels: string;
}

export type WalRecord = EntriesRecord | FlushedRecord;

const varintSize = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);
const strSize = (s: string): number => {
  const b = Buffer.byteLength(s, 'utf8');
  return varintSize(b) + b;
};

class Writer {
  pos = 0;
  readonly view: DataView;
  constructor(readonly buf: Buffer) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u8(v: number): void {
    this.buf[this.pos++] = v;
  }
  varint(v: number): void {
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }
  f64(v: number): void {
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
  i64(v: bigint): void {
    this.view.setBigInt64(this.pos, v, true);
    this.pos += 8;
  }
  /** A string whose UTF-8 length is already known. */
  strOf(s: string, len: number): void {
    this.varint(len);
    this.pos += (this.buf as Utf8WritingBuffer).utf8Write(s, this.pos, len);
  }
  str(s: string): void {
    this.strOf(s, Buffer.byteLength(s, 'utf8'));
  }
  bytes(b: Uint8Array): void {
    this.pos += copyBytes.call(b, this.buf, this.pos);
  }
  /** Non-empty metadata: pair count, then each name and value. */
  metadata(md: readonly Label[]): void {
    this.varint(md.length);
    for (const l of md) {
      this.str(l.name);
      this.str(l.value);
    }
  }
  /** An entry's line: its bytes copied when it has them, else its text encoded (`len` is known). */
  line(e: Entry, len: number): void {
    this.varint(len);
    const bytes = e.bytes;
    if (bytes !== undefined) this.pos += copyBytes.call(bytes, this.buf, this.pos);
    else this.pos += (this.buf as Utf8WritingBuffer).utf8Write(e.line, this.pos, len);
  }
}

/**
 * UTF-8 lengths computed once for sizing and reused for writing: per record its tenant and labels,
 * then the lines of every entries record, in order (one array for a whole batch, not one per record).
 */
interface Lengths {
  tenant: number[];
  labels: number[];
  lines: Uint32Array;
}

/**
 * Encoded metadata (pair count and pairs) by frozen metadata object: entries share a few (the
 * distributor gives every entry of a level one frozen detected_level object, and an ingester's Push
 * decoder gives equal metadata of one request one frozen array), and streams interleave them.
 * Metadata that is not frozen may still change, so it is sized and written in place instead.
 */
const encodedMetadata = new WeakMap<readonly Label[], Buffer>();

function sharedMetadataBytes(md: readonly Label[]): Buffer {
  const known = encodedMetadata.get(md);
  if (known !== undefined) return known;
  const w = new Writer(Buffer.allocUnsafe(metadataSize(md)));
  w.metadata(md);
  encodedMetadata.set(md, w.buf);
  return w.buf;
}

/** Encoded size of non-empty metadata. */
function metadataSize(md: readonly Label[]): number {
  let size = varintSize(md.length);
  for (const l of md) size += strSize(l.name) + strSize(l.value);
  return size;
}

/** The payload size of `r`, recording its lengths at `line` (the index of its first line) onwards. */
function payloadSize(r: WalRecord, lengths: Lengths, line: number): number {
  const tenant = Buffer.byteLength(r.tenant, 'utf8');
  const labels = r.type === 'entries' && r.labelsBytes !== undefined ? r.labelsBytes.length : Buffer.byteLength(r.labels, 'utf8');
  lengths.tenant.push(tenant);
  lengths.labels.push(labels);
  let n = 1 + 8 + varintSize(tenant) + tenant + varintSize(labels) + labels;
  if (r.type === 'entries') {
    n += varintSize(r.entries.length);
    const lens = lengths.lines;
    for (let i = 0; i < r.entries.length; i++) {
      const e = r.entries[i];
      const len = lineByteLength(e);
      lens[line + i] = len;
      n += 8 + varintSize(len) + len;
      const md = e.metadata;
      n += md === undefined || md.length === 0 ? 1 : Object.isFrozen(md) ? sharedMetadataBytes(md).length : metadataSize(md);
    }
  }
  return n;
}

/** Encodes records into one buffer of consecutive frames. */
export function encodeRecords(records: readonly WalRecord[]): Buffer {
  let lines = 0;
  for (const r of records) if (r.type === 'entries') lines += r.entries.length;
  const lengths: Lengths = { tenant: [], labels: [], lines: new Uint32Array(lines) };
  const sizes: number[] = [];
  let total = 0;
  lines = 0;
  for (const r of records) {
    const size = payloadSize(r, lengths, lines);
    if (r.type === 'entries') lines += r.entries.length;
    sizes.push(size);
    total += FRAME_HEADER + size;
  }
  const w = new Writer(Buffer.allocUnsafe(total));
  lines = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const start = w.pos;
    w.pos += FRAME_HEADER;
    const payloadStart = w.pos;
    w.u8(r.type === 'entries' ? 1 : 2);
    w.f64(r.seq);
    w.strOf(r.tenant, lengths.tenant[i]);
    if (r.type === 'entries' && r.labelsBytes !== undefined) {
      w.varint(lengths.labels[i]);
      w.bytes(r.labelsBytes);
    } else w.strOf(r.labels, lengths.labels[i]);
    if (r.type === 'entries') {
      const lens = lengths.lines;
      w.varint(r.entries.length);
      for (let k = 0; k < r.entries.length; k++) {
        const e = r.entries[k];
        w.i64(e.ts);
        w.line(e, lens[lines++]);
        const md = e.metadata;
        if (md === undefined || md.length === 0) w.u8(0);
        else if (Object.isFrozen(md)) w.bytes(sharedMetadataBytes(md));
        else w.metadata(md);
      }
    }
    if (w.pos - payloadStart !== sizes[i]) throw new Error('WAL record size mismatch');
    w.view.setUint32(start, sizes[i], true);
    w.view.setUint32(start + 4, crc32(w.buf.subarray(payloadStart, w.pos)), true);
  }
  return w.buf;
}

class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly end: number,
  ) {}
  need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError('record truncated');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  varint(): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
      if (shift > 35) throw new RangeError('varint too long');
    }
  }
  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  str(): string {
    const len = this.varint();
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
}

function decodePayload(buf: Buffer, start: number, end: number): WalRecord {
  const r = new Reader(buf, end);
  r.pos = start;
  const type = r.u8();
  const seq = r.f64();
  const tenant = r.str();
  const labels = r.str();
  if (type === 2) return { type: 'flushed', seq, tenant, labels };
  if (type !== 1) throw new RangeError(`unknown record type ${type}`);
  const n = r.varint();
  const entries: Entry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const ts = r.i64();
    const line = r.str();
    const m = r.varint();
    if (m === 0) entries[i] = { ts, line };
    else {
      const md: Label[] = [];
      for (let j = 0; j < m; j++) md.push({ name: r.str(), value: r.str() });
      entries[i] = { ts, line, metadata: md };
    }
  }
  if (r.pos !== end) throw new RangeError('record has trailing bytes');
  return { type: 'entries', seq, tenant, labels, entries };
}

export interface DecodeResult {
  records: WalRecord[];
  /** Set when decoding stopped early: where and why (a torn or corrupt record). */
  corruption?: { offset: number; reason: string };
}

/** Decodes consecutive frames; stops at the first torn or corrupt frame and reports it. */
export function decodeRecords(buf: Buffer): DecodeResult {
  const records: WalRecord[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (pos + FRAME_HEADER > buf.length) return { records, corruption: { offset: pos, reason: 'torn frame header' } };
    const len = buf.readUInt32LE(pos);
    const sum = buf.readUInt32LE(pos + 4);
    const start = pos + FRAME_HEADER;
    if (len === 0 && sum === 0) return { records, corruption: { offset: pos, reason: 'zero-filled tail' } };
    if (start + len > buf.length) return { records, corruption: { offset: pos, reason: 'torn record (file ends inside it)' } };
    if (crc32(buf.subarray(start, start + len)) !== sum) return { records, corruption: { offset: pos, reason: 'checksum mismatch' } };
    try {
      records.push(decodePayload(buf, start, start + len));
    } catch (e) {
      return { records, corruption: { offset: pos, reason: `undecodable record: ${(e as Error).message}` } };
    }
    pos = start + len;
  }
  return { records };
}
