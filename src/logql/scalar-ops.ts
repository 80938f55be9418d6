// LogQL's binary operators on two numbers, shared by the parser's literal folding and the engine:
// Go float semantics (math.Pow, x/0 and x%0 are NaN in Loki), comparisons as booleans. Pure.
import type { BinaryOp } from './ast.js';

export const COMPARISONS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['==', '!=', '>', '>=', '<', '<=']);

/** Go math.Pow: unlike JS, Pow(x, ±0) = Pow(1, y) = Pow(-1, ±Inf) = 1, even for NaN. */
export function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return x ** y;
}

/** + - * / % ^ (any other operator is a programming error). */
export function arithmetic(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return r === 0 ? NaN : l / r;
    case '%':
      return r === 0 ? NaN : l % r;
    case '^':
      return goPow(l, r);
    default:
      throw new Error(`should never happen: unexpected operation: (${op})`);
  }
}

/** == != > >= < <= */
export function compare(op: BinaryOp, l: number, r: number): boolean {
  switch (op) {
    case '==':
      return l === r;
    case '!=':
      return l !== r;
    case '>':
      return l > r;
    case '>=':
      return l >= r;
    case '<':
      return l < r;
    default:
      return l <= r;
  }
}

/** Two literals folded as Loki's reduceBinOp does: comparisons give 1 or 0. */
export function foldLiterals(op: BinaryOp, l: number, r: number): number {
  return COMPARISONS.has(op) ? (compare(op, l, r) ? 1 : 0) : arithmetic(op, l, r);
}
