// text/template's predefined functions (not len index slice print printf println html js urlquery
// eq ne lt le gt ge) with Go's semantics and error texts. `and`, `or` and `call` are evaluated by the
// interpreter itself (short-circuit, callee name) and only declared here.

import { FuncCallError } from './errors.js';
import { formatValue, sprint, sprintf, sprintln } from './gofmt.js';
import { htmlEscape, jsEscape, queryEscape } from './gostrings.js';
import { GoTime } from './gotime.js';
import type { FuncDef } from './signatures.js';
import { byteSlice, utf8Bytes, utf8Length } from './strconv.js';
import { GoInt, GoMap, GoSlice, GoValue, NIL_IFACE, compareGoStrings, goTypeName, isTrue } from './values.js';

/** indirectInterface: the concrete value inside an interface, or invalid for a nil one. */
export function indirectInterface(v: GoValue): GoValue {
  return v === NIL_IFACE ? undefined : v;
}

function indexArg(index: GoValue, cap: number): number {
  if (index instanceof GoInt) {
    if (index.v < 0n || index.v > BigInt(cap)) throw new FuncCallError(`index out of range: ${index.v}`);
    return Number(index.v);
  }
  if (index === undefined) throw new FuncCallError('cannot index slice/array with nil');
  throw new FuncCallError(`cannot index slice/array with type ${goTypeName(index)}`);
}

function index(item: GoValue, indexes: readonly GoValue[]): GoValue {
  item = indirectInterface(item);
  if (item === undefined) throw new FuncCallError('index of untyped nil');
  for (let raw of indexes) {
    raw = indirectInterface(raw);
    if (item === NIL_IFACE) throw new FuncCallError('index of nil pointer');
    if (typeof item === 'string') {
      const x = indexArg(raw, utf8Length(item));
      const bytes = utf8Bytes(item);
      if (x >= bytes.length) throw new FuncCallError('reflect: string index out of range');
      item = new GoInt('uint8', BigInt(bytes[x]));
    } else if (item instanceof GoSlice) {
      const x = indexArg(raw, item.items.length);
      if (x >= item.items.length) throw new FuncCallError('reflect: slice index out of range');
      item = item.items[x];
    } else if (item instanceof GoMap) {
      if (raw === undefined) throw new FuncCallError('value is nil; should be of type string');
      if (typeof raw !== 'string') throw new FuncCallError(`value has type ${goTypeName(raw)}; should be string`);
      const v = item.get(raw);
      item = v === undefined ? item.zero : v;
    } else {
      throw new FuncCallError(`can't index item of type ${goTypeName(item as GoValue)}`);
    }
  }
  return item;
}

function slice(item: GoValue, indexes: readonly GoValue[]): GoValue {
  item = indirectInterface(item);
  if (item === undefined) throw new FuncCallError('slice of untyped nil');
  if (indexes.length > 3) throw new FuncCallError(`too many slice indexes: ${indexes.length}`);
  let cap: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new FuncCallError('cannot 3-index slice a string');
    cap = utf8Length(item);
  } else if (item instanceof GoSlice) cap = item.items.length;
  else throw new FuncCallError(`can't slice item of type ${goTypeName(item)}`);
  const idx = [0, cap, 0];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(indirectInterface(ix), cap);
  });
  if (idx[0] > idx[1]) throw new FuncCallError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1] > idx[2]) throw new FuncCallError(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (typeof item === 'string') return byteSlice(item, idx[0], idx[1]);
  return new GoSlice(item.items.slice(idx[0], idx[1]));
}

function length(item: GoValue): GoValue {
  if (item === NIL_IFACE) throw new FuncCallError('len of nil pointer');
  if (item === undefined) throw new FuncCallError('reflect: call of reflect.Value.Type on zero Value');
  if (typeof item === 'string') return new GoInt('int', BigInt(utf8Length(item)));
  if (item instanceof GoSlice) return new GoInt('int', BigInt(item.items.length));
  if (item instanceof GoMap) return new GoInt('int', BigInt(item.size()));
  throw new FuncCallError(`len of type ${goTypeName(item)}`);
}

type BasicKind = 'bool' | 'int' | 'uint' | 'float' | 'string' | 'invalid';

function basicKind(v: GoValue): BasicKind {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
  }
  if (v instanceof GoInt) return v.type === 'uint8' ? 'uint' : 'int';
  return 'invalid';
}

/** reflect.Kind equality for values that are not basic (maps, slices, times, nil). */
function kindOf(v: GoValue): string {
  if (v === undefined || v === NIL_IFACE) return 'invalid';
  if (v instanceof GoMap) return 'map';
  if (v instanceof GoSlice) return 'slice';
  if (v instanceof GoTime) return 'struct';
  return basicKind(v);
}

