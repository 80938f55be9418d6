// Unsigned LEB128 varints for integers up to 2^53 - 1 (exact as JS numbers). Writers only; readers are
// inlined in the decoding loops that need them. Never writes past what the caller sized for.

/** Upper bound of bytes one varint of a value below 2^53 takes. */
export const MAX_UVARINT_BYTES = 8;

/** Writes `v` (integer, 0 <= v < 2^53) at `pos` and returns the position after it. */
export function writeUvarint(buf: Uint8Array, pos: number, v: number): number {
  while (v > 0x7fffffff) {
    buf[pos++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  while (v > 127) {
    buf[pos++] = (v & 127) | 128;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}
