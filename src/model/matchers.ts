// Label matchers (=, !=, =~, !~) and their compiled form, shared by LogQL, the ingester's stream
// index and the store's index. Regexes follow Go RE2 syntax and are fully anchored, as in Prometheus.
import type { Labels } from './labels.js';
import { compileGoRegex } from './regex.js';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

export type ValueTest = (value: string) => boolean;

/** Compiles a matcher into a test on a label value (a missing label has the value ""). */
export function compileMatcher(m: Matcher): ValueTest {
  switch (m.op) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~': {
      const re = compileGoRegex(m.value, { anchored: true, dotAll: true });
      return (v) => re.test(v);
    }
    case '!~': {
      const re = compileGoRegex(m.value, { anchored: true, dotAll: true });
      return (v) => !re.test(v);
    }
  }
}

export interface CompiledMatcher {
  name: string;
  test: ValueTest;
}

export function compileMatchers(ms: readonly Matcher[]): CompiledMatcher[] {
  return ms.map((m) => ({ name: m.name, test: compileMatcher(m) }));
}

/** True when every matcher accepts the label set (missing labels count as ""). */
export function matchesLabels(ms: readonly CompiledMatcher[], ls: Labels): boolean {
  for (const m of ms) {
    let v = '';
    for (const l of ls) {
      if (l.name === m.name) {
        v = l.value;
        break;
      }
    }
    if (!m.test(v)) return false;
  }
  return true;
}
