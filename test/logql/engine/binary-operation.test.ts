import { describe, expect, it } from 'vitest';
import type { SampleExpr, VectorMatching } from '../../../src/logql/ast.js';
import { ParseError, ValidationError } from '../../../src/model/index.js';
import {
  MemorySource,
  S,
  at,
  binOp,
  byLabels,
  lit,
  m,
  rangeAgg,
  runInstant,
  runRange,
  selector,
  vecAgg,
  vectorOf,
} from './memory-source.js';
import type { TestStream } from './memory-source.js';

function lines(labels: Record<string, string>, n: number): TestStream {
  return { labels, entries: Array.from({ length: n }, (_, i) => at(10 + i, 'line')) };
}

const T = 100n * S;
const count = (...matchers: [string, string][]): SampleExpr =>
  rangeAgg('count_over_time', selector(matchers.map(([k, v]) => m(k, '=', v))), 100n * S);
const on = (labels: string[], card: VectorMatching['card'] = 'one-to-one', include: string[] = []): VectorMatching => ({
  on: true,
  labels,
  card,
  include,
});
const ignoring = (labels: string[]): VectorMatching => ({ on: false, labels, card: 'one-to-one', include: [] });

// left: x has pods a (6 lines) and c (1 line), y has pod b (8 lines); right: one series per app
const source = new MemorySource([
  lines({ side: 'l', app: 'x', pod: 'a' }, 6),
  lines({ side: 'l', app: 'x', pod: 'c' }, 1),
  lines({ side: 'l', app: 'y', pod: 'b' }, 8),
  lines({ side: 'r', app: 'x', team: 't1' }, 2),
  lines({ side: 'r', app: 'y', team: 't2' }, 4),
]);
const left = count(['side', 'l']);
const right = count(['side', 'r']);
const leftByApp = vecAgg('sum', left, { by: ['app'] });
const rightByApp = vecAgg('sum', right, { by: ['app'] });

const instant = async (expr: SampleExpr) => byLabels(await runInstant(expr, source, T));

describe('arithmetic between vectors', () => {
  it('matches series with identical labels one to one', async () => {
    expect(await instant(binOp('/', leftByApp, rightByApp))).toEqual({ '{app="x"}': 3.5, '{app="y"}': 2 });
    expect(await instant(binOp('-', leftByApp, rightByApp))).toEqual({ '{app="x"}': 5, '{app="y"}': 4 });
  });

  it('drops series without a match', async () => {
    expect(await instant(binOp('+', left, right))).toEqual({});
  });

  it('keeps only the on(...) labels in one-to-one results', async () => {
    const expr = binOp('+', count(['side', 'l'], ['pod', 'b']), right, { matching: on(['app']) });
    expect(await instant(expr)).toEqual({ '{app="y"}': 12 });
  });

  it('drops the ignoring(...) labels in one-to-one results', async () => {
    const expr = binOp('*', count(['side', 'l'], ['pod', 'b']), right, { matching: ignoring(['side', 'pod', 'team']) });
    expect(await instant(expr)).toEqual({ '{app="y"}': 32 });
  });

  it('rejects many-to-one matches that are not declared', async () => {
    await expect(runInstant(binOp('*', left, right, { matching: on(['app']) }), source, T)).rejects.toThrow(
      new ValidationError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)'),
    );
  });

  it('joins many to one with group_left, copying included labels from the one side', async () => {
    const expr = binOp('*', left, right, { matching: on(['app'], 'many-to-one', ['team']) });
    expect(await instant(expr)).toEqual({
      '{app="x", pod="a", side="l", team="t1"}': 12,
      '{app="x", pod="c", side="l", team="t1"}': 2,
      '{app="y", pod="b", side="l", team="t2"}': 32,
    });
  });

  it('joins one to many with group_right, keeping operand order', async () => {
    const expr = binOp('-', right, left, { matching: on(['app'], 'one-to-many', ['team']) });
    expect(await instant(expr)).toEqual({
      '{app="x", pod="a", side="l", team="t1"}': -4,
      '{app="x", pod="c", side="l", team="t1"}': 1,
      '{app="y", pod="b", side="l", team="t2"}': -4,
    });
  });

  it('reports duplicates on the one side as many-to-many', async () => {
    await expect(runInstant(binOp('*', right, left, { matching: on(['app'], 'many-to-one') }), source, T)).rejects.toThrow(
      'found duplicate series on the right hand-side;many-to-many matching not allowed: matching labels must be unique on one side',
    );
    await expect(runInstant(binOp('*', left, right, { matching: on(['app'], 'one-to-many') }), source, T)).rejects.toThrow(
      'found duplicate series on the left hand-side;many-to-many matching not allowed: matching labels must be unique on one side',
    );
  });

  it('rejects group_left results that collide', async () => {
    // pod is copied from the one side, which has none: both x series become {app="x", side="l"}
    const expr = binOp('*', left, right, {
      matching: { on: false, labels: ['pod', 'side', 'team'], card: 'many-to-one', include: ['pod'] },
    });
    await expect(runInstant(expr, source, T)).rejects.toThrow(
      'multiple matches for labels: grouping labels must ensure unique matches',
    );
  });

  it('gives NaN for division and modulo by zero', async () => {
    expect(await instant(binOp('/', leftByApp, lit(0)))).toEqual({ '{app="x"}': NaN, '{app="y"}': NaN });
    expect(await instant(binOp('%', leftByApp, lit(0)))).toEqual({ '{app="x"}': NaN, '{app="y"}': NaN });
    expect(await instant(binOp('%', leftByApp, lit(5)))).toEqual({ '{app="x"}': 2, '{app="y"}': 3 });
  });

  it('follows Go math.Pow for ^', async () => {
    expect(await instant(binOp('^', leftByApp, lit(2)))).toEqual({ '{app="x"}': 49, '{app="y"}': 64 });
    expect(await instant(binOp('^', leftByApp, lit(0)))).toEqual({ '{app="x"}': 1, '{app="y"}': 1 });
    expect(await instant(binOp('^', lit(1), binOp('*', leftByApp, lit(NaN))))).toEqual({ '{app="x"}': 1, '{app="y"}': 1 });
  });
});

