// The byte layout of an encoded chunk (format version 4; versions 1 to 3 are still read): block and chunk
// encoders, and the checked readers of headers, tables, gram filters and sections. Pure: bytes in, bytes
// out; never trusts a length or offset it read.
//
// All fixed-width integers are little-endian. uvarint = unsigned LEB128 (7 bits a byte, low bits first).
//
//   chunk  := header block* filters table footer            (versions 1 and 2: no filters)
//   header := "LKCH" | version u8 (= 4) | codec u8 (0 none, 1 gzip, 2 snappy block format) | reserved u16 (= 0)
//             | crc32 u32 of the 8 bytes before it                                            (12 bytes)
//   block  := sectionSizes section[0] section[1] section[2] section[3]
//     sectionSizes := 4 x (compressedLength u32, uncompressedLength u32)                       (32 bytes)
//     Each section is compressed on its own with the chunk's codec; an empty section takes 0 bytes.
//     Entries are sorted by timestamp (ties keep insertion order). Uncompressed, the sections are:
//     0 timestamps: per entry a uvarint, ts[i] - ts[i-1], with ts[-1] = the block's minTs (so the first is 0)
//     1 lengths:    per entry a uvarint, the UTF-8 byte length of its line
//     2 lines:      the lines' UTF-8 bytes, concatenated without separators
//     3 metadata:   empty when no entry has structured metadata; else per entry a uvarint code: 0 = none,
//                   1 = the same metadata as the latest earlier entry that had some, c >= 2 = c - 1 pairs
//                   follow, each (in push order) uvarint nameLength, name, uvarint valueLength, value (UTF-8).
//                   Version 1 had no repeat code: the code was the pair count (0 = none).
//     Counting and byte-summing reads decompress sections 0 and 1 only.
//   table  := blockCount u32 | blockCount x tableEntry
//     tableEntry := minTs i64 | maxTs i64 | entries u32 | offset u32 (from the chunk's start)
//                   | length u32 (the block's bytes, sectionSizes included)
//                   | uncompressedLength u32 (the four sections uncompressed)
//                   | rawBytes u32 (line bytes + metadata name and value bytes)
//                   | crc32 u32 of the block's `length` bytes
//                   | columnsCrc32 u32 of sectionSizes, sections 0 and 1 and then section 3 as stored
//                     (versions 1 to 3: of sectionSizes and sections 0 and 1 only)             (44 bytes)
//     Reads of whole entries check crc32; sample reads check columnsCrc32 and never touch section 2
//     (in versions 1 to 3 a sample read that needs metadata checks crc32).
//     Blocks follow the header back to back in table order. maxTs - minTs <= 2^53 - 1, so every
//     offset from minTs is an exact double.
//   filters := kind u8 (= 1: hashed 4-grams, see gram-filter.ts) | blockCount u32
//              | blockCount x (hexBitsLog2 u8, otherBitsLog2 u8)
//              | per block in table order: hex bit array, other bit array (2^bitsLog2 / 8 bytes each)
//              | crc32 u32 of the filters' bytes before it
//     A bitsLog2 of 0 stores no array (that class of grams is never checked); else it lies in 6..24.
//     The filters fill the bytes between the last block and the table; reads check their crc32 before
//     the first filter answers (a damaged filter is an error, never a skipped block).
//   footer := tableOffset u32 | crc32 u32 of the table                                         (8 bytes)
import { CorruptDataError } from '../model/errors.js';
import type { Label, Labels } from '../model/labels.js';
import { type Codec, codecFromId, codecId, compressSection, decompressSection } from './codec.js';
import { crc32, crc32Of2, hex32 } from './checksum.js';
import { bitsLog2, GramFilter, MAX_BITS_LOG2, MIN_BITS_LOG2 } from './gram-filter.js';
import type { BlockMeta } from './types.js';
import { MAX_EXACT_SPAN_NS } from './types.js';
import { MAX_UVARINT_BYTES, writeUvarint } from './varint.js';

