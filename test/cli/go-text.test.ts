// Go-compatible text forms logcli prints: query encoding, JSON strings and indentation, floats,
// byte sizes, TrimSpace, tab layout, and RFC3339 parsing/printing with Go's error texts.
import { describe, expect, it } from 'vitest';
import { encodeGoQuery, formatFloatF, goJSONIndent, goJSONString, goQueryEscape, goTrimSpace, humanizeBytes, type GoJSON } from '../../src/cli/go-text.js';
import { layoutTable } from '../../src/cli/tab-writer.js';
import { formatGoTimeString, formatRFC3339In, formatRFC3339NanoIn, parseRFC3339NanoFlag } from '../../src/cli/time-format.js';

describe('Go url.Values encoding', () => {
  it('escapes a selector the way the recorded logcli URL shows it', () => {
    expect(goQueryEscape('{namespace="prod", app="auth"}')).toBe('%7Bnamespace%3D%22prod%22%2C+app%3D%22auth%22%7D');
    expect(goQueryEscape('{job="anchors-promtail"}')).toBe('%7Bjob%3D%22anchors-promtail%22%7D');
  });

  it('keeps only A-Z a-z 0-9 - _ . ~ and escapes * and UTF-8 bytes', () => {
    expect(goQueryEscape('a-b_c.d~e*f/g')).toBe('a-b_c.d~e%2Af%2Fg');
    expect(goQueryEscape('é|~')).toBe('%C3%A9%7C~');
  });

  it('sorts keys bytewise like url.Values.Encode', () => {
    expect(encodeGoQuery([['query', '{a="b"}'], ['limit', '5'], ['start', '1'], ['end', '2'], ['direction', 'BACKWARD']])).toBe(
      'direction=BACKWARD&end=2&limit=5&query=%7Ba%3D%22b%22%7D&start=1',
    );
  });
});

describe('Go encoding/json strings', () => {
  it('escapes HTML characters, quotes, control characters and line separators as Go does', () => {
    expect(goJSONString('a "b" <c> & d')).toBe('"a \\"b\\" \\u003cc\\u003e \\u0026 d"');
    expect(goJSONString('\n\r\t\b\f\x01\x1f\\')).toBe('"\\n\\r\\t\\b\\f\\u0001\\u001f\\\\"');
    expect(goJSONString('x\u2028y\u2029')).toBe('"x\\u2028y\\u2029"');
  });

  it('keeps non-ASCII text and replaces lone surrogates with U+FFFD', () => {
    expect(goJSONString('héllo 😀')).toBe('"héllo 😀"');
    expect(goJSONString('a\ud800b')).toBe('"a\\ufffdb"');
  });

  it('indents nested arrays and objects like json.MarshalIndent with two spaces', () => {
    const v: GoJSON = [
      new Map<string, GoJSON>([
        ['metric', new Map([['app', { str: 'x' }]])],
        ['values', [[{ num: '1' }, { str: '2' }]]],
      ]),
      new Map<string, GoJSON>([
        ['metric', new Map()],
        ['values', []],
      ]),
    ];
    expect(goJSONIndent(v)).toBe(
      '[\n  {\n    "metric": {\n      "app": "x"\n    },\n    "values": [\n      [\n        1,\n        "2"\n      ]\n    ]\n  },\n  {\n    "metric": {},\n    "values": []\n  }\n]',
    );
  });
});

describe('strconv.FormatFloat(v, f, -1, 64)', () => {
  it('prints the shortest digits without an exponent', () => {
    expect(formatFloatF(1)).toBe('1');
    expect(formatFloatF(0.5)).toBe('0.5');
    expect(formatFloatF(1795455753.373)).toBe('1795455753.373');
    expect(formatFloatF(1e21)).toBe('1000000000000000000000');
    expect(formatFloatF(1.5e-7)).toBe('0.00000015');
    expect(formatFloatF(-2.5e22)).toBe('-25000000000000000000000');
  });

  it('names the special values as Prometheus does', () => {
    expect(formatFloatF(NaN)).toBe('NaN');
    expect(formatFloatF(Infinity)).toBe('+Inf');
    expect(formatFloatF(-Infinity)).toBe('-Inf');
    expect(formatFloatF(-0)).toBe('-0');
  });
});

