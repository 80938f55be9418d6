// The hinted json parse of lines known to be printable ASCII without a backslash (string ends found
// natively, keys ruled out by length and first character) gives exactly what the general scanner
// gives: same labels, same errors, same dropped entries, over valid, nested and broken objects.
import { describe, expect, it } from 'vitest';
import { extract } from '../../support/printable-extract.js';
import { xorshift } from '../../support/random.js';

const QUERIES = [
  'sum by (app) (rate({app="a"} | json | duration > 500ms [1m]))',
  'sum by (duration) (count_over_time({app="a"} | json [1m]))',
  'sum by (level, a_b) (count_over_time({app="a"} | json [1m]))',
  'sum by (_1n, du_ration, a_b_c) (count_over_time({app="a"} | json [1m]))',
  'sum by (app_extracted, msg) (count_over_time({app="a"} | json | msg != "" [1m]))',
  'sum by (level) (count_over_time({app="a"} | json | level="info" or duration > 1s [1m]))',
  'sum by (__error__, level) (count_over_time({app="a"} | json [1m]))',
];

const KEYS = ['duration', 'level', 'msg', 'app', 'a', 'b', 'c', '_1n', '1n', 'du-ration', 'du ration', ' duration', 'duration ', '', 'trace_id', 'x'];
const SCALARS = ['"600ms"', '"2s"', '"1.5s"', '"info"', '"warn"', '""', '"a b"', '"x:y,z}"', '12', '-3.5', '1e3', '7ms', 'true', 'false', 'null', 'nul', 'tru', '"é"'];

function randomValue(rand: () => number, depth: number): string {
  const r = rand();
  if (depth < 2 && r < 0.12) return randomObject(rand, depth + 1);
  if (r < 0.18) return `[${SCALARS[Math.floor(rand() * SCALARS.length)]},{"duration":"9s"}]`;
  return SCALARS[Math.floor(rand() * SCALARS.length)];
}

function randomObject(rand: () => number, depth: number): string {
  const n = Math.floor(rand() * 6);
  const pairs: string[] = [];
  for (let i = 0; i < n; i++) {
    const sp = rand() < 0.1 ? ' ' : '';
    pairs.push(`${sp}"${KEYS[Math.floor(rand() * KEYS.length)]}"${sp}:${sp}${randomValue(rand, depth)}`);
  }
  return `{${pairs.join(',')}}`;
}

/** Cuts, doubles or swaps a character here and there: most broken lines stay printable. */
const BREAKERS = ['', '', '', '"', '}', '{', ',', ':', ' ', ']', '\\', '\\"', 'x'];

function randomLine(rand: () => number): string {
  let s = randomObject(rand, 0).replaceAll('é', 'e');
  if (rand() < 0.4) {
    const at = Math.floor(rand() * (s.length + 1));
    const cut = rand() < 0.5 ? 1 : 0;
    s = s.slice(0, at) + BREAKERS[Math.floor(rand() * BREAKERS.length)] + s.slice(at + cut);
  }
  return rand() < 0.05 ? ` ${s} ` : s;
}

describe('json over printable lines', () => {
  it('matches the general scanner on 10,000 generated lines for every hinted query', () => {
    const rand = xorshift(20261124);
    const lines = Array.from({ length: 10_000 }, () => randomLine(rand));
    expect(lines.every((l) => /^[\x20-\x7f]*$/.test(l))).toBe(true);
    expect(lines.filter((l) => l.includes('\\')).length).toBeGreaterThan(100);
    for (const query of QUERIES) {
      let extracted = 0;
      let errors = 0;
      for (const line of lines) {
        const want = extract(query, line, false);
        expect(extract(query, line, true), `${query} over ${JSON.stringify(line)}`).toEqual(want);
        if (want && Object.keys(want).some((k) => k !== 'app' && k !== '__error__')) extracted++;
        if (want?.__error__ !== undefined) errors++;
      }
      expect(extracted, query).toBeGreaterThan(100);
      expect(errors, query).toBeGreaterThan(100);
    }
  });

  it('matches the general scanner on the workload’s line shape and its edge cases', () => {
    const lines = [
      '{"ts":"2026-11-24T00:41:05.346Z","level":"info","logger":"checkout.service","msg":"payment ok","order_id":"ord-0","amount":0,"currency":"EUR","status":200,"duration":"650ms","trace_id":"00"}',
      '{ "duration" : "700ms" }',
      '{"duration":"700ms"',
      '{"duration":"700ms',
      '{"duration"',
      '{"duration":',
      '{"duration"  :  ',
      '{"a":{"b":{"c":"x"}},"duration":"2s"}',
      '{"a":{"b":"unterminated}',
      '{"level":"info" "duration":"2s"}',
      '{"1n":"v","du-ration":"3s"," duration ":"4s"}',
      '{"":"x","duration":"1s"}',
      '{"app":"b","msg":"m"}',
      '{"duration":"9s","duration":"1ms"}',
      '{"x":nul,"duration":"9s"}',
      '{"x":[1,2,"]"],"duration":"9s"}',
      '{}',
      '{',
      '[]',
      '"duration"',
      'duration=5s',
      '   ',
      '',
    ];
    for (const query of QUERIES) for (const line of lines) expect(extract(query, line, true), `${query} over ${line}`).toEqual(extract(query, line, false));
  });
});
