import { describe, expect, it } from 'vitest';
import type { Extraction, Stage } from '../../../src/logql/ast.js';
import { buildPipeline } from '../../../src/logql/log/index.js';
import { json, labelsOf, run } from './run-pipeline.js';

const jsonExpr = (...e: [string, string][]): Stage => ({
  kind: 'json',
  extractions: e.map(([label, expression]): Extraction => ({ label, expression })),
});

describe('| json', () => {
  it.each([
    [
      'flattens nested objects with _',
      {},
      '{"app":"foo","namespace":"prod","pod":{"uuid":"foo","deployment":{"ref":"foobar"}}}',
      { app: 'foo', namespace: 'prod', pod_uuid: 'foo', pod_deployment_ref: 'foobar' },
    ],
    ['renders numbers as written', {}, '{"counter":1, "price": {"_net_":5.56909}, "big": 1e+300, "neg": -0.0}', { counter: '1', price__net_: '5.56909', big: '1e+300', neg: '-0.0' }],
    ['renders booleans and skips nulls', {}, '{"ok":true,"bad":false,"none":null}', { ok: 'true', bad: 'false' }],
    ['skips arrays', {}, '{"counter":1, "price": {"net_":["10","20"]}}', { counter: '1' }],
    ['sanitizes key names', {}, '{"cou-nter":1, "a.b c":"x", "ünï":"u"}', { cou_nter: '1', a_b_c: 'x', _n_: 'u' }],
    ['prefixes a leading digit with _', {}, '{"1st":"a","n":{"2nd":"b"}}', { _1st: 'a', n__2nd: 'b' }],
    ['skips a whitespace-only parent key', {}, '{" ": {"foo":"bar"}}', { foo: 'bar' }],
    ['unescapes strings', {}, '{"foo":"foo\\\\\\"bar","u":"\\u00e9\\ud83d\\ude00","nl":"a\\nb"}', { foo: 'foo\\"bar', u: 'é😀', nl: 'a\nb' }],
    ['replaces the replacement rune with a space', {}, '{"foo":"a\ufffdb"}', { foo: 'a b' }],
    ['keeps empty strings', {}, '{"e":""}', { e: '' }],
    ['adds _extracted for names clashing with stream labels', { app: 'bar' }, '{"app":"foo","pod":{"uuid":"x"}}', { app: 'bar', app_extracted: 'foo', pod_uuid: 'x' }],
    ['keeps the first value of a duplicated key', {}, '{"a":"1","a":"2","n":{"b":"x"},"n_b":"y"}', { a: '1', n_b: 'x' }],
    ['ignores text after the object', {}, '{"foo":{"cou-nter":1}}"', { foo_cou_nter: '1' }],
    ['handles unicode values', {}, '{"msg":"héllo wörld ✓"}', { msg: 'héllo wörld ✓' }],
  ])('%s', (_name, stream, line, want) => {
    expect(labelsOf([json], stream, line)).toEqual({ ...stream, ...want });
  });

  it.each([
    ['{n}', {}, "Value looks like object, but can't find closing '}' symbol"],
    ['not json', {}, "Value looks like object, but can't find closing '}' symbol"],
    ['{"a":"b"', { a: 'b' }, "Value is array, but can't find closing ']' symbol"],
    ['{"a":tru}', {}, 'Unknown value type'],
    ['{"a":"b}', {}, `Value is string, but can't find closing '"' symbol`],
    ['{"a" "b"}', {}, 'Malformed JSON error'],
    ['{"a\\x":1}', {}, 'Encountered an invalid escape sequence in a string'],
    ['', {}, "Value looks like object, but can't find closing '}' symbol"],
  ])('marks %j with JSONParserErr', (line, extracted, details) => {
    expect(labelsOf([json], { app: 'x' }, line)).toEqual({ app: 'x', ...extracted, __error__: 'JSONParserErr', __error_details__: details });
  });

  it('ends strings at the right quote whether backslashes come before, inside or after them', () => {
    expect(labelsOf([json], {}, '{"a":"x\\"y","b":"plain","c":"\\\\","d":"z\\\\\\"w","e":"q"}')).toEqual({ a: 'x"y', b: 'plain', c: '\\', d: 'z\\"w', e: 'q' });
    expect(labelsOf([json], {}, '{"a":"plain","b":"x\\"y"}')).toEqual({ a: 'plain', b: 'x"y' });
    expect(labelsOf([json], {}, '{"a":"1","b":"x\\"}')).toEqual({
      a: '1',
      __error__: 'JSONParserErr',
      __error_details__: `Value is string, but can't find closing '"' symbol`,
    });
  });

  it('accepts a trailing comma like the JSON scanner Loki uses', () => {
    expect(labelsOf([json], {}, '{"a":"1","b":{"c":2,}}')).toEqual({ a: '1', b_c: '2' });
  });

  it('keeps the labels extracted before a syntax error', () => {
    expect(labelsOf([json], {}, '{"a":"1","b":{"c":2 "d":3}}')).toEqual({
      a: '1',
      b_c: '2',
      __error__: 'JSONParserErr',
      __error_details__: "Value looks like object, but can't find closing '}' symbol",
    });
  });

  it('parses a very long line', () => {
    const fields = Array.from({ length: 2000 }, (_, i) => `"k${i}":{"v":"${'x'.repeat(100)}${i}"}`).join(',');
    const labels = labelsOf([json], {}, `{${fields}}`)!;
    expect(Object.keys(labels)).toHaveLength(2000);
    expect(labels.k1999_v).toBe('x'.repeat(100) + '1999');
  });

  it('puts extracted labels in the parsed category and never changes the line', () => {
    const r = run([json], { app: 'a' }, '{"level":"info"}')!;
    expect(r.line).toBe('{"level":"info"}');
    expect(r.stream).toEqual({ app: 'a' });
    expect(r.parsed).toEqual({ level: 'info' });
  });

  it('suffixes a key clashing with structured metadata', () => {
    const r = run([json], {}, '{"app":"foo","pod":"p"}', { pod: 'sm' })!;
    expect(r.labels).toEqual({ app: 'foo', pod: 'sm', pod_extracted: 'p' });
    expect(r.structuredMetadata).toEqual({ pod: 'sm' });
  });

  it('lets an earlier parser win over a later one for the same name', () => {
    const stages: Stage[] = [json, { kind: 'logfmt', strict: false, keepEmpty: false, extractions: [] }];
    expect(labelsOf(stages, {}, '{"level":"info"}')).toEqual({ level: 'info' });
  });
});

