// objectEachKeyPlain finds an object's members with WebAssembly and must hand its callback exactly
// what the JavaScript loop does (keys, value types and spans, the error it stops with), over valid,
// nested and broken objects of printable ASCII without backslashes, when the callback stops early
// and when it walks nested objects (whose scans stack their records above the outer one's).
import { describe, expect, it } from 'vitest';
import { objectEachKeyPlain, objectEachKeyPlainJs, type JsonValue, type ObjectKeyCallback } from '../../../src/logql/log/json-scan.js';
import { scanPlain, WASM_MAX_TEXT } from '../../../src/logql/log/json-scan-wasm.js';
import { ParserHints } from '../../../src/logql/log/parser-hints.js';
import { xorshift } from '../../support/random.js';

const KEYS = ['a', 'duration', 'level', 'x y', '', '1n', 'k:v', 'q,r', 'b}', 'c]', 'd{'];
const SCALARS = ['"s"', '""', '"a b"', '"x:y,z}"', '"]"', '"{"', '12', '-3.5', '1e3', '-', '7ms', 'true', 'false', 'null', 'nul', 'tru', 'falsey', 'u', 'x', '+1', '.5'];
const NOISE = ['{', '}', '[', ']', '"', ',', ':', ' ', 'a', '1', 't', 'n'];

function randomValue(rand: () => number, depth: number): string {
  const r = rand();
  if (depth < 3 && r < 0.15) return randomObject(rand, depth + 1);
  if (depth < 3 && r < 0.25) {
    const items = Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
    return `[${items.join(rand() < 0.5 ? ',' : ' , ')}]`;
  }
  return SCALARS[Math.floor(rand() * SCALARS.length)];
}

function randomObject(rand: () => number, depth: number): string {
  const sp = (): string => (rand() < 0.2 ? ' '.repeat(1 + Math.floor(rand() * 2)) : '');
  const pairs = Array.from({ length: Math.floor(rand() * 7) }, () => `${sp()}"${KEYS[Math.floor(rand() * KEYS.length)]}"${sp()}:${sp()}${randomValue(rand, depth)}${sp()}`);
  return `${sp()}{${pairs.join(',')}}${sp()}`;
}

/** A random object, sometimes broken: characters dropped, inserted or the text cut short. */
function randomText(rand: () => number): string {
  let s = randomObject(rand, 0);
  const edits = rand() < 0.5 ? 0 : 1 + Math.floor(rand() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (s.length + 1));
    const r = rand();
    if (r < 0.4) s = s.slice(0, at) + s.slice(at + 1);
    else if (r < 0.8) s = s.slice(0, at) + NOISE[Math.floor(rand() * NOISE.length)] + s.slice(at);
    else s = s.slice(0, at);
  }
  return s;
}

type Scan = typeof objectEachKeyPlain;

/**
 * Everything a scan hands out, walking into nested objects with the same scan (as the json stage
 * does) and stopping at the `stopAt`-th member seen, if any.
 */
function transcript(scan: Scan, s: string, stopAt: number, start = 0, end = s.length, top?: { keys: ParserHints; leaveOut: boolean }): string[] {
  const out: string[] = [];
  let seen = 0;
  let depth = 0;
  const cb: ObjectKeyCallback = (ks: number, ke: number, unescaped: string | undefined, v: JsonValue) => {
    // What a scan with the key table leaves out at the top level, left out here from the JavaScript loop's.
    if (top?.leaveOut === true && depth === 0 && passedOver(top.keys, s, ks, ke, v.type)) return undefined;
    out.push(`${s.slice(ks, ke)}|${unescaped}|${v.type}|${v.start}|${v.end}|${v.next}`);
    if (++seen === stopAt) return 'stop';
    // JsonType.Object: the nested scan's records stack above this one's, which must stay intact.
    if (v.type === 2) {
      depth++;
      const inner = scan(s, v.start, v.end, cb);
      depth--;
      out.push(`inner:${inner}`);
      if (inner === 'stop') return inner;
    }
    return undefined;
  };
  out.push(`result:${top !== undefined && !top.leaveOut ? objectEachKeyPlain(s, start, end, cb, top.keys.asciiKeyTable) : scan(s, start, end, cb)}`);
  return out;
}

