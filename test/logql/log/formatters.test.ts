import { describe, expect, it } from 'vitest';
import type { LabelFmt, Stage } from '../../../src/logql/ast.js';
import { buildPipeline } from '../../../src/logql/log/index.js';
import { json, labelsOf, run } from './run-pipeline.js';

const lineFormat = (template: string): Stage => ({ kind: 'lineFormat', template });
const labelFormat = (...formats: LabelFmt[]): Stage => ({ kind: 'labelFormat', formats });
const rename = (dst: string, src: string): LabelFmt => ({ dst, rename: src });
const tmpl = (dst: string, template: string): LabelFmt => ({ dst, template });

describe('| line_format', () => {
  it.each([
    ['foo{{.foo}}buzz{{  .bar  }}', { foo: 'blip', bar: 'blop' }, 'fooblipbuzzblop'],
    ['foo {{.foo}}buzz{{  .bar  }}', { bar: 'blop' }, 'foo buzzblop'],
    ['{{.foo | ToUpper }} {{ .bar | upper }}', { foo: 'blip', bar: 'blop' }, 'BLIP BLOP'],
    ['{{.foo}}', { foo: 'bar' }, 'bar'],
    ['{{.foo}}  ', { foo: 'bar' }, 'bar  '],
    ['{{.missing}}', { foo: 'bar' }, ''],
    ['{{ __line__ }} bar {{ .bar }}', { bar: '2' }, 'original bar 2'],
    ['ünï {{.foo}} ✓', { foo: 'ö' }, 'ünï ö ✓'],
  ])('%j', (template, stream, want) => {
    const r = run([lineFormat(template)], stream, 'original')!;
    expect(r.line).toBe(want);
    expect(r.labels).toEqual(stream);
  });

  it('reads parsed labels, structured metadata and the error labels', () => {
    expect(run([json, lineFormat('{{.level}}|{{.trace}}|{{.__error__}}')], {}, '{"level":"info"}', { trace: 't1' })!.line).toBe('info|t1|');
    expect(run([json, lineFormat('[{{.__error__}}]')], {}, 'nope')!.line).toBe('[JSONParserErr]');
  });

  it('renders the entry timestamp', () => {
    expect(run([lineFormat('{{ __timestamp__ | unixEpoch }}')], {}, 'x', undefined, 1656353124120000000n)!.line).toBe('1656353124');
  });

  it('keeps the line and marks the entry when the template fails', () => {
    const r = run([lineFormat('{{.foo | now}}')], { foo: 'blip' }, 'original')!;
    expect(r.line).toBe('original');
    expect(r.labels).toEqual({
      foo: 'blip',
      __error__: 'TemplateFormatErr',
      __error_details__: 'template: line:1:9: executing "line" at <now>: wrong number of args for now: want 0 got 1',
    });
  });

  it('rejects a template that does not parse', () => {
    expect(() => buildPipeline([lineFormat('{{.foo')])).toThrow(/^invalid line template: template: line:1: /);
  });

  it('line filters after line_format see the new line', () => {
    const stages: Stage[] = [lineFormat('{{.foo}}'), { kind: 'lineFilters', filters: [{ op: '|=', match: { value: 'blip', ip: false }, or: [] }] }];
    expect(run(stages, { foo: 'blip' }, 'original')?.line).toBe('blip');
    expect(run(stages, { foo: 'nope' }, 'blip')).toBeUndefined();
  });
});

describe('| label_format', () => {
  it.each([
    ['rename', [rename('baz', 'foo')], { foo: 'blip', bar: 'blop' }, { bar: 'blop', baz: 'blip' }],
    ['rename over an existing label', [rename('bar', 'foo')], { foo: 'blip', bar: 'blop' }, { bar: 'blip' }],
    ['rename of a missing label does nothing', [rename('baz', 'nope')], { foo: 'blip' }, { foo: 'blip' }],
    ['template', [tmpl('foo', '{{.foo}} and {{.bar}}')], { foo: 'blip', bar: 'blop' }, { foo: 'blip and blop', bar: 'blop' }],
    [
      'templates read the labels as they were before this stage',
      [tmpl('a', 'x'), tmpl('b', '{{.a}}-{{.c}}')],
      { a: '1', c: '3' },
      { a: 'x', b: '1-3', c: '3' },
    ],
    ['rename then template', [rename('baz', 'foo'), tmpl('t', '{{.baz}}')], { foo: 'blip' }, { baz: 'blip', t: 'blip' }],
  ] as [string, LabelFmt[], Record<string, string>, Record<string, string>][])('%s', (_n, formats, stream, want) => {
    expect(labelsOf([labelFormat(...formats)], stream, 'line')).toEqual(want);
  });

  it('moves renamed and templated labels to the parsed category', () => {
    const r = run([labelFormat(rename('baz', 'foo'), tmpl('t', 'v'))], { foo: 'blip', app: 'a' }, 'line')!;
    expect(r.stream).toEqual({ app: 'a' });
    expect(r.parsed).toEqual({ baz: 'blip', t: 'v' });
  });

  it('overwrites a structured metadata label with a parsed one', () => {
    const r = run([labelFormat(tmpl('trace', 'new'))], {}, 'line', { trace: 'old' })!;
    expect(r.labels).toEqual({ trace: 'new' });
    expect(r.structuredMetadata).toEqual({});
    expect(r.parsed).toEqual({ trace: 'new' });
  });

  it('marks the entry and skips the label when a template fails', () => {
    expect(labelsOf([labelFormat(tmpl('x', '{{.foo | now}}'))], { foo: 'a' }, 'line')).toEqual({
      foo: 'a',
      __error__: 'TemplateFormatErr',
      __error_details__: 'template: label:1:9: executing "label" at <now>: wrong number of args for now: want 0 got 1',
    });
  });

  it.each([
    [[rename('foo', 'a'), tmpl('foo', 'x')], "multiple label name 'foo' not allowed in a single format operation"],
    [[tmpl('__error__', 'x')], '__error__ cannot be formatted'],
    [[tmpl('foo', '{{.a')], /^invalid template for label 'foo': template: label:1: /],
  ] as [LabelFmt[], string | RegExp][])('rejects %j', (formats, msg) => {
    expect(() => buildPipeline([labelFormat(...formats)])).toThrow(msg);
  });
});

describe('| decolorize', () => {
  it('strips ANSI escape sequences', () => {
    const r = run([{ kind: 'decolorize' }], {}, '\x1b[31mred\x1b[0m plain \x1b[1;32mbold green\x1b[0m \x1b]0;title\x07ünï')!;
    expect(r.line).toBe('red plain bold green ünï');
  });
});
