// The hinted logfmt parse of lines known to be printable ASCII (native searches pair by pair) gives
// exactly what Loki's decoder gives character by character: same labels, same dropped entries,
// over lines full of the characters that end or break pairs.
import { describe, expect, it } from 'vitest';
import { extract } from '../../support/printable-extract.js';
import { xorshift } from '../../support/random.js';

const QUERIES = [
  'sum by (duration) (count_over_time({app="a"} | logfmt [1m]))',
  'sum by (app) (rate({app="a"} | logfmt | duration > 500ms [1m]))',
  'sum by (level, trace_id) (count_over_time({app="a"} | logfmt --keep-empty [1m]))',
  'sum by (_1n, a_b) (count_over_time({app="a"} | logfmt [1m]))',
  'sum by (app_extracted, msg) (count_over_time({app="a"} | logfmt | msg != "" [1m]))',
  'sum by (level) (count_over_time({app="a"} | logfmt | level="info" or duration > 1s [1m]))',
];

/** Pieces that exercise every branch of a pair: separators, quotes, escapes, empty keys and values. */
const PIECES = [
  'duration=', 'duration', 'level=', 'level', 'msg=', 'trace_id=', 'trace-id=', 'a.b=', 'a_b=', '1n=', '_1n=', 'app=', 'x=',
  '=', '"', '\\"', '\\', ' ', ' ', '  ', '600ms', '2s', '1.5s', 'info', 'warn', '"quoted value"', '"a=b c"', '""', 'v', '=v', 'é'.replace('é', 'e'),
  '"esc\\"aped"', '"open', 'k="x"', 'duration=700ms', ' level=info ', 'msg="a b"',
];

function randomLine(rand: () => number): string {
  let s = '';
  const n = 1 + Math.floor(rand() * 12);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(rand() * PIECES.length)];
  return s;
}

describe('logfmt over printable lines', () => {
  it('matches the decoder on 10,000 generated lines for every hinted query', () => {
    const rand = xorshift(20261123);
    const lines = Array.from({ length: 10_000 }, () => randomLine(rand));
    expect(lines.every((l) => /^[\x20-\x7f]*$/.test(l))).toBe(true);
    for (const query of QUERIES) {
      let extracted = 0;
      for (const line of lines) {
        const want = extract(query, line, false);
        expect(extract(query, line, true), `${query} over ${JSON.stringify(line)}`).toEqual(want);
        if (want && Object.keys(want).length > 0) extracted++;
      }
      expect(extracted).toBeGreaterThan(100);
    }
  });

  it('matches the decoder on the workload’s line shape and its edge cases', () => {
    const lines = [
      'ts=2026-11-23T21:40:03.369Z level=info caller=server.go:119 msg="request completed" method=POST path=/healthz/1 status=200 duration=44ms bytes=1 trace_id=1f',
      'a="x"duration=9s',
      'a="unterminated duration=3s',
      'a=b=c duration=1s',
      'a=x"y duration=6s',
      'duration= duration=7s',
      'a="esc\\"aped" duration=8s',
      '="x y" duration=2s',
      'a"b="x y" duration=5s',
      'duration',
      '   ',
      '',
      // Keys no required label can come of, passed over to the next space unless a '"' comes first.
      'm="a b duration=1s" duration=2s',
      't=x"y duration=3s',
      'tt duration=4s',
      'x=duration=5s duration=6s',
      'z="q" duration=7s',
      'z"q duration=8s',
    ];
    for (const query of QUERIES) for (const line of lines) expect(extract(query, line, true), `${query} over ${line}`).toEqual(extract(query, line, false));
  });
});