export const FORMAT_VERSION = 4;
/** The oldest format version this reader decodes. */
const OLDEST_VERSION = 1;
/** The first format version with gram filters. */
const FILTERS_VERSION = 3;
/** The first format version whose columnsCrc32 also covers the metadata section. */
export const METADATA_IN_COLUMNS_VERSION = 4;
/** The filters' kind byte: hashed 4-grams in two classes (gram-filter.ts). */
const FILTER_KIND_GRAMS = 1;
const MAGIC = Buffer.from('LKCH', 'latin1');
export const HEADER_LENGTH = 12;
const FOOTER_LENGTH = 8;
const TABLE_ENTRY_LENGTH = 44;
const SECTION_SIZES_LENGTH = 32;
export const SECTION_TIMESTAMPS = 0;
export const SECTION_LENGTHS = 1;
export const SECTION_LINES = 2;
export const SECTION_METADATA = 3;
export const SECTIONS = 4;
const SECTION_NAMES = ['timestamps', 'lengths', 'lines', 'metadata'];
const MAX_U32 = 0xffffffff;
const EMPTY = Buffer.alloc(0);

function corrupt(message: string): CorruptDataError {
  return new CorruptDataError(`corrupt chunk: ${message}`);
}

/** A head block's entries as columns; every index is a position in timestamp order. */
export interface HeadColumns {
  readonly entries: number;
  readonly lineBytesTotal: number;
  /** How many entries carry structured metadata. */
  readonly metadataEntries: number;
  /** The timestamps in ascending order (may share memory with the head block; read it at once). */
  sortedTimestamps(): BigInt64Array;
  /** UTF-8 byte length of entry i's line. */
  lineLength(i: number): number;
  /** The lines' bytes concatenated in timestamp order (may share memory with the head block). */
  linesSection(): Buffer;
  metadataAt(i: number): Labels | undefined;
}

/** A sealed block's bytes and table entry, with its gram filter. */
export interface EncodedBlock {
  readonly meta: BlockMeta;
  readonly bytes: Uint8Array;
  /** Without one, the chunk stores empty arrays for the block (it is always read). */
  readonly filter?: GramFilter;
}

let scratch = Buffer.allocUnsafe(1 << 16);

function scratchOf(size: number): Buffer {
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
  return scratch;
}

const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH_WORD = 1 - LOW_WORD;

/** Writes the timestamps section: per entry the uvarint of ts[i] - ts[i-1] (the first is 0), without allocating bigints. */
function writeTimestamps(ts: BigInt64Array, buf: Buffer, p: number): number {
  const n = ts.length;
  const low = new Uint32Array(ts.buffer, ts.byteOffset, 2 * n);
  const high = new Int32Array(ts.buffer, ts.byteOffset, 2 * n);
  buf[p++] = 0;
  for (let i = 1; i < n; i++) {
    const hi = 2 * i + HIGH_WORD;
    const lo = 2 * i + LOW_WORD;
    const delta = (high[hi] - high[hi - 2]) * 0x100000000 + (low[lo] - low[lo - 2]);
    p = writeUvarint(buf, p, delta);
  }
  return p;
}

function metadataBound(columns: HeadColumns): number {
  if (columns.metadataEntries === 0) return 0;
  let bound = 0;
  for (let i = 0; i < columns.entries; i++) {
    bound += MAX_UVARINT_BYTES;
    const md = columns.metadataAt(i);
    if (md) for (const l of md) bound += 2 * MAX_UVARINT_BYTES + 3 * (l.name.length + l.value.length);
  }
  return bound;
}

const METADATA_NONE = 0;
const METADATA_REPEAT = 1;

/** Writes the metadata section (see the layout above); returns the position after it. */
function writeMetadata(columns: HeadColumns, buf: Buffer, p: number): number {
  let previous: Labels | undefined;
  for (let i = 0; i < columns.entries; i++) {
    const md = columns.metadataAt(i);
    if (md === undefined) {
      buf[p++] = METADATA_NONE;
      continue;
    }
    // Entries usually share one metadata object (the distributor's detected_level).
    if (md === previous) {
      buf[p++] = METADATA_REPEAT;
      continue;
    }
    p = writeUvarint(buf, p, md.length + 1);
    for (const l of md) {
      p = writeUvarint(buf, p, Buffer.byteLength(l.name));
      p += buf.write(l.name, p);
      p = writeUvarint(buf, p, Buffer.byteLength(l.value));
      p += buf.write(l.value, p);
    }
    previous = md;
  }
  return p;
}

