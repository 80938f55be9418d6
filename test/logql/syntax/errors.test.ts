import { describe, it, expect } from 'vitest';
import { parseExpr } from '../../../src/logql/syntax/index.js';
import { ParseError } from '../../../src/model/errors.js';

function errorOf(query: string): string {
  try {
    parseExpr(query);
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return (e as Error).message;
  }
  throw new Error(`parsed: ${query}`);
}

describe('syntax error texts', () => {
  const cases: Array<[string, string]> = [
    ['', 'parse error : syntax error: unexpected $end'],
    ['#{app="a"}', 'parse error at line 1, col 11: syntax error: unexpected $end'],
    ['{app="checkout"', 'parse error at line 1, col 16: syntax error: unexpected $end, expecting } or ,'],
    ['{app="a"\n', 'parse error at line 2, col 1: syntax error: unexpected $end, expecting } or ,'],
    ['sum(rate({app="checkout"}))', 'parse error at line 1, col 26: syntax error: unexpected )'],
    ['{a', 'parse error at line 1, col 3: syntax error: unexpected $end, expecting = or =~ or !~ or !='],
    ['{a="b"} |~', 'parse error at line 1, col 11: syntax error: unexpected $end, expecting STRING or ip'],
    ['{a="b"} |= "x" or vector(1)', 'parse error at line 1, col 19: syntax error: unexpected VECTOR, expecting STRING or ip'],
    ['{a="b"} | x > 5 and', 'parse error at line 1, col 20: syntax error: unexpected $end, expecting IDENTIFIER or ('],
    ['{a="b"} | json | unwrap x', 'parse error at line 1, col 18: syntax error: unexpected unwrap'],
    ['{a="b"} != 1', 'parse error at line 1, col 12: syntax error: unexpected NUMBER, expecting STRING or ip'],
    ['{a="b"} | x =~ 1', 'parse error at line 1, col 16: syntax error: unexpected NUMBER, expecting STRING'],
    ['{a="b"} | x > "1"', 'parse error at line 1, col 15: syntax error: unexpected STRING'],
    ['rate({a="b"}[5m] x)', 'parse error at line 1, col 18: syntax error: unexpected IDENTIFIER, expecting )'],
    ['rate({a="b"} | unwrap', 'parse error at line 1, col 22: syntax error: unexpected $end, expecting IDENTIFIER or BYTES_CONV or DURATION_CONV or DURATION_SECONDS_CONV'],
    ['rate(({a="b"}) [5m] | json)', 'parse error at line 1, col 23: syntax error: unexpected json, expecting unwrap'],
    ['rate({a="b"}[5m] offset)', 'parse error at line 1, col 24: syntax error: unexpected ), expecting DURATION'],
    ['sum by (a', 'parse error at line 1, col 10: syntax error: unexpected $end, expecting , or )'],
    ['{a="b"} |= "x" != "y") ', 'parse error at line 1, col 22: syntax error: unexpected )'],
    ['sum(x) |= "a"', 'parse error at line 1, col 5: syntax error: unexpected IDENTIFIER'],
    ['{a="b"}[5m]', 'parse error at line 0, col 8: syntax error: unexpected RANGE'],
    ['min({ foo = "bar" }[5m])', 'parse error at line 0, col 20: syntax error: unexpected RANGE'],
    ['unk({ foo = "bar" }[5m])', 'parse error at line 1, col 1: syntax error: unexpected IDENTIFIER'],
    ['bottomk(he,count_over_time({ foo = "bar" }[5h]))', 'parse error at line 1, col 9: syntax error: unexpected IDENTIFIER'],
    ['{a="b"} |= "x" !', 'parse error at line 1, col 16: syntax error: unexpected IDENTIFIER'],
    ['{a="b"} | x >= 5m m', 'parse error at line 1, col 20: syntax error: unexpected $end'],
  ];
  it.each(cases)('%j', (query, want) => {
    expect(errorOf(query)).toBe(want);
  });
});

