// CRC-32 (IEEE, as Go's crc32.ChecksumIEEE) over chunk bytes. Pure: never allocates or copies.
import zlib from 'node:zlib';

export function crc32(bytes: Uint8Array): number {
  return zlib.crc32(bytes) >>> 0;
}

/** The CRC-32 of `first` followed by `second` (two ranges that do not lie side by side). */
export function crc32Of2(first: Uint8Array, second: Uint8Array): number {
  return zlib.crc32(second, zlib.crc32(first)) >>> 0;
}

export function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}
