// Vector aggregations (sum, avg, count, min, max, stddev, stdvar, topk, bottomk, sort, sort_desc,
// approx_topk) applied step by step with Loki's arithmetic (evaluator.go VectorAggEvaluator).
// Pure: consumes the child's step vectors and produces new ones.
import type { VectorAggregationExpr } from '../ast.js';
import { BinaryHeap } from './binary-heap.js';
import { compareLabels, groupLabels, seriesOf } from './vector.js';
import type { Sample, Series, StepVectors, Vector } from './vector.js';

interface Group {
  series: Series;
  value: number;
  mean: number;
  count: number;
  heap?: BinaryHeap<Sample>;
}

/** Min-heap order of Loki's vectorByValueHeap: NaN counts as the smallest value. */
const byValue = (a: Sample, b: Sample): boolean => Number.isNaN(a.value) || a.value < b.value;
/** Loki's vectorByReverseValueHeap: NaN first, then the largest value. */
const byReverseValue = (a: Sample, b: Sample): boolean => Number.isNaN(a.value) || a.value > b.value;

export function aggregateVectors(expr: VectorAggregationExpr, input: StepVectors): StepVectors {
  const groupOf = new Map<string, Series>();
  const steps = input.steps.map((vec) => aggregateStep(expr, vec, groupOf));
  return { steps, failure: input.failure };
}

function aggregateStep(expr: VectorAggregationExpr, vec: Vector, groupOf: Map<string, Series>): Vector {
  const op = expr.op;
  const k = expr.param ?? 0;
  const selecting = op === 'topk' || op === 'bottomk' || op === 'approx_topk';
  if (selecting && k < 1) return [];
  const groups = new Map<string, Group>();
  for (const s of vec) {
    let target = groupOf.get(s.series.key);
    if (!target) {
      target = seriesOf(groupLabels(s.series.labels, expr.grouping));
      groupOf.set(s.series.key, target);
    }
    const group = groups.get(target.key);
    if (!group) {
      const g: Group = { series: target, value: s.value, mean: s.value, count: 1 };
      if (op === 'stdvar' || op === 'stddev') g.value = 0;
      else if (op === 'topk' || op === 'approx_topk' || op === 'sort_desc') g.heap = new BinaryHeap(byValue);
      else if (op === 'bottomk' || op === 'sort') g.heap = new BinaryHeap(byReverseValue);
      g.heap?.push(s);
      groups.set(target.key, g);
      continue;
    }
    switch (op) {
      case 'sum':
        group.value += s.value;
        break;
      case 'avg':
        group.count++;
        group.mean += (s.value - group.mean) / group.count;
        break;
      case 'max':
        if (group.value < s.value || Number.isNaN(group.value)) group.value = s.value;
        break;
      case 'min':
        if (group.value > s.value || Number.isNaN(group.value)) group.value = s.value;
        break;
      case 'count':
        group.count++;
        break;
      case 'stddev':
      case 'stdvar': {
        group.count++;
        const delta = s.value - group.mean;
        group.mean += delta / group.count;
        group.value += delta * (s.value - group.mean);
        break;
      }
      case 'topk':
      case 'approx_topk': {
        const heap = group.heap!;
        const top = heap.peek().value;
        if (heap.size < k || top < s.value || Number.isNaN(top)) {
          if (heap.size === k) heap.pop();
          heap.push(s);
        }
        break;
      }
      case 'bottomk': {
        const heap = group.heap!;
        const top = heap.peek().value;
        if (heap.size < k || top > s.value || Number.isNaN(top)) {
          if (heap.size === k) heap.pop();
          heap.push(s);
        }
        break;
      }
      case 'sort':
      case 'sort_desc':
        group.heap!.push(s);
        break;
    }
  }

  const out: Vector = [];
  for (const g of groups.values()) {
    switch (op) {
      case 'avg':
        out.push({ series: g.series, value: g.mean });
        break;
      case 'count':
        out.push({ series: g.series, value: g.count });
        break;
      case 'stddev':
        out.push({ series: g.series, value: Math.sqrt(g.value / g.count) });
        break;
      case 'stdvar':
        out.push({ series: g.series, value: g.value / g.count });
        break;
      case 'topk':
      case 'approx_topk':
      case 'sort_desc':
        out.push(...orderByValue(g.heap!.items, true));
        break;
      case 'bottomk':
      case 'sort':
        out.push(...orderByValue(g.heap!.items, false));
        break;
      default:
        out.push({ series: g.series, value: g.value });
    }
  }
  return out;
}

/**
 * Highest (or lowest) value first, NaN last, as Loki's sort.Reverse over its heaps. Go's sort is not
 * stable, so Loki's order of equal values is arbitrary; ties are ordered by labels here.
 */
function orderByValue(items: Sample[], descending: boolean): Sample[] {
  return [...items].sort((a, b) => {
    const an = Number.isNaN(a.value);
    const bn = Number.isNaN(b.value);
    if (an || bn) return an === bn ? compareLabels(a.series.labels, b.series.labels) : an ? 1 : -1;
    if (a.value !== b.value) return descending ? b.value - a.value : a.value - b.value;
    return compareLabels(a.series.labels, b.series.labels);
  });
}
