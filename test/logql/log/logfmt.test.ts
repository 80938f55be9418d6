import { describe, expect, it } from 'vitest';
import type { Stage } from '../../../src/logql/ast.js';
import { buildPipeline } from '../../../src/logql/log/index.js';
import { labelsOf, run } from './run-pipeline.js';

const logfmt = (strict = false, keepEmpty = false): Stage => ({ kind: 'logfmt', strict, keepEmpty, extractions: [] });
const logfmtExpr = (strict: boolean, ...e: [string, string][]): Stage => ({
  kind: 'logfmt',
  strict,
  keepEmpty: false,
  extractions: e.map(([label, expression]) => ({ label, expression })),
});

type Labels = Record<string, string>;
const err = (details: string): Labels => ({ __error__: 'LogfmtParserErr', __error_details__: details });

describe('| logfmt', () => {
  // [name, stream labels, line, default result, --strict result (when different)]
  const cases: [string, Labels, string, Labels, Labels?][] = [
    ['not logfmt', { foo: 'bar' }, 'foobar====wqe=sdad1r', { foo: 'bar' }, { foo: 'bar', ...err("logfmt syntax error at pos 8 : unexpected '='") }],
    ['replacement rune in a value', {}, 'buzz=foo bar=\ufffdf', { bar: ' f', buzz: 'foo' }],
    ['key alone', { foo: 'bar' }, 'buzz bar=foo', { foo: 'bar', bar: 'foo' }],
    ['quoted value', { foo: 'bar' }, 'foobar="foo bar"', { foo: 'bar', foobar: 'foo bar' }],
    ['escaped control chars', { a: 'b' }, 'foobar="foo\\nbar\\tbaz"', { a: 'b', foobar: 'foo\nbar\tbaz' }],
    ['literal control chars', { a: 'b' }, 'foobar="foo\nbar\tbaz"', { a: 'b', foobar: 'foo\nbar\tbaz' }],
    ['escaped backslash', { a: 'b' }, 'foobar="foo ba\\\\r baz"', { a: 'b', foobar: 'foo ba\\r baz' }],
    ['literal newline and escaped backslash', { a: 'b' }, 'foobar="foo bar\nb\\\\az"', { a: 'b', foobar: 'foo bar\nb\\az' }],
    ['two properties', { foo: 'bar' }, 'foobar="foo bar" latency=10ms', { foo: 'bar', foobar: 'foo bar', latency: '10ms' }],
    ['duplicate key keeps the first value', { foo: 'bar' }, 'foobar="foo bar" foobar=10ms', { foo: 'bar', foobar: 'foo bar' }],
    ['empty value then a later one', {}, 'v= v=abc', { v: 'abc' }],
    ['clash with a stream label', { foo: 'bar' }, 'foo="foo bar" foobar=10ms', { foo: 'bar', foo_extracted: 'foo bar', foobar: '10ms' }],
    ['invalid key names', { foo: 'bar' }, 'foo="foo bar" foo.bar=10ms test-dash=foo', { foo: 'bar', foo_extracted: 'foo bar', foo_bar: '10ms', test_dash: 'foo' }],
    ['empty line', { foo: 'bar' }, '', { foo: 'bar' }],
    [
      'empty key',
      { foo: 'bar' },
      'foo="foo bar" =notkey bar=10ms',
      { foo: 'bar', foo_extracted: 'foo bar', bar: '10ms' },
      { foo: 'bar', foo_extracted: 'foo bar', ...err("logfmt syntax error at pos 15 : unexpected '='") },
    ],
    [
      'replacement rune in a key (positions are bytes)',
      { foo: 'bar' },
      'foo="foo bar" b\ufffdr=10ms',
      { foo: 'bar', foo_extracted: 'foo bar' },
      { foo: 'bar', foo_extracted: 'foo bar', ...err('logfmt syntax error at pos 20 : invalid key') },
    ],
    [
      'double quote in a key',
      { foo: 'bar' },
      'foo="foo bar" bu"zz=10ms',
      { foo: 'bar', foo_extracted: 'foo bar' },
      { foo: 'bar', foo_extracted: 'foo bar', ...err(`logfmt syntax error at pos 17 : unexpected '"'`) },
    ],
    ['= in a value', { foo: 'bar' }, 'bar=bu=zz foo="foo bar"', { foo: 'bar', foo_extracted: 'foo bar' }, { foo: 'bar', ...err("logfmt syntax error at pos 7 : unexpected '='") }],
    ['unterminated quote', {}, 'a=1 b="x', { a: '1' }, { a: '1', ...err('logfmt syntax error at pos 9 : unterminated quoted value') }],
    ['invalid escape in a quoted value', {}, 'a="\\q" b=2', { b: '2' }, err('logfmt syntax error at pos 7 : invalid quoted value')],
    ['unicode values', {}, 'msg="héllo wörld" ✓=yes', { msg: 'héllo wörld', _: 'yes' }],
  ];

  it.each(cases)('%s', (_n, stream, line, want) => {
    expect(labelsOf([logfmt()], stream, line)).toEqual(want);
  });

  it.each(cases)('%s (--strict)', (_n, stream, line, want, strictWant) => {
    expect(labelsOf([logfmt(true)], stream, line)).toEqual(strictWant ?? want);
  });

  it('keeps bare keys as empty values with --keep-empty', () => {
    expect(labelsOf([logfmt(false, true)], { foo: 'bar' }, 'foo bar=buzz')).toEqual({ foo: 'bar', foo_extracted: '', bar: 'buzz' });
    expect(labelsOf([logfmt(false, false)], { foo: 'bar' }, 'foo bar=buzz')).toEqual({ foo: 'bar', bar: 'buzz' });
  });

  it('suffixes keys clashing with structured metadata', () => {
    const r = run([logfmt()], {}, 'app=foo level=error', { app: 'foo_sm' })!;
    expect(r.labels).toEqual({ app: 'foo_sm', app_extracted: 'foo', level: 'error' });
    expect(r.parsed).toEqual({ app_extracted: 'foo', level: 'error' });
  });

  it('parses a very long line', () => {
    const line = Array.from({ length: 5000 }, (_, i) => `k${i}=v${i}`).join(' ');
    const labels = labelsOf([logfmt()], {}, line)!;
    expect(Object.keys(labels)).toHaveLength(5000);
    expect(labels.k4999).toBe('v4999');
  });
});

