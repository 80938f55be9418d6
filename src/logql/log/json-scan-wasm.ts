// The member loop of json-scan.ts's objectEachKeyPlain as a small WebAssembly function: for one
// object of a printable ASCII text without backslashes it finds every member's key and value (with
// jsonparser's lenient value rules) and the error the loop would stop with, so the JavaScript side
// only hands the members to its callback. Assembled from named opcodes (wasm/assembler.ts) and
// compiled once; without WebAssembly, for texts above WASM_MAX_TEXT and for objects with more
// members than the record area holds, objectEachKeyPlain's JavaScript loop runs. Pure.
//
// members(start, end, base, longest): scans the object at the first non-space of text[start, end)
// and writes a record per member whose value was read (key start, key end, JsonType, value start,
// value end, index past the value) at record index base on, leaving out with a key table (longest >=
// 0) the members a hinted parse passes over at once; returns (members << 4) | code (OK or an error).
import { assembleModule, ensureMemory, get, i32, instantiate, op, set, uleb, VOID, type WasmMemory } from '../../wasm/assembler.js';

/** Record area: [0, RECORDS_BYTES), six i32 per member. */
const RECORD_INTS = 6;
const MAX_RECORDS = 4096;
const RECORDS_BYTES = MAX_RECORDS * RECORD_INTS * 4;
/** The key table of the last scan with one (see KeyTable), at most MAX_TABLE_KEY characters long. */
const TABLE_AT = RECORDS_BYTES;
const MAX_TABLE_KEY = 255;
const TABLE_BYTES = (MAX_TABLE_KEY + 1) * 128;
/** The text's bytes start here (a text offset p is at TEXT_AT + p). */
const TEXT_AT = TABLE_AT + TABLE_BYTES;
/** Texts longer than this are scanned in JavaScript (the module's memory never shrinks). */
export const WASM_MAX_TEXT = 1 << 20;

/** Result codes (the low four bits of members()'s result): the object closed, the error it stops with, or too many members. */
export const OK = 0;
export const MALFORMED_JSON = 1;
export const MALFORMED_OBJECT = 2;
export const MALFORMED_ARRAY = 3;
export const MALFORMED_STRING = 4;
export const UNKNOWN_VALUE_TYPE = 5;
export const OVERFLOW = 15;

// json-scan.ts's JsonType values.
const STRING = 0;
const NUMBER = 1;
const OBJECT = 2;
const ARRAY = 3;
const BOOLEAN = 4;
const NULL = 5;

// Parameters, then locals.
const START = 0;
const END = 1;
const BASE = 2;
/** The longest key the table covers, or -1: no table, every member is recorded. */
const LONGEST = 3;
const OFF = 4;
const N = 5;
const C = 6;
const KS = 7;
const KE = 8;
const TYPE = 9;
const VS = 10;
const VE = 11;
const NEXT = 12;
const K = 13;
const LEVEL = 14;
const T = 15;
const Q = 16;
const R = 17;
const B = 18;
const SKIP = 19;
const LOCALS = 16;

const ch = (c: string): number => c.charCodeAt(0);
const byteAt = (pos: number[]): number[] => [...pos, op.load8u, 0, ...uleb(TEXT_AT)];
const plus = (local: number, n: number): number[] => [...get(local), ...i32(n), op.add];
const isNone = (local: number): number[] => [...get(local), ...i32(-1), op.eq];
/** Returns (n << 4) | code. */
const ret = (code: number): number[] => [...get(N), ...i32(4), op.shl, ...i32(code), op.or, op.return];
const retIf = (cond: number[], code: number): number[] => [...cond, op.if, VOID, ...ret(code), op.end];

/** dst = the first index in [from, end) whose byte `matches` (or does not), else -1. */
function seek(dst: number, cursor: number, from: number[], byte: number, matches: boolean): number[] {
  return [
    ...from, ...set(cursor),
    op.block, VOID,
    op.loop, VOID,
    ...get(cursor), ...get(END), op.geU, op.if, VOID, ...i32(-1), ...set(dst), op.br, 2, op.end,
    ...byteAt(get(cursor)), ...i32(byte), matches ? op.eq : op.ne, op.if, VOID, ...get(cursor), ...set(dst), op.br, 2, op.end,
    ...get(cursor), ...i32(1), op.add, ...set(cursor),
    op.br, 0,
    op.end,
    op.end,
  ];
}

