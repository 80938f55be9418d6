// CRC-32 (IEEE, as Go's crc32.ChecksumIEEE) over chunk bytes. Pure: never allocates or copies.
import zlib from 'node:zlib';

export function crc32(bytes: Uint8Array): number {
  return zlib.crc32(bytes) >>> 0;
}

export function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}