describe('lexer error texts', () => {
  const cases: Array<[string, string]> = [
    ['{foo="bar}', 'parse error at line 1, col 6: literal not terminated'],
    ['{foo=`bar}', 'parse error at line 1, col 6: literal not terminated'],
    ['{foo="\\q"}', 'parse error at line 1, col 6: invalid char escape'],
    ['{foo="\\400"}', 'parse error at line 1, col 6: invalid syntax'],
    ['rate({app="api"}[5x])', 'parse error at line 0, col 17: unknown unit "x" in duration "5x"'],
    ['rate({a="b"}[1.5m])', 'parse error at line 0, col 13: unknown unit "." in duration "1.5m"'],
    ['rate({a="b"}[1m1h])', 'parse error at line 0, col 13: not a valid duration string: "1m1h"'],
    ['rate({a="b"}[5m', "parse error at line 0, col 13: missing closing ']' in duration"],
    ['{a="b"} | x > 0x', 'parse error at line 1, col 15: hexadecimal literal has no digits'],
    ['{a="b"} | x > 09', "parse error at line 1, col 15: invalid digit '9' in octal literal"],
    ['{a="b"} | x >0B', 'parse error at line 1, col 14: binary literal has no digits'],
  ];
  it.each(cases)('%j', (query, want) => {
    expect(errorOf(query)).toBe(want);
  });

  it('reports a syntax error that comes before a lexical one', () => {
    expect(errorOf('{a="b"} x "unterminated')).toBe('parse error at line 1, col 9: syntax error: unexpected IDENTIFIER');
  });

  it('rejects queries of 128 KiB or more', () => {
    const q = `{a="${'x'.repeat(131072 - 6)}"}`;
    expect(errorOf(q)).toBe('parse error : input size too long (131072 > 131072)');
  });
});

describe('validation error texts', () => {
  const empty =
    'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will';
  const cases: Array<[string, string]> = [
    ['{}', empty],
    ['{a=""}', empty],
    ['{a!~"x|y"}', empty],
    ['sum(rate({a=~".*"}[5m]))', empty],
    ['rate({a="b"}[5m]) by (x)', 'parse error : grouping not allowed for rate aggregation'],
    ['avg_over_time({a="b"}[5m])', 'parse error : invalid aggregation avg_over_time without unwrap'],
    ['count_over_time({a="b"} | unwrap x [5m])', 'parse error : invalid aggregation count_over_time with unwrap'],
    ['rate(5, {a="b"}[5m])', 'parse error : parameter 5 not supported for operation rate'],
    ['quantile_over_time({a="b"} | unwrap x [5m])', 'parse error : parameter required for operation quantile_over_time'],
    ['topk(rate({a="b"}[5m]))', 'parse error : parameter required for operation topk'],
    ['topk(1.5, rate({a="b"}[5m]))', 'parse error : invalid parameter topk(1.5,'],
    ['topk(0, rate({a="b"}[5m]))', 'parse error : invalid parameter (must be greater than 0) topk(0'],
    ['sum(2, rate({a="b"}[5m]))', 'parse error : unsupported parameter for operation sum(2,'],
    ['approx_topk(2, rate({a="b"}[5m])) by (x)', 'parse error : grouping not allowed for approx_topk aggregation'],
    ['sort(rate({a="b"}[5m])) by (x)', "parse error : sort and sort_desc doesn't allow grouping by "],
    ['rate({a="b"}[5m]) and 1', 'parse error : unexpected literal for right leg of logical/set binary operation (and): 1.000000'],
    ['{a="b"} + 1', 'parse error : unexpected type for left leg of binary operation (+): *syntax.MatchersExpr'],
    ['1 + {a="b"} | json', 'parse error : unexpected type for right leg of binary operation (+): *syntax.PipelineExpr'],
    ['label_replace(rate({a="b"}[5m]), "a", "b", "c", "\\\\q")', 'parse error : invalid regex in label_replace: error parsing regexp: invalid escape sequence: `\\q`'],
    ['{a=~"(x"}', 'parse error : error parsing regexp: missing closing ): `(x`'],
    ['{a="b"} | x!~"a**"', 'parse error : error parsing regexp: invalid nested repetition operator: `**`'],
    ['{a="b"} | drop x=~"[b-a]"', 'parse error : error parsing regexp: invalid character class range: `b-a`'],
  ];
  it.each(cases)('%j', (query, want) => {
    expect(errorOf(query)).toBe(want);
  });

  it('reports node errors in tree order: the left leg before the right', () => {
    expect(errorOf('rate(1, {a="b"}[5m]) + avg_over_time({a="b"}[5m])')).toBe(
      'parse error : parameter 1 not supported for operation rate',
    );
  });
});