/** nextSpaceless: dst = first non-space at or after `from`, or -1. */
const skipSpaces = (dst: number, from: number[]): number[] => seek(dst, K, from, 0x20, false);
/** quoteAt: dst = first quote at or after `from`, or -1. */
const findQuote = (dst: number, from: number[]): number[] => seek(dst, Q, from, 0x22, true);

/** blockEnd from the bracket at OFF: NEXT = just past its matching close, or return `fail`. */
function blockEnd(open: number, close: number, fail: number): number[] {
  return [
    ...get(OFF), ...set(B),
    ...i32(0), ...set(LEVEL),
    op.block, VOID,
    op.loop, VOID,
    ...retIf([...get(B), ...get(END), op.geU], fail),
    ...byteAt(get(B)), ...set(T),
    ...get(T), ...i32(0x22), op.eq,
    op.if, VOID,
    // a string: jump to its closing quote (no backslashes in the text)
    ...findQuote(R, plus(B, 1)),
    ...retIf(isNone(R), fail),
    ...get(R), ...set(B),
    op.else,
    ...get(T), ...i32(open), op.eq,
    op.if, VOID,
    ...plus(LEVEL, 1), ...set(LEVEL),
    op.else,
    ...get(T), ...i32(close), op.eq,
    op.if, VOID,
    ...get(LEVEL), ...i32(1), op.sub, ...set(LEVEL),
    ...get(LEVEL), op.eqz,
    op.if, VOID,
    ...plus(B, 1), ...set(NEXT),
    op.br, 5,
    op.end,
    op.end,
    op.end,
    op.end,
    ...plus(B, 1), ...set(B),
    op.br, 0,
    op.end,
    op.end,
  ];
}

/** tokenEnd: VE = the first space, `,`, `}` or `]` at or after OFF, else END. */
function tokenEnd(): number[] {
  const isDelimiter = [
    ...get(T), ...i32(0x20), op.eq,
    ...get(T), ...i32(ch(',')), op.eq, op.or,
    ...get(T), ...i32(ch('}')), op.eq, op.or,
    ...get(T), ...i32(ch(']')), op.eq, op.or,
  ];
  return [
    ...get(OFF), ...set(K),
    op.block, VOID,
    op.loop, VOID,
    ...get(K), ...get(END), op.geU, op.if, VOID, ...get(END), ...set(VE), op.br, 2, op.end,
    ...byteAt(get(K)), ...set(T),
    ...isDelimiter, op.if, VOID, ...get(K), ...set(VE), op.br, 2, op.end,
    ...plus(K, 1), ...set(K),
    op.br, 0,
    op.end,
    op.end,
  ];
}

/** Whether text[OFF, VE) is `word`. */
function isWord(word: string): number[] {
  const code = [...get(VE), ...get(OFF), op.sub, ...i32(word.length), op.eq];
  for (let i = 0; i < word.length; i++) code.push(...byteAt(plus(OFF, i)), ...i32(ch(word[i])), op.eq, op.and);
  return code;
}

/** getValue for a value not starting with a quote, at OFF (C is its first byte). */
function otherValue(): number[] {
  return [
    ...get(C), ...i32(ch('[')), op.eq,
    op.if, VOID,
    ...blockEnd(ch('['), ch(']'), MALFORMED_ARRAY),
    ...i32(ARRAY), ...set(TYPE), ...get(OFF), ...set(VS), ...get(NEXT), ...set(VE),
    op.else,
    ...get(C), ...i32(ch('{')), op.eq,
    op.if, VOID,
    ...blockEnd(ch('{'), ch('}'), MALFORMED_OBJECT),
    ...i32(OBJECT), ...set(TYPE), ...get(OFF), ...set(VS), ...get(NEXT), ...set(VE),
    op.else,
    ...tokenEnd(),
    ...get(OFF), ...set(VS), ...get(VE), ...set(NEXT),
    ...get(C), ...i32(ch('t')), op.eq, ...get(C), ...i32(ch('f')), op.eq, op.or,
    op.if, VOID,
    ...retIf([...isWord('true'), ...isWord('false'), op.or, op.eqz], UNKNOWN_VALUE_TYPE),
    ...i32(BOOLEAN), ...set(TYPE),
    op.else,
    ...get(C), ...i32(ch('u')), op.eq, ...get(C), ...i32(ch('n')), op.eq, op.or,
    op.if, VOID,
    ...retIf([...isWord('null'), op.eqz], UNKNOWN_VALUE_TYPE),
    ...i32(NULL), ...set(TYPE),
    op.else,
    // a number starts with a digit or '-' (its end is the next delimiter, as jsonparser reads it)
    ...retIf([...get(C), ...i32(ch('0')), op.sub, ...i32(10), op.geU, ...get(C), ...i32(ch('-')), op.ne, op.and], UNKNOWN_VALUE_TYPE),
    ...i32(NUMBER), ...set(TYPE),
    op.end,
    op.end,
    op.end,
    op.end,
  ];
}

