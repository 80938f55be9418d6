// How one answer is printed: common labels and padding as in the recorded logcli output, label flags,
// colours, jsonl and raw modes, metric results as Go's indented JSON, and the stats blocks.
import { describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../../src/model/labels.js';
import { formatIndexStats } from '../../src/cli/index-queries.js';
import { createLogOutput, type OutputMode } from '../../src/cli/output.js';
import { formatStats } from '../../src/cli/query-stats.js';
import { ResultPrinter, type PrinterOptions } from '../../src/cli/result-printer.js';
import { analyzeLabels } from '../../src/cli/series.js';
import { Colors, GoLogger, type CliIO } from '../../src/cli/terminal.js';
import type { ResultValue } from '../../src/cli/wire.js';

const common = { filename: '/var/log/pods/app/app.log', host: 'anchors', job: 'anchors-promtail', service_name: 'anchors-promtail' };
const streams: ResultValue = {
  type: 'streams',
  streams: [
    {
      labels: labelsFromRecord({ ...common, detected_level: 'error' }),
      entries: [{ ts: 1_795_448_044_524_916_573n, line: 'ts=2026-11-23T15:30:47.263905Z level=error msg="promtail sample line 198" status=200 duration=88ms' }],
    },
    {
      labels: labelsFromRecord({ ...common, detected_level: 'info' }),
      entries: [
        { ts: 1_795_448_050_549_543_713n, line: 'ts=2026-11-23T15:34:10.498745358Z level=info msg="appended after promtail start 3" status=200 duration=12ms' },
        { ts: 1_795_448_044_524_966_237n, line: 'ts=2026-11-23T15:30:48.263905Z level=info msg="promtail sample line 199" status=200 duration=137ms\n' },
      ],
    },
  ],
};

function printWith(mode: OutputMode, o: Partial<PrinterOptions> = {}, out: { noLabels?: boolean; colored?: boolean; tty?: boolean } = {}, value: ResultValue = streams) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    writeStdout: () => undefined,
    writeStderr: (s) => (stderr += s),
    env: {},
    stdoutIsTTY: out.tty === true,
    clock: () => new Date(2026, 10, 23, 15, 34, 27),
    allowInsecureTLS: () => undefined,
    onInterrupt: () => () => undefined,
  };
  const colors = new Colors(io);
  const output = createLogOutput(mode, { timezone: 'UTC', noLabels: out.noLabels === true, coloredOutput: out.colored === true }, (s) => (stdout += s), colors);
  const printer = new ResultPrinter(
    { showLabelsKey: [], ignoreLabelsKey: [], quiet: false, fixedLabelsLen: 0, forward: false, ...o },
    { out: output, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), log: new GoLogger(io), colors },
  );
  const outcome = printer.printResult(value, []);
  return { stdout, stderr, outcome };
}

