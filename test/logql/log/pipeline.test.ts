import { describe, expect, it } from 'vitest';
import { labelsFromRecord, labelsString } from '../../../src/model/labels.js';
import { buildPipeline } from '../../../src/logql/log/index.js';
import { json, labelFilter, lineFilter, matcher, run } from './run-pipeline.js';

describe('pipeline', () => {
  it('is a noop without stages and still reports structured metadata', () => {
    const p = buildPipeline([]);
    expect(p.noop).toBe(true);
    const out = p.forStream(labelsFromRecord({ app: 'a' })).process(1n, 'line', labelsFromRecord({ trace: 't' }))!;
    expect(out.line).toBe('line');
    expect(out.labels.key).toBe('{app="a", trace="t"}');
    expect(out.labels.stream).toEqual([{ name: 'app', value: 'a' }]);
    expect(out.labels.structuredMetadata).toEqual([{ name: 'trace', value: 't' }]);
    expect(out.labels.parsed).toEqual([]);
  });

  it('reuses the same LabelsResult object for the same label set', () => {
    const p = buildPipeline([json]);
    const s = p.forStream(labelsFromRecord({ app: 'a' }));
    const r1 = s.process(1n, '{"level":"info"}', undefined)!.labels;
    const r2 = s.process(2n, '{"level":"info"}', undefined)!.labels;
    const r3 = s.process(3n, '{"level":"warn"}', undefined)!.labels;
    expect(r2).toBe(r1);
    expect(r3).not.toBe(r1);
    const other = p.forStream(labelsFromRecord({ app: 'a' }));
    expect(other).toBe(s);
    const unchanged = buildPipeline([lineFilter('|=', 'x')]).forStream(labelsFromRecord({ app: 'a' }));
    expect(unchanged.process(1n, 'x', undefined)!.labels).toBe(unchanged.process(2n, 'xx', undefined)!.labels);
  });

  it('shares results between streams that end with the same labels', () => {
    const p = buildPipeline([{ kind: 'drop', labels: [{ name: 'pod' }] }]);
    const a = p.forStream(labelsFromRecord({ app: 'a', pod: '1' })).process(1n, 'x', undefined)!.labels;
    const b = p.forStream(labelsFromRecord({ app: 'a', pod: '2' })).process(1n, 'x', undefined)!.labels;
    expect(a).toBe(b);
    expect(a.key).toBe('{app="a"}');
  });

  it('keys results with labelsString and keeps every category sorted', () => {
    const r = run([json], { z: '1', a: '2' }, '{"m":"x","b":"y"}', { k: 'v' })!;
    expect(r.result.key).toBe(labelsString(r.result.all));
    expect(r.result.all.map((l) => l.name)).toEqual(['a', 'b', 'k', 'm', 'z']);
    expect(r.result.parsed.map((l) => l.name)).toEqual(['b', 'm']);
  });

  it('renames structured metadata clashing with a stream label', () => {
    expect(run([], { app: 'a' }, 'x', { app: 'sm' })!.labels).toEqual({ app: 'a', app_extracted: 'sm' });
  });

  it('normalises structured metadata names like Loki', () => {
    expect(run([], {}, 'x', { 'trace.id': 't', '1st': 'a', _x: 'b', ok_1: 'c' })!.labels).toEqual({
      trace_id: 't',
      key_1st: 'a',
      key_x: 'b',
      ok_1: 'c',
    });
  });

  it('makes structured metadata filterable like labels', () => {
    const stages = [labelFilter(matcher('trace', '=', 't1'))];
    expect(run(stages, { app: 'a' }, 'x', { trace: 't1' })?.labels).toEqual({ app: 'a', trace: 't1' });
    expect(run(stages, { app: 'a' }, 'x', { trace: 't2' })).toBeUndefined();
  });

  it('puts error labels in the parsed category', () => {
    const r = run([json], { app: 'a' }, 'oops')!;
    expect(r.stream).toEqual({ app: 'a' });
    expect(r.parsed).toEqual({ __error__: 'JSONParserErr', __error_details__: "Value looks like object, but can't find closing '}' symbol" });
  });

  it('starts every entry from the stream labels', () => {
    const s = buildPipeline([json]).forStream(labelsFromRecord({ app: 'a' }));
    expect(s.process(1n, '{"x":"1"}', undefined)!.labels.key).toBe('{app="a", x="1"}');
    expect(s.process(2n, '{"y":"2"}', undefined)!.labels.key).toBe('{app="a", y="2"}');
    expect(s.process(3n, 'plain', undefined)!.labels.key).toBe(
      '{__error__="JSONParserErr", __error_details__="Value looks like object, but can\'t find closing \'}\' symbol", app="a"}',
    );
  });
});