describe('| logfmt with expressions', () => {
  const line = 'app=foo level=error spaces="value with ÜFT8👌" ts=2021-02-12T19:18:10.037940878Z';

  it.each([
    ['single field', [['app', 'app']], {}, { app: 'foo' }],
    ['several fields', [['app', 'app'], ['level', 'level'], ['ts', 'ts']], {}, { app: 'foo', level: 'error', ts: '2021-02-12T19:18:10.037940878Z' }],
    ['renaming', [['test', 'level']], {}, { test: 'error' }],
    ['unicode value', [['spaces', 'spaces']], {}, { spaces: 'value with ÜFT8👌' }],
    ['missing key', [['nope', 'nope']], {}, { nope: '' }],
    ['clash with a stream label', [['app', 'app']], { app: 'bar' }, { app: 'bar', app_extracted: 'foo' }],
    ['renamed to a free name', [['lvl', 'level']], { level: 'debug' }, { level: 'debug', lvl: 'error' }],
  ] as [string, [string, string][], Labels, Labels][])('%s', (_n, exprs, stream, want) => {
    expect(labelsOf([logfmtExpr(false, ...exprs)], stream, line)).toEqual(want);
  });

  it('suffixes an identifier clashing with structured metadata', () => {
    expect(labelsOf([logfmtExpr(false, ['app', 'app'])], {}, line, { app: 'foo_sm' })).toEqual({ app: 'foo_sm', app_extracted: 'foo' });
  });

  it('reports syntax errors only with --strict', () => {
    expect(labelsOf([logfmtExpr(true, ['a', 'a'])], {}, 'a=1 b=x=y')).toEqual({ a: '1', ...err("logfmt syntax error at pos 8 : unexpected '='") });
    expect(labelsOf([logfmtExpr(false, ['a', 'a'])], {}, 'a=1 b=x=y')).toEqual({ a: '1' });
  });

  it.each([
    ['field with space', 'syntax error: unexpected KEY'],
    ['"quoted"', 'syntax error: unexpected STRING, expecting KEY'],
    ['a.b', 'unexpected char .'],
  ])('rejects expression %j', (expression, msg) => {
    expect(() => buildPipeline([logfmtExpr(false, ['x', expression])])).toThrow(`cannot parse expression [${expression}]: ${msg}`);
  });
});