/** The four sections of a block, uncompressed. */
export interface BlockLayout {
  readonly sections: readonly Buffer[];
}

/** A block as stored: section sizes and compressed sections, with its lengths and checksums. */
export interface AssembledBlock {
  readonly bytes: Buffer;
  readonly uncompressedLength: number;
  readonly crc32: number;
  readonly columnsCrc32: number;
}

/**
 * Lays out the sections of a non-empty head block. Timestamps, lengths and metadata are written to a
 * scratch buffer the next layout reuses (compress them before that); the lines section is the head's own.
 */
export function layoutBlock(columns: HeadColumns): BlockLayout {
  const n = columns.entries;
  const buf = scratchOf(2 * n * MAX_UVARINT_BYTES + metadataBound(columns));
  const tsEnd = writeTimestamps(columns.sortedTimestamps(), buf, 0);
  let p = tsEnd;
  for (let i = 0; i < n; i++) p = writeUvarint(buf, p, columns.lineLength(i));
  const lengthsEnd = p;
  const metadataEnd = columns.metadataEntries > 0 ? writeMetadata(columns, buf, p) : p;
  return {
    sections: [buf.subarray(0, tsEnd), buf.subarray(tsEnd, lengthsEnd), columns.linesSection(), buf.subarray(lengthsEnd, metadataEnd)],
  };
}

/** Compresses section `s` of a layout (an empty section stays empty). */
export function compressLayoutSection(layout: BlockLayout, s: number, codec: Codec): Buffer {
  const section = layout.sections[s];
  return section.length === 0 ? EMPTY : compressSection(codec, section);
}

/** Puts a block together from its layout and its four compressed sections. */
export function assembleBlock(layout: BlockLayout, compressed: readonly Buffer[]): AssembledBlock {
  let total = SECTION_SIZES_LENGTH;
  let uncompressed = 0;
  for (const c of compressed) total += c.length;
  const out = Buffer.allocUnsafe(total);
  let q = SECTION_SIZES_LENGTH;
  for (let s = 0; s < SECTIONS; s++) {
    const length = layout.sections[s].length;
    out.writeUInt32LE(compressed[s].length, 8 * s);
    out.writeUInt32LE(length, 8 * s + 4);
    out.set(compressed[s], q);
    q += compressed[s].length;
    uncompressed += length;
  }
  const columnsLength = SECTION_SIZES_LENGTH + compressed[SECTION_TIMESTAMPS].length + compressed[SECTION_LENGTHS].length;
  const columnsCrc32 = crc32Of2(out.subarray(0, columnsLength), compressed[SECTION_METADATA]);
  return { bytes: out, uncompressedLength: uncompressed, crc32: crc32(out), columnsCrc32 };
}

/** Lays out a whole chunk: header, the blocks back to back, table and footer. */
export function encodeChunk(codec: Codec, blocks: readonly EncodedBlock[]): Buffer {
  let blockBytes = 0;
  let filterBytes = 0;
  for (const b of blocks) {
    blockBytes += b.bytes.length;
    filterBytes += b.filter?.byteLength ?? 0;
  }
  const filtersLength = FILTERS_FIXED_LENGTH + 2 * blocks.length + filterBytes;
  const tableLength = 4 + TABLE_ENTRY_LENGTH * blocks.length;
  const size = HEADER_LENGTH + blockBytes + filtersLength + tableLength + FOOTER_LENGTH;
  if (size > MAX_U32) throw new RangeError(`chunk of ${size} bytes exceeds the format's 4 GiB limit`);
  const out = Buffer.allocUnsafe(size);
  MAGIC.copy(out, 0);
  out[4] = FORMAT_VERSION;
  out[5] = codecId(codec);
  out.writeUInt16LE(0, 6);
  out.writeUInt32LE(crc32(out.subarray(0, 8)), 8);
  let p = HEADER_LENGTH;
  for (const b of blocks) {
    out.set(b.bytes, p);
    p += b.bytes.length;
  }
  p = writeFilters(blocks, out, p);
  const tableOffset = p;
  out.writeUInt32LE(blocks.length, p);
  p += 4;
  let offset = HEADER_LENGTH;
  for (const { meta, bytes } of blocks) {
    out.writeBigInt64LE(meta.minTs, p);
    out.writeBigInt64LE(meta.maxTs, p + 8);
    out.writeUInt32LE(meta.entries, p + 16);
    out.writeUInt32LE(offset, p + 20);
    out.writeUInt32LE(bytes.length, p + 24);
    out.writeUInt32LE(meta.uncompressedLength, p + 28);
    out.writeUInt32LE(meta.rawBytes, p + 32);
    out.writeUInt32LE(meta.crc32, p + 36);
    out.writeUInt32LE(meta.columnsCrc32, p + 40);
    offset += bytes.length;
    p += TABLE_ENTRY_LENGTH;
  }
  out.writeUInt32LE(tableOffset, p);
  out.writeUInt32LE(crc32(out.subarray(tableOffset, p)), p + 4);
  return out;
}