describe('stream results', () => {
  it('prints newest first with common labels on stderr and labels padded to the widest set', () => {
    const { stdout, stderr, outcome } = printWith('default');
    expect(stdout).toBe(
      '2026-11-23T15:34:10Z {detected_level="info"}  ts=2026-11-23T15:34:10.498745358Z level=info msg="appended after promtail start 3" status=200 duration=12ms\n' +
        '2026-11-23T15:34:04Z {detected_level="info"}  ts=2026-11-23T15:30:48.263905Z level=info msg="promtail sample line 199" status=200 duration=137ms\n' +
        '2026-11-23T15:34:04Z {detected_level="error"} ts=2026-11-23T15:30:47.263905Z level=error msg="promtail sample line 198" status=200 duration=88ms\n',
    );
    expect(stderr).toBe(
      '2026/11/23 15:34:27 Common labels: {filename="/var/log/pods/app/app.log", host="anchors", job="anchors-promtail", service_name="anchors-promtail"}\n',
    );
    expect(outcome.printed).toBe(3);
    expect(outcome.last.map((e) => e.ts)).toEqual([1_795_448_044_524_916_573n]);
  });

  it('prints oldest first with --forward', () => {
    const { stdout } = printWith('raw', { forward: true });
    expect(stdout.split('\n').map((l) => l.slice(0, 38))).toEqual([
      'ts=2026-11-23T15:30:47.263905Z level=e',
      'ts=2026-11-23T15:30:48.263905Z level=i',
      'ts=2026-11-23T15:34:10.498745358Z leve',
      '',
    ]);
  });

  it('writes jsonl with sorted keys, Go escaping and the nanosecond timestamp', () => {
    const { stdout } = printWith('jsonl');
    expect(stdout.split('\n')[0]).toBe(
      '{"labels":{"detected_level":"info"},"line":"ts=2026-11-23T15:34:10.498745358Z level=info msg=\\"appended after promtail start 3\\" status=200 duration=12ms","timestamp":"2026-11-23T15:34:10.549543713Z"}',
    );
    expect(printWith('jsonl', {}, { noLabels: true }).stdout.split('\n')[2]).toBe(
      '{"line":"ts=2026-11-23T15:30:47.263905Z level=error msg=\\"promtail sample line 198\\" status=200 duration=88ms","timestamp":"2026-11-23T15:34:04.524916573Z"}',
    );
  });

  it('drops one trailing newline in raw mode and trims the line in default mode', () => {
    expect(printWith('raw').stdout.split('\n')[1]).toBe('ts=2026-11-23T15:30:48.263905Z level=info msg="promtail sample line 199" status=200 duration=137ms');
    expect(printWith('default').stdout.split('\n')[1].endsWith('duration=137ms')).toBe(true);
  });

  it('prints only the included labels, keeping them out of the common set', () => {
    const { stdout, stderr } = printWith('default', { showLabelsKey: ['host', 'detected_level'] });
    expect(stdout.split('\n')[0]).toBe(
      '2026-11-23T15:34:10Z {detected_level="info", host="anchors"}  ts=2026-11-23T15:34:10.498745358Z level=info msg="appended after promtail start 3" status=200 duration=12ms',
    );
    expect(stderr).toContain('Common labels: {filename="/var/log/pods/app/app.log", job="anchors-promtail", service_name="anchors-promtail"}\n');
    expect(stderr).toContain('Print only labels key: host,detected_level\n');
  });

  it('hides excluded labels and pads to --labels-length', () => {
    const { stdout, stderr } = printWith('default', { ignoreLabelsKey: ['detected_level'], fixedLabelsLen: 5 });
    expect(stdout.split('\n')[0]).toBe('2026-11-23T15:34:10Z {}    ts=2026-11-23T15:34:10.498745358Z level=info msg="appended after promtail start 3" status=200 duration=12ms');
    expect(stderr).toContain('Ignoring labels key: detected_level\n');
  });

  it('prints no labels with --no-labels and nothing on stderr with --quiet', () => {
    const { stdout, stderr } = printWith('default', { quiet: true }, { noLabels: true });
    expect(stdout.split('\n')[2]).toBe('2026-11-23T15:34:04Z ts=2026-11-23T15:30:47.263905Z level=error msg="promtail sample line 198" status=200 duration=88ms');
    expect(stderr).toBe('');
  });

  it('colours timestamps blue and labels red on a terminal, or by label hash with --colored-output', () => {
    const plain = printWith('default', {}, { tty: true }).stdout.split('\n')[0];
    expect(plain.startsWith('\x1b[34m2026-11-23T15:34:10Z\x1b[0m \x1b[31m{detected_level="info"} \x1b[0m ts=')).toBe(true);
    const hashed = printWith('default', {}, { tty: true, colored: true }).stdout.split('\n');
    expect(hashed[0]).toMatch(/^\x1b\[34m2026-11-23T15:34:10Z\x1b\[0m \x1b\[(9[1-6]|3[1-6])m\{detected_level="info"\} \x1b\[0m ts=/);
    expect(hashed[0].slice(30, 60)).toBe(hashed[1].slice(30, 60));
  });
});

describe('metric results', () => {
  it('prints a matrix as indented JSON without a trailing newline', () => {
    const matrix: ResultValue = {
      type: 'matrix',
      series: [{ metric: labelsFromRecord({ app: 'x' }), values: [{ ms: 1_671_840_000_000, value: 3 }, { ms: 1_671_840_060_500, value: 0.25 }] }],
    };
    expect(printWith('default', {}, {}, matrix).stdout).toBe(
      '[\n  {\n    "metric": {\n      "app": "x"\n    },\n    "values": [\n      [\n        1671840000,\n        "3"\n      ],\n      [\n        1671840060.5,\n        "0.25"\n      ]\n    ]\n  }\n]',
    );
  });

  it('prints vectors and scalars as Prometheus model JSON', () => {
    const vector: ResultValue = { type: 'vector', samples: [{ metric: [], point: { ms: 1_795_455_753_373, value: NaN } }] };
    expect(printWith('default', {}, {}, vector).stdout).toBe('[\n  {\n    "metric": {},\n    "value": [\n      1795455753.373,\n      "NaN"\n    ]\n  }\n]');
    const scalar: ResultValue = { type: 'scalar', point: { ms: 4_000_000_000_000, value: 2 } };
    expect(printWith('default', {}, {}, scalar).stdout).toBe('[\n  4000000000,\n  "2"\n]');
    expect(printWith('default', {}, {}, scalar).outcome.printed).toBe(-1);
  });
});

describe('statistics', () => {
  it('prints the --stats keys tab-aligned with Go formats for sizes and durations', () => {
    const text = formatStats(
      { summary: { execTime: 0.5, totalBytesProcessed: 12500, totalLinesProcessed: 7 }, querier: { store: { chunksDownloadTime: 1_500_000 } } },
      (k) => k,
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('Ingester.TotalReached \t\t\t\t 0');
    expect(lines).toContain('Querier.ChunksDownloadTime \t\t\t 1.5ms');
    expect(lines).toContain('Querier.QueryReferencedStructuredMetadata \t false');
    expect(lines).toContain('Cache.InstantMetricResult.EntriesRequested \t 0');
    expect(lines).toContain('Summary.TotalBytesProcessed \t\t\t 12 kB');
    expect(lines).toContain('Summary.ExecTime \t\t\t\t 500ms');
    expect(lines.at(-2)).toBe('Summary.QueueTime \t\t\t\t 0s');
  });

  it('prints index stats as logcli does, bytes without the space', () => {
    const colors = new Colors({ env: {}, stdoutIsTTY: false });
    expect(formatIndexStats({ streams: 2, chunks: 3, bytes: 12500, entries: 10 }, colors)).toBe('{\n  bytes: 12kB\n  chunks: 3\n  streams: 2\n  entries: 10\n}\n');
  });

  it('summarises series labels by distinct values', () => {
    const series = [
      labelsFromRecord({ app: 'auth', pod: 'p1', level: 'info' }),
      labelsFromRecord({ app: 'auth', pod: 'p2', level: 'warn' }),
      labelsFromRecord({ app: 'auth', pod: 'p2', level: 'error' }),
    ];
    expect(analyzeLabels(series)).toBe(
      'Total Streams:  3\nUnique Labels:  3\n\nLabel Name  Unique Values  Found In Streams\nlevel       3              3\npod         2              3\napp         1              3\n',
    );
  });
});