function eq(arg1: GoValue, rest: readonly GoValue[]): boolean {
  arg1 = indirectInterface(arg1);
  if (rest.length === 0) throw new FuncCallError('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (let arg of rest) {
    arg = indirectInterface(arg);
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (k1 === 'int' && k2 === 'uint') truth = (arg1 as GoInt).v >= 0n && (arg1 as GoInt).v === (arg as GoInt).v;
      else if (k1 === 'uint' && k2 === 'int') truth = (arg as GoInt).v >= 0n && (arg1 as GoInt).v === (arg as GoInt).v;
      else if (arg1 !== undefined && arg !== undefined) {
        throw new FuncCallError(`incompatible types for comparison: ${goTypeName(arg1)} and ${goTypeName(arg)}`);
      }
    } else {
      switch (k1) {
        case 'bool':
        case 'float':
        case 'string':
          truth = arg1 === arg;
          break;
        case 'int':
        case 'uint':
          truth = (arg1 as GoInt).v === (arg as GoInt).v;
          break;
        default: {
          const ka = kindOf(arg1);
          const kb = kindOf(arg);
          if (ka !== kb && ka !== 'invalid' && kb !== 'invalid') {
            throw new FuncCallError(`non-comparable types ${sprintf('%s', [arg1])}: ${goTypeName(arg1)}, ${goTypeName(arg)}: ${formatValue(arg)}`);
          }
          if (arg1 === undefined || arg === undefined) truth = (arg === undefined) === (arg1 === undefined);
          else if (!(arg instanceof GoTime)) throw new FuncCallError(`non-comparable type ${sprintf('%s', [arg])}: ${goTypeName(arg)}`);
          else truth = (arg1 as GoTime).unixNs === arg.unixNs && (arg1 as GoTime).loc === arg.loc;
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

function lt(arg1: GoValue, arg2: GoValue): boolean {
  arg1 = indirectInterface(arg1);
  arg2 = indirectInterface(arg2);
  const k1 = basicKind(arg1);
  const k2 = basicKind(arg2);
  if (k1 === 'invalid' || k2 === 'invalid') throw new FuncCallError('invalid type for comparison');
  if (k1 !== k2) {
    if (k1 === 'int' && k2 === 'uint') return (arg1 as GoInt).v < 0n || (arg1 as GoInt).v < (arg2 as GoInt).v;
    if (k1 === 'uint' && k2 === 'int') return (arg2 as GoInt).v >= 0n && (arg1 as GoInt).v < (arg2 as GoInt).v;
    throw new FuncCallError(`incompatible types for comparison: ${goTypeName(arg1)} and ${goTypeName(arg2)}`);
  }
  switch (k1) {
    case 'bool':
      throw new FuncCallError('invalid type for comparison');
    case 'float':
      return (arg1 as number) < (arg2 as number);
    case 'string':
      return compareGoStrings(arg1 as string, arg2 as string) < 0;
    default:
      return (arg1 as GoInt).v < (arg2 as GoInt).v;
  }
}

function le(a: GoValue, b: GoValue): boolean {
  return lt(a, b) || eq(a, [b]);
}

/** fmt.Sprint over arguments printed as template output would print them (evalArgs). */
function evalArgs(args: readonly GoValue[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined || a === NIL_IFACE ? '<no value>' : a)));
}

const value1: FuncDef['params'] = ['value'];
const value2: FuncDef['params'] = ['value', 'value'];

export const BUILTINS: Record<string, FuncDef> = {
  and: { params: value2, variadic: true, fn: () => undefined },
  or: { params: value2, variadic: true, fn: () => undefined },
  call: { params: value2, variadic: true, fn: () => undefined },
  not: { params: value1, fn: (a) => !isTrue(indirectInterface(a[0])) },
  len: { params: value1, fn: (a) => length(a[0]) },
  index: { params: value2, variadic: true, fn: (a) => index(a[0], a.slice(1)) },
  slice: { params: value2, variadic: true, fn: (a) => slice(a[0], a.slice(1)) },
  print: { params: ['any'], variadic: true, fn: (a) => sprint(a) },
  printf: { params: ['string', 'any'], variadic: true, fn: (a) => sprintf(a[0] as string, a.slice(1)) },
  println: { params: ['any'], variadic: true, fn: (a) => sprintln(a) },
  html: { params: ['any'], variadic: true, fn: (a) => htmlEscape(evalArgs(a)) },
  js: { params: ['any'], variadic: true, fn: (a) => jsEscape(evalArgs(a)) },
  urlquery: { params: ['any'], variadic: true, fn: (a) => queryEscape(evalArgs(a)) },
  eq: { params: value2, variadic: true, fn: (a) => eq(a[0], a.slice(1)) },
  ne: { params: value2, fn: (a) => !eq(a[0], [a[1]]) },
  lt: { params: value2, fn: (a) => lt(a[0], a[1]) },
  le: { params: value2, fn: (a) => le(a[0], a[1]) },
  gt: { params: value2, fn: (a) => !le(a[0], a[1]) },
  ge: { params: value2, fn: (a) => !lt(a[0], a[1]) },
};