/** kind u8, blockCount u32 and the trailing crc32 u32 of the filters. */
const FILTERS_FIXED_LENGTH = 9;

/** Writes the filters (see the layout) at `p`; returns the position after them. */
function writeFilters(blocks: readonly EncodedBlock[], out: Buffer, p: number): number {
  const start = p;
  out[p++] = FILTER_KIND_GRAMS;
  out.writeUInt32LE(blocks.length, p);
  p += 4;
  for (const { filter } of blocks) {
    out[p++] = filter === undefined ? 0 : bitsLog2(filter.hex);
    out[p++] = filter === undefined ? 0 : bitsLog2(filter.other);
  }
  for (const { filter } of blocks) {
    if (filter === undefined) continue;
    out.set(filter.hex, p);
    p += filter.hex.length;
    out.set(filter.other, p);
    p += filter.other.length;
  }
  out.writeUInt32LE(crc32(out.subarray(start, p)), p);
  return p + 4;
}

/**
 * Reads the filters of `count` blocks from `bytes` (all of them: they end where the table starts).
 * Their lengths are checked now, their crc32 once a filter is first asked.
 */
function readFilters(bytes: Buffer, count: number): GramFilter[] {
  if (bytes.length < FILTERS_FIXED_LENGTH + 2 * count) throw corrupt(`gram filters of ${bytes.length} bytes cannot describe ${count} blocks`);
  if (bytes[0] !== FILTER_KIND_GRAMS) throw corrupt(`unknown gram filter kind ${bytes[0]}`);
  if (bytes.readUInt32LE(1) !== count) throw corrupt(`gram filters for ${bytes.readUInt32LE(1)} blocks in a chunk of ${count}`);
  const body = bytes.subarray(0, bytes.length - 4);
  let checked = false;
  const verify = (): void => {
    if (checked) return;
    const crc = crc32(body);
    const stored = bytes.readUInt32LE(body.length);
    if (crc !== stored) throw corrupt(`gram filters checksum mismatch (stored ${hex32(stored)}, computed ${hex32(crc)})`);
    checked = true;
  };
  const arrayLength = (log2: number, i: number): number => {
    if (log2 === 0) return 0;
    if (log2 < MIN_BITS_LOG2 || log2 > MAX_BITS_LOG2) throw corrupt(`block ${i} gram filter of 2^${log2} bits is out of range`);
    return 1 << (log2 - 3);
  };
  const filters: GramFilter[] = [];
  let p = 5 + 2 * count;
  for (let i = 0; i < count; i++) {
    const hexLength = arrayLength(bytes[5 + 2 * i], i);
    const otherLength = arrayLength(bytes[6 + 2 * i], i);
    if (p + hexLength + otherLength > body.length) throw corrupt(`block ${i} gram filter runs past the filters' end`);
    filters.push(new GramFilter(body.subarray(p, p + hexLength), body.subarray(p + hexLength, p + hexLength + otherLength), verify));
    p += hexLength + otherLength;
  }
  if (p !== body.length) throw corrupt(`gram filters end at ${p} of ${body.length} bytes`);
  return filters;
}

