import { describe, expect, it } from 'vitest';
import { compileGoRegex, parseGoRegex, RegexSyntaxError } from '../../src/model/regex.js';

const matches = (re: string, s: string, opts = {}): boolean => compileGoRegex(re, opts).test(s);
const goError = (re: string): string => {
  try {
    compileGoRegex(re);
  } catch (e) {
    expect(e).toBeInstanceOf(RegexSyntaxError);
    return (e as Error).message;
  }
  throw new Error(`accepted: ${re}`);
};

describe('Go RE2 translation: matching', () => {
  it.each([
    ['foo', 'a foo b', true],
    ['^foo', 'a foo', false],
    ['a.c', 'a\nc', false],
    ['(?s)a.c', 'a\nc', true],
    ['a.c', 'a\rc', true],
    ['a.c', 'a\u2028c', true],
    ['x$', 'x\n', false],
    ['(?m)^b$', 'a\nb\nc', true],
    ['(?m)^b$', 'a\rb\rc', false],
    ['abc\\z', 'xabc', true],
    ['\\Aabc', 'abc', true],
    ['(?i)ERROR', 'an error here', true],
    ['(?i)straße', 'STRAẞE', true],
    ['a(?i)b', 'aB', true],
    ['a(?i)b', 'AB', false],
    ['(?i:a)b', 'Ab', true],
    ['(?i:a)b', 'AB', false],
    ['(?i)a(?-i)b', 'Ab', true],
    ['(?i)a(?-i)b', 'AB', false],
    ['(?i)k', '\u212a', true],
    ['(?i)[[:upper:]]', 'q', true],
    ['[[:alpha:]]+', '123', false],
    ['^[[:alpha:]]+$', 'abcXYZ', true],
    ['^[[:^alpha:]]+$', '12 34', true],
    ['^[[:word:]]+$', 'a_1', true],
    ['^\\pL+$', 'héllo', true],
    ['^\\p{Greek}+$', 'αβγ', true],
    ['^\\p{Greek}+$', 'abc', false],
    ['^\\PL$', '1', true],
    ['^\\p{^L}$', 'a', false],
    ['^\\p{Lu}$', 'A', true],
    ['^(?i)\\p{Lu}$', 'a', true],
    ['^\\s$', '\v', false],
    ['^\\s$', '\u00a0', false],
    ['^\\s$', '\f', true],
    ['^\\w+$', 'héllo', false],
    ['^\\d$', '٣', false],
    ['^\\x41\\x{263a}$', 'A☺', true],
    ['^\\101$', 'A', true],
    ['^\\0$', '\0', true],
    ['^\\Q.*+\\E$', '.*+', true],
    ['^a{2,3}$', 'aaaa', false],
    ['^a{2,}$', 'aaaa', true],
    ['^a{,2}$', 'a{,2}', true],
    ['^x{2}$', 'xx', true],
    ['^[]a]+$', ']a]', true],
    ['^[^]a]$', 'b', true],
    ['^[a-]+$', '-a-', true],
    ['^[\\d\\-z]+$', '1-z', true],
    ['\\bfoo\\b', 'a foo b', true],
    ['\\bfoo\\b', 'afoob', false],
    ['(?U)a+', 'aaa', true],
    ['^(a*)*$', 'aaa', true],
    ['^*', 'anything', true],
    ['[[:^space:]]', '   ', false],
  ])('%s on %j → %s', (re, s, want) => {
    expect(matches(re, s)).toBe(want);
  });

  it('non-greedy and (?U) flip repetition greediness like Go', () => {
    expect(compileGoRegex('a+?').exec('aaa')![0]).toBe('a');
    expect(compileGoRegex('(?U)a+').exec('aaa')![0]).toBe('a');
    expect(compileGoRegex('(?U)a+?').exec('aaa')![0]).toBe('aaa');
  });

  it('keeps the leftmost-first submatch semantics', () => {
    expect(compileGoRegex('(a|ab)(c|bcd)').exec('abcd')!.slice(0, 3)).toEqual(['abcd', 'a', 'bcd']);
  });

  it('anchors the whole expression when asked, like Prometheus matchers', () => {
    expect(matches('foo|bar', 'xbar', { anchored: true })).toBe(false);
    expect(matches('foo|bar', 'bar', { anchored: true })).toBe(true);
    expect(matches('a.b', 'a\nb', { anchored: true })).toBe(false);
    expect(matches('a.b', 'a\nb', { anchored: true, dotAll: true })).toBe(true);
  });
});

