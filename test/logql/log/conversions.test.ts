import { describe, expect, it } from 'vitest';
import { parseGoDurationNanos, parseGoDurationSeconds, parseGoFloat, parseHumanBytes } from '../../../src/logql/log/conversions.js';

describe('Go strconv.ParseFloat', () => {
  it.each([
    ['1', 1],
    ['-2.5', -2.5],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['1E-2', 0.01],
    ['+7', 7],
    ['inf', Infinity],
    ['-Infinity', -Infinity],
    ['0x1p-2', 0.25],
    ['0x1.8p1', 3],
    ['1e-400', 0],
  ])('%j → %s', (s, v) => {
    expect(parseGoFloat(s)).toEqual({ ok: true, value: v });
  });

  it('parses NaN', () => {
    const r = parseGoFloat('NaN');
    expect(r.ok && Number.isNaN(r.value)).toBe(true);
  });

  it.each([
    ['', 'strconv.ParseFloat: parsing "": invalid syntax'],
    ['abc', 'strconv.ParseFloat: parsing "abc": invalid syntax'],
    [' 1', 'strconv.ParseFloat: parsing " 1": invalid syntax'],
    ['1_000', 'strconv.ParseFloat: parsing "1_000": invalid syntax'],
    ['0x10', 'strconv.ParseFloat: parsing "0x10": invalid syntax'],
    ['+nan', 'strconv.ParseFloat: parsing "+nan": invalid syntax'],
    ['1e400', 'strconv.ParseFloat: parsing "1e400": value out of range'],
    ['"q"', 'strconv.ParseFloat: parsing "\\"q\\"": invalid syntax'],
  ])('rejects %j', (s, error) => {
    expect(parseGoFloat(s)).toEqual({ ok: false, error });
  });
});

describe('Go time.ParseDuration', () => {
  it.each([
    ['0', 0n],
    ['1ns', 1n],
    ['1.5s', 1_500_000_000n],
    ['1h15m30.918273645s', 4_530_918_273_645n],
    ['-5ms', -5_000_000n],
    ['+2µs', 2_000n],
    ['.5m', 30_000_000_000n],
    ['1.0000000001s', 1_000_000_000n],
  ])('%j → %s ns', (s, ns) => {
    expect(parseGoDurationNanos(s)).toEqual({ ok: true, value: ns });
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['abc', 'time: invalid duration "abc"'],
    ['1', 'time: missing unit in duration "1"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['.s', 'time: invalid duration ".s"'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
  ])('rejects %j', (s, error) => {
    expect(parseGoDurationNanos(s)).toEqual({ ok: false, error });
  });

  it.each([
    ['2.30ms', 2_300_000n],
    ['1.234s', 1_234_000_000n],
    ['0.1h', 360_000_000_000n],
    ['15.5µs', 15_500n],
    ['15.5μs', 15_500n],
    ['1.5us', 1_500n],
    ['5.123456789m', 307_407_407_340n],
    ['1.s', 1_000_000_000n],
    ['007ms', 7_000_000n],
    ['999999999999999ns', 999_999_999_999_999n],
    ['2562047h', 9_223_369_200_000_000_000n],
  ])('reads the one-number form %j as %s ns', (s, ns) => {
    expect(parseGoDurationNanos(s)).toEqual({ ok: true, value: ns });
  });

  it('reads one-number durations exactly as the same duration after a zero component', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const units = ['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h'];
    for (let k = 0; k < 3000; k++) {
      const whole = String(rnd(10 ** (1 + rnd(9)))).repeat(1 + rnd(2));
      const fraction = rnd(3) === 0 ? '' : '.' + String(rnd(10 ** (1 + rnd(9)))).padStart(rnd(10), '0');
      const s = whole + fraction + units[rnd(units.length)];
      const slow = parseGoDurationNanos('0h' + s);
      const fast = parseGoDurationNanos(s);
      expect(fast.ok ? fast.value : 'error').toEqual(slow.ok ? slow.value : 'error');
    }
  });

  it('converts to seconds like Duration.Seconds()', () => {
    expect(parseGoDurationSeconds('1m30s')).toEqual({ ok: true, value: 90 });
    expect(parseGoDurationSeconds('3ms')).toEqual({ ok: true, value: 0.003 });
  });
});

describe('go-humanize ParseBytes', () => {
  it.each([
    ['42', 42],
    ['42 MB', 42_000_000],
    ['42 mib', 44_040_192],
    ['1.5KiB', 1536],
    ['1,024 kB', 1_024_000],
    ['3k', 3000],
    ['0B', 0],
  ])('%j → %s', (s, v) => {
    expect(parseHumanBytes(s)).toEqual({ ok: true, value: v });
  });

  it.each([
    ['', 'strconv.ParseFloat: parsing "": invalid syntax'],
    ['MB', 'strconv.ParseFloat: parsing "": invalid syntax'],
    ['1 XB', 'unhandled size name: xb'],
    ['99999999 EB', 'too large: 99999999 EB'],
  ])('rejects %j', (s, error) => {
    expect(parseHumanBytes(s)).toEqual({ ok: false, error });
  });
});
