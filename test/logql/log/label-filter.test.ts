import { describe, expect, it } from 'vitest';
import type { CmpOp, LabelFilter } from '../../../src/logql/ast.js';
import { buildPipeline } from '../../../src/logql/log/index.js';
import { parseGoDurationNanos } from '../../../src/logql/log/conversions.js';
import { json, labelFilter, labelsOf, matcher } from './run-pipeline.js';

/** Typed filters print as `name op value` in test titles. */
const typed = (f: LabelFilter & { name: string; op: CmpOp }): LabelFilter =>
  Object.assign(f, { toString: () => `${f.name}${f.op}${'value' in f ? String(f.value) : ''}` });
const num = (name: string, op: CmpOp, value: number) => typed({ kind: 'number', name, op, value, text: String(value) });
const dur = (name: string, op: CmpOp, value: bigint) => typed({ kind: 'duration', name, op, value, text: '' });
const bytes = (name: string, op: CmpOp, value: number) => typed({ kind: 'bytes', name, op, value, text: '' });
const and = (left: LabelFilter, right: LabelFilter): LabelFilter => ({ kind: 'and', left, right });
const or = (left: LabelFilter, right: LabelFilter): LabelFilter => ({ kind: 'or', left, right });

const filter = (f: LabelFilter, stream: Record<string, string>) => labelsOf([labelFilter(f)], stream, 'line');

describe('string label filters', () => {
  it.each([
    ['=', 'bar', 'bar', true],
    ['=', 'bar', 'baz', false],
    ['!=', 'bar', 'baz', true],
    ['=~', 'ba.', 'baz', true],
    ['=~', 'ba', 'baz', false],
    ['=~', 'b(a|o)z', 'boz', true],
    ['=~', 'foo|bar', 'xbar', false],
    ['=~', '.*', 'a\nb', true],
    ['=~', '.+', 'a\nb', true],
    ['=~', '.+', '', false],
    ['=~', 'a.b', 'a\nb', false],
    ['=~', '(?i)BAR', 'bar', true],
    ['!~', 'ba.', 'baz', false],
    ['=~', '40[04]', '404', true],
    ['=~', '40[04]', 'x404', false],
  ] as const)('%s %j on %j → %s', (op, value, v, want) => {
    expect(filter(matcher('foo', op, value), { foo: v }) !== undefined).toBe(want);
  });

  it('compares a missing label as ""', () => {
    expect(filter(matcher('missing', '=', ''), { foo: 'x' })).toEqual({ foo: 'x' });
    expect(filter(matcher('missing', '!=', ''), { foo: 'x' })).toBeUndefined();
  });

  it('reproduces Loki simplifying one-sided wildcards and shared prefixes into substring matches', () => {
    expect(filter(matcher('name', '=~', 'al.*'), { name: 'prealpha' })).toEqual({ name: 'prealpha' });
    expect(filter(matcher('name', '=~', '.*al'), { name: 'alpha' })).toEqual({ name: 'alpha' });
    expect(filter(matcher('level', '=~', 'warn|warning'), { level: 'prewarn' })).toEqual({ level: 'prewarn' });
    expect(filter(matcher('level', '=~', 'foo|bar'), { level: 'xfoo' })).toBeUndefined();
  });

  it('filters on the error label with __error__', () => {
    const stages = [json, labelFilter(matcher('__error__', '=', ''))];
    expect(labelsOf(stages, {}, 'not json')).toBeUndefined();
    expect(labelsOf(stages, {}, '{"a":"1"}')).toEqual({ a: '1' });
    const only = [json, labelFilter(matcher('__error__', '=', 'JSONParserErr'))];
    expect(labelsOf(only, {}, 'not json')).toEqual({ __error__: 'JSONParserErr', __error_details__: "Value looks like object, but can't find closing '}' symbol" });
  });

  it('rejects a bad regex when built', () => {
    expect(() => buildPipeline([labelFilter(matcher('a', '=~', '(x'))])).toThrow('error parsing regexp: missing closing ): `(x`');
  });
});

