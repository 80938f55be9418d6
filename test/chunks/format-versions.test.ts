// Chunks written in format version 1 (metadata without repeat codes) still read back exactly, and
// version 2 writes a repeated metadata object as one byte.
import { describe, expect, it } from 'vitest';
import { MemChunk, StoredChunk } from '../../src/chunks/index.js';
import type { Entry, Labels } from '../../src/model/index.js';

const FROM = -(2n ** 63n);
const THROUGH = 2n ** 63n - 1n;

/** Version 1 chunks (blockSize 300) of entries(), encoded by the version 1 writer. */
const V1_CHUNKS: Record<string, string> = {
  "none": "TEtDSAEAAABnJe8EEQAAABEAAAAJAAAACQAAAKIAAACiAAAApAAAAKQAAAAA6AfoB+gH6AfoB+gH6AfoBxISEhISEhISEmxpbmUgMCDDvG7Dr2PDuGTDqWxpbmUgMSDDvG7Dr2PDuGTDqWxpbmUgMiDDvG7Dr2PDuGTDqWxpbmUgMyDDvG7Dr2PDuGTDqWxpbmUgNCDDvG7Dr2PDuGTDqWxpbmUgNSDDvG7Dr2PDuGTDqWxpbmUgNiDDvG7Dr2PDuGTDqWxpbmUgNyDDvG7Dr2PDuGTDqWxpbmUgOCDDvG7Dr2PDuGTDqQABDmRldGVjdGVkX2xldmVsBGluZm8BDmRldGVjdGVkX2xldmVsBGluZm8BDmRldGVjdGVkX2xldmVsBGluZm8CBXRyYWNlAnQ0CNC60LvRjtGHENC30L3QsNGH0LXQvdC40LUAAQ5kZXRlY3RlZF9sZXZlbARpbmZvAQ5kZXRlY3RlZF9sZXZlbARpbmZvAQ5kZXRlY3RlZF9sZXZlbARpbmZvEQAAABEAAAAJAAAACQAAAKoAAACqAAAAtAAAALQAAAAA6AfoB+gH6AfoB+gH6AfoBxITExMTExMTE2xpbmUgOSDDvG7Dr2PDuGTDqWxpbmUgMTAgw7xuw69jw7hkw6lsaW5lIDExIMO8bsOvY8O4ZMOpbGluZSAxMiDDvG7Dr2PDuGTDqWxpbmUgMTMgw7xuw69jw7hkw6lsaW5lIDE0IMO8bsOvY8O4ZMOpbGluZSAxNSDDvG7Dr2PDuGTDqWxpbmUgMTYgw7xuw69jw7hkw6lsaW5lIDE3IMO8bsOvY8O4ZMOpAgV0cmFjZQJ0OQjQutC70Y7RhxDQt9C90LDRh9C10L3QuNC1AAEOZGV0ZWN0ZWRfbGV2ZWwEaW5mbwEOZGV0ZWN0ZWRfbGV2ZWwEaW5mbwEOZGV0ZWN0ZWRfbGV2ZWwEaW5mbwIFdHJhY2UDdDE0CNC60LvRjtGHENC30L3QsNGH0LXQvdC40LUAAQ5kZXRlY3RlZF9sZXZlbARpbmZvAQ5kZXRlY3RlZF9sZXZlbARpbmZvEQAAABEAAAAJAAAACQAAAKsAAACrAAAAtQAAALUAAAAA6AfoB+gH6AfoB+gH6AfoBxMTExMTExMTE2xpbmUgMTggw7xuw69jw7hkw6lsaW5lIDE5IMO8bsOvY8O4ZMOpbGluZSAyMCDDvG7Dr2PDuGTDqWxpbmUgMjEgw7xuw69jw7hkw6lsaW5lIDIyIMO8bsOvY8O4ZMOpbGluZSAyMyDDvG7Dr2PDuGTDqWxpbmUgMjQgw7xuw69jw7hkw6lsaW5lIDI1IMO8bsOvY8O4ZMOpbGluZSAyNiDDvG7Dr2PDuGTDqQEOZGV0ZWN0ZWRfbGV2ZWwEaW5mbwIFdHJhY2UDdDE5CNC60LvRjtGHENC30L3QsNGH0LXQvdC40LUAAQ5kZXRlY3RlZF9sZXZlbARpbmZvAQ5kZXRlY3RlZF9sZXZlbARpbmZvAQ5kZXRlY3RlZF9sZXZlbARpbmZvAgV0cmFjZQN0MjQI0LrQu9GO0YcQ0LfQvdCw0YfQtdC90LjQtQABDmRldGVjdGVkX2xldmVsBGluZm8FAAAABQAAAAMAAAADAAAAOQAAADkAAABPAAAATwAAAADoB+gHExMTbGluZSAyNyDDvG7Dr2PDuGTDqWxpbmUgMjggw7xuw69jw7hkw6lsaW5lIDI5IMO8bsOvY8O4ZMOpAQ5kZXRlY3RlZF9sZXZlbARpbmZvAQ5kZXRlY3RlZF9sZXZlbARpbmZvAgV0cmFjZQN0MjkI0LrQu9GO0YcQ0LfQvdCw0YfQtdC90LjQtQQAAAAAACo2/pyXF0AfKjb+nJcXCQAAAAwAAACAAQAAYAEAAC0BAAC78o5M9bL//ygjKjb+nJcXaEIqNv6clxcJAAAAjAEAAJgBAAB4AQAAQwEAAGIgEwLPpNxfUEYqNv6clxeQZSo2/pyXFwkAAAAkAwAAmgEAAHoBAABFAQAAEC2jir579Hx4aSo2/pyXF0hxKjb+nJcXAwAAAL4EAACwAAAAkAAAAH0AAAAtpTnE/GmwkW4FAAAhK1DT",
  "snappy": "TEtDSAECAAAJ8WsHEwAAABEAAAALAAAACQAAAEgAAACiAAAASQAAAKQAAAARQADoB+gH6AfoB+gH6AfoB+gHCSASEhISEhISEhKiAURsaW5lIDAgw7xuw69jw7hkw6kFEgAxQhIAADJCEgAAM0ISAAA0QhIAADVCEgAANkISAAA3QhIAMDggw7xuw69jw7hkw6mkAVgAAQ5kZXRlY3RlZF9sZXZlbARpbmZvAaIVAJACBXRyYWNlAnQ0CNC60LvRjtGHENC30L3QsNGH0LXQvdC40LUApk8AUioAEwAAABEAAAALAAAACQAAAEkAAACqAAAAZAAAALQAAAARQADoB+gH6AfoB+gH6AfoB+gHCSASExMTExMTExOqAURsaW5lIDkgw7xuw69jw7hkw6kFEgQxMEYTAAAxRhMAADJGEwAAM0YTAAA0RhMAADVGEwAANkYTADA3IMO8bsOvY8O4ZMOptAHwUAIFdHJhY2UCdDkI0LrQu9GO0YcQ0LfQvdCw0YfQtdC90LjQtQABDmRldGVjdGVkX2xldmVsBGluZm8BDmRldGVjdGVkX2xldmVsBGluZm8BDkoqAA1kDAN0MTT+ZQAFZRMAAAARAAAACwAAAAkAAABKAAAAqwAAAFIAAAC1AAAAEUAA6AfoB+gH6AfoB+gH6AfoBwkgExMTExMTExMTqwFIbGluZSAxOCDDvG7Dr2PDuGTDqQkTADlCEwAEMjBGEwAAMUYTAAAyRhMAADNGEwAANEYTAAA1RhMAMDYgw7xuw69jw7hkw6m1AfA8AQ5kZXRlY3RlZF9sZXZlbARpbmZvAgV0cmFjZQN0MTkI0LrQu9GO0YcQ0LfQvdCw0YfQtdC90LjQtQABDko7AKYVAAQCBQ1lBDI0vmUABwAAAAUAAAAFAAAAAwAAACoAAAA5AAAAQQAAAE8AAAAFEADoB+gHAwgTExM5SGxpbmUgMjcgw7xuw69jw7hkw6kJEwA4RhMAMDkgw7xuw69jw7hkw6lPVAEOZGV0ZWN0ZWRfbGV2ZWwEaW5mbwFOFQCQAgV0cmFjZQN0MjkI0LrQu9GO0YcQ0LfQvdCw0YfQtdC90LjQtQQAAAAAACo2/pyXF0AfKjb+nJcXCQAAAAwAAADPAAAAYAEAAC0BAACitgGHxSuOSigjKjb+nJcXaEIqNv6clxcJAAAA2wAAAOsAAAB4AQAAQwEAAO0pnb1ceqSDUEYqNv6clxeQZSo2/pyXFwkAAADGAQAA2gAAAHoBAABFAQAAIlMkm0oESA94aSo2/pyXF0hxKjb+nJcXAwAAAKACAACXAAAAkAAAAH0AAACPkwLliPfyvTcDAABXY2ia",
  "gzip": "TEtDSAEBAABQTy0FGAAAABEAAAAXAAAACQAAAEIAAACiAAAAWAAAAKQAAAAfiwgAAAAAAAQDY3jBjgoBV+/R4REAAAAfiwgAAAAAAAQDExKCAgALSyGQCQAAAB+LCAAAAAAABAPLycxLVTBQOLwn7/D65MM7Ug6vzAGJGGKIGGGIGGOImGCImGKImGGImGOIWCCLAADZebfmogAAAB+LCAAAAAAABANjYORLSS1JTS5JTYnPSS1LzWHJzEvLJ16QibWkKDE5lanEhOPCrgu7L/ZdbBe4sP3C3gsbLrZf2Hph74UdF7YyEG8cVpUAUrDAfKQAAAAYAAAAEQAAABcAAAAJAAAAQwAAAKoAAABcAAAAtAAAAB+LCAAAAAAABANjeMGOCgFX79HhEQAAAB+LCAAAAAAABAMTEoYCALG2otsJAAAAH4sIAAAAAAAEA8vJzEtVsFQ4vCfv8PrkwztSDq/MAYkYGmAKGWIKGWEKGWMKmWAKmWIKmWEKmSMLAQCpgImPqgAAAB+LCAAAAAAABANjYi0pSkxOZSqx5Liw68Lui30X2wUubL+w98KGi+0Xtl7Ye2HHha0MjHwpqSWpySWpKfE5qWWpOSyZeWn5xAsyQexgLjE0oYolAKKthAy0AAAAGAAAABEAAAAXAAAACQAAAEQAAACrAAAAXQAAALUAAAAfiwgAAAAAAAQDY3jBjgoBV+/R4REAAAAfiwgAAAAAAAQDExaGAgDyotnMCQAAAB+LCAAAAAAABAPLycxLVTC0UDi8J+/w+uTDO1IOr8wBC1liCBkZYAoZYgoZYQoZYwqZYAqZYgqZIQsBAJvWQLarAAAAH4sIAAAAAAAEA2PkS0ktSU0uSU2Jz0ktS81hycxLy2diLSlKTE5lLjG05Liw68Lui30X2wUubL+w98KGi+0Xtl7Ye2HHha0MjNi0Ei8It8TIhFRLAPheyGm1AAAAGQAAAAUAAAAXAAAAAwAAADEAAAA5AAAAUwAAAE8AAAAfiwgAAAAAAAQDY3jB/oIdAAhkZdgFAAAAH4sIAAAAAAAEAxMWFgYAd8RwBAMAAAAfiwgAAAAAAAQDy8nMS1UwMlc4vCfv8PrkwztSDq/MAQtZYApZIgsBACJSgW85AAAAH4sIAAAAAAAEA2PkS0ktSU0uSU2Jz0ktS81hycxLy2fEJsjEWlKUmJzKXGJkyXFh14XdF/sutgtc2H5h74UNF9svbL2w98KOC1sB0uTdwk8AAAAEAAAAAAAqNv6clxdAHyo2/pyXFwkAAAAMAAAA6QAAAGABAAAtAQAAIoay1PDmjQooIyo2/pyXF2hCKjb+nJcXCQAAAPUAAADuAAAAeAEAAEMBAAB0JAgYR48HflBGKjb+nJcXkGUqNv6clxcJAAAA4wEAAPAAAAB6AQAARQEAAH7MD71cKL8TeGkqNv6clxdIcSo2/pyXFwMAAADTAgAA1AAAAJAAAAB9AAAAsJPTqwQ8MemnAwAAuL0MzQ=="
};

