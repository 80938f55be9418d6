import { describe, it, expect } from 'vitest';
import { generateTokens, ownedTokenSpace, tokenFor } from '../../src/ring/index.js';
import { searchToken, tokenDistance } from '../../src/ring/tokens.js';
import type { InstanceDesc, RingDesc } from '../../src/ring/index.js';

function instance(id: string, tokens: number[]): InstanceDesc {
  return { id, addr: `${id}:9095`, state: 'ACTIVE', tokens, heartbeatMs: 0, registeredMs: 0 };
}

describe('tokenFor', () => {
  // Reference values computed independently (FNV-1 32: multiply by 16777619, then xor each byte).
  it('hashes the empty input to the FNV-1 32 offset basis', () => {
    expect(tokenFor('', '')).toBe(0x811c9dc5);
  });

  it('matches the published FNV-1 32 values of "a" and "foobar" (not FNV-1a)', () => {
    expect(tokenFor('a', '')).toBe(0x050c5d7e);
    expect(tokenFor('foobar', '')).toBe(0x31f0b262);
    expect(tokenFor('foobar', '')).not.toBe(0xbf9cf968);
  });

  it('hashes the tenant bytes immediately followed by the labels string', () => {
    expect(tokenFor('fake', '{job="varlogs"}')).toBe(2345048068);
    expect(tokenFor('fa', 'ke{job="varlogs"}')).toBe(2345048068);
    expect(tokenFor('foo', 'bar')).toBe(tokenFor('foobar', ''));
  });

  it('hashes the UTF-8 bytes of non-ASCII labels', () => {
    expect(tokenFor('tenant', '{app="é"}')).toBe(1133270311);
  });

  it('encodes astral characters as four UTF-8 bytes, as Buffer does', () => {
    const s = '{emoji="😀"}';
    let h = 0x811c9dc5;
    for (const byte of Buffer.from(s, 'utf8')) h = (Math.imul(h, 0x01000193) ^ byte) >>> 0;
    expect(tokenFor('', s)).toBe(h);
  });

  it('returns an unsigned 32-bit integer', () => {
    const t = tokenFor('tenant-1', '{a="1", b="2"}');
    expect(Number.isInteger(t)).toBe(true);
    expect(t).toBeGreaterThanOrEqual(0);
    expect(t).toBeLessThanOrEqual(0xffffffff);
  });
});

describe('generateTokens', () => {
  it('returns the requested number of distinct tokens in ascending order', () => {
    const tokens = generateTokens(128, []);
    expect(tokens).toHaveLength(128);
    expect(new Set(tokens).size).toBe(128);
    expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
    for (const t of tokens) expect(t >>> 0).toBe(t);
  });

  it('skips candidates that are already taken or already picked', () => {
    const candidates = [5, 7, 5, 9, 11, 3];
    let i = 0;
    const tokens = generateTokens(3, [7, 9], () => candidates[i++]);
    expect(tokens).toEqual([3, 5, 11]);
  });

  it('returns nothing for a non-positive count', () => {
    expect(generateTokens(0, [])).toEqual([]);
    expect(generateTokens(-3, [])).toEqual([]);
  });
});

describe('searchToken', () => {
  const tokens = [100, 200, 300];

  it('finds the first token strictly greater than the key', () => {
    expect(searchToken(tokens, 0)).toBe(0);
    expect(searchToken(tokens, 100)).toBe(1);
    expect(searchToken(tokens, 150)).toBe(1);
    expect(searchToken(tokens, 299)).toBe(2);
  });

  it('wraps to the first token past the last one', () => {
    expect(searchToken(tokens, 300)).toBe(0);
    expect(searchToken(tokens, 0xffffffff)).toBe(0);
  });
});

describe('ownedTokenSpace', () => {
  it('gives each token the range back to the previous token, wrapping around', () => {
    const desc: RingDesc = { instances: { a: instance('a', [100, 300]), b: instance('b', [200]) } };
    const owned = ownedTokenSpace(desc);
    expect(owned.get('a')).toBe(2 ** 32 - 300 + 100 + 100);
    expect(owned.get('b')).toBe(100);
    expect((owned.get('a') ?? 0) + (owned.get('b') ?? 0)).toBe(2 ** 32);
  });

  it('gives a single token the whole ring and instances without tokens nothing', () => {
    const owned = ownedTokenSpace({ instances: { a: instance('a', [42]), p: instance('p', []) } });
    expect(owned.get('a')).toBe(2 ** 32);
    expect(owned.get('p')).toBe(0);
  });

  it('measures the clockwise distance between tokens', () => {
    expect(tokenDistance(10, 30)).toBe(20);
    expect(tokenDistance(30, 10)).toBe(2 ** 32 - 20);
    expect(tokenDistance(7, 7)).toBe(2 ** 32);
  });
});