describe('typed label filters', () => {
  it.each([
    [num('status', '>', 400), '500', true],
    [num('status', '>', 400), '400', false],
    [num('status', '>=', 400), '400', true],
    [num('status', '==', 400), '400.0', true],
    [num('status', '=', 400), '4e2', true],
    [num('status', '!=', 400), '401', true],
    [num('status', '<', 1), '0x1p-2', true],
    [num('status', '<', 1), '+Inf', false],
    [num('status', '!=', 1), 'NaN', true],
    [dur('latency', '>', 250_000_000n), '1s', true],
    [dur('latency', '>', 250_000_000n), '250ms', false],
    [dur('latency', '<=', 1_500_000_000n), '1.5s', true],
    [dur('latency', '==', 90_000_000_000n), '1m30s', true],
    [bytes('size', '>', 1000), '1.5KiB', true],
    [bytes('size', '==', 20), '20B', true],
    [bytes('size', '<', 1_000_000), '1 MB', false],
    [bytes('size', '==', 1_000), '1,000', true],
  ] as [LabelFilter, string, boolean][])('%s on %j → %s', (f, v, want) => {
    const name = (f as { name: string }).name;
    expect(filter(f, { [name]: v }) !== undefined).toBe(want);
  });

  it('drops the entry when the label is missing', () => {
    expect(filter(num('status', '>', 1), {})).toBeUndefined();
    expect(filter(dur('d', '>', 1n), {})).toBeUndefined();
  });

  it.each([
    [num('status', '>', 1), 'abc', 'strconv.ParseFloat: parsing "abc": invalid syntax'],
    [num('status', '>', 1), '1e400', 'strconv.ParseFloat: parsing "1e400": value out of range'],
    [num('status', '>', 1), ' 1', 'strconv.ParseFloat: parsing " 1": invalid syntax'],
    [dur('status', '>', 1n), 'abc', 'time: invalid duration "abc"'],
    [dur('status', '>', 1n), '10', 'time: missing unit in duration "10"'],
    [dur('status', '>', 1n), '10x', 'time: unknown unit "x" in duration "10x"'],
    [dur('status', '>', 1n), 'ü', 'time: invalid duration "\\xc3\\xbc"'],
    [bytes('status', '>', 1), 'abc', 'strconv.ParseFloat: parsing "": invalid syntax'],
    [bytes('status', '>', 1), '10 XB', 'unhandled size name: xb'],
  ] as [LabelFilter, string, string][])('keeps the entry and marks it when %s cannot convert %j', (f, v, details) => {
    expect(filter(f, { status: v })).toEqual({ status: v, __error__: 'LabelFilterErr', __error_details__: details });
  });

  it('keeps an earlier error instead of overwriting it', () => {
    const stages = [json, labelFilter(num('status', '>', 1))];
    expect(labelsOf(stages, { status: 'x' }, 'nope')).toEqual({
      status: 'x',
      __error__: 'JSONParserErr',
      __error_details__: "Value looks like object, but can't find closing '}' symbol",
    });
  });
});