describe('| json with expressions', () => {
  const line =
    '{"app":"foo","field with space":"value","field with ÜFT8👌":"value","null_field":null,"bool_field":false,"namespace":"prod","pod":{"uuid":"foo","deployment":{"ref":"foobar", "params": [1,2,3,"string_value"]}}}';

  it.each([
    ['app', 'app', 'foo'],
    ['test', '["field with space"]', 'value'],
    ['utf8', '["field with ÜFT8👌"]', 'value'],
    ['uuid', 'pod.uuid', 'foo'],
    ['uuid', 'pod["uuid"]', 'foo'],
    ['uuid', '["pod"]["uuid"]', 'foo'],
    ['uuid', '["pod"].uuid', 'foo'],
    ['param', 'pod.deployment.params[0]', '1'],
    ['param', 'pod.deployment.params[3]', 'string_value'],
    ['params', 'pod.deployment.params', '[1,2,3,"string_value"]'],
    ['deployment', 'pod.deployment', '{"ref":"foobar", "params": [1,2,3,"string_value"]}'],
    ['nope', 'pod.nope', ''],
    ['undefined', 'pod[""]', ''],
    ['param', 'pod.deployment.params[""]', ''],
    ['nf', 'null_field', ''],
    ['bool', 'bool_field', 'false'],
  ])('%s=%j', (label, expression, value) => {
    expect(labelsOf([jsonExpr([label, expression])], {}, line)).toEqual({ [label]: value });
  });

  it('suffixes an identifier clashing with a stream label or structured metadata', () => {
    expect(labelsOf([jsonExpr(['uuid', 'pod.uuid'])], { uuid: 'bar' }, line)).toEqual({ uuid: 'bar', uuid_extracted: 'foo' });
    expect(labelsOf([jsonExpr(['app', 'app'])], {}, line, { app: 'sm' })).toEqual({ app: 'sm', app_extracted: 'foo' });
  });

  it('sets a missing expression to "" unless the label already exists', () => {
    expect(labelsOf([jsonExpr(['request_size', 'request.size.invalid'])], { uuid: 'bar' }, line)).toEqual({ uuid: 'bar', request_size: '' });
    expect(labelsOf([jsonExpr(['uuid', 'x.y'])], { uuid: 'bar' }, line)).toEqual({ uuid: 'bar' });
  });

  it('takes the first of duplicated keys and keeps escaped JSON text', () => {
    expect(labelsOf([jsonExpr(['app', 'app'])], {}, '{"app":"foo","app":"duplicate"}')).toEqual({ app: 'foo' });
    expect(labelsOf([jsonExpr(['app', 'app'])], {}, '{"app":{"name":"great \\"loki\\""}}')).toEqual({ app: '{"name":"great \\"loki\\""}' });
    expect(labelsOf([jsonExpr(['app', 'app'])], {}, '{"app":"{ \\"key\\": \\"value\\"}"}')).toEqual({ app: '{ "key": "value"}' });
  });

  it('marks lines that do not start like JSON, and ignores empty lines', () => {
    expect(labelsOf([jsonExpr(['uuid', 'will.not.work'])], { foo: 'bar' }, 'invalid json')).toEqual({ foo: 'bar', __error__: 'JSONParserErr' });
    expect(labelsOf([jsonExpr(['uuid', 'will.not.work'])], { foo: 'bar' }, '')).toEqual({ foo: 'bar' });
  });

  it.each([
    ['field with space', 'syntax error: unexpected FIELD'],
    ['"pod"]', 'syntax error: unexpected STRING, expecting LSB or FIELD'],
    ['["pod"', 'syntax error: unexpected $end, expecting RSB'],
    ['["pod""uuid"]', 'syntax error: unexpected STRING, expecting RSB'],
    ['pod..uuid', 'syntax error: unexpected DOT, expecting FIELD'],
    ['a[1.5]', 'syntax error: unexpected $end, expecting STRING or INDEX'],
    ['a$', 'unexpected char $'],
  ])('rejects expression %j', (expression, err) => {
    expect(() => buildPipeline([jsonExpr(['app', expression])])).toThrow(`cannot parse expression [${expression}]: ${err}`);
  });

  it('rejects invalid label names', () => {
    expect(() => buildPipeline([jsonExpr(['ünï', 'a'])])).toThrow("invalid extracted label name 'ünï'");
  });
});