/**
 * Checks a chunk's header, footer and table and returns its codec, block table and (from version 3)
 * each block's gram filter.
 */
export function readChunkLayout(data: Buffer): { codec: Codec; version: number; blocks: BlockMeta[]; filters: GramFilter[] | undefined } {
  const len = data.length;
  const minimum = HEADER_LENGTH + 4 + FOOTER_LENGTH;
  if (len < minimum) throw corrupt(`${len} bytes is too short for a chunk (at least ${minimum}; truncated?)`);
  if (!data.subarray(0, 4).equals(MAGIC)) throw corrupt(`bad magic number ${hex32(data.readUInt32BE(0))}, not a chunk`);
  const headerCrc = crc32(data.subarray(0, 8));
  if (headerCrc !== data.readUInt32LE(8))
    throw corrupt(`header checksum mismatch (stored ${hex32(data.readUInt32LE(8))}, computed ${hex32(headerCrc)})`);
  const version = data[4];
  if (version < OLDEST_VERSION || version > FORMAT_VERSION)
    throw corrupt(`unsupported format version ${version} (this reader knows ${OLDEST_VERSION} to ${FORMAT_VERSION})`);
  const codec = codecFromId(data[5]);
  if (codec === undefined) throw corrupt(`unknown codec id ${data[5]}`);

  const tableOffset = data.readUInt32LE(len - FOOTER_LENGTH);
  if (tableOffset < HEADER_LENGTH || tableOffset > len - FOOTER_LENGTH - 4)
    throw corrupt(`block table offset ${tableOffset} is out of range for a ${len}-byte chunk (truncated?)`);
  const table = data.subarray(tableOffset, len - FOOTER_LENGTH);
  const storedCrc = data.readUInt32LE(len - 4);
  const tableCrc = crc32(table);
  if (tableCrc !== storedCrc)
    throw corrupt(`block table checksum mismatch (stored ${hex32(storedCrc)}, computed ${hex32(tableCrc)}; truncated or damaged)`);
  const count = table.readUInt32LE(0);
  if (table.length !== 4 + TABLE_ENTRY_LENGTH * count)
    throw corrupt(`block table of ${table.length} bytes cannot hold ${count} blocks`);

  const blocks: BlockMeta[] = [];
  let expectedOffset = HEADER_LENGTH;
  for (let i = 0, p = 4; i < count; i++, p += TABLE_ENTRY_LENGTH) {
    const meta: BlockMeta = {
      minTs: table.readBigInt64LE(p),
      maxTs: table.readBigInt64LE(p + 8),
      entries: table.readUInt32LE(p + 16),
      offset: table.readUInt32LE(p + 20),
      length: table.readUInt32LE(p + 24),
      uncompressedLength: table.readUInt32LE(p + 28),
      rawBytes: table.readUInt32LE(p + 32),
      crc32: table.readUInt32LE(p + 36),
      columnsCrc32: table.readUInt32LE(p + 40),
    };
    if (meta.offset !== expectedOffset || meta.length < SECTION_SIZES_LENGTH || meta.offset + meta.length > tableOffset)
      throw corrupt(`block ${i} at offset ${meta.offset} with length ${meta.length} does not fit the chunk layout`);
    if (meta.entries === 0) throw corrupt(`block ${i} has no entries`);
    if (meta.maxTs < meta.minTs || meta.maxTs - meta.minTs > MAX_EXACT_SPAN_NS)
      throw corrupt(`block ${i} has an invalid time range ${meta.minTs}..${meta.maxTs}`);
    expectedOffset += meta.length;
    blocks.push(meta);
  }
  if (version < FILTERS_VERSION) {
    if (expectedOffset !== tableOffset) throw corrupt(`blocks end at ${expectedOffset} but the block table starts at ${tableOffset}`);
    return { codec, version, blocks, filters: undefined };
  }
  return { codec, version, blocks, filters: readFilters(data.subarray(expectedOffset, tableOffset), count) };
}

/**
 * Checks the part of a block sample reads use (section sizes, timestamps and lengths, and from format
 * version 4 the metadata) against the table's columnsCrc32 and the section sizes against the table;
 * returns where each compressed section starts.
 */
