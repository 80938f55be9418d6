import { describe, expect, it } from 'vitest';
import type { Stage } from '../../../src/logql/ast.js';
import { buildPipeline, extractLineFilters, PipelineBuildError } from '../../../src/logql/log/index.js';
import { ipLineFilter, lineFilter, run } from './run-pipeline.js';

const keeps = (stage: Stage, line: string): boolean => run([stage], { app: 'a' }, line) !== undefined;

describe('line filters', () => {
  it.each([
    ['|=', 'err', 'an error occurred', true],
    ['|=', 'err', 'all good', false],
    ['|=', '', 'anything', true],
    ['!=', 'err', 'an error occurred', false],
    ['!=', 'err', 'all good', true],
    ['!=', '', 'anything', false],
    ['|=', 'Err', 'an error', false],
    ['|=', 'ünï', 'x ünïcode y', true],
    ['|~', 'err(or)?', 'an error', true],
    ['|~', '(?i)ERROR', 'an error', true],
    ['|~', '^an', 'an error', true],
    ['|~', '^error', 'an error', false],
    ['!~', 'err(or)?', 'an error', false],
    ['!~', 'warn', 'an error', true],
    ['|~', '.*', '', true],
    ['|~', '.+', '\n', true],
    ['|~', 'a.c', 'a\nc', false],
    ['|~', 'foo|bar', 'xbarx', true],
    ['|~', '\\d{3}', 'code 404', true],
    ['|~', '\\d{3}', 'code 40', false],
  ] as const)('%s %j on %j → %s', (op, value, line, want) => {
    expect(keeps(lineFilter(op, value), line)).toBe(want);
  });

  it('matches any of the `or` alternatives for positive filters', () => {
    const f = lineFilter('|=', 'foo', 'bar');
    expect(keeps(f, 'xx bar xx')).toBe(true);
    expect(keeps(f, 'xx foo xx')).toBe(true);
    expect(keeps(f, 'xx baz xx')).toBe(false);
    const r = lineFilter('|~', 'fo+', 'ba[rz]');
    expect(keeps(r, 'baz')).toBe(true);
  });

  it('requires every filter of a stage to pass', () => {
    const stage: Stage = {
      kind: 'lineFilters',
      filters: [
        { op: '|=', match: { value: 'a', ip: false }, or: [] },
        { op: '!=', match: { value: 'b', ip: false }, or: [] },
      ],
    };
    expect(keeps(stage, 'a c')).toBe(true);
    expect(keeps(stage, 'a b')).toBe(false);
  });

  it('keeps a very long line when the needle is at its end', () => {
    const line = 'x'.repeat(1_000_000) + 'needle';
    expect(keeps(lineFilter('|=', 'needle'), line)).toBe(true);
    expect(keeps(lineFilter('|~', 'need+le$'), line)).toBe(true);
  });
});

describe('pattern line filters', () => {
  it.each([
    ['<_> foo <_>', 'a foo b', true],
    ['<_> foo <_>', ' foo b', false],
    ['<_> bar', 'foo bar baz', false],
    ['<_> baz', 'foo bar baz', true],
    ['foo <_>', 'foo bar baz', true],
    ['foo <_>', 'xx foo bar', true],
    ['<_>bar<_>', ' bar ', true],
    ['<_> bar <_>', ' bar ', false],
    ['GET <_> 200', 'GET /index 200', true],
    ['', '', true],
    ['', 'x', false],
  ])('|> %j on %j → %s', (p, line, want) => {
    expect(keeps(lineFilter('|>', p), line)).toBe(want);
    expect(keeps(lineFilter('!>', p), line)).toBe(!want);
  });

  it('rejects named captures and consecutive captures when built', () => {
    expect(() => buildPipeline([lineFilter('|>', '<a> foo')])).toThrow("named captures are not allowed: found '<a>'");
    expect(() => buildPipeline([lineFilter('|>', '<_><_> foo')])).toThrow("found consecutive capture '<_><_>': invalid expression");
  });
});

describe('ip line filters', () => {
  it.each([
    ['192.168.0.1', 'from 192.168.0.1 to x', true],
    ['192.168.0.1', 'from 192.168.0.10 to x', false],
    ['192.168.0.0/16', 'client=192.168.4.5 ok', true],
    ['192.168.0.0/16', 'client=192.169.4.5 ok', false],
    ['192.168.4.5-192.168.4.20', 'ip 192.168.4.19,', true],
    ['192.168.4.5-192.168.4.20', 'ip 192.168.4.21,', false],
    ['2001:db8::/32', 'src=2001:db8::1 dst', true],
    ['::1', 'local ::1 ok', true],
    ['10.0.0.1', '10.0.0.1', true],
    ['10.0.0.1', 'x 010.0.0.1 x', false],
  ])('ip(%j) on %j → %s', (pattern, line, want) => {
    expect(keeps(ipLineFilter('|=', pattern), line)).toBe(want);
    expect(keeps(ipLineFilter('!=', pattern), line)).toBe(!want);
  });

  it('rejects bad patterns and non-equality operators with Loki texts', () => {
    expect(() => buildPipeline([ipLineFilter('|=', 'foo')])).toThrow(new PipelineBuildError('ip: invalid pattern: "foo"'));
    expect(() => buildPipeline([ipLineFilter('|~', '10.0.0.1')])).toThrow(new PipelineBuildError('ip: invalid operation'));
  });
});

describe('build errors', () => {
  it('reports Go regex errors for line filters', () => {
    expect(() => buildPipeline([lineFilter('|~', '(a')])).toThrow('error parsing regexp: missing closing ): `(a`');
    expect(() => buildPipeline([lineFilter('!~', '(?=x)')])).toThrow('error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
  });

  it('errors are 400 validation errors', () => {
    try {
      buildPipeline([lineFilter('|~', '(a')]);
    } catch (e) {
      expect((e as PipelineBuildError).status).toBe(400);
    }
  });
});

describe('extractLineFilters', () => {
  it('returns the line filters that see the raw line', () => {
    const p = extractLineFilters([
      lineFilter('|=', 'a'),
      { kind: 'json', extractions: [] },
      lineFilter('!=', 'b'),
      { kind: 'lineFormat', template: '{{.x}}' },
      lineFilter('|=', 'c'),
    ])!;
    expect(p('a x')).toBe(true);
    expect(p('a b')).toBe(false);
    expect(p('x')).toBe(false);
  });

  it('is undefined without line filters before a rewrite', () => {
    expect(extractLineFilters([{ kind: 'unpack' }, lineFilter('|=', 'a')])).toBeUndefined();
    expect(extractLineFilters([])).toBeUndefined();
  });
});
