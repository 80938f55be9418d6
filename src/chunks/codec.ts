// Section compression for chunk blocks (snappy block format compressed by snappyjs and expanded by our checked
// decoder, gzip, none) and the codecs' on-disk ids. Never hands back bytes it could not decode to the expected length.
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

/** Compresses one section. For `none` the input itself is returned (callers copy it out). */
export function compressSection(codec: Codec, data: Buffer): Buffer {
  switch (codec) {
    case 'snappy':
      return snappy.compress(data);
    case 'gzip':
      return zlib.gzipSync(data);
    case 'none':
      return data;
  }
}

/** Decompresses one section; throws an Error when the stream is invalid or its length is not `length`. */
export function decompressSection(codec: Codec, data: Buffer, length: number): Buffer {
  let out: Buffer;
  switch (codec) {
    case 'snappy':
      out = uncompressSnappyBlock(data, length);
      break;
    case 'gzip':
      out = zlib.gunzipSync(data, { maxOutputLength: Math.max(length, 1) });
      break;
    case 'none':
      out = data;
      break;
  }
  if (out.length !== length) throw new Error(`decompressed to ${out.length} bytes, expected ${length}`);
  return out;
}
