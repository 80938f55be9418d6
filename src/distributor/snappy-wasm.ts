// Snappy block decoding in WebAssembly: the tag loop of snappy.ts's decodeSnappyBlock with the same
// checks, literals and non-overlapping copies moved with memory.copy. Assembled from named opcodes
// (wasm/assembler.ts) and compiled once; snappy.ts falls back to its JavaScript loop without
// WebAssembly and for bodies above WASM_MAX_BYTES. Pure: bytes in, bytes out.
//
// decode(s, end, dst, length): the tags at [s, end) of the module's memory expand to `length` bytes at
// dst (the regions do not overlap); returns 0, or 1 when the input is corrupt.
import { assembleModule, ensureMemory, get, i32, instantiate, MEMORY_COPY, op, set, tee, VOID, type WasmMemory } from '../wasm/assembler.js';

/** Input plus output above this go through the JavaScript loop (the module's memory never shrinks). */
export const WASM_MAX_BYTES = 64 * 1024 * 1024;

const S = 0;
const END = 1;
const DST = 2;
const LENGTH = 3;
const D = 4;
const TAG = 5;
const X = 6;
const EXTRA = 7;
const LEN = 8;
const OFF = 9;
const FROM = 10;
const STOP = 11;
const KIND = 12;
const LOCALS = 9;

const fail = [...i32(1), op.return];
/** if (a >u b) fail, for the instructions pushing a and b. */
const failIfAbove = (a: number[], b: number[]): number[] => [...a, ...b, op.gtU, op.if, VOID, ...fail, op.end];
/** if (a >=u b) fail. */
const failIfAtLeast = (a: number[], b: number[]): number[] => [...a, ...b, op.geU, op.if, VOID, ...fail, op.end];
const load8 = (address: number[]): number[] => [...address, op.load8u, 0, 0];
const add = (local: number, n: number[]): number[] => [...get(local), ...n, op.add, ...set(local)];