/**
 * SKIP = 1 for a member the json stage's callback passes over at once at the top level of a hinted
 * parse (JsonParserStage.visitKey): a null or array value, or a string, number or boolean whose key
 * (without spaces at its edges) the table rules out by its length and first character.
 */
function skipByTable(): number[] {
  return [
    ...i32(0), ...set(SKIP),
    ...get(LONGEST), ...i32(-1), op.ne,
    op.if, VOID,
    ...get(TYPE), ...i32(NULL), op.eq, ...get(TYPE), ...i32(ARRAY), op.eq, op.or,
    op.if, VOID,
    ...i32(1), ...set(SKIP),
    op.else,
    ...get(TYPE), ...i32(OBJECT), op.ne,
    ...get(KE), ...get(KS), op.sub, ...set(T),
    ...get(T), op.eqz, op.eqz, op.and,
    ...byteAt(get(KS)), ...i32(0x20), op.ne, op.and,
    ...byteAt([...get(KE), ...i32(1), op.sub]), ...i32(0x20), op.ne, op.and,
    op.if, VOID,
    ...get(T), ...get(LONGEST), op.gtU,
    op.if, VOID,
    ...i32(1), ...set(SKIP),
    op.else,
    ...get(T), ...i32(128), op.mul, ...byteAt(get(KS)), op.add, op.load8u, 0, ...uleb(TABLE_AT), op.eqz, ...set(SKIP),
    op.end,
    op.end,
    op.end,
    op.end,
  ];
}

/** Writes the member's record at index BASE + N (or returns OVERFLOW) and counts it. */
function record(): number[] {
  const store = (local: number, field: number): number[] => [...get(T), ...get(local), op.store, 2, ...uleb(field * 4)];
  return [
    ...get(BASE), ...get(N), op.add, ...set(T),
    ...retIf([...get(T), ...i32(MAX_RECORDS), op.geU], OVERFLOW),
    ...get(T), ...i32(RECORD_INTS * 4), op.mul, ...set(T),
    ...store(KS, 0), ...store(KE, 1), ...store(TYPE, 2), ...store(VS, 3), ...store(VE, 4), ...store(NEXT, 5),
    ...plus(N, 1), ...set(N),
  ];
}

function membersCode(): number[] {
  return [
    ...skipSpaces(OFF, get(START)),
    ...retIf(isNone(OFF), MALFORMED_OBJECT),
    ...retIf([...byteAt(get(OFF)), ...i32(ch('{')), op.ne], MALFORMED_OBJECT),
    ...skipSpaces(OFF, plus(OFF, 1)),
    ...retIf(isNone(OFF), MALFORMED_JSON),
    ...retIf([...byteAt(get(OFF)), ...i32(ch('}')), op.eq], OK),
    op.loop, VOID,
    ...retIf([...get(OFF), ...get(END), op.geU], MALFORMED_OBJECT),
    ...byteAt(get(OFF)), ...set(C),
    ...retIf([...get(C), ...i32(ch('}')), op.eq], OK),
    ...retIf([...get(C), ...i32(0x22), op.ne], MALFORMED_OBJECT),
    // the key, then spaces, ':' and spaces
    ...plus(OFF, 1), ...set(KS),
    ...findQuote(KE, get(KS)),
    ...retIf(isNone(KE), MALFORMED_JSON),
    ...skipSpaces(OFF, plus(KE, 1)),
    ...retIf(isNone(OFF), MALFORMED_JSON),
    ...retIf([...byteAt(get(OFF)), ...i32(ch(':')), op.ne], MALFORMED_JSON),
    ...skipSpaces(OFF, plus(OFF, 1)),
    ...retIf(isNone(OFF), MALFORMED_JSON),
    // the value
    ...byteAt(get(OFF)), ...set(C),
    ...get(C), ...i32(0x22), op.eq,
    op.if, VOID,
    ...findQuote(VE, plus(OFF, 1)),
    ...retIf(isNone(VE), MALFORMED_STRING),
    ...i32(STRING), ...set(TYPE), ...plus(OFF, 1), ...set(VS), ...plus(VE, 1), ...set(NEXT),
    op.else,
    ...otherValue(),
    op.end,
    ...skipByTable(),
    ...get(SKIP), op.eqz, op.if, VOID, ...record(), op.end,
    // then `,` (and the next key) or `}`
    ...skipSpaces(OFF, get(NEXT)),
    ...retIf(isNone(OFF), MALFORMED_ARRAY),
    ...byteAt(get(OFF)), ...set(C),
    ...retIf([...get(C), ...i32(ch('}')), op.eq], OK),
    ...retIf([...get(C), ...i32(ch(',')), op.ne], MALFORMED_OBJECT),
    ...skipSpaces(OFF, plus(OFF, 1)),
    ...retIf(isNone(OFF), MALFORMED_ARRAY),
    op.br, 0,
    op.end,
    ...i32(0),
  ];
}

