import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseExpr, printExpr } from '../../../src/logql/syntax/index.js';
import { ParseError } from '../../../src/model/errors.js';

/** mulberry32: a small deterministic PRNG so every run tries the same inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const queries: string[] = readFileSync('test/fixtures/logql/corpus.jsonl', 'utf8')
  .trim()
  .split('\n')
  .map((l) => (JSON.parse(l) as { query: string }).query);

const TOKENS = [
  '{', '}', '(', ')', '[5m]', '[', ']', ',', '|', '|=', '!=', '|~', '!~', '|>', '!>', '=', '=~', '==', '>', '>=', '<',
  '<=', '+', '-', '*', '/', '%', '^', 'or', 'and', 'unless', 'by', 'without', 'bool', 'on', 'ignoring', 'group_left',
  'group_right', 'offset', 'unwrap', 'json', 'logfmt', 'regexp', 'pattern', 'unpack', 'line_format', 'label_format',
  'decolorize', 'drop', 'keep', 'rate', 'count_over_time', 'quantile_over_time', 'sum', 'topk', 'sort', 'vector',
  'label_replace', 'ip', 'bytes', 'duration', '--strict', '--keep-empty', 'app', '"x"', '`y`', '"', '`', '1', '0.5',
  '5m', '-5m', '10KB', '0B', '1e3', '0x1f', '#', '\n', ' ', 'é', '\\', '"\\q"', 'variants', 'of', '.', '@',
];

function attempt(input: string): void {
  try {
    const e = parseExpr(input);
    printExpr(e);
  } catch (e) {
    if (!(e instanceof ParseError)) throw new Error(`non-ParseError for ${JSON.stringify(input)}: ${(e as Error).stack}`);
    expect(e.message).toMatch(/^parse error( at line \d+, col \d+: | : )/);
  }
}

describe('parser robustness', () => {
  it('throws only ParseError on random token soups', () => {
    const r = rng(7);
    for (let n = 0; n < 1000; n++) {
      const len = 1 + Math.floor(r() * 14);
      let q = '';
      for (let i = 0; i < len; i++) q += TOKENS[Math.floor(r() * TOKENS.length)] + (r() < 0.5 ? ' ' : '');
      attempt(q);
    }
  });

  it('throws only ParseError on character and token mutations of corpus queries', () => {
    const r = rng(11);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    for (let n = 0; n < 1500; n++) {
      let q = pick(queries);
      const edits = 1 + Math.floor(r() * 3);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(r() * (q.length + 1));
        const kind = Math.floor(r() * 5);
        if (kind === 0) q = q.slice(0, at) + q.slice(at + 1);
        else if (kind === 1) q = q.slice(0, at) + String.fromCharCode(32 + Math.floor(r() * 95)) + q.slice(at);
        else if (kind === 2 && at + 1 < q.length) q = q.slice(0, at) + q[at + 1] + q[at] + q.slice(at + 2);
        else if (kind === 3) q = q.slice(0, at) + pick(TOKENS) + q.slice(at);
        else q = q.slice(0, at) + q.slice(at + 1 + Math.floor(r() * 6));
      }
      attempt(q);
    }
  });

  it('throws only ParseError on odd characters', () => {
    for (const q of ['\0', '{a="\0"}', '\ud800', '{a="\udc00"}', '\ufeff{a="b"}', '{a="b"}\u00a0', "{a='b'}", "{a='bc'}", '0x', '1e', '0b2', '1__0']) {
      attempt(q);
    }
  });

  it('rejects oversized and deeply nested input with a ParseError', () => {
    const big = '{app="' + 'a'.repeat(131072) + '"}';
    expect(() => parseExpr(big)).toThrow(`parse error : input size too long (${big.length} > 131072)`);
    attempt('('.repeat(5000) + '1' + ')'.repeat(5000));
    expect(parseExpr('{app="a"}' + ' |= "x"'.repeat(5000)).kind).toBe('logSelector');
    expect(parseExpr('count_over_time({app="a"}' + ' | json'.repeat(5000) + '[5m])').kind).toBe('rangeAggregation');
  });
});
