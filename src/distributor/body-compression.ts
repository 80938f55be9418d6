// gzip and raw-DEFLATE request bodies (Content-Encoding gzip/deflate), with Go's compress/gzip and
// compress/flate error texts and a cap on the decompressed size. Pure apart from zlib calls.
import { constants as bufferConstants } from 'node:buffer';
import { gunzipSync, inflateRawSync } from 'node:zlib';

export class CompressionError extends Error {}

/** The body inflates past the allowed size. */
export class DecompressedTooLargeError extends Error {}

const GZIP_ID1 = 0x1f;
const GZIP_ID2 = 0x8b;
const GZIP_DEFLATE = 8;

/** What Go's gzip.NewReader rejects before any data is read: a missing or wrong 10-byte header. */
export function checkGzipHeader(body: Buffer): void {
  if (body.length === 0) throw new CompressionError('EOF');
  if (body.length < 10) throw new CompressionError('unexpected EOF');
  if (body[0] !== GZIP_ID1 || body[1] !== GZIP_ID2 || body[2] !== GZIP_DEFLATE)
    throw new CompressionError('gzip: invalid header');
}

/** Inflates a gzip or raw DEFLATE body; `maxSize` 0 means no limit. */
export function decompressBody(body: Buffer, encoding: 'gzip' | 'deflate', maxSize: number): Buffer {
  // zlib refuses a maxOutputLength above the largest Buffer, so cap the limit there.
  const options = maxSize > 0 ? { maxOutputLength: Math.min(maxSize + 1, bufferConstants.MAX_LENGTH) } : {};
  let out: Buffer;
  try {
    out = encoding === 'gzip' ? gunzipSync(body, options) : inflateRawSync(body, options);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE') throw new DecompressedTooLargeError();
    if (e.code === 'Z_BUF_ERROR') throw new CompressionError('unexpected EOF');
    if (/incorrect (data|length) check/.test(e.message)) throw new CompressionError('gzip: invalid checksum');
    if (/header/.test(e.message)) throw new CompressionError('gzip: invalid header');
    throw new CompressionError('flate: corrupt input');
  }
  if (maxSize > 0 && out.length > maxSize) throw new DecompressedTooLargeError();
  return out;
}
