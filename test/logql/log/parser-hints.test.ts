import { describe, expect, it } from 'vitest';
import { labelsFromRecord, labelsToRecord } from '../../../src/model/labels.js';
import type { Grouping, LabelFilter, RangeAggregationExpr, RangeOp, Stage, Unwrap } from '../../../src/logql/ast.js';
import { buildPipeline, buildSampleExtractor } from '../../../src/logql/log/index.js';
import { buildParserHints } from '../../../src/logql/log/parser-hints.js';
import { compileStage } from '../../../src/logql/log/pipeline.js';
import { json, labelFilter, lineFilter, logfmt, matcher } from './run-pipeline.js';
import { workloadStreams } from './workload-lines.js';

const by = (...labels: string[]): Grouping => ({ labels, without: false });
const without = (...labels: string[]): Grouping => ({ labels, without: true });
const durationOver = (name: string, text: string, ns: bigint): LabelFilter => ({ kind: 'duration', name, op: '>', value: ns, text });
const number = (name: string, op: '>=' | '==', value: number): LabelFilter => ({ kind: 'number', name, op, value, text: String(value) });
const strictLogfmt: Stage = { kind: 'logfmt', strict: true, keepEmpty: false, extractions: [] };

function expr(op: RangeOp, stages: Stage[], grouping?: Grouping, unwrap?: Unwrap): RangeAggregationExpr {
  return {
    kind: 'rangeAggregation',
    op,
    range: { selector: { kind: 'logSelector', matchers: [], stages }, range: 300_000_000_000n, offset: 0n, unwrap },
    grouping,
  };
}

const unwrapOf = (label: string, postFilters: LabelFilter[] = []): Unwrap => ({ label, conversion: '', postFilters });

/** One entry through the extractor, with `outer` pushed down as the engine does for `sum by`. */
function sample(e: RangeAggregationExpr, outer: Grouping | undefined, line: string, stream: Record<string, string> = { app: 'a' }, md?: Record<string, string>) {
  const out = buildSampleExtractor(e, outer).forStream(labelsFromRecord(stream)).process(0n, line, md && labelsFromRecord(md));
  return out && { value: out.value, labels: labelsToRecord(out.labels.all) };
}

function hintsOf(stages: Stage[], groups: string[], opts: { without?: boolean; noLabels?: boolean; metricLabel?: string; postFilter?: LabelFilter } = {}) {
  const h = buildParserHints({
    stages: stages.map(compileStage),
    groups,
    without: opts.without ?? false,
    noLabels: opts.noLabels ?? false,
    metricLabel: opts.metricLabel ?? '',
    postFilter: opts.postFilter && compileStage(labelFilter(opts.postFilter)),
  });
  return h && { required: h.required, preserveError: h.preserveError, early: h.earlyFilters.map((f) => f.name) };
}

