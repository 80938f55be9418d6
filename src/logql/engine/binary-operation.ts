// Binary operators between sample expressions with Loki's semantics (evaluator.go vectorBinop,
// vectorAnd/Or/Unless, LiteralStepEvaluator; syntax MergeBinOp): arithmetic, comparisons (filter or
// bool), set operators, one-to-one and group_left/group_right matching, literal folding. Pure.
import type { BinaryOp, BinaryOpExpr, SampleExpr, VectorMatching } from '../ast.js';
import {
  duplicateSeriesError,
  groupingNotUniqueError,
  logicalLiteralError,
  manyToOneImplicitError,
} from './errors.js';
import { matchingLabels, seriesOf, withLabel } from './vector.js';
import type { Sample, Series, StepVectors, Vector } from './vector.js';
import { getLabel } from '../../model/index.js';
import { arithmetic, compare, COMPARISONS, foldLiterals } from '../scalar-ops.js';

const SET_OPERATORS = new Set<BinaryOp>(['and', 'or', 'unless']);

function isSetOperator(op: BinaryOp): boolean {
  return SET_OPERATORS.has(op);
}

/**
 * The value of an expression made only of literals (the parser folds these as Loki's
 * reduceBinOp does: comparisons give 1 or 0), or undefined when the expression reads data.
 */
export function scalarValue(expr: SampleExpr): number | undefined {
  if (expr.kind === 'literal') return expr.value;
  if (expr.kind !== 'binaryOp') return undefined;
  const l = scalarValue(expr.lhs);
  const r = scalarValue(expr.rhs);
  if (isSetOperator(expr.op)) {
    if (l !== undefined) throw logicalLiteralError(expr.op, 'left', l);
    if (r !== undefined) throw logicalLiteralError(expr.op, 'right', r);
    return undefined;
  }
  if (l === undefined || r === undefined) return undefined;
  return foldLiterals(expr.op, l, r);
}

/**
 * One sample against a literal. `scalarOnLeft` keeps operand order for non-commutative operators;
 * a filtering comparison keeps the vector sample's own value, `bool` gives 1 or 0.
 */
export function combineWithScalar(
  expr: BinaryOpExpr,
  input: StepVectors,
  scalar: number,
  scalarOnLeft: boolean,
): StepVectors {
  const { op, returnBool } = expr;
  const comparison = COMPARISONS.has(op);
  const steps = input.steps.map((vec) => {
    const out: Vector = [];
    for (const s of vec) {
      const l = scalarOnLeft ? scalar : s.value;
      const r = scalarOnLeft ? s.value : scalar;
      if (!comparison) out.push({ series: s.series, value: arithmetic(op, l, r) });
      else if (returnBool) out.push({ series: s.series, value: compare(op, l, r) ? 1 : 0 });
      else if (compare(op, l, r)) out.push(s);
    }
    return out;
  });
  return { steps, failure: input.failure };
}

/**
 * Two vectors, step by step. A failure of either side ends the result at that step (the right side
 * is advanced first, as in Loki, so it wins a tie); a matching error ends it at its own step.
 */
export function combineVectors(expr: BinaryOpExpr, lhs: StepVectors, rhs: StepVectors): StepVectors {
  let failure = rhs.failure;
  if (lhs.failure && (!failure || lhs.failure.step < failure.step)) failure = lhs.failure;
  const count = Math.min(lhs.steps.length, rhs.steps.length);
  const matcher = new VectorMatcher(expr);
  const steps: Vector[] = [];
  for (let k = 0; k < count; k++) {
    try {
      steps.push(matcher.combine(lhs.steps[k], rhs.steps[k]));
    } catch (error) {
      return { steps, failure: { step: k, error: error as Error } };
    }
  }
  return { steps, failure };
}

class VectorMatcher {
  private readonly op: BinaryOp;
  private readonly matching: VectorMatching | undefined;
  private readonly card: VectorMatching['card'];
  private readonly filter: boolean;
  private readonly signatures = new Map<string, string>();
  private readonly resultSeries = new Map<string, Series>();

  constructor(expr: BinaryOpExpr) {
    this.op = expr.op;
    this.matching = expr.matching;
    this.card = expr.matching?.card ?? 'one-to-one';
    this.filter = !expr.returnBool;
  }