interface MembersExports {
  members(start: number, end: number, base: number, longest: number): number;
  mem: WasmMemory;
}

interface Scanner {
  wasm: MembersExports;
  /** A byte view of the module's memory (renewed when it grows) and the text last written to it. */
  bytes: Buffer;
  records: Int32Array;
  text: string | undefined;
  /** The table last copied to the module. */
  table: Uint8Array | undefined;
  /** Records below this index belong to calls still handing theirs out (an object inside an object). */
  inUse: number;
}

let scanner: Scanner | null | undefined;

function load(): Scanner | null {
  if (scanner === undefined) {
    const wasm = instantiate<MembersExports>(assembleModule([{ name: 'members', params: 4, results: 1, locals: LOCALS, code: membersCode() }]));
    if (wasm === undefined) scanner = null;
    else {
      ensureMemory(wasm.mem, TEXT_AT + 64 * 1024);
      scanner = { wasm, bytes: Buffer.alloc(0), records: new Int32Array(0), text: undefined, table: undefined, inUse: 0 };
      views(scanner);
    }
  }
  return scanner;
}

function views(s: Scanner): void {
  s.bytes = Buffer.from(s.wasm.mem.buffer);
  s.records = new Int32Array(s.wasm.mem.buffer, 0, MAX_RECORDS * RECORD_INTS);
}

/**
 * A hinted parse's key table (ParserHints.asciiKeyTable): at L * 128 + c, whether a key of L
 * characters starting with character c can become a required label; keys longer than `longest` cannot.
 */
export interface KeyTable {
  readonly table: Uint8Array;
  readonly longest: number;
}

type LatinWriting = Buffer & { latin1Write(text: string, offset: number, length: number): number };

/** Record index of the first member of the last successful scanPlain. */
export let scannedBase = 0;

/**
 * Runs members() over the object at the first non-space of text[start, end) (printable ASCII, no
 * backslash): returns (members << 4) | code with the members' records from record index
 * scannedBase on (reserved until releaseRecords(scannedBase)), or -1 when WebAssembly is not
 * available or the text or object is too large for the module. With `keys`, members skipByTable
 * rules out are not recorded.
 */
export function scanPlain(text: string, start: number, end: number, keys?: KeyTable): number {
  if (text.length > WASM_MAX_TEXT) return -1;
  const s = load();
  if (s === null) return -1;
  if (s.text !== text) {
    // Eight spare bytes: a word compared at a value's start may read past the text's end.
    if (s.bytes.length < TEXT_AT + text.length + 8) {
      ensureMemory(s.wasm.mem, TEXT_AT + text.length + 8);
      views(s);
    }
    (s.bytes as LatinWriting).latin1Write(text, TEXT_AT, text.length);
    s.text = text;
  }
  let longest = -1;
  if (keys !== undefined && keys.longest <= MAX_TABLE_KEY) {
    if (s.table !== keys.table) {
      s.bytes.set(keys.table.subarray(0, (keys.longest + 1) * 128), TABLE_AT);
      s.table = keys.table;
    }
    longest = keys.longest;
  }
  const base = s.inUse;
  const r = s.wasm.members(start, end, base, longest);
  if ((r & 15) === OVERFLOW) return -1;
  s.inUse = base + (r >>> 4);
  scannedBase = base;
  return r;
}

/**
 * The records (RECORD_INTS a member): key start, key end, JsonType, value start, value end, next.
 * The view is renewed whenever scanPlain grows the memory (nothing else does).
 */
export function memberRecords(): Int32Array {
  return scanner!.records;
}

/** Frees the records a scanPlain reserved from `base` on (and those of scans made since). */
export function releaseRecords(base: number): void {
  scanner!.inUse = base;
}

export { RECORD_INTS };
