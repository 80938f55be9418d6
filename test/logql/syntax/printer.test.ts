import { describe, it, expect } from 'vitest';
import { parseExpr, printExpr, prettyExpr } from '../../../src/logql/syntax/index.js';
import { prettyString } from '../../../src/logql/syntax/pretty.js';

describe('printExpr (Loki String())', () => {
  const cases: Array<[string, string]> = [
    ['{ app = "a" , b=~"c"}', '{app="a", b=~"c"}'],
    ['{app="a"}|="x"!="y"or"z"|~`\\d+`', '{app="a"} |= "x" != "y" != "z" |~ "\\\\d+"'],
    ['{app="a"} |= "x" or ip("1.2.3.4")', '{app="a"} |= "x" or ip("1.2.3.4")'],
    ['{app="a"} | logfmt --keep-empty --strict', '{app="a"} | logfmt --strict --keep-empty'],
    ['{app="a"} | logfmt --strict a, b="c"', '{app="a"} | logfmt --strict a="a",b="c"'],
    ['{app="a"} | json a, b="c[0]" | unpack', '{app="a"} | json a="a",b="c[0]" | unpack'],
    ['{app="a"} | regexp `(?P<x>\\w)` | pattern "<_> <y>"', '{app="a"} | regexp "(?P<x>\\\\w)" | pattern "<_> <y>"'],
    ['{app="a"} | line_format "{{.x}}\\n" | label_format a=b, c="{{.d}}"', '{app="a"} | line_format "{{.x}}\\n" | label_format a=b,c="{{.d}}"'],
    ['{app="a"} | drop a, b="c" | keep d | decolorize', '{app="a"} | drop a,b="c" | keep d | decolorize'],
    ['{app="a"} | d > 1h30m and s <= 1.5KiB or n = 2.50 | ip != ip("::1")', '{app="a"} | ( ( d>1h30m0s , s<=1.5kB ) or n==2.5 ) | ip!=ip("::1")'],
    ['{app="a"} | s == 0B', '{app="a"} | s== 0B'],
    ['{app="a"} | status=~"5.." | level=~"error|warn" | x=~".*" | y!~"5.."', '{app="a"} | status=~`5..` | level=~"error|warn" | x=~".*" | y!~"5.."'],
    ['{app="a"} | s=~"a`b.c"', '{app="a"} | s=~"a`b.c"'],
    ['count_over_time({app="a"}[1h] offset 90m)', 'count_over_time({app="a"}[1h] offset 1h30m0s)'],
    [
      'quantile_over_time(.5, {app="a"} | json | unwrap bytes(s) | __error__="" [5m]) without (x)',
      'quantile_over_time(0.5,{app="a"} | json | unwrap bytes(s) | __error__=""[5m]) without (x)',
    ],
    ['sum by () (rate({app="a"}[5m]))', 'sum(rate({app="a"}[5m]))'],
    ['sum without () (rate({app="a"}[5m]))', 'sum without ()(rate({app="a"}[5m]))'],
    ['topk by (x) (5, rate({app="a"}[5m]))', 'topk by (x)(5,rate({app="a"}[5m]))'],
    ['rate({app="a"}[5m]) * on (x) group_right rate({app="a"}[5m])', '(rate({app="a"}[5m]) * on (x) group_right rate({app="a"}[5m]))'],
    ['rate({app="a"}[5m]) / ignoring (x) rate({app="a"}[5m])', '(rate({app="a"}[5m]) / ignoring (x)  rate({app="a"}[5m]))'],
    ['rate({app="a"}[5m]) > bool 1e6', '(rate({app="a"}[5m]) > bool 1e+06)'],
    ['vector(0.5) or rate({app="a"}[5m])', '(vector(0.500000) or rate({app="a"}[5m]))'],
    ['label_replace(rate({app="a"}[5m]), "d", "$1", "s", "(.*)")', 'label_replace(rate({app="a"}[5m]),"d","$1","s","(.*)")'],
    ['-1.5 * 2', '-3'],
  ];
  it.each(cases)('%s', (query, want) => {
    expect(printExpr(parseExpr(query))).toBe(want);
  });
});

describe('prettyExpr (Loki Prettify)', () => {
  it('returns the one-line form for short expressions', () => {
    const q = 'sum by (a) (rate({app="a"} |= "x" [5m]))';
    expect(prettyExpr(parseExpr(q))).toBe(printExpr(parseExpr(q)));
  });

  it("splits like Loki's prettier tests at a 20-character line width", () => {
    const pretty = (q: string): string => prettyString(parseExpr(q), 20);
    expect(pretty('{job="loki", instance="localhost"}')).toBe('{job="loki", instance="localhost"}');
    expect(pretty('{job="loki", instance="localhost"}|logfmt|level="error" ')).toBe(
      '{job="loki", instance="localhost"}\n  | logfmt\n  | level="error"',
    );
    expect(pretty('count_over_time({job="loki", instance="localhost"}|logfmt[1m])')).toBe(
      'count_over_time(\n  {job="loki", instance="localhost"}\n    | logfmt [1m]\n)',
    );
    expect(
      pretty('count_over_time({job="loki", instance="localhost"}|= "error" != "memcached" |= ip("192.168.0.1") |logfmt[1m])'),
    ).toBe(
      'count_over_time(\n  {job="loki", instance="localhost"}\n    |= "error"\n    != "memcached"\n    |= ip("192.168.0.1")\n    | logfmt [1m]\n)',
    );
  });

  it('splits binary operations, vector aggregations and unwraps over lines', () => {
    const q =
      'sum by (namespace) (rate({app="foo", namespace="bar", cluster="prod-eu-west"} | json | unwrap latency | __error__="" [5m] offset 1h)) / on (namespace) group_left (x, y) sum(count_over_time({app="foo"}[5m]))';
    expect(prettyExpr(parseExpr(q))).toBe(
      [
        '  sum by (namespace)(',
        '    rate(',
        '      {app="foo", namespace="bar", cluster="prod-eu-west"} | json',
        '        | unwrap latency',
        '        | __error__="" [5m] offset 1h',
        '    )',
        '  )',
        '/ on (namespace) group_left (x, y)',
        '  sum(count_over_time({app="foo"}[5m]))',
      ].join('\n'),
    );
  });
});
