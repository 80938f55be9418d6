// Node constructors mirroring Loki's ast.go: literal folding, binary-op type rules, aggregation
// parameter rules. Errors Loki stores on a node are kept in `nodeErrors` for validation to report.
import { foldLiterals } from '../scalar-ops.js';
import type {
  BinaryOp,
  BinaryOpExpr,
  Expr,
  Grouping,
  LabelReplaceExpr,
  LiteralExpr,
  LogRange,
  RangeAggregationExpr,
  RangeOp,
  SampleExpr,
  VectorAggregationExpr,
  VectorMatching,
  VectorOp,
} from '../ast.js';
import { parseGoFloat, parseGoInt } from './numbers.js';
import { goRegexError } from './goregex.js';

/** Errors Loki keeps on a node (reported by validation, in tree order). */
export const nodeErrors = new WeakMap<object, string>();

function withError<T extends object>(node: T, message: string): T {
  nodeErrors.set(node, message);
  return node;
}

export function makeLiteral(text: string, negative: boolean): SampleExpr {
  const f = parseGoFloat(text);
  const value = negative ? -f.value : f.value;
  const node: LiteralExpr = { kind: 'literal', value };
  return f.ok ? node : withError(node, `unable to parse literal as a float: ${f.reason}`);
}

export function makeVector(text: string): SampleExpr {
  const f = parseGoFloat(text);
  const node = { kind: 'vector' as const, value: f.value };
  return f.ok ? node : withError(node, `unable to parse vectorExpr as a float: ${f.reason}`);
}

export interface BinaryTail {
  op: BinaryOp;
  returnBool: boolean;
  matching?: VectorMatching;
  rhs: Expr;
}

const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  or: 1, and: 2, unless: 2, '==': 3, '!=': 3, '>': 3, '>=': 3, '<': 3, '<=': 3,
  '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, '^': 6,
};

/** Applies operator precedence (all left-associative except `^`) to `first (op rhs)*`. */
export function buildBinary(first: Expr, rest: readonly BinaryTail[]): Expr {
  const values: Expr[] = [first];
  const ops: BinaryTail[] = [];
  const reduce = (): void => {
    const rhs = values.pop()!;
    const lhs = values.pop()!;
    values.push(makeBinary(ops.pop()!, lhs, rhs));
  };
  for (const tail of rest) {
    const p = PRECEDENCE[tail.op];
    while (ops.length > 0) {
      const top = PRECEDENCE[ops[ops.length - 1].op];
      if (top > p || (top === p && tail.op !== '^')) reduce();
      else break;
    }
    ops.push(tail);
    values.push(tail.rhs);
  }
  while (ops.length > 0) reduce();
  return values[0];
}

const LOGICAL = new Set<BinaryOp>(['or', 'and', 'unless']);

/** Go's %T of a log expression in Loki. */
function goType(e: Expr): string {
  return e.kind === 'logSelector' && e.stages.length > 0 ? '*syntax.PipelineExpr' : '*syntax.MatchersExpr';
}

/** Loki's mustNewBinOpExpr: type checks, literal rules for logical ops, literal ⨯ literal folding. */
function makeBinary(tail: BinaryTail, lhs: Expr, rhs: Expr): SampleExpr {
  const node: BinaryOpExpr = { kind: 'binaryOp', op: tail.op, returnBool: tail.returnBool, lhs: lhs as SampleExpr, rhs: rhs as SampleExpr };
  if (tail.matching) node.matching = tail.matching;
  if (lhs.kind === 'logSelector')
    return withError(node, `unexpected type for left leg of binary operation (${tail.op}): ${goType(lhs)}`);
  if (rhs.kind === 'logSelector')
    return withError(node, `unexpected type for right leg of binary operation (${tail.op}): ${goType(rhs)}`);
  const leftLit = lhs.kind === 'literal';
  const rightLit = rhs.kind === 'literal';
  for (const side of [leftLit ? lhs : undefined, rightLit ? rhs : undefined]) {
    const err = side && nodeErrors.get(side);
    if (err !== undefined) return withError(node, err);
  }
  if (LOGICAL.has(tail.op)) {
    if (leftLit)
      return withError(node, `unexpected literal for left leg of logical/set binary operation (${tail.op}): ${fixed6(lhs.value)}`);
    if (rightLit)
      return withError(node, `unexpected literal for right leg of logical/set binary operation (${tail.op}): ${fixed6(rhs.value)}`);
  }
  if (leftLit && rightLit) return { kind: 'literal', value: foldLiterals(tail.op, lhs.value, rhs.value) };
  return node;
}

