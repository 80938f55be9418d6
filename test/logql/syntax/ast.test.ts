import { describe, it, expect } from 'vitest';
import { parseExpr, parseLogSelector, parseMatchers } from '../../../src/logql/syntax/index.js';
import type { Expr, LabelFilter, LogSelectorExpr, SampleExpr } from '../../../src/logql/ast.js';

const sel = (stages: LogSelectorExpr['stages'] = []): LogSelectorExpr => ({
  kind: 'logSelector',
  matchers: [{ name: 'app', op: '=', value: 'a' }],
  stages,
});
const count5m: SampleExpr = {
  kind: 'rangeAggregation',
  op: 'count_over_time',
  range: { selector: sel(), range: 300_000_000_000n, offset: 0n },
};
const m = (name: string, value: string): LabelFilter => ({ kind: 'matcher', matcher: { name, op: '=', value } });

describe('parseExpr AST shapes', () => {
  const cases: Array<[string, Expr]> = [
    ['{app="a"}', sel()],
    [
      '{ app = "a", env !~ `pr.*` }',
      {
        kind: 'logSelector',
        matchers: [
          { name: 'app', op: '=', value: 'a' },
          { name: 'env', op: '!~', value: 'pr.*' },
        ],
        stages: [],
      },
    ],
    [
      '{app="a"} |= "x" != "y" | json |~ "z"',
      sel([
        {
          kind: 'lineFilters',
          filters: [
            { op: '|=', match: { value: 'x', ip: false }, or: [] },
            { op: '!=', match: { value: 'y', ip: false }, or: [] },
          ],
        },
        { kind: 'json', extractions: [] },
        { kind: 'lineFilters', filters: [{ op: '|~', match: { value: 'z', ip: false }, or: [] }] },
      ]),
    ],
    [
      '{app="a"} |= "x" or ip("10.0.0.0/8") != "y" or "z"',
      sel([
        {
          kind: 'lineFilters',
          filters: [
            { op: '|=', match: { value: 'x', ip: false }, or: [{ value: '10.0.0.0/8', ip: true }] },
            { op: '!=', match: { value: 'y', ip: false }, or: [] },
            { op: '!=', match: { value: 'z', ip: false }, or: [] },
          ],
        },
      ]),
    ],
    [
      '{app="a"} | logfmt --strict --keep-empty host, fwd="x.y" | json servers | regexp "(?P<a>.)" | pattern "<_> <b>" | unpack',
      sel([
        {
          kind: 'logfmt',
          strict: true,
          keepEmpty: true,
          extractions: [
            { label: 'host', expression: 'host' },
            { label: 'fwd', expression: 'x.y' },
          ],
        },
        { kind: 'json', extractions: [{ label: 'servers', expression: 'servers' }] },
        { kind: 'regexp', pattern: '(?P<a>.)' },
        { kind: 'pattern', pattern: '<_> <b>' },
        { kind: 'unpack' },
      ]),
    ],
    [
      '{app="a"} | line_format "{{.x}}" | label_format a=b, c="{{.d}}" | decolorize | drop x, y="1" | keep z',
      sel([
        { kind: 'lineFormat', template: '{{.x}}' },
        { kind: 'labelFormat', formats: [{ dst: 'a', rename: 'b' }, { dst: 'c', template: '{{.d}}' }] },
        { kind: 'decolorize' },
        { kind: 'drop', labels: [{ name: 'x' }, { name: 'y', matcher: { name: 'y', op: '=', value: '1' } }] },
        { kind: 'keep', labels: [{ name: 'z' }] },
      ]),
    ],
    [
      '{app="a"} | d >= 250ms, s < 1.5KiB and n == -2 | ip = ip("1.2.3.4") | rate="x"',
      sel([
        {
          kind: 'labelFilter',
          filter: {
            kind: 'and',
            left: { kind: 'duration', name: 'd', op: '>=', value: 250_000_000n, text: '250ms' },
            right: {
              kind: 'and',
              left: { kind: 'bytes', name: 's', op: '<', value: 1536, text: '1.5KiB' },
              right: { kind: 'number', name: 'n', op: '==', value: -2, text: '-2' },
            },
          },
        },
        { kind: 'labelFilter', filter: { kind: 'ip', name: 'ip', op: '=', pattern: '1.2.3.4' } },
        { kind: 'labelFilter', filter: m('rate', 'x') },
      ]),
    ],
    ['1 + 2 * 3', { kind: 'literal', value: 7 }],
    ['10 / (5/2)', { kind: 'literal', value: 4 }],
    ['2 ^ 3 ^ 2', { kind: 'literal', value: 512 }],
    ['2 > 1', { kind: 'literal', value: 1 }],
    ['- 1', { kind: 'literal', value: -1 }],
    ['vector(2)', { kind: 'vector', value: 2 }],
    ['count_over_time({app="a"}[5m])', count5m],
    [
      'COUNT_OVER_TIME({app="a"}[5m] offset 1h)',
      { ...count5m, range: { ...(count5m as { range: object }).range, offset: 3_600_000_000_000n } } as SampleExpr,
    ],
    [
      'quantile_over_time(0.99, {app="a"} | json | unwrap duration(d) | __error__="" [1m]) by (x)',
      {
        kind: 'rangeAggregation',
        op: 'quantile_over_time',
        param: 0.99,
        grouping: { without: false, labels: ['x'] },
        range: {
          selector: sel([{ kind: 'json', extractions: [] }]),
          range: 60_000_000_000n,
          offset: 0n,
          unwrap: { label: 'd', conversion: 'duration', postFilters: [m('__error__', '')] },
        },
      },
    ],
    [
      'sum without (a, b) (count_over_time({app="a"}[5m]))',
      { kind: 'vectorAggregation', op: 'sum', grouping: { without: true, labels: ['a', 'b'] }, expr: count5m },
    ],
    ['topk(3, count_over_time({app="a"}[5m]))', { kind: 'vectorAggregation', op: 'topk', param: 3, expr: count5m }],
    [
      'count_over_time({app="a"}[5m]) > bool on (x) group_left (y) count_over_time({app="a"}[5m])',
      {
        kind: 'binaryOp',
        op: '>',
        returnBool: true,
        matching: { on: true, labels: ['x'], card: 'many-to-one', include: ['y'] },
        lhs: count5m,
        rhs: count5m,
      },
    ],
    [
      'label_replace(count_over_time({app="a"}[5m]), "d", "$1", "s", "(.*)")',
      { kind: 'labelReplace', expr: count5m, dst: 'd', replacement: '$1', src: 's', regex: '(.*)' },
    ],
  ];
  it.each(cases)('%s', (query, want) => {
    expect(parseExpr(query)).toEqual(want);
  });
});

