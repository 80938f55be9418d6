// The inner loop of building a block's gram filter (gram-filter.ts), as a small WebAssembly function:
// the same hashed 4-grams set the same bits as the JavaScript loop, about three times faster, with no
// bounds check per byte. The module is assembled from named opcodes (wasm/assembler.ts; no binary is
// checked in) and compiled once; without WebAssembly the JavaScript loop runs. Pure: bytes in, bit arrays out.
//
// Memory layout: the hex-gram bit array at [0, 2048), the other grams' at [2048, 4096), a 256-byte
// table of the lowercase hex digits, the lines from LINES_AT on. grams(n, shift) hashes the n bytes of
// lines as the JavaScript loop does.
import { assembleModule, ensureMemory, get, i32, instantiate, op, set, uleb, VOID, type WasmMemory } from '../wasm/assembler.js';

/** Bytes of each bit array (2^14 bits, gram-filter.ts's BUILD_BITS_LOG2). */
export const WASM_BITS_BYTES = 2048;
/** 256 bytes: 1 for the lowercase hex digits' codes. */
const HEX_TABLE_AT = 2 * WASM_BITS_BYTES;
const LINES_AT = HEX_TABLE_AT + 256;

/** Parameters and locals of grams(). */
const N = 0;
const SHIFT = 1;
const I = 2;
const G = 3;
const HM = 4;
const B = 5;
const IDX = 6;
const ADDR = 7;

/** The gram hash multiplier (gram-filter.ts) as a signed 32-bit constant. */
const MULTIPLIER = 0x9e3779b1 | 0;

function gramsCode(): number[] {
  const c = i32;
  // b = lines[i]; g = (g << 8) | b; hm = ((hm << 1) | isLowerHex[b]) & 15
  const shiftIn = [
    ...get(I), op.load8u, 0, ...uleb(LINES_AT), ...set(B),
    ...get(G), ...c(8), op.shl, ...get(B), op.or, ...set(G),
    ...get(HM), ...c(1), op.shl, ...get(B), op.load8u, 0, ...uleb(HEX_TABLE_AT), op.or, ...c(15), op.and, ...set(HM),
  ];
  const next = [...get(I), ...c(1), op.add, ...set(I)];
  const setBit = [
    // idx = (g * multiplier) >>> shift
    ...get(G), ...c(MULTIPLIER), op.mul, ...get(SHIFT), op.shrU, ...set(IDX),
    // addr = (idx >>> 3) + (hm == 15 ? 0 : 2048)
    ...get(IDX), ...c(3), op.shrU,
    ...c(0), ...c(WASM_BITS_BYTES), ...get(HM), ...c(15), op.eq, op.select,
    op.add, op.localTee, ADDR,
    // mem[addr] |= 1 << (idx & 7)
    ...get(ADDR), op.load8u, 0, 0,
    ...c(1), ...get(IDX), ...c(7), op.and, op.shl, op.or,
    op.store8, 0, 0,
  ];
  /** One byte: into the gram, its bit set, on to the next. */
  const step = [...shiftIn, ...setBit, ...next];
  const code = [
    op.block, VOID, // done
    op.block, VOID, // the first three bytes only fill the gram
    op.loop, VOID,
    ...get(I), ...c(3), op.geU, op.brIf, 1,
    ...get(I), ...get(N), op.geU, op.brIf, 2,
    ...shiftIn,
    ...next,
    op.br, 0,
    op.end,
    op.end,
    // two bytes a round while two are left, then the last one
    op.block, VOID,
    op.loop, VOID,
    ...get(I), ...c(1), op.add, ...get(N), op.geU, op.brIf, 1,
    ...step,
    ...step,
    op.br, 0,
    op.end,
    op.end,
    op.loop, VOID,
    ...get(I), ...get(N), op.geU, op.brIf, 1,
    ...step,
    op.br, 0,
    op.end,
    op.end,
  ];
  return code;
}

interface GramsExports {
  grams(n: number, shift: number): void;
  mem: WasmMemory;
}

let instance: GramsExports | null | undefined;

function load(): GramsExports | null {
  if (instance === undefined) {
    const exports = instantiate<GramsExports>(assembleModule([{ name: 'grams', params: 2, results: 0, locals: 6, code: gramsCode() }]));
    if (exports !== undefined) {
      const table = new Uint8Array(exports.mem.buffer, HEX_TABLE_AT, 256);
      for (const ch of '0123456789abcdef') table[ch.charCodeAt(0)] = 1;
    }
    instance = exports ?? null;
  }
  return instance;
}

/**
 * Sets the bits of every 4-gram of `lines` in two fresh 2048-byte arrays (hex grams, others), with
 * index (gram * multiplier) >>> shift; undefined when WebAssembly is not available.
 */
export function hashGramsWasm(lines: Uint8Array, shift: number): { hex: Uint8Array; other: Uint8Array } | undefined {
  const wasm = load();
  if (wasm === null) return undefined;
  ensureMemory(wasm.mem, LINES_AT + lines.length);
  const mem = new Uint8Array(wasm.mem.buffer);
  mem.fill(0, 0, HEX_TABLE_AT);
  mem.set(lines, LINES_AT);
  wasm.grams(lines.length, shift);
  return { hex: mem.slice(0, WASM_BITS_BYTES), other: mem.slice(WASM_BITS_BYTES, HEX_TABLE_AT) };
}