function fixed6(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toFixed(6);
}

const RANGE_GROUPING_OK = new Set<RangeOp>([
  'avg_over_time', 'stddev_over_time', 'stdvar_over_time', 'quantile_over_time', 'max_over_time',
  'min_over_time', 'first_over_time', 'last_over_time',
]);
const RANGE_WITH_UNWRAP = new Set<RangeOp>([
  'avg_over_time', 'sum_over_time', 'max_over_time', 'min_over_time', 'stddev_over_time', 'stdvar_over_time',
  'quantile_over_time', 'rate', 'rate_counter', 'absent_over_time', 'first_over_time', 'last_over_time',
]);
const RANGE_WITHOUT_UNWRAP = new Set<RangeOp>(['bytes_over_time', 'bytes_rate', 'count_over_time', 'rate', 'absent_over_time']);

/** Loki's newRangeAggregationExpr and its validate(). */
export function makeRangeAggregation(op: RangeOp, param: string | undefined, range: LogRange, grouping?: Grouping): SampleExpr {
  const node: RangeAggregationExpr = { kind: 'rangeAggregation', op, range };
  if (grouping) node.grouping = grouping;
  if (param !== undefined) {
    if (op !== 'quantile_over_time') return withError(node, `parameter ${param} not supported for operation ${op}`);
    const f = parseGoFloat(param);
    if (!f.ok) return withError(node, `invalid parameter for operation ${op}: ${f.reason}`);
    node.param = f.value;
  } else if (op === 'quantile_over_time') {
    return withError(node, `parameter required for operation ${op}`);
  }
  if (grouping && !RANGE_GROUPING_OK.has(op)) return withError(node, `grouping not allowed for ${op} aggregation`);
  if (range.unwrap) {
    if (!RANGE_WITH_UNWRAP.has(op)) return withError(node, `invalid aggregation ${op} with unwrap`);
  } else if (!RANGE_WITHOUT_UNWRAP.has(op)) {
    return withError(node, `invalid aggregation ${op} without unwrap`);
  }
  return node;
}

/** Loki's mustNewVectorAggregationExpr. */
export function makeVectorAggregation(op: VectorOp, param: string | undefined, expr: SampleExpr, grouping?: Grouping): SampleExpr {
  const node: VectorAggregationExpr = { kind: 'vectorAggregation', op, expr };
  if (grouping) node.grouping = grouping;
  if (op === 'topk' || op === 'bottomk' || op === 'approx_topk') {
    if (param === undefined) return withError(node, `parameter required for operation ${op}`);
    const p = parseGoInt(param);
    if (p === undefined) return withError(node, `invalid parameter ${op}(${param},`);
    if (p <= 0) return withError(node, `invalid parameter (must be greater than 0) ${op}(${param}`);
    if (op === 'approx_topk' && grouping) return withError(node, `grouping not allowed for ${op} aggregation`);
    node.param = p;
  } else if (param !== undefined) {
    return withError(node, `unsupported parameter for operation ${op}(${param},`);
  }
  return node;
}

/** Loki's mustNewLabelReplaceExpr (the regex is compiled, anchored, at parse time). */
export function makeLabelReplace(expr: SampleExpr, dst: string, replacement: string, src: string, regex: string): SampleExpr {
  const node: LabelReplaceExpr = { kind: 'labelReplace', expr, dst, replacement, src, regex };
  const err = goRegexError(`^(?:${regex})$`);
  return err === undefined ? node : withError(node, `invalid regex in label_replace: ${err}`);
}