describe('precedence', () => {
  const shape = (q: string): string => {
    const walk = (e: Expr): string =>
      e.kind === 'binaryOp' ? `(${walk(e.lhs)} ${e.op} ${walk(e.rhs)})` : e.kind === 'vector' ? `v${e.value}` : '?';
    return walk(parseExpr(q));
  };
  it('binds * tighter than + and + tighter than comparisons and logical ops', () => {
    expect(shape('vector(1) + vector(2) * vector(3) > vector(4) and vector(5) or vector(6)')).toBe(
      '((((v1 + (v2 * v3)) > v4) and v5) or v6)',
    );
  });
  it('is left-associative except for ^', () => {
    expect(shape('vector(1) - vector(2) - vector(3)')).toBe('((v1 - v2) - v3)');
    expect(shape('vector(1) ^ vector(2) ^ vector(3)')).toBe('(v1 ^ (v2 ^ v3))');
  });
  it('lets parentheses override', () => {
    expect(shape('(vector(1) + vector(2)) * vector(3)')).toBe('((v1 + v2) * v3)');
  });
  it('resolves label filter and/or/,/space the way yacc does', () => {
    const f = (q: string): LabelFilter => {
      const e = parseExpr(`{app="a"} | ${q}`) as LogSelectorExpr;
      return (e.stages[0] as { filter: LabelFilter }).filter;
    };
    const [a, b, c] = [m('a', '1'), m('b', '2'), m('c', '3')];
    expect(f('a="1" or b="2" and c="3"')).toEqual({ kind: 'or', left: a, right: { kind: 'and', left: b, right: c } });
    expect(f('a="1" and b="2" or c="3"')).toEqual({ kind: 'or', left: { kind: 'and', left: a, right: b }, right: c });
    expect(f('a="1", b="2" or c="3"')).toEqual({ kind: 'and', left: a, right: { kind: 'or', left: b, right: c } });
    expect(f('(a="1" or b="2") c="3"')).toEqual({ kind: 'and', left: { kind: 'or', left: a, right: b }, right: c });
  });
});

describe('lexing rules visible in the AST', () => {
  it('treats function names not followed by ( as identifiers', () => {
    const e = parseExpr('{app="a"} | bytes > 1KB | duration > 1s | count="x"') as LogSelectorExpr;
    expect(e.stages.map((s) => (s as { filter: { name?: string; matcher?: { name: string } } }).filter)).toEqual([
      { kind: 'bytes', name: 'bytes', op: '>', value: 1000, text: '1KB' },
      { kind: 'duration', name: 'duration', op: '>', value: 1_000_000_000n, text: '1s' },
      { kind: 'matcher', matcher: { name: 'count', op: '=', value: 'x' } },
    ]);
  });
  it('ignores # comments and accepts Go escapes and raw strings', () => {
    expect(parseExpr('{app="a\\x41\\u00e9\\""} # note\n|~ `\\w+`')).toEqual({
      kind: 'logSelector',
      matchers: [{ name: 'app', op: '=', value: 'aAé"' }],
      stages: [{ kind: 'lineFilters', filters: [{ op: '|~', match: { value: '\\w+', ip: false }, or: [] }] }],
    });
  });
  it('accepts every log range permutation', () => {
    const forms = [
      'sum_over_time({app="a"}[5m] offset 1m | json | unwrap x)',
      'sum_over_time({app="a"} | json | unwrap x [5m] offset 1m)',
      'sum_over_time(({app="a"} | json | unwrap x)[5m] offset 1m)',
      'sum_over_time((({app="a"} | json | unwrap x [5m] offset 1m)))',
      'sum_over_time(({app="a"})[5m] offset 1m | unwrap x)',
    ];
    const ranges = forms.map((q) => (parseExpr(q) as { range: object }).range);
    for (const r of ranges.slice(0, 4)) expect(r).toEqual(ranges[0]);
    expect(ranges[4]).toEqual({ ...ranges[0], selector: sel() });
  });
});

describe('parseLogSelector and parseMatchers', () => {
  it('parseLogSelector returns a log query and rejects metric queries', () => {
    expect(parseLogSelector('{app="a"} |= "x"').stages).toHaveLength(1);
    expect(() => parseLogSelector('count_over_time({app="a"}[5m])')).toThrow('only log selector is supported');
  });
  it('parseMatchers returns the matchers of a bare selector only', () => {
    expect(parseMatchers('{app="a", b=~"c|d"}')).toEqual([
      { name: 'app', op: '=', value: 'a' },
      { name: 'b', op: '=~', value: 'c|d' },
    ]);
    expect(() => parseMatchers('{app="a"} |= "x"')).toThrow('only label matchers are supported');
    expect(() => parseMatchers('{app=""}')).toThrow('parse error : queries require at least one regexp');
  });
});
