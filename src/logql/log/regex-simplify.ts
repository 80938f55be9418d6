// Loki's regex simplifier: a regex of literals, `.*` and alternations is turned into substring /
// equality tests. It decides semantics (for label filters `foo.*` becomes "contains foo", as in
// Loki), so it mirrors Go's parse tree shape: merged literals, factored common prefixes.
import type { GoRegexNode } from '../../model/regex.js';

export type SimpleFilter =
  | { k: 'true' }
  | { k: 'exists' }
  | { k: 'equal' | 'contains'; s: string; ci: boolean }
  | { k: 'or'; l: SimpleFilter; r: SimpleFilter };

/** Go's regexp/syntax tree, reduced to the operators the simplifier distinguishes. */
type G =
  | { op: 'lit'; runes: number[]; fold: boolean }
  | { op: 'cap'; sub: G }
  | { op: 'cat'; subs: G[] }
  | { op: 'alt'; subs: G[] }
  | { op: 'star' | 'plus'; sub: G }
  | { op: 'anyNotNL' | 'any' | 'class' | 'empty' | 'other' };

const MAX_RUNE = 0x10ffff;

function fromTree(n: GoRegexNode): G {
  switch (n.t) {
    case 'char': {
      if (n.caseless) {
        const r = n.items[0];
        return r.k === 'range' && r.hi === MAX_RUNE ? { op: 'any' } : { op: 'anyNotNL' };
      }
      const it = n.items[0];
      if (!n.neg && n.items.length === 1 && it.k === 'range' && it.lo === it.hi) return { op: 'lit', runes: [it.lo], fold: n.fold };
      return { op: 'class' };
    }
    case 'group':
      return { op: 'cap', sub: fromTree(n.sub) };
    case 'cat':
      return concat(n.subs.map(fromTree));
    case 'alt':
      return alternate(n.subs.map(fromTree));
    case 'rep': {
      const sub = fromTree(n.sub);
      if (n.op === 'star' || (n.op === 'repeat' && n.min === 0 && n.max < 0)) return { op: 'star', sub };
      if (n.op === 'plus' || (n.op === 'repeat' && n.min === 1 && n.max < 0)) return { op: 'plus', sub };
      return { op: 'other' };
    }
    case 'empty':
      return { op: 'empty' };
    default:
      return { op: 'other' };
  }
}

/** A concatenation with nested concatenations hoisted and adjacent literals of equal fold merged. */
function concat(subs: G[]): G {
  const out: G[] = [];
  for (const s of subs.flatMap((x) => (x.op === 'cat' ? x.subs : [x]))) {
    const prev = out[out.length - 1];
    if (s.op === 'lit' && prev?.op === 'lit' && prev.fold === s.fold) out[out.length - 1] = { op: 'lit', runes: [...prev.runes, ...s.runes], fold: s.fold };
    else out.push(s);
  }
  if (out.length === 0) return { op: 'empty' };
  return out.length === 1 ? out[0] : { op: 'cat', subs: out };
}

function alternate(subs: G[]): G {
  const flat = factor(subs.flatMap((x) => (x.op === 'alt' ? x.subs : [x])));
  return flat.length === 1 ? flat[0] : { op: 'alt', subs: flat };
}

function leadingString(g: G): [number[], boolean] | undefined {
  const first = g.op === 'cat' ? g.subs[0] : g;
  return first.op === 'lit' ? [first.runes, first.fold] : undefined;
}

function removeLeadingString(g: G, n: number): G {
  if (g.op === 'cat') {
    const head = removeLeadingString(g.subs[0], n);
    const rest = head.op === 'empty' ? g.subs.slice(1) : [head, ...g.subs.slice(1)];
    if (rest.length === 0) return { op: 'empty' };
    return rest.length === 1 ? rest[0] : { op: 'cat', subs: rest };
  }
  if (g.op === 'lit') {
    const runes = g.runes.slice(n);
    return runes.length === 0 ? { op: 'empty' } : { op: 'lit', runes, fold: g.fold };
  }
  return g;
}

const isCharClass = (g: G): boolean => (g.op === 'lit' && g.runes.length === 1) || g.op === 'class' || g.op === 'anyNotNL' || g.op === 'any';

/** Go's factor: common literal prefixes, runs of single characters as one class, runs of empties. */
function factor(sub: G[]): G[] {
  // Round 1: common leading literal strings of adjacent alternatives.
  const round1: G[] = [];
  let start = 0;
  let str: number[] = [];
  let fold = false;
  for (let i = 0; i <= sub.length; i++) {
    let lead: [number[], boolean] | undefined;
    if (i < sub.length) {
      lead = leadingString(sub[i]);
      if (lead && lead[1] === fold) {
        let same = 0;
        while (same < str.length && same < lead[0].length && str[same] === lead[0][same]) same++;
        if (same > 0) {
          str = str.slice(0, same);
          continue;
        }
      }
    }
    if (i - start === 1) round1.push(sub[start]);
    else if (i - start > 1) {
      const suffixes = sub.slice(start, i).map((g) => removeLeadingString(g, str.length));
      round1.push({ op: 'cat', subs: [{ op: 'lit', runes: str, fold }, alternate(suffixes)] });
    }
    start = i;
    str = lead ? lead[0] : [];
    fold = lead ? lead[1] : false;
  }
  // Round 3: runs of single characters/classes become one class.
  const round3: G[] = [];
  for (let i = 0; i < round1.length; ) {
    let j = i;
    while (j < round1.length && isCharClass(round1[j])) j++;
    if (j - i > 1) {
      round3.push({ op: 'class' });
      i = j;
    } else round3.push(round1[i++]);
  }
  // Round 4: runs of empty matches become one.
  return round3.filter((g, i) => !(g.op === 'empty' && round3[i - 1]?.op === 'empty'));
}

