import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressSection, decompressSection } from '../../src/chunks/codec.js';

const text = Buffer.from(Array.from({ length: 3000 }, (_, i) => `level=info msg="request ${i}" duration=${i % 997}ms`).join(''));

describe('gzip sections', () => {
  it('expand to the known length in one piece, larger than zlib’s 16 KiB output chunk', () => {
    const packed = compressSection('gzip', text);
    expect(text.length).toBeGreaterThan(64 * 1024);
    expect(decompressSection('gzip', packed, text.length).equals(text)).toBe(true);
  });

  it('round-trip empty and tiny sections', () => {
    for (const data of [Buffer.alloc(0), Buffer.from('x')]) {
      expect(decompressSection('gzip', compressSection('gzip', data), data.length).equals(data)).toBe(true);
    }
  });

  it('read members with optional header fields through gunzip', () => {
    // FLG.FNAME set: a file name follows the 10-byte header (what the gzip tool writes).
    const plain = zlib.gzipSync(text);
    const named = Buffer.concat([plain.subarray(0, 3), Buffer.from([0x08]), plain.subarray(4, 10), Buffer.from('lines.txt\0'), plain.subarray(10)]);
    expect(decompressSection('gzip', named, text.length).equals(text)).toBe(true);
  });

  it('reject a member whose length field disagrees with its stream', () => {
    const packed = Buffer.from(compressSection('gzip', text));
    packed.writeUInt32LE(text.length + 1, packed.length - 4);
    expect(() => decompressSection('gzip', packed, text.length)).toThrow(/length field/);
  });

  it('reject a truncated stream and an unexpected length', () => {
    const packed = compressSection('gzip', text);
    expect(() => decompressSection('gzip', packed.subarray(0, packed.length - 20), text.length)).toThrow();
    expect(() => decompressSection('gzip', packed, text.length - 1)).toThrow();
    expect(() => decompressSection('gzip', packed, text.length + 1)).toThrow(/expected/);
  });
});
