import { describe, expect, it } from 'vitest';
import { labelsFromRecord, labelsToRecord } from '../../../src/model/labels.js';
import type { Grouping, LabelFilter, RangeAggregationExpr, RangeOp, Stage, Unwrap, UnwrapConversion } from '../../../src/logql/ast.js';
import { buildSampleExtractor } from '../../../src/logql/log/index.js';
import { json, labelFilter, lineFilter, logfmt, matcher } from './run-pipeline.js';

function expr(op: RangeOp, stages: Stage[], unwrap?: Unwrap, grouping?: Grouping): RangeAggregationExpr {
  return {
    kind: 'rangeAggregation',
    op,
    range: { selector: { kind: 'logSelector', matchers: [{ name: 'app', op: '=', value: 'a' }], stages }, range: 60_000_000_000n, offset: 0n, unwrap },
    grouping,
  };
}

const unwrap = (label: string, conversion: UnwrapConversion = '', postFilters: LabelFilter[] = []): Unwrap => ({ label, conversion, postFilters });

function sample(e: RangeAggregationExpr, line: string, stream: Record<string, string> = { app: 'a' }, metadata?: Record<string, string>) {
  const out = buildSampleExtractor(e).forStream(labelsFromRecord(stream)).process(0n, line, metadata && labelsFromRecord(metadata));
  return out && { value: out.value, labels: labelsToRecord(out.labels.all) };
}

describe('sample extraction without unwrap', () => {
  it.each(['count_over_time', 'rate', 'absent_over_time'] as RangeOp[])('%s counts 1 per entry', (op) => {
    expect(sample(expr(op, []), 'anything')?.value).toBe(1);
  });

  it('bytes_over_time and bytes_rate count UTF-8 bytes of the line after the pipeline', () => {
    expect(sample(expr('bytes_over_time', []), 'héllo ✓')?.value).toBe(10);
    expect(sample(expr('bytes_rate', [{ kind: 'lineFormat', template: '{{.app}}' }]), 'long line')?.value).toBe(1);
    expect(sample(expr('bytes_over_time', []), '')?.value).toBe(0);
  });

  it('drops entries the pipeline filters out', () => {
    expect(sample(expr('count_over_time', [lineFilter('|=', 'err')]), 'all good')).toBeUndefined();
  });

  it('keeps stream and extracted labels', () => {
    expect(sample(expr('count_over_time', [json]), '{"level":"info"}', { app: 'a' }, { trace: 't' })?.labels).toEqual({ app: 'a', level: 'info', trace: 't' });
  });

  it('absent_over_time drops every label', () => {
    expect(sample(expr('absent_over_time', [json]), '{"level":"info"}')?.labels).toEqual({});
  });

  it('keeps every label of an entry with an error', () => {
    expect(sample(expr('absent_over_time', [json]), 'oops')?.labels).toEqual({
      app: 'a',
      __error__: 'JSONParserErr',
      __error_details__: "Value looks like object, but can't find closing '}' symbol",
    });
  });
});

describe('sample extraction with unwrap', () => {
  it.each([
    ['', '42', 42],
    ['', '-1.5e3', -1500],
    ['', '0x1p4', 16],
    ['', 'Inf', Infinity],
    ['bytes', '1.5KiB', 1536],
    ['bytes', '10 MB', 10_000_000],
    ['bytes', '42', 42],
    ['duration', '250ms', 0.25],
    ['duration', '1h2m3.5s', 3723.5],
    ['duration_seconds', '-1.5us', -0.0000015],
  ] as [UnwrapConversion, string, number][])('conversion %j of %j is %s', (conversion, v, want) => {
    const out = sample(expr('sum_over_time', [logfmt], unwrap('v', conversion)), `v="${v}" other=x`)!;
    expect(out.value).toBe(want);
    expect(out.labels).toEqual({ app: 'a', other: 'x' });
  });

  it.each([
    ['', 'abc', 'strconv.ParseFloat: parsing "abc": invalid syntax'],
    ['bytes', '3 XB', 'unhandled size name: xb'],
    ['duration', '5', 'time: missing unit in duration "5"'],
    ['duration_seconds', '5y', 'time: unknown unit "y" in duration "5y"'],
  ] as [UnwrapConversion, string, string][])('marks %j conversion failures of %j', (conversion, v, details) => {
    const out = sample(expr('sum_over_time', [json], unwrap('v', conversion)), JSON.stringify({ v }))!;
    expect(out.value).toBe(0);
    expect(out.labels).toEqual({ app: 'a', v, __error__: 'SampleExtractionErr', __error_details__: details });
  });

  it('skips entries without the label or with an empty value', () => {
    expect(sample(expr('sum_over_time', [logfmt], unwrap('v')), 'other=1')).toBeUndefined();
    expect(sample(expr('sum_over_time', [logfmt], unwrap('v')), 'v="" other=1')).toBeUndefined();
  });

  it('applies post filters after the conversion', () => {
    const e = expr('sum_over_time', [logfmt], unwrap('v', '', [matcher('__error__', '=', '')]));
    expect(sample(e, 'v=abc')).toBeUndefined();
    expect(sample(e, 'v=3')?.value).toBe(3);
    const g = expr('sum_over_time', [logfmt], unwrap('v', '', [matcher('level', '=', 'error')]));
    expect(sample(g, 'v=3 level=info')).toBeUndefined();
    expect(sample(g, 'v=3 level=error')?.labels).toEqual({ app: 'a', level: 'error' });
  });

  it('unwraps stream labels and structured metadata too', () => {
    expect(sample(expr('sum_over_time', [], unwrap('size')), 'x', { app: 'a', size: '7' })).toEqual({ value: 7, labels: { app: 'a' } });
    expect(sample(expr('sum_over_time', [], unwrap('size')), 'x', { app: 'a' }, { size: '9' })).toEqual({ value: 9, labels: { app: 'a' } });
  });

  it('applies by/without grouping of the range aggregation', () => {
    const line = 'v=2 level=info pod=p1';
    expect(sample(expr('avg_over_time', [logfmt], unwrap('v'), { without: false, labels: ['level'] }), line)?.labels).toEqual({ level: 'info' });
    expect(sample(expr('avg_over_time', [logfmt], unwrap('v'), { without: false, labels: ['level', 'v'] }), line)?.labels).toEqual({ level: 'info', v: '2' });
    expect(sample(expr('avg_over_time', [logfmt], unwrap('v'), { without: true, labels: ['pod'] }), line)?.labels).toEqual({ app: 'a', level: 'info' });
    expect(sample(expr('max_over_time', [logfmt], unwrap('v'), { without: false, labels: [] }), line)?.labels).toEqual({});
  });

  it('returns the same labels object for samples of the same series', () => {
    const s = buildSampleExtractor(expr('sum_over_time', [logfmt], unwrap('v'), { without: false, labels: ['level'] })).forStream(labelsFromRecord({ app: 'a' }));
    const a = s.process(1n, 'v=1 level=info pod=1', undefined)!.labels;
    const b = s.process(2n, 'v=2 level=info pod=2', undefined)!.labels;
    expect(b).toBe(a);
    expect(a.key).toBe('{level="info"}');
  });

  it('keeps the unwrapped label on samples with an error', () => {
    const out = sample(expr('sum_over_time', [logfmt, labelFilter(matcher('x', '=', ''))], unwrap('v'), { without: false, labels: ['level'] }), 'v=z level=info')!;
    expect(out.labels).toEqual({ app: 'a', level: 'info', v: 'z', __error__: 'SampleExtractionErr', __error_details__: 'strconv.ParseFloat: parsing "z": invalid syntax' });
  });
});