describe('the labels a query needs (Loki NewParserHint)', () => {
  it('a by grouping requires its labels, the filtered labels and the unwrapped label; line extractors add ""', () => {
    expect(hintsOf([logfmt, labelFilter(durationOver('duration', '500ms', 500_000_000n))], ['app'])).toEqual({
      required: ['duration', 'app', ''],
      preserveError: false,
      early: [],
    });
    expect(hintsOf([json], ['pod'], { metricLabel: 'bytes' })).toEqual({ required: ['pod', 'bytes'], preserveError: false, early: [] });
  });

  it('every name of and/or filters, label_format renames and template fields, line_format fields', () => {
    const stages: Stage[] = [
      json,
      labelFilter({ kind: 'or', left: matcher('a', '=', 'x'), right: number('b', '>=', 1) }),
      { kind: 'labelFormat', formats: [{ dst: 'c', rename: 'd' }, { dst: 'e', template: '{{.f}}-{{.g}}' }] },
      { kind: 'lineFormat', template: '{{.h}} {{ if .i }}x{{ end }}' },
      { kind: 'drop', labels: [{ name: 'j' }] },
    ];
    expect(hintsOf(stages, ['k'])?.required).toEqual(['a', 'b', 'd', 'f', 'g', 'h', 'i', 'k', '']);
  });

  it('a required x_extracted also requires x (the suffix is chosen after the hint)', () => {
    expect(hintsOf([logfmt], ['level_extracted'])?.required).toEqual(['level_extracted', 'level', '']);
  });

  it('__error__ among the required labels asks parsers to preserve their errors', () => {
    expect(hintsOf([json, labelFilter(matcher('__error__', '=', ''))], ['app'])).toEqual({
      required: ['__error__', 'app', ''],
      preserveError: true,
      early: [],
    });
  });

  it('without, no grouping, or a template reading every label: everything is extracted; single-label filters run early', () => {
    const filters = [labelFilter(matcher('level', '=', 'error')), labelFilter({ kind: 'and', left: matcher('a', '=', 'x'), right: matcher('a', '!=', 'y') })];
    expect(hintsOf([logfmt, ...filters], ['pod'], { without: true })).toEqual({ required: undefined, preserveError: false, early: ['level'] });
    expect(hintsOf([logfmt, ...filters], [])).toEqual({ required: undefined, preserveError: false, early: ['level'] });
    expect(hintsOf([logfmt], [])).toBeUndefined();
    expect(hintsOf([logfmt, { kind: 'lineFormat', template: '{{ range $k, $v := . }}{{ $k }}{{ end }}' }], ['app'])).toBeUndefined();
    expect(hintsOf([logfmt, { kind: 'labelFormat', formats: [{ dst: 'x', template: '{{ . }}' }] }], ['app'])).toBeUndefined();
  });

  it('no labels (by () or absent_over_time): the required labels and the early filters both apply', () => {
    expect(hintsOf([logfmt, labelFilter(matcher('level', '=', 'error'))], [], { noLabels: true })).toEqual({
      required: ['level', ''],
      preserveError: false,
      early: ['level'],
    });
  });

  it('the unwrap post-filter counts, and runs early when it is a single one-label filter', () => {
    expect(hintsOf([logfmt], ['bytes'], { without: true, metricLabel: 'bytes', postFilter: matcher('__error__', '=', '') })).toEqual({
      required: undefined,
      preserveError: false,
      early: ['__error__'],
    });
    expect(hintsOf([logfmt], ['pod'], { metricLabel: 'bytes', postFilter: matcher('level', '=', 'x') })?.required).toEqual(['level', 'pod', 'bytes']);
  });
});

// ---------------------------------------------------------------------------------------------
// Identical results: the hinted extractor against the full pipeline (no hints) grouped afterwards.

interface Case {
  name: string;
  op: RangeOp;
  stages: Stage[];
  outer: Grouping;
  unwrap?: string;
}

const CASES: Case[] = [
  { name: 'q4a: logfmt | duration > 500ms by (app)', op: 'rate', stages: [logfmt, labelFilter(durationOver('duration', '500ms', 500_000_000n))], outer: by('app') },
  { name: 'q4b: json | duration > 500ms by (app)', op: 'rate', stages: [json, labelFilter(durationOver('duration', '500ms', 500_000_000n))], outer: by('app') },
  { name: 'logfmt by (level): a stream label also in the line', op: 'count_over_time', stages: [logfmt], outer: by('level') },
  { name: 'logfmt by (level_extracted)', op: 'count_over_time', stages: [logfmt], outer: by('level_extracted') },
  { name: 'logfmt | status >= 500 by (method, path)', op: 'count_over_time', stages: [logfmt, labelFilter(number('status', '>=', 500))], outer: by('method', 'path') },
  { name: 'json | label_format lvl=level by (lvl)', op: 'count_over_time', stages: [json, { kind: 'labelFormat', formats: [{ dst: 'lvl', rename: 'level' }] }], outer: by('lvl') },
  {
    name: 'json | line_format with fields |= filter by (app), bytes',
    op: 'bytes_over_time',
    stages: [json, { kind: 'lineFormat', template: '{{.msg}} {{.status}}' }, lineFilter('|=', 'completed')],
    outer: by('app'),
  },
  { name: 'logfmt | drop caller by (caller)', op: 'count_over_time', stages: [logfmt, { kind: 'drop', labels: [{ name: 'caller' }] }], outer: by('caller') },
  { name: 'logfmt | keep method by (method, status)', op: 'count_over_time', stages: [logfmt, { kind: 'keep', labels: [{ name: 'method' }] }], outer: by('method', 'status') },
  { name: 'json by (logger, currency)', op: 'bytes_rate', stages: [json], outer: by('logger', 'currency') },
  { name: 'logfmt | unwrap bytes by (app)', op: 'sum_over_time', stages: [logfmt], outer: by('app'), unwrap: 'bytes' },
  { name: 'json | unwrap amount by (currency)', op: 'max_over_time', stages: [json], outer: by('currency'), unwrap: 'amount' },
  { name: 'json | unwrap amount by ()', op: 'sum_over_time', stages: [json], outer: by(), unwrap: 'amount' },
  { name: 'logfmt | duration > 500ms by ()', op: 'count_over_time', stages: [logfmt, labelFilter(durationOver('duration', '500ms', 500_000_000n))], outer: by() },
  { name: 'pattern by (lvl)', op: 'count_over_time', stages: [{ kind: 'pattern', pattern: '<_> level=<lvl> <_>' }], outer: by('lvl') },
  { name: 'regexp by (status)', op: 'count_over_time', stages: [{ kind: 'regexp', pattern: 'status=(?P<status>\\d+)' }], outer: by('status') },
  { name: 'json | logfmt by (msg, trace_id)', op: 'count_over_time', stages: [json, logfmt], outer: by('msg', 'trace_id') },
  { name: 'json by (req_method, resp_status): nested objects', op: 'count_over_time', stages: [json], outer: by('req_method', 'resp_status') },
];