function decodeCode(): number[] {
  const literal = [
    // x = tag >>> 2: the literal's length - 1, or how many bytes hold it (60..63 → 1..4)
    ...get(TAG), ...i32(2), op.shrU, ...set(X),
    ...get(X), ...i32(60), op.ltU,
    op.if, VOID,
    ...add(S, i32(1)),
    op.else,
    ...get(X), ...i32(59), op.sub, ...set(EXTRA),
    ...get(S), ...i32(1), op.add, ...get(EXTRA), op.add, ...set(S),
    ...failIfAbove(get(S), get(END)),
    ...load8([...get(S), ...get(EXTRA), op.sub]), ...set(X),
    ...get(EXTRA), ...i32(1), op.gtU, op.if, VOID,
    ...get(X), ...load8([...get(S), ...get(EXTRA), op.sub, ...i32(1), op.add]), ...i32(8), op.shl, op.or, ...set(X),
    op.end,
    ...get(EXTRA), ...i32(2), op.gtU, op.if, VOID,
    ...get(X), ...load8([...get(S), ...get(EXTRA), op.sub, ...i32(2), op.add]), ...i32(16), op.shl, op.or, ...set(X),
    op.end,
    ...get(EXTRA), ...i32(3), op.gtU, op.if, VOID,
    ...get(X), ...load8([...get(S), ...i32(1), op.sub]), ...i32(24), op.shl, op.or, ...set(X),
    op.end,
    op.end,
    // literal = x + 1 must fit the output left and the input left (x >= left, unsigned)
    ...failIfAtLeast(get(X), [...get(LENGTH), ...get(D), op.sub]),
    ...failIfAtLeast(get(X), [...get(END), ...get(S), op.sub]),
    ...get(X), ...i32(1), op.add, ...set(LEN),
    ...get(DST), ...get(D), op.add, ...get(S), ...get(LEN), ...MEMORY_COPY,
    ...add(D, get(LEN)),
    ...add(S, get(LEN)),
  ];
  const copyTag = [
    ...get(KIND), ...i32(1), op.eq,
    op.if, VOID,
    // 1-byte offset: length 4..11, offset (tag & 0xe0) << 3 | next byte
    ...add(S, i32(2)),
    ...failIfAbove(get(S), get(END)),
    ...get(TAG), ...i32(2), op.shrU, ...i32(7), op.and, ...i32(4), op.add, ...set(LEN),
    ...get(TAG), ...i32(0xe0), op.and, ...i32(3), op.shl, ...load8([...get(S), ...i32(1), op.sub]), op.or, ...set(OFF),
    op.else,
    ...get(KIND), ...i32(2), op.eq,
    op.if, VOID,
    // 2-byte offset
    ...add(S, i32(3)),
    ...failIfAbove(get(S), get(END)),
    ...get(TAG), ...i32(2), op.shrU, ...i32(1), op.add, ...set(LEN),
    ...load8([...get(S), ...i32(2), op.sub]), ...load8([...get(S), ...i32(1), op.sub]), ...i32(8), op.shl, op.or, ...set(OFF),
    op.else,
    // 4-byte offset
    ...add(S, i32(5)),
    ...failIfAbove(get(S), get(END)),
    ...get(TAG), ...i32(2), op.shrU, ...i32(1), op.add, ...set(LEN),
    ...get(S), ...i32(4), op.sub, op.load, 0, 0, ...set(OFF),
    op.end,
    op.end,
    // offset 0, before the output's start, or a copy past its end: corrupt
    ...get(OFF), op.eqz, op.if, VOID, ...fail, op.end,
    ...failIfAbove(get(OFF), get(D)),
    ...failIfAbove(get(LEN), [...get(LENGTH), ...get(D), op.sub]),
    ...get(OFF), ...get(LEN), op.geU,
    op.if, VOID,
    // the source ends before the copy starts: one move
    ...get(DST), ...get(D), op.add, ...tee(FROM), ...get(FROM), ...get(OFF), op.sub, ...get(LEN), ...MEMORY_COPY,
    ...add(D, get(LEN)),
    op.else,
    // overlapping: byte by byte, repeating the last `offset` bytes
    ...get(DST), ...get(D), op.add, ...get(OFF), op.sub, ...set(FROM),
    ...get(D), ...get(LEN), op.add, ...set(STOP),
    op.block, VOID,
    op.loop, VOID,
    ...get(D), ...get(STOP), op.geU, op.brIf, 1,
    ...get(DST), ...get(D), op.add, ...load8(get(FROM)), op.store8, 0, 0,
    ...add(D, i32(1)),
    ...add(FROM, i32(1)),
    op.br, 0,
    op.end,
    op.end,
    op.end,
  ];
  return [
    op.block, VOID,
    op.loop, VOID,
    ...get(S), ...get(END), op.geU, op.brIf, 1,
    ...load8(get(S)), ...set(TAG),
    ...get(TAG), ...i32(3), op.and, ...tee(KIND), op.eqz,
    op.if, VOID,
    ...literal,
    op.br, 1,
    op.end,
    ...copyTag,
    op.br, 0,
    op.end,
    op.end,
    ...get(D), ...get(LENGTH), op.ne, op.if, VOID, ...fail, op.end,
    ...i32(0),
  ];
}

interface SnappyExports {
  decode(s: number, end: number, dst: number, length: number): number;
  mem: WasmMemory;
}

let instance: SnappyExports | null | undefined;

function load(): SnappyExports | null {
  if (instance === undefined) {
    instance = instantiate<SnappyExports>(assembleModule([{ name: 'decode', params: 4, results: 1, locals: LOCALS, code: decodeCode() }])) ?? null;
  }
  return instance;
}

/**
 * Expands the tags of `src` from `from` on into `length` bytes; false when the input is corrupt,
 * undefined when WebAssembly is not available or the sizes are above WASM_MAX_BYTES.
 */
export function decodeSnappyTagsWasm(src: Uint8Array, from: number, length: number): Buffer | false | undefined {
  const input = src.length - from;
  const dstAt = (input + 7) & ~7;
  if (dstAt + length > WASM_MAX_BYTES) return undefined;
  const wasm = load();
  if (wasm === null) return undefined;
  ensureMemory(wasm.mem, dstAt + length);
  const mem = new Uint8Array(wasm.mem.buffer);
  mem.set(src.subarray(from), 0);
  if (wasm.decode(0, input, dstAt, length) !== 0) return false;
  const out = Buffer.allocUnsafe(length);
  out.set(mem.subarray(dstAt, dstAt + length));
  return out;
}
