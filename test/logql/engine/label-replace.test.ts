import { describe, expect, it } from 'vitest';
import { expandTemplate } from '../../../src/logql/engine/label-replace.js';
import { ParseError } from '../../../src/model/index.js';
import { MemorySource, S, at, byLabels, labelReplace, m, rangeAgg, runInstant, selector } from './memory-source.js';

const source = new MemorySource([
  { labels: { app: 'api', pod: 'api-7' }, entries: [at(10, 'l')] },
  { labels: { app: 'db', pod: 'db-1', svc: 'old' }, entries: [at(10, 'l'), at(11, 'l')] },
]);
const counts = rangeAgg('count_over_time', selector([m('app', '=~', '.+')]), 100n * S);
const replace = async (dst: string, repl: string, src: string, re: string) =>
  byLabels(await runInstant(labelReplace(counts, dst, repl, src, re), source, 100n * S));

describe('label_replace', () => {
  it('sets dst from the expanded replacement when the whole src value matches', async () => {
    expect(await replace('svc', 'svc-$1', 'pod', '(.*)-\\d')).toEqual({
      '{app="api", pod="api-7", svc="svc-api"}': 1,
      '{app="db", pod="db-1", svc="svc-db"}': 2,
    });
  });

  it('anchors the regex, leaving series unchanged when only part of src matches', async () => {
    expect(await replace('svc', 'x', 'pod', 'api')).toEqual({
      '{app="api", pod="api-7"}': 1,
      '{app="db", pod="db-1", svc="old"}': 2,
    });
  });

  it('removes dst when the replacement expands to nothing', async () => {
    expect(await replace('svc', '$1', 'app', 'db()')).toEqual({
      '{app="api", pod="api-7"}': 1,
      '{app="db", pod="db-1"}': 2,
    });
  });

  it('matches a missing src label as the empty string', async () => {
    expect(await replace('found', 'yes', 'nothere', '')).toEqual({
      '{app="api", found="yes", pod="api-7"}': 1,
      '{app="db", found="yes", pod="db-1", svc="old"}': 2,
    });
  });

  it('reports an invalid regex as Loki parse error', async () => {
    await expect(runInstant(labelReplace(counts, 'a', 'b', 'c', '(('), source, 100n * S)).rejects.toBeInstanceOf(ParseError);
  });
});

describe('replacement expansion (Go Regexp.Expand)', () => {
  const match = /^(?<first>a)(b)(c)?$/.exec('ab')!;

  it('expands numbered and named groups, with or without braces', () => {
    expect(expandTemplate('$1-${2}-$first-${first}', match)).toBe('a-b-a-a');
  });

  it('takes the longest name, so $1x refers to a group named "1x"', () => {
    expect(expandTemplate('$1x|${1}x', match)).toBe('|ax');
  });

  it('expands unknown and non-participating groups to nothing', () => {
    expect(expandTemplate('[$3][$9][$nope][$01]', match)).toBe('[][][][]');
  });

  it('keeps $$ as $ and a malformed reference as text', () => {
    expect(expandTemplate('$$1 $ ${1 $-', match)).toBe('$1 $ ${1 $-');
  });
});
