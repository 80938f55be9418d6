// Snappy decoding in WebAssembly gives exactly what the JavaScript decoder gives: the same bytes for
// every valid stream, the same error for every corrupt one (fuzzed and hand-made edge cases).
import snappy from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { decodeSnappyBlock, SnappyError } from '../../src/distributor/snappy.js';
import { decodeSnappyTagsWasm } from '../../src/distributor/snappy-wasm.js';
import { xorshift } from '../support/random.js';

/** The outcome of a decoder: its bytes, or its error's class and text. */
function outcome(data: Buffer, useWasm: boolean): { bytes?: string; error?: string } {
  try {
    return { bytes: decodeSnappyBlock(data, useWasm).toString('base64') };
  } catch (e) {
    return { error: `${e instanceof SnappyError ? 'SnappyError' : 'other'}: ${(e as Error).message}` };
  }
}

function sample(rand: () => number, length: number, kind: number): Buffer {
  const out = Buffer.alloc(length);
  const words = ['level=info ', 'msg="request completed" ', 'duration=12ms ', 'trace_id=4bf92f3577b34da6 ', '{"a":1} ', 'é€ '];
  let p = 0;
  while (p < length) {
    if (kind === 0) out[p++] = Math.floor(rand() * 256);
    else if (kind === 1) p += out.write(words[Math.floor(rand() * words.length)], p);
    else out[p++] = rand() < 0.9 ? 0x61 : Math.floor(rand() * 256);
  }
  return out;
}

describe('snappy in WebAssembly', () => {
  it('is available here', () => {
    expect(decodeSnappyTagsWasm(Buffer.from([0x00]), 1, 0)).toBeInstanceOf(Buffer);
    expect(decodeSnappyTagsWasm(Buffer.from([0x01, 0x00, 0x61]), 1, 1)).toEqual(Buffer.from('a'));
  });

  it('decodes valid streams of every kind and size as the JavaScript decoder does', () => {
    const rand = xorshift(1123);
    for (let trial = 0; trial < 300; trial++) {
      const length = trial < 20 ? trial : Math.floor(rand() ** 2 * 300_000);
      const raw = sample(rand, length, trial % 3);
      const packed = Buffer.from(snappy.compress(raw));
      expect(decodeSnappyBlock(packed, true).equals(raw), `trial ${trial}`).toBe(true);
    }
  });

  it('fails every corrupted stream exactly when the JavaScript decoder fails it, with the same text', () => {
    const rand = xorshift(77);
    for (let trial = 0; trial < 3000; trial++) {
      const raw = sample(rand, 1 + Math.floor(rand() * 3000), trial % 3);
      let data = Buffer.from(snappy.compress(raw));
      const how = trial % 4;
      if (how === 0) for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) data[Math.floor(rand() * data.length)] ^= 1 << Math.floor(rand() * 8);
      else if (how === 1) data = data.subarray(0, Math.floor(rand() * data.length));
      else if (how === 2) data = Buffer.concat([data, Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 256)))]);
      else data = Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
      expect(outcome(data, true), `trial ${trial}: ${data.toString('hex')}`).toEqual(outcome(data, false));
    }
  });

  it('handles the edge cases: long literal lengths, overlapping and far copies, bad offsets', () => {
    const cases: number[][] = [
      // length 4, literal "abcd" with a 1-byte length field (tag 60 << 2)
      [4, 60 << 2, 3, 0x61, 0x62, 0x63, 0x64],
      // literal length in 4 bytes claiming 2^32 bytes
      [4, 63 << 2, 0xff, 0xff, 0xff, 0xff, 0x61],
      // "a" then a 1-byte-offset copy of offset 1, length 11: run-length
      [12, 0x00, 0x61, (7 << 2) | 1, 1],
      // copy with offset 0
      [5, 0x00, 0x61, (0 << 2) | 1, 0],
      // copy reaching before the output's start
      [6, 0x00, 0x61, (1 << 2) | 1, 2],
      // 2-byte and 4-byte offset copies of a two-byte pattern
      [8, 0x04, 0x61, 0x62, (5 << 2) | 2, 2, 0],
      [8, 0x04, 0x61, 0x62, (5 << 2) | 3, 2, 0, 0, 0],
      // 4-byte offset with its top bit set
      [8, 0x04, 0x61, 0x62, (5 << 2) | 3, 2, 0, 0, 0x80],
      // output shorter than the header says, and a copy past the end
      [9, 0x04, 0x61, 0x62, (5 << 2) | 2, 2, 0],
      [3, 0x04, 0x61, 0x62, (5 << 2) | 2, 2, 0],
      // tag bytes cut off
      [8, 0x04, 0x61, 0x62, (5 << 2) | 3, 2, 0],
    ];
    for (const c of cases) expect(outcome(Buffer.from(c), true), Buffer.from(c).toString('hex')).toEqual(outcome(Buffer.from(c), false));
    expect(outcome(Buffer.from([12, 0x00, 0x61, (7 << 2) | 1, 1]), true).bytes).toBe(Buffer.from('a'.repeat(12)).toString('base64'));
  });
});