export function checkSections(bytes: Buffer, meta: BlockMeta, codec: Codec, index: number, version: number): number[] {
  const columnsLength = SECTION_SIZES_LENGTH + bytes.readUInt32LE(8 * SECTION_TIMESTAMPS) + bytes.readUInt32LE(8 * SECTION_LENGTHS);
  const metadataLength = bytes.readUInt32LE(8 * SECTION_METADATA);
  let crc: number | undefined;
  if (version < METADATA_IN_COLUMNS_VERSION) crc = columnsLength <= bytes.length ? crc32(bytes.subarray(0, columnsLength)) : undefined;
  else if (columnsLength <= bytes.length && metadataLength <= bytes.length)
    crc = crc32Of2(bytes.subarray(0, columnsLength), bytes.subarray(bytes.length - metadataLength));
  if (crc !== meta.columnsCrc32)
    throw corrupt(`block ${index} columns checksum mismatch (stored ${hex32(meta.columnsCrc32)}, computed ${crc === undefined ? 'none' : hex32(crc)})`);
  const starts: number[] = [];
  let p = SECTION_SIZES_LENGTH;
  let uncompressed = 0;
  for (let s = 0; s < SECTIONS; s++) {
    const c = bytes.readUInt32LE(8 * s);
    const u = bytes.readUInt32LE(8 * s + 4);
    if ((u === 0 && c !== 0) || (codec === 'none' && c !== u))
      throw corrupt(`block ${index} ${SECTION_NAMES[s]} section sizes ${c}/${u} are inconsistent`);
    starts.push(p);
    p += c;
    uncompressed += u;
  }
  if (p !== bytes.length || uncompressed !== meta.uncompressedLength)
    throw corrupt(`block ${index} section sizes do not add up to the block table's lengths`);
  return starts;
}

/** Checks a whole block against the table's crc32, before its lines or metadata are read. */
export function checkBlockCrc(bytes: Buffer, meta: BlockMeta, index: number): void {
  const crc = crc32(bytes);
  if (crc !== meta.crc32) throw corrupt(`block ${index} checksum mismatch (stored ${hex32(meta.crc32)}, computed ${hex32(crc)})`);
}

/** Decompresses section `s` of a block whose sections (and, for lines and metadata, whole CRC) were checked. */
export function readSection(bytes: Buffer, starts: readonly number[], s: number, codec: Codec, index: number): Buffer {
  const c = bytes.readUInt32LE(8 * s);
  const u = bytes.readUInt32LE(8 * s + 4);
  if (u === 0) return EMPTY;
  try {
    return decompressSection(codec, bytes.subarray(starts[s], starts[s] + c), u);
  } catch (err) {
    throw corrupt(`block ${index} ${SECTION_NAMES[s]} section does not decompress with ${codec}: ${(err as Error).message}`);
  }
}

/** Length in bytes of section `s` uncompressed. */
export function sectionLength(bytes: Buffer, s: number): number {
  return bytes.readUInt32LE(8 * s + 4);
}

/** Decodes the timestamps section into offsets from the block's minTs; `span` is maxTs - minTs. */
export function decodeTimestamps(section: Buffer, n: number, span: number, index: number): Float64Array {
  const out = new Float64Array(n);
  const end = section.length;
  let p = 0;
  let acc = 0;
  let i = 0;
  for (; i < n; i++) {
    if (p >= end) break;
    let b = section[p++];
    let v = b & 127;
    if (b > 127) {
      let mul = 128;
      do {
        if (p >= end || mul > 0x2000000000000) throw corrupt(`block ${index} timestamps section holds a bad varint`);
        b = section[p++];
        v += (b & 127) * mul;
        mul *= 128;
      } while (b > 127);
    }
    acc += v;
    if (acc > span) break;
    out[i] = acc;
  }
  if (i !== n || p !== end || acc !== span || out[0] !== 0)
    throw corrupt(`block ${index} timestamps section does not match the block table's time range and entry count`);
  return out;
}

