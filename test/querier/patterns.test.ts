// Pattern detection: Drain clustering with Loki's tokenizers (punctuation, logfmt, JSON message),
// placeholder de-duplication, format guessing, sample re-bucketing, merging, pruning and encoding.
import { describe, expect, it } from 'vitest';
import {
  Drain,
  deduplicatePlaceholders,
  detectLogFormat,
  detectPatterns,
  encodePatterns,
  samplesForRange,
  type PatternLine,
} from '../../src/querier/patterns.js';

function patternsOf(format: 'json' | 'logfmt' | 'unknown', lines: string[]): string[] {
  const d = new Drain(format);
  lines.forEach((l, i) => d.train(l, i * 1000));
  return d
    .all()
    .map((c) => d.pattern(c))
    .filter((p) => p !== '');
}

describe('Drain', () => {
  it('clusters lines that differ in variable tokens into one <_> pattern (least recently used first)', () => {
    expect(
      patternsOf('unknown', [
        'user 1 logged in from 10.0.0.1',
        'user 2 logged in from 10.0.0.2',
        'connection reset by peer 10.0.0.9',
        'user 3 logged in from 10.0.0.3',
      ]),
    ).toEqual(['connection reset by peer 10.0.0.9', 'user <_> logged in from <_>']);
  });

  it('splits at punctuation and = but keeps _ - . : / inside tokens, restoring spaces', () => {
    expect(
      patternsOf('unknown', ['GET /api/v1 status=200 (took 5ms) [req_id:a-1]', 'GET /api/v2 status=500 (took 7ms) [req_id:b-2]']),
    ).toEqual(['GET <_> status=<_> (took <_>) [<_>]']);
  });

  it('skips lines with fewer than four tokens', () => {
    expect(patternsOf('unknown', ['a b c', 'a b c'])).toEqual([]);
  });

  it('tokenizes logfmt by pairs, hiding timestamps, and prints pairs back as logfmt', () => {
    expect(
      patternsOf('logfmt', ['level=info msg=done ts=2024 took=5ms', 'level=info msg=done ts=2025 took=7ms']),
    ).toEqual(['level=info msg=done ts=<_> took=<_>']);
  });

  it('keeps lines apart whose leading tokens differ without digits (the prefix tree needs them equal)', () => {
    expect(patternsOf('logfmt', ['level=info msg="GET /api" status=200', 'level=info msg="GET /health" status=200'])).toEqual([
      'level=info msg="GET /api" status=200',
      'level=info msg="GET /health" status=200',
    ]);
  });

  it('quotes logfmt values that need it', () => {
    expect(patternsOf('logfmt', ['level=info msg="a b" status=200 path=/x'])).toEqual(['level=info msg="a b" status=200 path=/x']);
  });

  it('patterns the message field of JSON lines, framed by placeholders', () => {
    expect(
      patternsOf('json', ['{"level":"info","msg":"user 1 logged in"}', '{"msg":"user 2 logged in","level":"info"}', '{"other":"x"}']),
    ).toEqual(['<_>user <_> logged in<_>']);
  });

  it('counts lines in 10s slots', () => {
    const d = new Drain('unknown');
    d.train('user 1 logged in now', 1_000_000);
    d.train('user 2 logged in now', 1_005_000);
    d.train('user 3 logged in now', 1_012_000);
    expect(d.all()[0].samples).toEqual([
      [1_000_000, 2],
      [1_010_000, 1],
    ]);
  });
});

describe('pattern helpers', () => {
  it('collapses runs of placeholders', () => {
    expect(deduplicatePlaceholders('a <_><_><_> b <_>')).toBe('a <_> b <_>');
    expect(deduplicatePlaceholders('<_><_>x')).toBe('<_>x');
  });

  it('guesses JSON, logfmt or unknown from a line', () => {
    expect(detectLogFormat('{"a":1}')).toBe('json');
    expect(detectLogFormat('a=1 b="x y" c=3')).toBe('logfmt');
    expect(detectLogFormat('a=1  b=2')).toBe('unknown');
    expect(detectLogFormat('hello world')).toBe('unknown');
    expect(detectLogFormat('x')).toBe('unknown');
  });

  it('re-buckets samples by step, keeping empty buckets between as 0', () => {
    const samples: [number, number][] = [
      [0, 1],
      [50_000, 2],
      [60_000, 4],
    ];
    expect(samplesForRange(samples, { fromMs: 0, throughMs: 100_000, stepMs: 20_000 })).toEqual([
      [0, 1],
      [20_000, 0],
      [40_000, 2],
      [60_000, 4],
    ]);
  });

  it('keeps only samples in [from, through) and never goes below the 10s resolution', () => {
    const samples: [number, number][] = [
      [0, 1],
      [10_000, 2],
      [20_000, 3],
    ];
    expect(samplesForRange(samples, { fromMs: 5_000, throughMs: 20_000, stepMs: 1_000 })).toEqual([[10_000, 2]]);
  });
});

describe('detectPatterns', () => {
  const at = (sec: number, line: string, level?: string): PatternLine => ({ tsMs: sec * 1000, line, level });

  it('merges a pattern across streams per level, with step samples in seconds, most frequent first', () => {
    const a = [at(1000, 'user 1 logged in from x', 'info'), at(1001, 'user 2 logged in from x', 'info'), at(1065, 'disk 1 is full now', 'ERROR')];
    const b = [
      at(1010, 'user 3 logged in from x', 'info'),
      at(1011, 'user 4 logged in from x', 'info'),
      at(1070, 'disk 2 is full now', 'error'),
      at(1071, 'disk 3 is full now', 'error'),
    ];
    const range = { fromMs: 960_000, throughMs: 1_200_000, stepMs: 60_000 };
    expect(detectPatterns([a, b], range, 1)).toEqual([
      { pattern: 'user <_> logged in from x', level: 'info', samples: [[960, 4]] },
      { pattern: 'disk <_> is full now', level: 'error', samples: [[1020, 2]] },
      { pattern: 'disk 1 is full now', level: 'error', samples: [[1020, 1]] },
    ]);
  });

  it('files entries without a known level under unknown', () => {
    const lines = [at(1000, 'one two three four'), at(1001, 'one two three four', 'verbose')];
    expect(detectPatterns([lines], { fromMs: 0, throughMs: 2_000_000, stepMs: 10_000 }, 1)).toEqual([
      { pattern: 'one two three four', level: 'unknown', samples: [[1000, 2]] },
    ]);
  });

  it('drops patterns seen fewer than 30 times by default', () => {
    const lines = Array.from({ length: 29 }, (_, i) => at(1000 + i, `job ${i} finished in time`, 'info'));
    expect(detectPatterns([lines], { fromMs: 0, throughMs: 2_000_000, stepMs: 60_000 })).toEqual([]);
    lines.push(at(1029, 'job 29 finished in time', 'info'));
    expect(detectPatterns([lines], { fromMs: 0, throughMs: 2_000_000, stepMs: 60_000 })).toEqual([
      { pattern: 'job <_> finished in time', level: 'info', samples: [[960, 20], [1020, 10]] },
    ]);
  });

  it('encodes as Loki does, with HTML-escaped patterns', () => {
    expect(encodePatterns([{ pattern: 'a <_> b', level: 'info', samples: [[1, 2]] }])).toBe(
      '{"status":"success","data":[{"pattern":"a \\u003c_\\u003e b","level":"info","samples":[[1,2]]}]}\n',
    );
    expect(encodePatterns([])).toBe('{"status":"success","data":[]}\n');
  });
});