const EXTRA_LINES = [
  'a=1 a=2 level=x duration=900ms status=503 method=GET path=/x bytes=12',
  'duration=2s duration=1ms status=500 method=PUT msg="request completed" trace_id=t1',
  'level=warn caller=c.go msg="quoted \\"value\\"" status=500 path=/p',
  '{"req":{"method":"GET","path":"/x"},"resp":{"status":200,"size":{"bytes":3}},"duration":"700ms","level":"info","msg":"request completed"}',
  '{"req":{"method":"POST"},"resp":{"status":503},"amount":5,"currency":"EUR","duration":"1.5s","logger":"x"}',
  '{"msg":"esc \\u00e9 \\"q\\"","status":500,"duration":"0.6s","trace_id":"t2","currency":"USD","amount":1.5}',
];

/** The reference: the log pipeline extracting every label, then the value and grouping applied. */
function reference(c: Case, stream: Record<string, string>, line: string, md: Record<string, string> | undefined) {
  const out = buildPipeline(c.stages).forStream(labelsFromRecord(stream)).process(0n, line, md && labelsFromRecord(md));
  if (!out) return undefined;
  const all = labelsToRecord(out.labels.all);
  if ('__error__' in all) return { error: all };
  let value: number;
  if (c.unwrap !== undefined) {
    const raw = all[c.unwrap];
    if (raw === undefined || raw === '') return undefined;
    value = Number(raw);
  } else value = c.op === 'bytes_over_time' || c.op === 'bytes_rate' ? Buffer.byteLength(out.line) : 1;
  const labels: Record<string, string> = {};
  for (const g of [...c.outer.labels].sort()) if (all[g] !== undefined) labels[g] = all[g];
  return { value, labels };
}