/** Decodes the lengths section; `linesLength` is the lines section's uncompressed length. */
export function decodeLengths(section: Buffer, n: number, linesLength: number, index: number): Uint32Array {
  const out = new Uint32Array(n);
  const end = section.length;
  let p = 0;
  let sum = 0;
  let i = 0;
  for (; i < n; i++) {
    if (p >= end) break;
    let b = section[p++];
    let v = b & 127;
    if (b > 127) {
      let mul = 128;
      do {
        if (p >= end || mul > 0x10000000) throw corrupt(`block ${index} lengths section holds a bad varint`);
        b = section[p++];
        v += (b & 127) * mul;
        mul *= 128;
      } while (b > 127);
    }
    sum += v;
    if (sum > linesLength) break;
    out[i] = v;
  }
  if (i !== n || p !== end || sum !== linesLength) throw corrupt(`block ${index} lengths section does not match its lines section`);
  return out;
}

/** Reads varints and strings of the metadata section, failing cleanly at its end. */
class MetadataReader {
  position = 0;

  constructor(
    private readonly section: Buffer,
    private readonly index: number,
  ) {}

  uvarint(): number {
    let v = 0;
    let mul = 1;
    let b: number;
    do {
      if (this.position >= this.section.length || mul > 0x10000000) throw this.bad();
      b = this.section[this.position++];
      v += (b & 127) * mul;
      mul *= 128;
    } while (b > 127);
    return v;
  }

  string(): string {
    const len = this.uvarint();
    const end = this.position + len;
    if (end > this.section.length) throw this.bad();
    const s = this.section.toString('utf8', this.position, end);
    this.position = end;
    return s;
  }

  skipString(): void {
    const len = this.uvarint();
    if (this.position + len > this.section.length) throw this.bad();
    this.position += len;
  }

  skipPairs(pairs: number): void {
    for (; pairs > 0; pairs--) {
      this.skipString();
      this.skipString();
    }
  }

  /** Reads one entry's code (see the layout): the number of pairs that follow, 0 for none, -1 for a repeat. */
  code(version: number): number {
    const c = this.uvarint();
    if (version === 1 || c === METADATA_NONE) return c;
    return c === METADATA_REPEAT ? -1 : c - 1;
  }

  private bad(): CorruptDataError {
    return corrupt(`block ${this.index} metadata section ends early or holds a bad varint`);
  }
}

/**
 * Decodes the structured metadata of entries lo..hi-1 from a non-empty metadata section of a chunk of
 * format `version`. Entries with equal metadata (repeats, or equal bytes) share one Labels object.
 */
export function decodeMetadata(section: Buffer, lo: number, hi: number, index: number, version: number): (Labels | undefined)[] {
  const r = new MetadataReader(section, index);
  const out: (Labels | undefined)[] = new Array(hi - lo);
  // The latest entry with metadata: its record's pairs (start..end) and, once needed, its Labels.
  let previous: Labels | undefined;
  let previousStart = -1;
  let previousEnd = 0;
  for (let i = 0; i < hi; i++) {
    const pairs = r.code(version);
    if (pairs === 0) {
      if (i >= lo) out[i - lo] = undefined;
      continue;
    }
    if (pairs < 0) {
      if (previousStart < 0) throw corrupt(`block ${index} metadata section repeats metadata before any was written`);
      if (i >= lo) {
        if (previous === undefined) previous = pairsAt(r, previousStart, previousEnd);
        out[i - lo] = previous;
      }
      continue;
    }
    const start = r.position;
    r.skipPairs(pairs);
    const end = r.position;
    const same = previousStart >= 0 && end - start === previousEnd - previousStart && sameBytes(section, start, previousStart, end - start);
    if (!same) {
      previous = undefined;
      previousStart = start;
      previousEnd = end;
    }
    if (i >= lo) {
      if (previous === undefined) previous = pairsAt(r, start, end);
      out[i - lo] = previous;
    }
  }
  return out;
}

/** The pairs of the record whose pairs lie at start..end (the pair count is their own to find). */
function pairsAt(r: MetadataReader, start: number, end: number): Labels {
  const resume = r.position;
  r.position = start;
  const md: Label[] = [];
  while (r.position < end) {
    const name = r.string();
    md.push({ name, value: r.string() });
  }
  r.position = resume;
  return md;
}

function sameBytes(buf: Buffer, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}
