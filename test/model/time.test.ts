import { describe, expect, it } from 'vitest';
import {
  formatGoDuration,
  formatGoTime,
  formatPromDuration,
  formatRFC3339,
  formatRFC3339Nano,
  parseGoDuration,
  parsePromDuration,
  parseRFC3339,
} from '../../src/model/time.js';

describe('timestamps', () => {
  const ts = 1795440866462000536n;
  it('prints Go time forms with nanosecond precision', () => {
    expect(formatGoTime(ts)).toBe('2026-11-23 13:34:26.462000536 +0000 UTC');
    expect(formatRFC3339(ts)).toBe('2026-11-23T13:34:26Z');
    expect(formatRFC3339Nano(ts)).toBe('2026-11-23T13:34:26.462000536Z');
    expect(formatRFC3339Nano(1795440866000000000n)).toBe('2026-11-23T13:34:26Z');
    expect(formatRFC3339Nano(1795440866500000000n)).toBe('2026-11-23T13:34:26.5Z');
  });
  it('parses RFC3339 with offsets and nanoseconds exactly', () => {
    expect(parseRFC3339('2026-11-23T13:34:26.462000536Z')).toBe(ts);
    expect(parseRFC3339('2026-11-23T14:34:26.462000536+01:00')).toBe(ts);
    expect(parseRFC3339('2022-12-24T00:00:00Z')).toBe(1671840000000000000n);
    expect(parseRFC3339('nope')).toBeUndefined();
  });
});

describe('durations', () => {
  it('parses Go and Prometheus durations', () => {
    expect(parseGoDuration('1h2m3.5s')).toBe(3723500000000n);
    expect(parseGoDuration('500ms')).toBe(500000000n);
    expect(parseGoDuration('-1.5µs')).toBe(-1500n);
    expect(parseGoDuration('5d')).toBeUndefined();
    expect(parsePromDuration('1d')).toBe(86400000000000n);
    expect(parsePromDuration('1h30m')).toBe(5400000000000n);
    expect(parsePromDuration('1.5m')).toBeUndefined();
  });
  it('prints Go and Prometheus durations', () => {
    expect(formatGoDuration(3600000000000n)).toBe('1h0m0s');
    expect(formatGoDuration(1500000000n)).toBe('1.5s');
    expect(formatGoDuration(500000000n)).toBe('500ms');
    expect(formatPromDuration(5400000000000n)).toBe('1h30m');
    expect(formatPromDuration(86400000000000n)).toBe('1d');
    expect(formatPromDuration(604800000000000n)).toBe('1w');
  });
});
