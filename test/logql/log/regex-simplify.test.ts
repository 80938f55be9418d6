import { describe, expect, it } from 'vitest';
import { parseGoRegex } from '../../../src/model/regex.js';
import { compileSimpleFilter, simplifyRegex, type SimpleFilter } from '../../../src/logql/log/regex-simplify.js';

function show(f: SimpleFilter | undefined): string {
  if (!f) return 'regex';
  switch (f.k) {
    case 'true':
    case 'exists':
      return f.k;
    case 'or':
      return `${show(f.l)} | ${show(f.r)}`;
    default:
      return `${f.k}${f.ci ? '(i)' : ''}(${f.s})`;
  }
}

const simplified = (re: string, isLabel: boolean): string => show(simplifyRegex(parseGoRegex(re).tree, isLabel));

describe('Loki regex simplifier shapes', () => {
  it.each([
    ['foo', 'contains(foo)', 'equal(foo)'],
    ['(?i)foo', 'contains(i)(foo)', 'equal(i)(foo)'],
    ['.*', 'true', 'true'],
    ['', 'true', 'true'],
    ['.+', 'exists', 'exists'],
    ['(.+)', 'exists', 'exists'],
    ['(?s).*', 'regex', 'regex'],
    ['foo.*', 'contains(foo)', 'contains(foo)'],
    ['.*foo', 'contains(foo)', 'contains(foo)'],
    ['.*foo.*', 'contains(foo)', 'contains(foo)'],
    ['.*foo.*bar', 'regex', 'regex'],
    ['foo|bar', 'contains(foo) | contains(bar)', 'equal(foo) | equal(bar)'],
    ['(foo|bar)', 'contains(foo) | contains(bar)', 'equal(foo) | equal(bar)'],
    ['warn|warning', 'contains(warn) | contains(warning)', 'contains(warn) | contains(warning)'],
    ['prod|preprod', 'contains(prod) | contains(preprod)', 'contains(prod) | contains(preprod)'],
    ['400|404', 'regex', 'regex'],
    ['a|b|foo', 'regex', 'regex'],
    ['a|foo|b', 'contains(a) | contains(foo) | contains(b)', 'equal(a) | equal(foo) | equal(b)'],
    ['f(o)o', 'regex', 'regex'],
    ['fo+', 'regex', 'regex'],
    // Loki drops an always-true alternative instead of matching everything.
    ['foo|', 'contains(foo)', 'equal(foo)'],
  ])('%j → line %s, label %s', (re, line, label) => {
    expect(simplified(re, false)).toBe(line);
    expect(simplified(re, true)).toBe(label);
  });
});

describe('simplified filters', () => {
  const test = (f: SimpleFilter, v: string): boolean => compileSimpleFilter(f)(v);

  it('compares case-insensitively per code point like Go', () => {
    expect(test({ k: 'contains', s: 'ERROR', ci: true }, 'an Error!')).toBe(true);
    expect(test({ k: 'contains', s: 'σ', ci: true }, 'ΟΔΟΣ')).toBe(true);
    expect(test({ k: 'equal', s: 'Foo', ci: true }, 'fOO')).toBe(true);
    expect(test({ k: 'equal', s: 'Foo', ci: true }, 'fOOx')).toBe(false);
  });

  it('exists needs a non-empty value', () => {
    expect(test({ k: 'exists' }, '')).toBe(false);
    expect(test({ k: 'exists' }, '\n')).toBe(true);
  });
});
