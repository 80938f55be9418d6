// A tiny WebAssembly assembler: opcodes by name, LEB128 integers and the sections of a module with
// one memory and some functions, so hot loops can be written as readable instruction lists and no
// binary is checked in. Pure; modules are compiled by their users.

export const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  load: 0x28,
  load8u: 0x2d,
  store: 0x36,
  store8: 0x3a,
  i32Const: 0x41,
  eqz: 0x45,
  eq: 0x46,
  ne: 0x47,
  ltU: 0x49,
  gtU: 0x4b,
  geU: 0x4f,
  add: 0x6a,
  sub: 0x6b,
  mul: 0x6c,
  and: 0x71,
  or: 0x72,
  shl: 0x74,
  shrU: 0x76,
} as const;

/** memory.copy (bulk memory): [dst, src, n] on the stack. */
export const MEMORY_COPY = [0xfc, 0x0a, 0x00, 0x00];
/** Block type of a block, loop or if without results. */
export const VOID = 0x40;
export const I32 = 0x7f;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** Instruction helpers over i32 locals. */
export const get = (local: number): number[] => [op.localGet, local];
export const set = (local: number): number[] => [op.localSet, local];
export const tee = (local: number): number[] => [op.localTee, local];
export const i32 = (v: number): number[] => [op.i32Const, ...sleb(v | 0)];

export interface WasmFunction {
  name: string;
  params: number;
  /** 0 or 1 (an i32). */
  results: number;
  /** Extra i32 locals after the parameters. */
  locals: number;
  /** The instructions, without the function's final `end`. */
  code: number[];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Buffer.from(s, 'latin1')];
}

/** A module with one exported memory (`mem`, one page to start) and the functions, exported by name. */
export function assembleModule(functions: readonly WasmFunction[]): Uint8Array {
  const types = functions.flatMap((f) => [0x60, f.params, ...new Array<number>(f.params).fill(I32), f.results, ...(f.results ? [I32] : [])]);
  const exports = [...functions.flatMap((f, i) => [...name(f.name), 0x00, i]), ...name('mem'), 0x02, 0];
  const bodies = functions.flatMap((f) => {
    const body = [...(f.locals > 0 ? [1, ...uleb(f.locals), I32] : [0]), ...f.code, op.end];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [...uleb(functions.length), ...types]),
    ...section(3, [...uleb(functions.length), ...functions.map((_, i) => i)]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [...uleb(functions.length + 1), ...exports]),
    ...section(10, [...uleb(functions.length), ...bodies]),
  ]);
}

/** The parts of the WebAssembly API used here (the project's TypeScript libraries do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: object };
};

export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

export const WASM_PAGE = 65536;

/** Compiles and instantiates the module; undefined when WebAssembly is not available or refuses it. */
export function instantiate<T extends { mem: WasmMemory }>(bytes: Uint8Array): T | undefined {
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as T;
  } catch {
    return undefined;
  }
}

/** Grows the memory to hold at least `bytes`. */
export function ensureMemory(mem: WasmMemory, bytes: number): void {
  if (mem.buffer.byteLength < bytes) mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / WASM_PAGE));
}