/** JsonParserStage.visitKey's members passed over at once (top level of a hinted parse). */
function passedOver(hints: ParserHints, s: string, ks: number, ke: number, type: number): boolean {
  if (type === 5 || type === 3) return true;
  if (type === 2) return false;
  return ke > ks && s.charCodeAt(ks) !== 0x20 && s.charCodeAt(ke - 1) !== 0x20 && !hints.asciiKeyMayBeRequired(s, ks, ke);
}

describe('objectEachKeyPlain with WebAssembly', () => {
  it('is used for plain text (the JavaScript loop is not what is tested here)', () => {
    expect(scanPlain('{"a":1}', 0, 7)).toBeGreaterThanOrEqual(0);
  });

  it('hands out what the JavaScript loop does over random valid and broken objects', () => {
    const rand = xorshift(20261124);
    let broken = 0;
    let members = 0;
    for (let i = 0; i < 6000; i++) {
      const s = randomText(rand);
      const stopAt = rand() < 0.3 ? 1 + Math.floor(rand() * 5) : 0;
      const want = transcript(objectEachKeyPlainJs, s, stopAt);
      expect(transcript(objectEachKeyPlain, s, stopAt), s).toEqual(want);
      if (want[want.length - 1] !== 'result:undefined') broken++;
      members += want.length - 1;
    }
    // Both outcomes were exercised plenty.
    expect(broken).toBeGreaterThan(1000);
    expect(members).toBeGreaterThan(10000);
  });

  it("with a hinted parse's key table, leaves out exactly the top-level members the json stage passes over", () => {
    const rand = xorshift(424242);
    for (const required of [['duration'], ['a', 'level'], ['_1n'], ['x_y', 'd_'], ['k_v', 'b_']]) {
      const hints = new ParserHints(required, false, []);
      expect(hints.asciiKeyTable).toBeDefined();
      let left = 0;
      for (let i = 0; i < 1500; i++) {
        const s = randomText(rand);
        const stopAt = rand() < 0.3 ? 1 + Math.floor(rand() * 5) : 0;
        const got = transcript(objectEachKeyPlain, s, stopAt, 0, s.length, { keys: hints, leaveOut: false });
        const all = transcript(objectEachKeyPlainJs, s, 0, 0, s.length);
        expect(got, s).toEqual(transcript(objectEachKeyPlainJs, s, stopAt, 0, s.length, { keys: hints, leaveOut: true }));
        left += all.length - transcript(objectEachKeyPlainJs, s, 0, 0, s.length, { keys: hints, leaveOut: true }).length;
      }
      expect(left).toBeGreaterThan(500);
    }
  });

  it('scans inside a text from an offset, as for a nested object', () => {
    const s = 'xx {"a":{"b":"c"}, "d" : [1,2] } yy';
    for (const [start, end] of [[0, s.length], [3, 33], [8, 17], [2, 20]]) {
      expect(transcript(objectEachKeyPlain, s, 0, start, end)).toEqual(transcript(objectEachKeyPlainJs, s, 0, start, end));
    }
  });

  it('falls back to the JavaScript loop for objects with more members than its records hold, and for huge texts', () => {
    const many = `{${Array.from({ length: 5000 }, (_, i) => `"k${i}":${i}`).join(',')}}`;
    expect(scanPlain(many, 0, many.length)).toBe(-1);
    expect(transcript(objectEachKeyPlain, many, 0)).toEqual(transcript(objectEachKeyPlainJs, many, 0));
    const huge = `{"a":"${'x'.repeat(WASM_MAX_TEXT)}","b":1}`;
    expect(scanPlain(huge, 0, huge.length)).toBe(-1);
    expect(transcript(objectEachKeyPlain, huge, 0)).toEqual(transcript(objectEachKeyPlainJs, huge, 0));
  });
});
