import { describe, expect, it } from 'vitest';
import type { Matcher, NamedLabel, Stage } from '../../../src/logql/ast.js';
import { buildPipeline } from '../../../src/logql/log/index.js';
import { json, labelsOf, run } from './run-pipeline.js';

const drop = (...labels: NamedLabel[]): Stage => ({ kind: 'drop', labels });
const keep = (...labels: NamedLabel[]): Stage => ({ kind: 'keep', labels });
const named = (name: string): NamedLabel => ({ name });
const m = (name: string, op: Matcher['op'], value: string): NamedLabel => ({ name, matcher: { name, op, value } });

const stream = { app: 'foo', namespace: 'prod', pod: 'pod-1' };
const badJson = { __error__: 'JSONParserErr', __error_details__: "Value looks like object, but can't find closing '}' symbol" };

describe('| drop', () => {
  it.each([
    ['by name', [named('app'), named('missing')], { namespace: 'prod', pod: 'pod-1' }],
    ['by matcher', [m('namespace', '=', 'prod'), m('pod', '=', 'other')], { app: 'foo', pod: 'pod-1' }],
    ['by regex matcher', [m('pod', '=~', 'pod-.*'), m('app', '!~', 'f.*')], { app: 'foo', namespace: 'prod' }],
  ] as [string, NamedLabel[], Record<string, string>][])('%s', (_n, labels, want) => {
    expect(labelsOf([drop(...labels)], stream, 'x')).toEqual(want);
  });

  it('drops parsed labels and structured metadata too', () => {
    expect(labelsOf([json, drop(named('level'), named('trace'))], stream, '{"level":"info","msg":"hi"}', { trace: 't' })).toEqual({
      ...stream,
      msg: 'hi',
    });
  });

  it('can drop the error labels', () => {
    expect(labelsOf([json, drop(named('__error__'), named('__error_details__'))], stream, 'nope')).toEqual(stream);
    // As in Loki, details without an error are not shown when no other label changed.
    expect(labelsOf([json, drop(m('__error__', '=', 'JSONParserErr'))], stream, 'nope')).toEqual(stream);
    expect(labelsOf([json, drop(m('__error__', '=', 'Other'))], stream, 'nope')).toEqual({ ...stream, ...badJson });
  });

  it('matches regexes across newlines like Prometheus matchers', () => {
    expect(labelsOf([drop(m('msg', '=~', 'a.*'))], { msg: 'a\nb' }, 'x')).toEqual({});
  });
});

describe('| keep', () => {
  it.each([
    ['by name', [named('app'), named('missing')], { app: 'foo' }],
    ['by matcher', [m('namespace', '=', 'prod'), m('pod', '=', 'other')], { namespace: 'prod' }],
    ['by name and matcher', [named('app'), m('pod', '=~', 'pod-.*')], { app: 'foo', pod: 'pod-1' }],
  ] as [string, NamedLabel[], Record<string, string>][])('%s', (_n, labels, want) => {
    expect(labelsOf([keep(...labels)], stream, 'x')).toEqual(want);
  });

  it('never removes the error labels', () => {
    expect(labelsOf([json, keep(named('app'))], stream, 'nope')).toEqual({ app: 'foo', ...badJson });
  });

  it('removes parsed labels and structured metadata that are not kept', () => {
    const r = run([json, keep(named('level'), named('trace'))], stream, '{"level":"info","msg":"hi"}', { trace: 't', other: 'o' })!;
    expect(r.labels).toEqual({ level: 'info', trace: 't' });
    expect(r.stream).toEqual({});
    expect(r.structuredMetadata).toEqual({ trace: 't' });
    expect(r.parsed).toEqual({ level: 'info' });
  });

  it('rejects a bad matcher regex when built', () => {
    expect(() => buildPipeline([keep(m('a', '=~', '(x'))])).toThrow('error parsing regexp: missing closing ): `(x`');
  });
});
