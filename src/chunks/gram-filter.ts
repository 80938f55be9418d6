// Per-block n-gram filters: every 4-byte gram of a block's lines, hashed into two bit arrays (grams made
// of lowercase hex digits only, which ids and numbers saturate, and all others), so that a read can rule a
// block out for a needle without decompressing it. Pure; never rules out a block that holds the needle.
//
// A needle of GRAM bytes or more is in a block only if each of its grams is; a gram of a class whose bit
// array is missing (too full to be worth storing) is never checked. Blocks hash grams spanning two lines
// too: more bits set, never fewer.

import { hashGramsWasm, WASM_BITS_BYTES } from './gram-hash-wasm.js';

/** Bytes per gram. */
export const GRAM = 4;
/** Multiplier of the gram hash (the golden-ratio constant); an index is the top bits of the product. */
const HASH_MULTIPLIER = 0x9e3779b1;
/** The smallest and largest bit arrays the format allows, as log2 of their bits. */
export const MIN_BITS_LOG2 = 6;
export const MAX_BITS_LOG2 = 24;
/** The bit arrays a block filter starts from before folding: 2 KiB each. */
const BUILD_BITS_LOG2 = 14;
if (1 << (BUILD_BITS_LOG2 - 3) !== WASM_BITS_BYTES) throw new Error('gram filter build size and its WebAssembly loop disagree');
/** Fold (halve) an array while the halved one stays at most this full: hex grams tolerate more, needles hold many. */
const HEX_FOLD_FILL = 0.8;
const OTHER_FOLD_FILL = 0.65;
/** An array fuller than this rules out too little to be stored. */
const USELESS_FILL = 0.95;

const IS_HEX = new Uint8Array(256);
for (const c of '0123456789abcdef') IS_HEX[c.charCodeAt(0)] = 1;

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >>> 1];

/** Bits 2i and 2i+1 of a byte ORed into bit i of a nibble: one byte of a bit array halved. */
const PAIR_OR = new Uint8Array(256);
for (let i = 0; i < 256; i++) for (let b = 0; b < 4; b++) if ((i >>> (2 * b)) & 3) PAIR_OR[i] |= 1 << b;

/** Which array a gram goes to: the hex one when all its GRAM bytes are lowercase hex digits. */
const HEX_GRAM = (1 << GRAM) - 1;

function setBits(bits: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) n += POPCOUNT[bits[i]];
  return n;
}

/** The array of half the bits: bit j is bit 2j | bit 2j+1 (an index of log2 - 1 bits is the old index >>> 1). */
function halved(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(bits.length >>> 1);
  for (let m = 0; m < out.length; m++) out[m] = PAIR_OR[bits[2 * m]] | (PAIR_OR[bits[2 * m + 1]] << 4);
  return out;
}

/** Halves a bit array while it stays at most `maxFill` full; an empty array when it is too full to rule anything out. */
function folded(bits: Uint8Array, maxFill: number): Uint8Array {
  let set = setBits(bits);
  while (bits.length > 1 << (MIN_BITS_LOG2 - 3)) {
    const half = halved(bits);
    const halfSet = setBits(half);
    if (halfSet > maxFill * half.length * 8) break;
    bits = half;
    set = halfSet;
  }
  return set > USELESS_FILL * bits.length * 8 ? new Uint8Array(0) : bits;
}

/** log2 of an array's bits; 0 for a missing array. */
export function bitsLog2(bits: Uint8Array): number {
  return bits.length === 0 ? 0 : 31 - Math.clz32(bits.length * 8);
}

/**
 * A block's gram filter: two bit arrays of 2^k bits each (k between MIN_BITS_LOG2 and MAX_BITS_LOG2) or
 * empty (not stored). Gram g sets bit (g * HASH_MULTIPLIER mod 2^32) >>> (32 - k), bit i being bit i % 8 of byte i / 8.
 */
export class GramFilter {
  constructor(
    readonly hex: Uint8Array,
    readonly other: Uint8Array,
    /** Verifies the stored bytes (once) before the first answer; throws when they are damaged. */
    private readonly verify?: () => void,
  ) {}

  /** Bytes the two arrays take. */
  get byteLength(): number {
    return this.hex.length + this.other.length;
  }

  /** False only when no line of the block can contain `needle`; needles shorter than GRAM always may. */
  mayContain(needle: Uint8Array): boolean {
    if (needle.length < GRAM) return true;
    this.verify?.();
    const hexShift = 32 - bitsLog2(this.hex);
    const otherShift = 32 - bitsLog2(this.other);
    let g = 0;
    let hm = 0;
    for (let i = 0; i < needle.length; i++) {
      const b = needle[i];
      g = (g << 8) | b;
      hm = ((hm << 1) | IS_HEX[b]) & HEX_GRAM;
      if (i < GRAM - 1) continue;
      const h = Math.imul(g, HASH_MULTIPLIER) >>> 0;
      const bits = hm === HEX_GRAM ? this.hex : this.other;
      if (bits.length === 0) continue;
      const idx = h >>> (hm === HEX_GRAM ? hexShift : otherShift);
      if ((bits[idx >>> 3] & (1 << (idx & 7))) === 0) return false;
    }
    return true;
  }

  /** Whether the block may hold a line containing every needle. */
  admits(needles: readonly Uint8Array[]): boolean {
    for (const n of needles) if (!this.mayContain(n)) return false;
    return true;
  }
}

/** Sets the bits of every gram of `lines` in the two arrays (the JavaScript loop gram-hash-wasm.ts mirrors). */
function hashGrams(lines: Uint8Array, hex: Uint8Array, other: Uint8Array, shift: number): void {
  let g = 0;
  let hm = 0;
  const n = lines.length;
  for (let i = 0; i < n && i < GRAM - 1; i++) {
    g = (g << 8) | lines[i];
    hm = ((hm << 1) | IS_HEX[lines[i]]) & HEX_GRAM;
  }
  for (let i = GRAM - 1; i < n; i++) {
    const b = lines[i];
    g = (g << 8) | b;
    hm = ((hm << 1) | IS_HEX[b]) & HEX_GRAM;
    const idx = Math.imul(g, HASH_MULTIPLIER) >>> shift;
    if (hm === HEX_GRAM) hex[idx >>> 3] |= 1 << (idx & 7);
    else other[idx >>> 3] |= 1 << (idx & 7);
  }
}

/** The bit arrays of a block's lines before folding, built in WebAssembly when it is available. */
export function unfoldedGramBits(lines: Uint8Array, useWasm = true): { hex: Uint8Array; other: Uint8Array } {
  const shift = 32 - BUILD_BITS_LOG2;
  const fast = useWasm ? hashGramsWasm(lines, shift) : undefined;
  if (fast !== undefined) return fast;
  const hex = new Uint8Array(1 << (BUILD_BITS_LOG2 - 3));
  const other = new Uint8Array(1 << (BUILD_BITS_LOG2 - 3));
  hashGrams(lines, hex, other, shift);
  return { hex, other };
}

/** The gram filter of a block's lines section (the lines' bytes back to back). */
export function buildGramFilter(lines: Uint8Array): GramFilter {
  const { hex, other } = unfoldedGramBits(lines);
  return new GramFilter(folded(hex, HEX_FOLD_FILL), folded(other, OTHER_FOLD_FILL));
}
