import { describe, expect, it } from 'vitest';
import { isPrintableAscii } from '../../src/chunks/index.js';
import { xorshift } from '../support/random.js';

const slow = (b: Uint8Array, start: number, end: number): boolean => {
  for (let i = start; i < end; i++) if (b[i] < 0x20 || b[i] >= 0x80) return false;
  return true;
};

describe('isPrintableAscii', () => {
  it('agrees with a byte-by-byte check at every alignment, with each kind of bad byte anywhere', () => {
    const rand = xorshift(7);
    const backing = new Uint8Array(300);
    for (let trial = 0; trial < 3000; trial++) {
      for (let i = 0; i < backing.length; i++) backing[i] = 0x20 + Math.floor(rand() * 0x60);
      if (trial % 3 !== 0) backing[Math.floor(rand() * backing.length)] = [0x00, 0x09, 0x1f, 0x80, 0xc3, 0xff][trial % 6];
      const offset = trial % 7;
      const view = backing.subarray(offset);
      const start = Math.floor(rand() * 20);
      const end = start + Math.floor(rand() * (view.length - start));
      expect(isPrintableAscii(view, start, end)).toBe(slow(view, start, end));
    }
  });

  it('takes 0x20 and 0x7f, refuses 0x1f and 0x80, and an empty range is printable', () => {
    expect(isPrintableAscii(Buffer.from([0x20, 0x7f, 0x41, 0x20, 0x7f, 0x7e, 0x30, 0x39]), 0, 8)).toBe(true);
    expect(isPrintableAscii(Buffer.from([0x41, 0x41, 0x41, 0x41, 0x1f, 0x41, 0x41, 0x41]), 0, 8)).toBe(false);
    expect(isPrintableAscii(Buffer.from([0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x80]), 0, 8)).toBe(false);
    expect(isPrintableAscii(Buffer.from('héllo'), 0, 0)).toBe(true);
    expect(isPrintableAscii(Buffer.from('héllo'), 0, 6)).toBe(false);
  });
});