function entries(): Entry[] {
  const shared: Labels = [{ name: 'detected_level', value: 'info' }];
  return Array.from({ length: 30 }, (_, i) => ({
    ts: 1_700_000_000_000_000_000n + BigInt(i) * 1000n,
    line: `line ${i} ünïcødé`,
    metadata:
      i % 5 === 0
        ? undefined
        : i % 5 === 4
          ? [
              { name: 'trace', value: `t${i}` },
              { name: 'ключ', value: 'значение' },
            ]
          : shared,
  }));
}

describe('format version 1', () => {
  for (const [codec, base64] of Object.entries(V1_CHUNKS)) {
    it(`reads a version 1 ${codec} chunk: entries, metadata and sample columns`, () => {
      const data = Buffer.from(base64, 'base64');
      expect(data[4]).toBe(1);
      const c = StoredChunk.decode(data);
      expect([...c.iterate(FROM, THROUGH, 'forward')]).toEqual(entries());
      const columns = c.sampleColumns(FROM, THROUGH)!;
      expect(columns.flatMap((v) => [...(v.metadata ?? new Array(v.offsetsNs.length).fill(undefined))])).toEqual(entries().map((e) => e.metadata));
    });
  }
});

describe('format version 2', () => {
  it('writes metadata shared with the latest earlier entry as a repeat code and reads it back', () => {
    const shared: Labels = [{ name: 'detected_level', value: 'warn' }];
    const list: Entry[] = Array.from({ length: 200 }, (_, i) => ({
      ts: 1_700_000_000_000_000_000n + BigInt(i),
      line: `line ${i}`,
      metadata: i % 10 === 3 ? undefined : i % 10 === 7 ? [{ name: 'detected_level', value: 'warn' }] : shared,
    }));
    const c = new MemChunk({ blockSize: 1 << 20, targetSize: 0, codec: 'none' });
    for (const e of list) c.append(e.ts, e.line, e.metadata);
    const data = Buffer.from(c.encode());
    const block = c.blocks()[0];
    const metadataLength = data.readUInt32LE(block.offset + 3 * 8 + 4);
    // Full 21-byte records for the first entry, each distinct object (i % 10 === 7) and the shared one
    // after it; one-byte codes for the 139 repeats and 20 entries without metadata.
    expect(metadataLength).toBe(41 * 21 + 139 + 20);
    const read = [...StoredChunk.decode(data).iterate(FROM, THROUGH, 'forward')];
    expect(read).toEqual(list);
    // Equal bytes read back as one shared object, the distinct-but-equal one included.
    expect(read.slice(10, 20).map((e) => e.metadata === read[1].metadata)).toEqual([true, true, true, false, true, true, true, true, true, true]);
  });
});