describe('comparisons', () => {
  it('filters and keeps the left value without bool', async () => {
    expect(await instant(binOp('>', leftByApp, rightByApp))).toEqual({ '{app="x"}': 7, '{app="y"}': 8 });
    expect(await instant(binOp('<', leftByApp, rightByApp))).toEqual({});
  });

  it('returns 1 or 0 with bool', async () => {
    expect(await instant(binOp('==', leftByApp, binOp('*', rightByApp, lit(2)), { bool: true }))).toEqual({
      '{app="x"}': 0,
      '{app="y"}': 1,
    });
  });

  it('keeps the vector value when comparing with a literal on either side', async () => {
    expect(await instant(binOp('>', leftByApp, lit(7)))).toEqual({ '{app="y"}': 8 });
    expect(await instant(binOp('<', lit(7), leftByApp))).toEqual({ '{app="y"}': 8 });
    expect(await instant(binOp('>=', lit(7), leftByApp, { bool: true }))).toEqual({ '{app="x"}': 1, '{app="y"}': 0 });
  });

  it('keeps operand order with literals in arithmetic', async () => {
    expect(await instant(binOp('-', lit(10), leftByApp))).toEqual({ '{app="x"}': 3, '{app="y"}': 2 });
    expect(await instant(binOp('-', leftByApp, lit(10)))).toEqual({ '{app="x"}': -3, '{app="y"}': -2 });
  });
});

describe('set operators', () => {
  const xOnly = vecAgg('sum', count(['side', 'r'], ['app', 'x']), { by: ['app'] });

  it('and keeps left series with a match', async () => {
    expect(await instant(binOp('and', leftByApp, xOnly))).toEqual({ '{app="x"}': 7 });
    expect(await instant(binOp('and', left, right, { matching: on(['app']) }))).toEqual({
      '{app="x", pod="a", side="l"}': 6,
      '{app="x", pod="c", side="l"}': 1,
      '{app="y", pod="b", side="l"}': 8,
    });
  });

  it('or adds right series without a match', async () => {
    expect(await instant(binOp('or', xOnly, leftByApp))).toEqual({ '{app="x"}': 2, '{app="y"}': 8 });
  });

  it('unless keeps left series without a match', async () => {
    expect(await instant(binOp('unless', leftByApp, xOnly))).toEqual({ '{app="y"}': 8 });
  });

  it('rejects literal legs with the parser text', async () => {
    await expect(runInstant(binOp('or', leftByApp, lit(1)), source, T)).rejects.toThrow(
      new ParseError('parse error : unexpected literal for right leg of logical/set binary operation (or): 1.000000'),
    );
  });
});

describe('literals and vector()', () => {
  it('treats vector(x) as a label-less vector', async () => {
    expect(await instant(binOp('+', vecAgg('sum', left), vectorOf(1)))).toEqual({ '{}': 16 });
    expect(await instant(binOp('+', left, vectorOf(1)))).toEqual({});
    expect(await instant(binOp('or', count(['side', 'none']), vectorOf(0)))).toEqual({ '{}': 0 });
  });

  it('answers vector(x) alone with one sample per step', async () => {
    expect(byLabels(await runInstant(vectorOf(2), source, T))).toEqual({ '{}': 2 });
    expect(byLabels(await runRange(vectorOf(2), source, 0n, 20n * S, 10n * S))).toEqual({
      '{}': [
        [0, 2],
        [10000, 2],
        [20000, 2],
      ],
    });
  });

  it('folds literal-only expressions: a scalar for instant queries, a constant matrix for ranges', async () => {
    expect(await runInstant(binOp('+', binOp('*', lit(2), lit(3)), lit(1)), source, T)).toEqual({
      type: 'scalar',
      ms: 100000,
      value: 7,
    });
    expect(await runInstant(binOp('>', lit(1), lit(2)), source, T)).toEqual({ type: 'scalar', ms: 100000, value: 0 });
    expect(await runRange(lit(3), source, 5n * S, 25n * S, 10n * S)).toEqual({
      type: 'matrix',
      series: [
        {
          metric: [],
          values: [
            [0, 3],
            [10000, 3],
            [20000, 3],
            [30000, 3],
          ],
        },
      ],
    });
  });

  it('folds literal legs before combining them with a vector', async () => {
    expect(await instant(binOp('*', leftByApp, binOp('+', lit(1), lit(1))))).toEqual({ '{app="x"}': 14, '{app="y"}': 16 });
  });
});
