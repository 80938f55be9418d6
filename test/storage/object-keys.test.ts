import { describe, expect, it } from 'vitest';
import { chunkKey, indexFileKey, parseIndexFileKey, periodOf, periodsOverlapping, periodsSpanned } from '../../src/storage/object-keys.js';

describe('object layout', () => {
  it('names chunks chunks/<tenant>/<fingerprint>/<from hex>-<through hex>-<crc hex>', () => {
    expect(chunkKey('fake', '0123456789abcdef', 1_795_400_000_000_000_000n, 1_795_400_000_000_000_255n, 0xdeadbeef)).toBe(
      'chunks/fake/0123456789abcdef/18ea8ac99dbc8000-18ea8ac99dbc80ff-deadbeef',
    );
    expect(chunkKey('t', 'ab', 0n, 0n, 0)).toBe('chunks/t/ab/0-0-0');
  });

  it('names index files index/<period>/<tenant>/<writer>-<seq> and parses them back', () => {
    const key = indexFileKey(20415n, 'fake', 'ingester-0', '0001795400000000');
    expect(key).toBe('index/20415/fake/ingester-0-0001795400000000');
    expect(parseIndexFileKey(key)).toEqual({ period: 20415n, tenant: 'fake' });
    expect(parseIndexFileKey('index/20415/fake')).toBeUndefined();
    expect(parseIndexFileKey('chunks/a/b/c')).toBeUndefined();
  });

  it('maps timestamps to periods by floor division, end of a query range exclusive', () => {
    expect(periodOf(0n, 100n)).toBe(0n);
    expect(periodOf(99n, 100n)).toBe(0n);
    expect(periodOf(100n, 100n)).toBe(1n);
    expect(periodOf(-1n, 100n)).toBe(-1n);
    expect(periodsSpanned(50n, 250n, 100n)).toEqual([0n, 1n, 2n]);
    expect(periodsOverlapping(0n, 100n, 100n)).toEqual([0n]);
    expect(periodsOverlapping(0n, 101n, 100n)).toEqual([0n, 1n]);
    expect(periodsOverlapping(5n, 5n, 100n)).toEqual([]);
  });
});