describe('hinted extraction gives the results of full extraction', () => {
  const logfmtStreams = workloadStreams('logfmt', ['api-gateway', 'auth'], 40);
  const jsonStreams = workloadStreams('json', ['checkout'], 40);
  const entries: { stream: Record<string, string>; line: string; md?: Record<string, string> }[] = [];
  for (const s of [...logfmtStreams, ...jsonStreams]) {
    s.lines.forEach((line, i) => entries.push({ stream: labelsToRecord(s.labels), line, md: i % 3 === 0 ? { trace: `t${i}` } : undefined }));
  }
  for (const line of EXTRA_LINES) {
    entries.push({ stream: { app: 'x', level: 'info' }, line });
    entries.push({ stream: { app: 'x', caller: 'y' }, line, md: { method: 'SM' } });
  }

  it.each(CASES)('$name', (c) => {
    const e = expr(c.op, c.stages, undefined, c.unwrap === undefined ? undefined : unwrapOf(c.unwrap));
    const extractor = buildSampleExtractor(e, c.outer);
    let compared = 0;
    for (const { stream, line, md } of entries) {
      const want = reference(c, stream, line, md);
      if (want && 'error' in want) continue;
      const got = extractor.forStream(labelsFromRecord(stream)).process(0n, line, md && labelsFromRecord(md));
      expect(got && { value: got.value, labels: labelsToRecord(got.labels.all) }, `${JSON.stringify(stream)} ${line}`).toEqual(want);
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
  });
});

// ---------------------------------------------------------------------------------------------
// Loki's hinted answers where they differ from full extraction.

describe('errors under hints, as Loki reports them', () => {
  const stream = { app: 'a', level: 'info' };

  it('an errored sample keeps the stream labels and only the parsed labels the query needs', () => {
    const e = expr('count_over_time', [json]);
    const line = '{"level":"warn","status":500,"duration":"1s","x":';
    const details = 'Malformed JSON error';
    expect(sample(e, by('app'), line, stream)?.labels).toEqual({ app: 'a', level: 'info', __error__: 'JSONParserErr', __error_details__: details });
    expect(sample(e, by('status'), line, stream)?.labels).toEqual({
      app: 'a',
      level: 'info',
      status: '500',
      __error__: 'JSONParserErr',
      __error_details__: details,
    });
    // full extraction (no grouping) keeps every key read before the error
    expect(sample(e, undefined, line, stream)?.labels).toEqual({
      app: 'a',
      level: 'info',
      level_extracted: 'warn',
      status: '500',
      duration: '1s',
      __error__: 'JSONParserErr',
      __error_details__: details,
    });
  });

  it('a strict logfmt error is still found when a needed label is a stream label (the scan never stops early)', () => {
    const out = sample(expr('rate', [strictLogfmt, labelFilter(durationOver('duration', '500ms', 500_000_000n))]), by('app'), 'duration=2s x="open', stream);
    expect(out?.labels).toEqual({
      app: 'a',
      level: 'info',
      duration: '2s',
      __error__: 'LogfmtParserErr',
      __error_details__: 'logfmt syntax error at pos 20 : unterminated quoted value',
    });
  });

  it('parsers stop once every required label is set, so later syntax errors go unseen', () => {
    const e = (parser: Stage) => expr('sum_over_time', [parser], undefined, unwrapOf('bytes'));
    expect(sample(e(strictLogfmt), by(), 'bytes=10 x="open', stream)).toEqual({ value: 10, labels: {} });
    expect(sample(e(json), by(), '{"bytes":5,"x":', stream)).toEqual({ value: 5, labels: {} });
    // without the hint (no grouping) the error is reported
    expect(sample(e(strictLogfmt), undefined, 'bytes=10 x="open', stream)?.labels.__error__).toBe('LogfmtParserErr');
  });

  it('a parser stage is skipped when earlier stages already set every required label', () => {
    const e = expr('sum_over_time', [logfmt, json], undefined, unwrapOf('bytes'));
    expect(sample(e, by(), 'bytes=3', stream)).toEqual({ value: 3, labels: {} });
    expect(sample(e, undefined, 'bytes=3', stream)?.labels.__error__).toBe('JSONParserErr');
  });

  it('line extractors never skip a parser: "" is required and never set, so non-JSON lines still fail', () => {
    expect(sample(expr('count_over_time', [json]), by(), 'oops', stream)?.labels).toEqual({
      app: 'a',
      level: 'info',
      __error__: 'JSONParserErr',
      __error_details__: "Value looks like object, but can't find closing '}' symbol",
    });
  });

  it('objects no required label lives under are not entered, so their syntax errors go unseen', () => {
    const line = '{"a":{"b":"x"},"c":{"d" 1}}';
    expect(sample(expr('count_over_time', [json]), by('a_b'), line, stream)).toEqual({ value: 1, labels: { a_b: 'x' } });
    expect(sample(expr('count_over_time', [json]), undefined, line, stream)?.labels.__error__).toBe('JSONParserErr');
  });

  it('a required __error__ marks parser errors with __preserve_error__', () => {
    const e = expr('count_over_time', [json, labelFilter(matcher('__error__', '!=', ''))]);
    expect(sample(e, by('app'), 'oops', stream)?.labels).toEqual({
      app: 'a',
      level: 'info',
      __error__: 'JSONParserErr',
      __error_details__: "Value looks like object, but can't find closing '}' symbol",
      __preserve_error__: 'true',
    });
    expect(sample(e, undefined, 'oops', stream)?.labels.__preserve_error__).toBeUndefined();
  });

  it('without a grouping, a one-label filter drops the entry as soon as the parser sets that label', () => {
    // `| logfmt | drop level | level=""`: Loki tests level="" on the parsed value, before the drop
    const stages = [logfmt, { kind: 'drop', labels: [{ name: 'level' }] } as Stage, labelFilter(matcher('level', '=', ''))];
    expect(sample(expr('count_over_time', stages), undefined, 'level=warn', { app: 'a' })).toBeUndefined();
    expect(buildPipeline(stages).forStream(labelsFromRecord({ app: 'a' })).process(0n, 'level=warn', undefined)).toBeDefined();
    expect(sample(expr('count_over_time', stages), undefined, 'other=1', { app: 'a' })).toEqual({ value: 1, labels: { app: 'a', other: '1' } });
  });

  it('the early filter also applies to json, pattern and regexp parsers', () => {
    const f = labelFilter(matcher('m', '=', 'GET'));
    const drop = { kind: 'drop', labels: [{ name: 'm' }] } as Stage;
    expect(sample(expr('count_over_time', [json, drop, f]), undefined, '{"m":"PUT"}', { app: 'a' })).toBeUndefined();
    expect(sample(expr('count_over_time', [{ kind: 'pattern', pattern: '<m> <_>' }, drop, f]), undefined, 'PUT /x', { app: 'a' })).toBeUndefined();
    expect(sample(expr('count_over_time', [{ kind: 'regexp', pattern: '(?P<m>\\w+)' }, drop, f]), undefined, 'PUT /x', { app: 'a' })).toBeUndefined();
  });

  it('keys that only sanitize to a required name still match it, and the first occurrence wins', () => {
    const e = expr('count_over_time', [logfmt], by('trace_id', 'n'));
    expect(sample(e, undefined, 'trace-id=a trace_id=b 1n=x n=y')?.labels).toEqual({ trace_id: 'a', n: 'y' });
    expect(sample(e, undefined, 'trace_id=b trace-id=a')?.labels).toEqual({ trace_id: 'b' });
    // A leading digit gains a `_` (one longer); a non-ASCII key can lose characters to Go's TrimSpace.
    expect(sample(expr('count_over_time', [logfmt], by('_1n')), undefined, 'abc=1 1n=x')?.labels).toEqual({ _1n: 'x' });
    const trimmed = 'ab=1 n\u00a0=z';
    expect(sample(expr('count_over_time', [logfmt], without('x')), undefined, trimmed)?.labels.n).toBe('z');
    expect(sample(e, undefined, trimmed)?.labels).toEqual({ n: 'z' });
    const j = expr('count_over_time', [json], by('trace_id', 'ok', 'num'));
    expect(sample(j, undefined, '{"trace id":"a","trace_id":"b","ok":true,"num":-1.5e3,"n":null}')?.labels).toEqual({ trace_id: 'a', ok: 'true', num: '-1.5e3' });
    expect(sample(j, undefined, '{"tr\\u0061ce_id":"esc","trace_id":"b"}')?.labels).toEqual({ trace_id: 'esc' });
    expect(sample(j, undefined, '{"trace_id":["x"],"trace_id":{"a":1},"trace_id":"s"}')?.labels).toEqual({ trace_id: 's' });
  });

  it('logfmt values of keys not needed are skipped unscanned, to the same positions as a full scan', () => {
    const lines = [
      'a=b=c duration=1s',
      'a="x y" duration=2s',
      'a="unterminated duration=3s',
      'a=x\tduration=4s',
      'a=x\u0001duration=5s',
      'a=x"y duration=6s',
      'duration= duration=7s',
      'a="esc\\"aped" duration=8s b=1',
      'a="x"duration=9s',
      'a=',
      'a=\u00e9\u00e8 duration=10s',
    ];
    const hinted = expr('count_over_time', [logfmt], by('duration'));
    const full = expr('count_over_time', [logfmt], without('b'));
    for (const line of lines) expect(sample(hinted, undefined, line)?.labels.duration, line).toEqual(sample(full, undefined, line)?.labels.duration);
    expect(lines.map((l) => sample(hinted, undefined, l)?.labels.duration)).toEqual(['1s', '2s', undefined, '4s', '5s', '6s', '7s', '8s', '9s', undefined, '10s']);
  });
});