const unwrap = (g: G): G => (g.op === 'cap' ? unwrap(g.sub) : g);
const str = (runes: number[]): string => String.fromCodePoint(...runes);
const isDotStar = (g: G): boolean => g.op === 'star' && g.sub.op === 'anyNotNL';

/** Loki's newOrFilter: an always-true side is dropped (not absorbing), as Loki does. */
function or(a: SimpleFilter | undefined, b: SimpleFilter): SimpleFilter {
  if (!a || a.k === 'true') return b;
  if (b.k === 'true') return a;
  return { k: 'or', l: a, r: b };
}

function simplify(g0: G, isLabel: boolean): SimpleFilter | undefined {
  const g = unwrap(g0);
  switch (g.op) {
    case 'alt': {
      let f: SimpleFilter | undefined;
      for (const sub of g.subs) {
        const s = simplify(sub, isLabel);
        if (!s) return undefined;
        f = or(f, s);
      }
      return f;
    }
    case 'cat':
      return simplifyConcat(g, undefined);
    case 'lit':
      return { k: isLabel ? 'equal' : 'contains', s: str(g.runes), ci: g.fold };
    case 'star':
      return g.sub.op === 'anyNotNL' ? { k: 'true' } : undefined;
    case 'plus':
      return g.sub.op === 'anyNotNL' ? { k: 'exists' } : undefined;
    case 'empty':
      return { k: 'true' };
    default:
      return undefined;
  }
}

/** literal, `.*literal`, `literal.*`, `.*literal.*` and literal + alternation: "contains" tests. */
function simplifyConcat(g: { subs: G[] }, base: number[] | undefined): SimpleFilter | undefined {
  const subs = g.subs.map(unwrap).filter((x) => x.op !== 'empty');
  if (subs.length > 3) return undefined;
  let literal = base;
  let ci = false;
  let literals = 0;
  let curr: SimpleFilter | undefined;
  for (const sub of subs) {
    if (sub.op === 'lit') {
      if (literals !== 0) return undefined;
      literals++;
      literal = [...(literal ?? []), ...sub.runes];
      ci = sub.fold;
      continue;
    }
    if (sub.op === 'alt' && literal !== undefined) {
      const f = simplifyConcatAlternate(sub.subs, literal, curr, ci);
      if (!f) return undefined;
      curr = f;
      continue;
    }
    if (isDotStar(sub)) continue;
    return undefined;
  }
  if (curr) return curr;
  if (literal !== undefined) return { k: 'contains', s: str(literal), ci };
  return undefined;
}

function simplifyConcatAlternate(alts: G[], literal: number[], curr0: SimpleFilter | undefined, ci: boolean): SimpleFilter | undefined {
  let curr = curr0;
  for (const a of alts) {
    if (!ci && a.op === 'lit' && a.fold) return undefined;
    switch (a.op) {
      case 'empty':
        curr = or(curr, { k: 'contains', s: str(literal), ci });
        break;
      case 'lit':
        curr = or(curr, { k: 'contains', s: str([...literal, ...a.runes]), ci });
        break;
      case 'cat': {
        const f = simplifyConcat(a, literal);
        if (!f) return undefined;
        curr = or(curr, f);
        break;
      }
      case 'star':
        if (a.sub.op !== 'anyNotNL') return undefined;
        curr = or(curr, { k: 'contains', s: str(literal), ci });
        break;
      default:
        return undefined;
    }
  }
  return curr;
}

/**
 * The substring/equality form Loki uses for a regex, or undefined when Loki keeps the regex.
 * `isLabel` selects label-filter mode (literals compare for equality).
 */
export function simplifyRegex(tree: GoRegexNode, isLabel: boolean): SimpleFilter | undefined {
  return simplify(fromTree(tree), isLabel);
}

/** Go's unicode.ToLower applied per code point (no final-sigma rule, no multi-character results). */
function goLower(s: string): string {
  const fast = s.toLowerCase();
  if (fast.length === s.length && !s.includes('\u03a3')) return fast;
  let out = '';
  for (const ch of s) {
    const l = ch.toLowerCase();
    out += l.length === ch.length ? l : ch;
  }
  return out;
}

/** Compiles a simplified filter into a predicate on a value. */
export function compileSimpleFilter(f: SimpleFilter): (v: string) => boolean {
  switch (f.k) {
    case 'true':
      return () => true;
    case 'exists':
      return (v) => v.length > 0;
    case 'contains': {
      if (!f.ci) return (v) => v.includes(f.s);
      const s = goLower(f.s);
      return (v) => goLower(v).includes(s);
    }
    case 'equal': {
      if (!f.ci) return (v) => v === f.s;
      const s = goLower(f.s);
      const len = Buffer.byteLength(s);
      return (v) => Buffer.byteLength(v) === len && goLower(v).includes(s);
    }
    case 'or': {
      const l = compileSimpleFilter(f.l);
      const r = compileSimpleFilter(f.r);
      return (v) => l(v) || r(v);
    }
  }
}