describe('duration label filters', () => {
  // The one-number form is compared as a double; everything else through Go's parse: same outcome.
  const values = [
    '500ms', '499ms', '501ms', '0.5s', '0.499999999s', '0.5000000001s', '500000000ns', '500000us', '500000µs', '0.0083333333m',
    '1h', '1.5h', '2562047h', '2562048h', '9007199254740991ns', '9007199254740993ns', '1h30m', '-500ms', '+500ms', '0', '.5s',
    '5.s', '1e3ms', '', '500', 'ms', '500 ms', '5.0000000000000000001s', '0000000000000000500ms',
  ];
  const wants = [500_000_000n, 0n, -1n, 3_600_000_000_000n, 9_007_199_254_740_993n, (1n << 63n) - 1n];
  const ops: CmpOp[] = ['=', '==', '!=', '>', '>=', '<', '<='];

  function reference(op: CmpOp, v: string, want: bigint): Record<string, string> | undefined {
    const d = parseGoDurationNanos(v);
    if (!d.ok) return { d: v, __error__: 'LabelFilterErr', __error_details__: d.error };
    const a = d.value;
    const keep = op === '=' || op === '==' ? a === want : op === '!=' ? a !== want : op === '>' ? a > want : op === '>=' ? a >= want : op === '<' ? a < want : a <= want;
    return keep ? { d: v } : undefined;
  }

  it('keeps, drops and marks entries as Go’s parse and a BigInt comparison do', () => {
    let kept = 0;
    for (const want of wants)
      for (const op of ops)
        for (const v of values) {
          const got = filter(dur('d', op, want), { d: v });
          expect(got, `${v} ${op} ${want}`).toEqual(reference(op, v, want));
          if (got !== undefined && got.__error__ === undefined) kept++;
        }
    expect(kept).toBeGreaterThan(200);
  });
});

describe('and / or', () => {
  it('needs both sides for and, either side for or', () => {
    const f = and(matcher('a', '=', '1'), num('b', '>', 5));
    expect(filter(f, { a: '1', b: '6' })).toEqual({ a: '1', b: '6' });
    expect(filter(f, { a: '1', b: '4' })).toBeUndefined();
    const g = or(matcher('a', '=', '1'), num('b', '>', 5));
    expect(filter(g, { a: '2', b: '6' })).toEqual({ a: '2', b: '6' });
    expect(filter(g, { a: '2', b: '4' })).toBeUndefined();
  });

  it('evaluates the right side of and even when the left failed', () => {
    // The conversion error on the right is recorded, but the entry is still dropped by the left.
    const f = or(and(matcher('a', '=', 'nope'), num('b', '>', 5)), matcher('__error__', '=', 'LabelFilterErr'));
    expect(filter(f, { a: '1', b: 'x' })).toEqual({ a: '1', b: 'x', __error__: 'LabelFilterErr', __error_details__: 'strconv.ParseFloat: parsing "x": invalid syntax' });
  });

  it('skips the right side of or once the left passed', () => {
    const f = or(matcher('a', '=', '1'), num('b', '>', 5));
    expect(filter(f, { a: '1', b: 'x' })).toEqual({ a: '1', b: 'x' });
  });
});

describe('ip label filters', () => {
  const ip = (op: '=' | '!=', pattern: string): LabelFilter =>
    Object.assign({ kind: 'ip' as const, name: 'addr', op, pattern }, { toString: () => `addr${op}ip("${pattern}")` });

  it.each([
    [ip('=', '192.168.0.0/16'), '192.168.1.1', true],
    [ip('=', '192.168.0.0/16'), '10.0.0.1', false],
    [ip('!=', '192.168.0.0/16'), '10.0.0.1', true],
    [ip('=', '::1'), '::1 ok', true],
    // Loki's scan needs five bytes to recognise an IPv6 start, so a bare "::1" is never found.
    [ip('=', '::1'), '::1', false],
    [ip('=', '10.0.0.1-10.0.0.9'), 'from 10.0.0.5 ok', true],
  ] as [LabelFilter, string, boolean][])('%s on %j → %s', (f, v, want) => {
    expect(filter(f, { addr: v }) !== undefined).toBe(want);
  });

  it('drops entries without the label and passes entries with an error', () => {
    expect(filter(ip('=', '10.0.0.1'), {})).toBeUndefined();
    expect(labelsOf([json, labelFilter(ip('=', '10.0.0.1'))], {}, 'bad')?.__error__).toBe('JSONParserErr');
  });

  it('rejects a bad pattern when built', () => {
    expect(() => buildPipeline([labelFilter(ip('=', '1.2.3'))])).toThrow('ip: invalid pattern: "1.2.3"');
  });
});
