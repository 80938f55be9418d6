import { describe, expect, it } from 'vitest';
import type { Stage } from '../../../src/logql/ast.js';
import { buildPipeline } from '../../../src/logql/log/index.js';
import { labelsOf, run } from './run-pipeline.js';

const regexp = (pattern: string): Stage => ({ kind: 'regexp', pattern });
const pattern = (p: string): Stage => ({ kind: 'pattern', pattern: p });
const unpack: Stage = { kind: 'unpack' };

describe('| regexp', () => {
  it.each([
    ['no match', '(?P<foo>foo|bar)buzz', 'blah', { app: 'foo' }, { app: 'foo' }],
    ['greedy match', '(?P<foo>.*)buzz', 'matchebuzz barbuzz', { app: 'bar' }, { app: 'bar', foo: 'matchebuzz bar' }],
    ['clash with a stream label', '(?P<bar>bar)buzz', 'barbuzz', { bar: 'foo' }, { bar: 'foo', bar_extracted: 'bar' }],
    [
      'several groups and unnamed ones',
      'status=(?P<status>\\w+),latency=(?P<latency>\\w+)(ms|ns)',
      'status=200,latency=500ms',
      { app: 'foo' },
      { app: 'foo', status: '200', latency: '500' },
    ],
    ['a group that did not participate is empty', '(?P<a>x)?(?P<b>y)', 'y', {}, { a: '', b: 'y' }],
    ['unicode', '(?P<word>\\p{L}+)', 'ünïcödé!', {}, { word: 'ünïcödé' }],
  ])('%s', (_n, re, line, stream, want) => {
    expect(labelsOf([regexp(re)], stream, line)).toEqual(want);
  });

  it('suffixes names clashing with structured metadata', () => {
    expect(labelsOf([regexp('status=(?P<status>\\w+)')], {}, 'status=200', { status: '400' })).toEqual({ status: '400', status_extracted: '200' });
  });

  it.each([
    ['w.*', 'at least one named capture must be supplied'],
    ['f(.*) (foo|bar|buzz)', 'at least one named capture must be supplied'],
    ['blah (.*) (?P<foo$>foo)', 'error parsing regexp: invalid named capture: `(?P<foo$>`'],
    ['(?P<foo>foo)(?P<foo>barr)', "duplicate extracted label name 'foo'"],
    ['(?P<1a>x)', "invalid extracted label name '1a'"],
    ['(', 'error parsing regexp: missing closing ): `(`'],
  ])('rejects %j like Loki', (re, msg) => {
    expect(() => buildPipeline([regexp(re)])).toThrow(`parse error : invalid regexp parser: ${msg}`);
  });

  it('accepts a named group mixed with unnamed ones', () => {
    expect(() => buildPipeline([regexp('blah (.*) (?P<foo>)')])).not.toThrow();
  });
});

describe('| pattern', () => {
  it.each([
    [
      '<ip> <userid> <user> [<_>] "<method> <path> <_>" <status> <size>',
      '127.0.0.1 user-identifier frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
      { foo: 'bar' },
      { foo: 'bar', ip: '127.0.0.1', userid: 'user-identifier', user: 'frank', method: 'GET', path: '/apache_pb.gif', status: '200', size: '2326' },
    ],
    [
      '<_> msg="<method> <path> (<status>) <duration>"',
      'level=debug ts=2021-05-19T07:54:26.864644382Z caller=logging.go:66 traceID=7fbb92fd0eb9c65d msg="POST /loki/api/v1/push (204) 1.238734ms"',
      { method: 'bar' },
      { method: 'bar', method_extracted: 'POST', path: '/loki/api/v1/push', status: '204', duration: '1.238734ms' },
    ],
    ['foo <f>"', 'bar', { method: 'bar' }, { method: 'bar' }],
    ['<a> - <b> - <c>', 'x - y', {}, { a: 'x', b: 'y' }],
    ['<a>ü<b>', 'xüy', {}, { a: 'x', b: 'y' }],
  ])('%j', (p, line, stream, want) => {
    expect(labelsOf([pattern(p)], stream, line)).toEqual(want);
  });

  it('suffixes captures clashing with structured metadata', () => {
    expect(labelsOf([pattern('<ip> <user>')], {}, '1.2.3.4 frank', { user: 'not_frank' })).toEqual({
      ip: '1.2.3.4',
      user: 'not_frank',
      user_extracted: 'frank',
    });
  });

  it.each([
    ['<_> foo', 'at least one capture is required'],
    ['<a><b>', "found consecutive capture '<a><b>': invalid expression"],
    ['<a> <a>', 'duplicate capture name (a): invalid expression'],
    ['', 'parse error at line 1, col 1: syntax error: unexpected $end, expecting IDENTIFIER or LITERAL'],
  ])('rejects %j like Loki', (p, msg) => {
    expect(() => buildPipeline([pattern(p)])).toThrow(`parse error : invalid pattern parser: ${msg}`);
  });
});

describe('| unpack', () => {
  it.each([
    [
      'extracts string values and replaces the line with _entry',
      '{"bar":1,"app":"foo","namespace":"prod","_entry":"some message","pod":{"uid":"1"}}',
      { cluster: 'us-central1' },
      { cluster: 'us-central1', app: 'foo', namespace: 'prod' },
      'some message',
    ],
    [
      'clash with a stream label',
      '{"bar":1,"app":"foo","namespace":"prod","_entry":"some message"}',
      { cluster: 'us-central1', app: 'bar' },
      { cluster: 'us-central1', app: 'bar', app_extracted: 'foo', namespace: 'prod' },
      'some message',
    ],
    [
      'leaves line and labels alone without _entry',
      '{"bar":1,"app":"foo","namespace":"prod"}',
      { app: 'bar' },
      { app: 'bar' },
      '{"bar":1,"app":"foo","namespace":"prod"}',
    ],
    [
      'unescapes _entry',
      '{"_entry":"I0303 kubelet] \\"Pod status updated\\" pod=\\"etcd\\" status=Running"}',
      { app: 'bar' },
      { app: 'bar' },
      'I0303 kubelet] "Pod status updated" pod="etcd" status=Running',
    ],
    ['sanitizes names', '{"foo.bar":"10ms","test-dash":"foo","_entry":"m"}', { foo: 'bar' }, { foo: 'bar', foo_bar: '10ms', test_dash: 'foo' }, 'm'],
    ['empty line', '', { a: 'b' }, { a: 'b' }, ''],
  ])('%s', (_n, line, stream, want, wantLine) => {
    const r = run([unpack], stream, line)!;
    expect(r.labels).toEqual(want);
    expect(r.line).toBe(wantLine);
  });

  it.each([
    ['"app":"foo","_entry":"x"', 'expecting json object(6), but it is not'],
    ['["foo","bar"]', 'expecting json object(6), but it is not'],
    ['{"a":"b"', "Value is array, but can't find closing ']' symbol"],
  ])('marks %j with JSONParserErr and keeps the line', (line, details) => {
    const r = run([unpack], { c: 'd' }, line)!;
    expect(r.labels).toEqual({ c: 'd', __error__: 'JSONParserErr', __error_details__: details });
    expect(r.line).toBe(line);
  });

  it('suffixes keys clashing with structured metadata', () => {
    expect(labelsOf([unpack], {}, '{"app":"foo","namespace":"prod","_entry":"m"}', { app: 'foo_sm' })).toEqual({
      app: 'foo_sm',
      app_extracted: 'foo',
      namespace: 'prod',
    });
  });
});