  combine(lhs: Vector, rhs: Vector): Vector {
    switch (this.op) {
      case 'and':
        return this.and(lhs, rhs);
      case 'or':
        return this.or(lhs, rhs);
      case 'unless':
        return this.unless(lhs, rhs);
      default:
        return this.arithmeticOrComparison(lhs, rhs);
    }
  }

  /** The matching signature: all labels, only the on(...) labels, or all but the ignoring(...) ones. */
  private signature(series: Series): string {
    if (!this.matching) return series.key;
    let sig = this.signatures.get(series.key);
    if (sig === undefined) {
      sig = seriesOf(matchingLabels(series.labels, this.matching.on, this.matching.labels)).key;
      this.signatures.set(series.key, sig);
    }
    return sig;
  }

  private and(lhs: Vector, rhs: Vector): Vector {
    if (lhs.length === 0 || rhs.length === 0) return [];
    const right = new Set(rhs.map((s) => this.signature(s.series)));
    return lhs.filter((s) => right.has(this.signature(s.series)));
  }

  private or(lhs: Vector, rhs: Vector): Vector {
    if (lhs.length === 0) return rhs;
    if (rhs.length === 0) return lhs;
    const left = new Set(lhs.map((s) => this.signature(s.series)));
    return [...lhs, ...rhs.filter((s) => !left.has(this.signature(s.series)))];
  }

  private unless(lhs: Vector, rhs: Vector): Vector {
    if (lhs.length === 0 || rhs.length === 0) return lhs;
    const right = new Set(rhs.map((s) => this.signature(s.series)));
    return lhs.filter((s) => !right.has(this.signature(s.series)));
  }

  private arithmeticOrComparison(lhsIn: Vector, rhsIn: Vector): Vector {
    // one-to-many is evaluated as many-to-one with the sides swapped, then swapped back per sample
    const swapped = this.card === 'one-to-many';
    const lhs = swapped ? rhsIn : lhsIn;
    const rhs = swapped ? lhsIn : rhsIn;
    const rightBySig = new Map<string, Sample>();
    for (const s of rhs) {
      const sig = this.signature(s.series);
      if (rightBySig.has(sig)) throw duplicateSeriesError(swapped ? 'left' : 'right');
      rightBySig.set(sig, s);
    }
    const comparison = COMPARISONS.has(this.op);
    const matched = new Map<string, Set<string> | null>();
    const out: Vector = [];
    for (const ls of lhs) {
      const sig = this.signature(ls.series);
      const rs = rightBySig.get(sig);
      if (!rs) continue;
      const metric = this.resultMetric(ls.series, rs.series);
      if (this.card === 'one-to-one') {
        if (matched.has(sig)) throw manyToOneImplicitError();
        matched.set(sig, null);
      } else {
        let inserted = matched.get(sig);
        if (!inserted) {
          inserted = new Set();
          matched.set(sig, inserted);
        } else if (inserted.has(metric.key)) throw groupingNotUniqueError();
        inserted.add(metric.key);
      }
      const l = swapped ? rs.value : ls.value;
      const r = swapped ? ls.value : rs.value;
      if (!comparison) out.push({ series: metric, value: arithmetic(this.op, l, r) });
      else if (!this.filter) out.push({ series: metric, value: compare(this.op, l, r) ? 1 : 0 });
      else if (compare(this.op, l, r)) out.push({ series: metric, value: l });
    }
    return out;
  }

  /**
   * Result labels (evaluator.go resultMetric): the left ("many") side's labels; one-to-one matching
   * keeps only the on(...) labels or drops the ignoring(...) ones; group_x(...) labels are copied
   * from the "one" side (removed when empty there).
   */
  private resultMetric(lhs: Series, rhs: Series): Series {
    const m = this.matching;
    if (!m) return lhs;
    const cacheKey = lhs.key + '\u0000' + rhs.key;
    let out = this.resultSeries.get(cacheKey);
    if (out) return out;
    let ls = lhs.labels;
    if (m.card === 'one-to-one') ls = matchingLabels(ls, m.on, m.labels);
    for (const name of m.include) {
      const v = getLabel(rhs.labels, name);
      ls = withLabel(ls, name, v ? v : undefined);
    }
    out = ls === lhs.labels ? lhs : seriesOf(ls);
    this.resultSeries.set(cacheKey, out);
    return out;
  }
}