describe('Go RE2 translation: named groups', () => {
  it('maps (?P<name>) and (?<name>) groups to their capture indexes', () => {
    const r = parseGoRegex('(?P<method>\\w+) (\\S+) (?<status>\\d{3})(?:x)?');
    expect(r.groupNames).toEqual([undefined, 'method', undefined, 'status']);
    const m = r.regex.exec('GET /x 200')!;
    expect([m[1], m[2], m[3]]).toEqual(['GET', '/x', '200']);
  });

  it('accepts capture names Go accepts but JS would reject', () => {
    const r = parseGoRegex('(?P<1st>a)');
    expect(r.groupNames).toEqual([undefined, '1st']);
    expect(r.regex.exec('a')![1]).toBe('a');
  });
});

describe('Go RE2 translation: rejected like RE2, with Go error texts', () => {
  it.each([
    ['(a', 'error parsing regexp: missing closing ): `(a`'],
    ['a)', 'error parsing regexp: unexpected ): `a)`'],
    ['(a)\\1', 'error parsing regexp: invalid escape sequence: `\\1`'],
    ['(?=a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
    ['(?!a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?!`'],
    ['(?<=a)b', 'error parsing regexp: invalid named capture: `(?<=a)b`'],
    ['(?<!a)b', 'error parsing regexp: invalid named capture: `(?<!a)b`'],
    ['(?>a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?>`'],
    ['a**', 'error parsing regexp: invalid nested repetition operator: `**`'],
    ['a*??', 'error parsing regexp: invalid nested repetition operator: `*??`'],
    ['a++', 'error parsing regexp: invalid nested repetition operator: `++`'],
    ['x{2}{3}', 'error parsing regexp: invalid nested repetition operator: `{2}{3}`'],
    ['a{1001}', 'error parsing regexp: invalid repeat count: `{1001}`'],
    ['a{3,2}', 'error parsing regexp: invalid repeat count: `{3,2}`'],
    ['(a{100}){20}', 'error parsing regexp: invalid repeat count: `{20}`'],
    ['*a', 'error parsing regexp: missing argument to repetition operator: `*`'],
    ['a|*', 'error parsing regexp: missing argument to repetition operator: `*`'],
    ['[z-a]', 'error parsing regexp: invalid character class range: `z-a`'],
    ['[a', 'error parsing regexp: missing closing ]: `[a`'],
    ['[]', 'error parsing regexp: missing closing ]: `[]`'],
    ['[[:foo:]]', 'error parsing regexp: invalid character class range: `[:foo:]`'],
    ['\\p{Foo}', 'error parsing regexp: invalid character class range: `\\p{Foo}`'],
    ['\\q', 'error parsing regexp: invalid escape sequence: `\\q`'],
    ['\\C', 'error parsing regexp: invalid escape sequence: `\\C`'],
    ['\\8', 'error parsing regexp: invalid escape sequence: `\\8`'],
    ['\\x{110000}', 'error parsing regexp: invalid escape sequence: `\\x{110000`'],
    ['x\\', 'error parsing regexp: trailing backslash at end of expression: ``'],
    ['(?P<>a)', 'error parsing regexp: invalid named capture: `(?P<>`'],
    ['(?P<a-b>x)', 'error parsing regexp: invalid named capture: `(?P<a-b>`'],
    ['(?P=a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?P`'],
    ['(?i', 'error parsing regexp: invalid or unsupported Perl syntax: `(?i`'],
    ['(?i-)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`'],
    ['(?z)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?z`'],
  ])('%s', (re, msg) => {
    expect(goError(re)).toBe(msg);
  });

  it('reports the unanchored source when anchoring', () => {
    expect(() => compileGoRegex('(a', { anchored: true })).toThrow('error parsing regexp: missing closing ): `(a`');
  });
});
