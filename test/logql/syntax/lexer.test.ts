import { describe, it, expect } from 'vitest';
import { lex } from '../../../src/logql/syntax/lexer.js';

const kinds = (q: string): string[] => lex(q).tokens.map((t) => `${t.tokenType.name}:${t.image}`);

describe('lexer', () => {
  it('reads a duration, bytes or number after digits, greedily up to a space', () => {
    expect(kinds('5m 1h30m 1.5s 5mb 10M 1.5KiB 0B 1e3 7')).toEqual([
      'DURATION:5m', 'DURATION:1h30m', 'DURATION:1.5s', 'DURATION:5m', 'IDENTIFIER:b', 'BYTES:10M', 'BYTES:1.5KiB',
      'BYTES:0B', 'NUMBER:1e3', 'NUMBER:7',
    ]);
  });

  it('lexes a leading minus as part of a duration only', () => {
    expect(kinds('-5m - 5 -1')).toEqual(['DURATION:-5m', 'SUB:-', 'NUMBER:5', 'SUB:-', 'NUMBER:1']);
  });

  it('makes function names tokens only before ( or by/without (', () => {
    expect(kinds('rate (x) rate=x sum by (a) sum BY(a) sum bytes')).toEqual([
      'RATE:rate', 'OPEN_PARENTHESIS:(', 'IDENTIFIER:x', 'CLOSE_PARENTHESIS:)', 'IDENTIFIER:rate', 'EQ:=',
      'IDENTIFIER:x', 'SUM:sum', 'BY:by', 'OPEN_PARENTHESIS:(', 'IDENTIFIER:a', 'CLOSE_PARENTHESIS:)', 'SUM:sum',
      'BY:BY', 'OPEN_PARENTHESIS:(', 'IDENTIFIER:a', 'CLOSE_PARENTHESIS:)', 'IDENTIFIER:sum', 'IDENTIFIER:bytes',
    ]);
  });

  it('reads ranges, flags, two-character operators and unknown characters', () => {
    expect(kinds('[5m] --strict --nope |= != =~ !~ |> !> == >= <= ! @')).toEqual([
      'RANGE:[5m]', 'PARSER_FLAG:--strict', 'SUB:-', 'SUB:-', 'IDENTIFIER:nope', 'PIPE_EXACT:|=', 'NEQ:!=', 'RE:=~',
      'NRE:!~', 'PIPE_PATTERN:|>', 'NPA:!>', 'CMP_EQ:==', 'GTE:>=', 'LTE:<=', 'IDENTIFIER:!', 'IDENTIFIER:@',
    ]);
  });

  it('reports error positions the way Loki does (line 0 after a read-ahead)', () => {
    const toks = lex('{a="b"}\n  |= "x" [5m]').tokens;
    expect(toks.map((t) => t.payload.pos)).toEqual([
      { line: 1, col: 1 }, { line: 1, col: 2 }, { line: 1, col: 3 }, { line: 1, col: 4 }, { line: 1, col: 7 },
      { line: 0, col: 3 }, { line: 2, col: 6 }, { line: 0, col: 10 },
    ]);
    expect(lex('{a="b"}\n').endPos).toEqual({ line: 2, col: 1 });
  });
});
