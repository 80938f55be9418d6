// The shopspring/decimal arithmetic behind Sprig's addf/subf/mulf/divf: floats become their shortest
// decimal, sums and products are exact, quotients are rounded to 16 places. Pure arithmetic.

import { FuncCallError } from './errors.js';
import { formatFloat } from './gofmt.js';

interface Dec {
  c: bigint;
  e: number;
}

const DIVISION_PRECISION = 16;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** decimal.NewFromFloat; NaN and infinities panic as in shopspring. */
function fromFloat(f: number): Dec {
  if (!Number.isFinite(f)) throw new FuncCallError(`Cannot create a Decimal from ${formatFloat(f, 'g', -1)}`);
  if (f === 0) return { c: 0n, e: 0 };
  const s = Math.abs(f).toExponential();
  const at = s.indexOf('e');
  const digits = s[0] + (at > 1 ? s.slice(2, at) : '');
  const c = BigInt(digits) * (f < 0 ? -1n : 1n);
  return { c, e: Number(s.slice(at + 1)) - (digits.length - 1) };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.c * pow10(a.e - e), b.c * pow10(b.e - e), e];
}

function add(a: Dec, b: Dec): Dec {
  const [x, y, e] = align(a, b);
  return { c: x + y, e };
}

function sub(a: Dec, b: Dec): Dec {
  const [x, y, e] = align(a, b);
  return { c: x - y, e };
}

function mul(a: Dec, b: Dec): Dec {
  return { c: a.c * b.c, e: a.e + b.e };
}

/** Decimal.Div: DivRound(d2, 16), half away from zero. */
function div(a: Dec, b: Dec): Dec {
  if (b.c === 0n) throw new FuncCallError('decimal division by zero');
  const k = a.e - b.e + DIVISION_PRECISION;
  let num = a.c;
  let den = b.c;
  if (k >= 0) num *= pow10(k);
  else den *= pow10(-k);
  let q = num / den;
  const r = num - q * den;
  const absR2 = (r < 0n ? -r : r) * 2n;
  const absDen = den < 0n ? -den : den;
  if (absR2 >= absDen && r !== 0n) q += (num < 0n) !== (den < 0n) ? -1n : 1n;
  return { c: q, e: -DIVISION_PRECISION };
}

function toFloat(d: Dec): number {
  return Number(`${d.c}e${d.e}`);
}

export type DecimalOp = 'add' | 'sub' | 'mul' | 'div';

const OPS: Record<DecimalOp, (a: Dec, b: Dec) => Dec> = { add, sub, mul, div };

/** Sprig's execDecimalOp: folds the operands left to right with op, then converts to float64. */
export function decimalFold(first: number, rest: readonly number[], op: DecimalOp): number {
  let acc = fromFloat(first);
  const f = OPS[op];
  for (const x of rest) acc = f(acc, fromFloat(x));
  return toFloat(acc);
}
