// The Go values a template sees, modelled in JS: string, bool, float64 (number), sized ints
// (bigint), time.Time, maps, slices and the two kinds of nil. Data and type rules only; no printing.

import { GoTime } from './gotime.js';

export type IntType = 'int' | 'int64' | 'uint8';

/** A Go integer of a named type (int from literals and len, int64 from Sprig math, uint8 from index). */
export class GoInt {
  constructor(
    readonly type: IntType,
    readonly v: bigint,
  ) {}
}

/**
 * A nil stored in an interface{} (a JSON null, a missing key of map[string]interface{}, a nil
 * interface{} result). Pipelines unwrap it to `undefined`, Go's invalid reflect.Value.
 */
export const NIL_IFACE: unique symbol = Symbol('nil interface');

export type GoValue = string | number | boolean | GoInt | GoTime | GoMap | GoSlice | typeof NIL_IFACE | undefined;

/** A Go map with string keys: the label map (map[string]string) or a decoded JSON object. */
export abstract class GoMap {
  abstract readonly type: string;
  /** Value for key, or undefined when the key is absent. */
  abstract get(key: string): GoValue;
  /** The zero value of the element type, returned for missing keys (missingkey=zero). */
  abstract readonly zero: GoValue;
  /** Keys in Go's sorted order (byte order). */
  abstract keys(): readonly string[];
  abstract size(): number;
}

/** Compares strings in UTF-8 byte order (Go's string order). */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x < 0xe000;
    const ys = y >= 0xd800 && y < 0xe000;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

class JsonMap extends GoMap {
  readonly type = 'map[string]interface {}';
  readonly zero: GoValue = NIL_IFACE;
  private sorted: string[] | undefined;
  constructor(private readonly entries: Map<string, GoValue>) {
    super();
  }
  get(key: string): GoValue {
    return this.entries.get(key);
  }
  keys(): readonly string[] {
    this.sorted ??= [...this.entries.keys()].sort(compareGoStrings);
    return this.sorted;
  }
  size(): number {
    return this.entries.size;
  }
}

export class GoSlice {
  readonly type = '[]interface {}';
  constructor(readonly items: readonly GoValue[]) {}
}

/** reflect.Type.String() of a value; invalid values have no type. */
export function goTypeName(v: GoValue): string {
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'undefined':
      return '<nil>';
    case 'symbol':
      return 'interface {}';
  }
  if (v instanceof GoInt) return v.type;
  if (v instanceof GoTime) return 'time.Time';
  return v.type;
}

/** text/template's truth: non-zero numbers, non-empty strings/maps/slices, true, non-nil. */
export function isTrue(v: GoValue): boolean {
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'boolean':
      return v;
    case 'undefined':
    case 'symbol':
      return false;
  }
  if (v instanceof GoInt) return v.v !== 0n;
  if (v instanceof GoTime) return true;
  if (v instanceof GoSlice) return v.items.length > 0;
  return v.size() > 0;
}

/** Converts a JSON.parse result into Go values, as encoding/json decodes into interface{}. */
export function fromJsonValue(j: unknown): GoValue {
  if (j === null) return NIL_IFACE;
  switch (typeof j) {
    case 'string':
    case 'number':
    case 'boolean':
      return j;
  }
  if (Array.isArray(j)) return new GoSlice(j.map(fromJsonValue));
  const m = new Map<string, GoValue>();
  for (const [k, v] of Object.entries(j as Record<string, unknown>)) m.set(k, fromJsonValue(v));
  return new JsonMap(m);
}
