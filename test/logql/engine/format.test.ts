import { describe, expect, it } from 'vitest';
import { formatSampleValue } from '../../../src/logql/engine/index.js';

describe('formatSampleValue', () => {
  it('prints special values as Prometheus does', () => {
    expect(formatSampleValue(NaN)).toBe('NaN');
    expect(formatSampleValue(Infinity)).toBe('+Inf');
    expect(formatSampleValue(-Infinity)).toBe('-Inf');
    expect(formatSampleValue(-0)).toBe('-0');
    expect(formatSampleValue(0)).toBe('0');
  });

  it('prints the shortest round-trip decimal', () => {
    expect(formatSampleValue(0.1)).toBe('0.1');
    expect(formatSampleValue(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(formatSampleValue(993.5898437499999)).toBe('993.5898437499999');
    expect(formatSampleValue(-2.5)).toBe('-2.5');
    expect(formatSampleValue(42)).toBe('42');
  });

  it('never uses exponent notation', () => {
    expect(formatSampleValue(1e21)).toBe('1000000000000000000000');
    expect(formatSampleValue(1.5e22)).toBe('15000000000000000000000');
    expect(formatSampleValue(-1.25e-7)).toBe('-0.000000125');
    expect(formatSampleValue(1e-7)).toBe('0.0000001');
    expect(formatSampleValue(5e-324)).toBe('0.' + '0'.repeat(323) + '5');
    expect(formatSampleValue(1.7976931348623157e308)).toBe('17976931348623157' + '0'.repeat(292));
  });
});