describe('go-humanize Bytes', () => {
  it('uses SI units with one decimal below 10 and rounds ties to even', () => {
    expect(humanizeBytes(0)).toBe('0 B');
    expect(humanizeBytes(9)).toBe('9 B');
    expect(humanizeBytes(167)).toBe('167 B');
    expect(humanizeBytes(1234)).toBe('1.2 kB');
    expect(humanizeBytes(12500)).toBe('12 kB');
    expect(humanizeBytes(13500)).toBe('14 kB');
    expect(humanizeBytes(999_999)).toBe('1000 kB');
    expect(humanizeBytes(82_854_982)).toBe('83 MB');
  });
});

describe('strings.TrimSpace', () => {
  it('trims Unicode white space but not a byte order mark', () => {
    expect(goTrimSpace(' \t\u00a0line\u3000\n')).toBe('line');
    expect(goTrimSpace('\ufeffline\ufeff')).toBe('\ufeffline\ufeff');
  });
});

describe('text/tabwriter layout', () => {
  it('pads space-separated columns to the widest cell plus padding', () => {
    const out = layoutTable(
      [
        ['Label Name', 'Unique Values', 'Found In Streams'],
        ['service_name', '8', '10'],
      ],
      { minWidth: 0, tabWidth: 0, padding: 2, padChar: ' ' },
    );
    expect(out).toBe('Label Name    Unique Values  Found In Streams\nservice_name  8              10\n');
  });

  it('pads with tabs to the next tab stop past the widest cell', () => {
    const out = layoutTable(
      [
        ['short ', ' 1'],
        ['a_rather_long_key ', ' 2'],
      ],
      { minWidth: 0, tabWidth: 8, padding: 0, padChar: '\t' },
    );
    expect(out).toBe('short \t\t\t 1\na_rather_long_key \t 2\n');
  });
});

describe('time formats', () => {
  const ns = 1_795_448_050_549_543_713n; // 2026-11-23T15:34:10.549543713Z

  it('prints RFC3339 (seconds) and RFC3339Nano (trimmed fraction) in UTC with Z', () => {
    expect(formatRFC3339In(ns, 'UTC')).toBe('2026-11-23T15:34:10Z');
    expect(formatRFC3339NanoIn(ns, 'UTC')).toBe('2026-11-23T15:34:10.549543713Z');
    expect(formatRFC3339NanoIn(1_671_840_000_500_000_000n, 'UTC')).toBe('2022-12-24T00:00:00.5Z');
  });

  it("prints Go's time.Time.String() for UTC", () => {
    expect(formatGoTimeString(1_671_840_000_000_000_001n, 'UTC')).toBe('2022-12-24 00:00:00.000000001 +0000 UTC');
    expect(formatGoTimeString(1_671_840_000_000_000_000n, 'UTC')).toBe('2022-12-24 00:00:00 +0000 UTC');
  });

  it('parses RFC3339Nano flags with zone offsets and fractions', () => {
    expect(parseRFC3339NanoFlag('2022-12-24T00:00:00Z')).toBe(1_671_840_000_000_000_000n);
    expect(parseRFC3339NanoFlag('2022-12-24T02:00:00.000000001+02:00')).toBe(1_671_840_000_000_000_001n);
    expect(parseRFC3339NanoFlag('2022-12-23T22:30:00.25-01:30')).toBe(1_671_840_000_250_000_000n);
  });

  it("rejects malformed times with Go's parse error texts", () => {
    const layout = '"2006-01-02T15:04:05.999999999Z07:00"';
    expect(() => parseRFC3339NanoFlag('2022-12-24T00:00:00')).toThrow(`parsing time "2022-12-24T00:00:00" as ${layout}: cannot parse "" as "Z07:00"`);
    expect(() => parseRFC3339NanoFlag('2022-12-24 00:00:00Z')).toThrow(`parsing time "2022-12-24 00:00:00Z" as ${layout}: cannot parse " 00:00:00Z" as "T"`);
    expect(() => parseRFC3339NanoFlag('yesterday')).toThrow(`parsing time "yesterday" as ${layout}: cannot parse "yesterday" as "2006"`);
    expect(() => parseRFC3339NanoFlag('2022-13-01T00:00:00Z')).toThrow('parsing time "2022-13-01T00:00:00Z": month out of range');
    expect(() => parseRFC3339NanoFlag('2022-02-30T00:00:00Z')).toThrow('parsing time "2022-02-30T00:00:00Z": day out of range');
    expect(() => parseRFC3339NanoFlag('2022-12-24T00:00:00Zjunk')).toThrow('parsing time "2022-12-24T00:00:00Zjunk": extra text: "junk"');
  });
});
