import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseExpr, printExpr } from '../../../src/logql/syntax/index.js';
import { ParseError } from '../../../src/model/errors.js';

interface CorpusEntry {
  query: string;
  valid: boolean;
  kind: 'log' | 'metric';
  error?: string;
}

const corpus: CorpusEntry[] = readFileSync('test/fixtures/logql/corpus.jsonl', 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as CorpusEntry);

function outcome(query: string): { ok: true; printed: string } | { ok: false; message: string } {
  try {
    return { ok: true, printed: printExpr(parseExpr(query)) };
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    return { ok: false, message: e.message };
  }
}

describe('LogQL corpus', () => {
  it('agrees with every entry on whether the query is valid', () => {
    const disagreements = corpus.filter((c) => outcome(c.query).ok !== c.valid).map((c) => c.query);
    expect(disagreements).toEqual([]);
  });

  it('prints every valid query in a form that parses back to the same print', () => {
    const unstable: string[] = [];
    for (const c of corpus.filter((e) => e.valid)) {
      const first = printExpr(parseExpr(c.query));
      const second = printExpr(parseExpr(first));
      if (second !== first || printExpr(parseExpr(second)) !== second) unstable.push(`${c.query} => ${first} => ${second}`);
    }
    expect(unstable).toEqual([]);
  });

  it('classifies valid queries as log or metric queries like the corpus', () => {
    const wrong = corpus
      .filter((c) => c.valid)
      .filter((c) => (parseExpr(c.query).kind === 'logSelector' ? 'log' : 'metric') !== c.kind)
      .map((c) => c.query);
    expect(wrong).toEqual([]);
  });

  it("reproduces Loki's error text for every corpus error given as a Loki message", () => {
    const withLokiText = corpus.filter((c) => c.error !== undefined && c.error.startsWith('parse error'));
    const mismatches = withLokiText
      .map((c) => ({ query: c.query, want: c.error!, got: outcome(c.query) }))
      .filter(({ want, got }) => got.ok || !(got.message === want || got.message.startsWith(want)));
    // Of 53 corpus error texts, 51 are Loki messages (the other two are annotations); all 51 match.
    expect(withLokiText.length).toBe(51);
    expect(mismatches).toEqual([]);
  });
});
