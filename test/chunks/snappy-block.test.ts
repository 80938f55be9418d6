// The snappy block decoder against snappyjs output, hand-built elements and malformed input.
import snappy from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { uncompressSnappyBlock } from '../../src/chunks/snappy-block.js';
import { logfmtLine } from './fixtures.js';
import { xorshift } from '../support/random.js';

/** Bytes with runs, repeats at short and long distances and noise, to exercise every element kind. */
function sample(r: () => number, n: number): Buffer {
  const d = Buffer.alloc(n);
  const alphabet = 1 + Math.floor(r() * 20);
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.2 && i > 0) d[i] = d[i - 1];
    else if (x < 0.5 && i > 3000) d[i] = d[i - 1 - Math.floor(r() * 3000)];
    else d[i] = Math.floor(r() * alphabet) * 11;
  }
  return d;
}

describe('snappy block decoder', () => {
  it('expands what snappyjs compresses, for every kind of input', () => {
    const r = xorshift(7);
    const inputs: Buffer[] = [
      Buffer.alloc(0),
      Buffer.from('a'),
      Buffer.alloc(100_000, 0x61),
      Buffer.from(Array.from({ length: 3000 }, (_, i) => logfmtLine(i)).join('\n')),
    ];
    for (let k = 0; k < 300; k++) inputs.push(sample(r, Math.floor(r() * 5000) + (k % 25 === 0 ? 140_000 : 0)));
    for (const input of inputs) expect(uncompressSnappyBlock(snappy.compress(input), input.length).equals(input)).toBe(true);
  });

  it('decodes literals with 1- to 4-byte lengths and copies with 1-, 2- and 4-byte offsets', () => {
    // length 70 | literal of 3 ('abc') | copy1 len 4 off 3 | literal len 61 (1-byte length) | copy2 len 1 off 1 | copy4 len 1 off 2
    const lit61 = Buffer.alloc(61, 0x7a);
    const src = Buffer.concat([
      Buffer.from([70, 2 << 2, 0x61, 0x62, 0x63, 1 | (0 << 2), 3]),
      Buffer.from([60 << 2, 60]),
      lit61,
      Buffer.from([2, 1, 0, 3, 2, 0, 0, 0]),
    ]);
    expect(uncompressSnappyBlock(src, 70).toString('latin1')).toBe('abcabca' + 'z'.repeat(61) + 'zz');
    const long = Buffer.concat([Buffer.from([0x80, 0x80, 0x04, 63 << 2, 0xff, 0xff, 0, 0]), Buffer.alloc(65536, 1)]);
    expect(uncompressSnappyBlock(long, 65536).equals(Buffer.alloc(65536, 1))).toBe(true);
  });

  it('rejects malformed blocks instead of returning partial data', () => {
    const good = snappy.compress(Buffer.from('hello hello hello hello hello'));
    expect(() => uncompressSnappyBlock(good, 28)).toThrow('invalid snappy block: header says 29 bytes, expected 28');
    expect(() => uncompressSnappyBlock(good.subarray(0, good.length - 1), 29)).toThrow(/^invalid snappy block: /);
    expect(() => uncompressSnappyBlock(Buffer.from([4, 1 | (0 << 2), 1]), 4)).toThrow('invalid snappy block: copy reaches outside the output');
    expect(() => uncompressSnappyBlock(Buffer.from([4, 3 << 2, 0x61]), 4)).toThrow('invalid snappy block: literal runs past the end');
    expect(() => uncompressSnappyBlock(Buffer.from([4, 0, 0x61]), 4)).toThrow('invalid snappy block: decoded 1 bytes, expected 4');
    expect(() => uncompressSnappyBlock(Buffer.from([0x80]), 0)).toThrow('invalid snappy block: bad length header');
  });
});
