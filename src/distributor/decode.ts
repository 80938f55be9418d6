// Turns a push request body into a PushPayload exactly as Loki's distributor reads it: content
// encoding, media type, snappy+protobuf or JSON, size limits. Pure; throws only typed model errors.
import { goQuote } from '../model/labels.js';
import { TooLargeError, ValidationError } from '../model/errors.js';
import { checkGzipHeader, CompressionError, decompressBody, DecompressedTooLargeError } from './body-compression.js';
import { MediaTypeError, parseMediaType } from './media-type.js';
import { requestBodyTooLarge } from './push-errors.js';
import { decodePushJsonLegacy, decodePushJsonV1, JsonPushError } from './push-json.js';
import type { PushPayload } from './push-payload.js';
import { decodePushProtobuf, ProtobufError } from './push-protobuf.js';
import { decodeSnappyBlock, snappyDecodedLength, SnappyError } from './snappy.js';

export type { PushPayload, PushStream } from './push-payload.js';

export interface DecodeOptions {
  contentType: string | undefined;
  contentEncoding: string | undefined;
  /** True on /api/prom/push: JSON bodies use the legacy gogoproto shape. */
  legacyJson: boolean;
  /** Largest body accepted as received (compressed); 0 = no limit. */
  maxRecvMsgSize: number;
  /** Largest body accepted after gzip/deflate/snappy decompression; 0 = no limit. */
  maxDecompressedSize: number;
}

const MALFORMED_BODY_ERRORS = [CompressionError, MediaTypeError, JsonPushError, ProtobufError, SnappyError];

/**
 * Decodes a push body. Malformed bodies → ValidationError (400), oversized ones → TooLargeError
 * (413), with Loki's texts; any other failure is a bug.
 */
export function decodePushRequest(body: Buffer, opts: DecodeOptions): PushPayload {
  try {
    return decode(body, opts);
  } catch (err) {
    if (MALFORMED_BODY_ERRORS.some((type) => err instanceof type)) throw new ValidationError((err as Error).message);
    throw err;
  }
}

function decode(body: Buffer, opts: DecodeOptions): PushPayload {
  const encoding = opts.contentEncoding ?? '';
  if (encoding !== '' && encoding !== 'snappy' && encoding !== 'gzip' && encoding !== 'deflate')
    throw new ValidationError(`Content-Encoding ${goQuote(encoding)} not supported`);
  // Go's gzip reader reads the header when it is created, before the media type is looked at.
  if (encoding === 'gzip') checkGzipHeader(body);
  const compression = encoding === 'gzip' || encoding === 'deflate' ? encoding : undefined;
  if (parseMediaType(opts.contentType ?? '') === 'application/json') return decodeJson(body, compression, opts);
  return decodeProtobuf(body, compression, opts);
}

function inflate(body: Buffer, compression: 'gzip' | 'deflate' | undefined, maxSize: number): Buffer {
  if (compression === undefined) return body;
  try {
    return decompressBody(body, compression, maxSize);
  } catch (err) {
    // Go reads the inflated body through a reader limited to max+1 bytes, so that is the size it reports.
    if (err instanceof DecompressedTooLargeError)
      throw new TooLargeError(requestBodyTooLarge('decompressed message size too large', maxSize + 1, maxSize));
    throw err;
  }
}

function decodeJson(body: Buffer, compression: 'gzip' | 'deflate' | undefined, opts: DecodeOptions): PushPayload {
  // The size limits are checked before a decoding error is reported: an oversized body was cut short.
  const maxRecv = opts.maxRecvMsgSize;
  if (maxRecv > 0 && body.length > maxRecv)
    throw new TooLargeError(requestBodyTooLarge('message size too large', maxRecv + 1, maxRecv));
  const text = inflate(body, compression, opts.maxDecompressedSize).toString('utf8');
  return opts.legacyJson ? decodePushJsonLegacy(text) : decodePushJsonV1(text);
}

function decodeProtobuf(body: Buffer, compression: 'gzip' | 'deflate' | undefined, opts: DecodeOptions): PushPayload {
  const maxRecv = opts.maxRecvMsgSize;
  const maxDecompressed = opts.maxDecompressedSize;
  if (maxRecv > 0 && body.length > maxRecv)
    throw new TooLargeError(requestBodyTooLarge('message size too large', body.length, maxRecv));
  const snappy = inflate(body, compression, maxDecompressed);
  if (maxRecv > 0 && snappy.length > maxRecv)
    throw new TooLargeError(requestBodyTooLarge('message size too large', maxRecv + 1, maxRecv));
  const [decodedLength] = snappyDecodedLength(snappy);
  if (maxDecompressed > 0 && decodedLength > maxDecompressed)
    throw new TooLargeError(requestBodyTooLarge('decompressed message size too large', decodedLength, maxDecompressed));
  return decodePushProtobuf(decodeSnappyBlock(snappy));
}
