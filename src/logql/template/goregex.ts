// Go regexp semantics over JS RegExps compiled from RE2 syntax: ReplaceAllString with Expand's
// $1/${name} rules, ReplaceAllLiteralString and FindAll counting, including Go's handling of
// empty matches. Compiled expressions are cached; nothing else is kept.

import { compileGoRegex } from '../../model/regex.js';
import { FuncCallError } from './errors.js';

/** A compiled Go expression: a global JS RegExp and the Go name of each capture group. */
export interface GoRegexp {
  re: RegExp;
  /** names[i] is the name of group i (undefined for unnamed groups and the whole match). */
  names: readonly (string | undefined)[];
}

const cache = new Map<string, GoRegexp | string>();
const CACHE_LIMIT = 512;

/** Capture group names in Go numbering, read from the RE2 source. */
function captureNames(s: string): (string | undefined)[] {
  const names: (string | undefined)[] = [undefined];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      if (s[i + 1] === 'Q') {
        const end = s.indexOf('\\E', i + 2);
        i = end < 0 ? s.length : end + 1;
      } else i++;
    } else if (c === '[') {
      i++;
      if (s[i] === '^') i++;
      if (s[i] === ']') i++;
      for (; i < s.length && s[i] !== ']'; i++) {
        if (s[i] === '\\') i++;
        else if (s.startsWith('[:', i)) {
          const end = s.indexOf(':]', i + 2);
          if (end >= 0) i = end + 1;
        }
      }
    } else if (c === '(') {
      if (s[i + 1] !== '?') names.push(undefined);
      else {
        const named = /^\(\?P?<([^>]*)>/.exec(s.slice(i, i + 300));
        if (named) names.push(named[1]);
      }
    }
  }
  return names;
}

/** The compiled expression for Go source; throws FuncCallError with the parse error. */
export function goRegex(source: string): GoRegexp {
  let hit = cache.get(source);
  if (hit === undefined) {
    try {
      const re = compileGoRegex(source);
      hit = { re: new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'), names: captureNames(source) };
    } catch (e) {
      hit = (e as Error).message;
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, hit);
  }
  if (typeof hit === 'string') throw new FuncCallError(hit);
  return hit;
}

function runeWidth(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d < 0xe000) return 2;
  }
  return 1;
}

function execAt(re: RegExp, s: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(s);
}

/** len(re.FindAllStringIndex(s, -1)): empty matches right after a previous match do not count. */
export function countMatches({ re }: GoRegexp, s: string): number {
  let n = 0;
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length) {
    const m = execAt(re, s, pos);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === pos) {
      if (start === prevEnd) accept = false;
      pos += pos < s.length ? runeWidth(s, pos) : 1;
    } else pos = end;
    prevEnd = end;
    if (accept) n++;
  }
  return n;
}

const NAME_RE = /^[\p{L}\p{Nd}_]+/u;

/** Regexp.Expand of a replacement template for one match. */
function expand(template: string, m: RegExpExecArray, names: GoRegexp['names']): string {
  let out = '';
  let t = template;
  for (;;) {
    const at = t.indexOf('$');
    if (at < 0) break;
    out += t.slice(0, at);
    t = t.slice(at + 1);
    if (t.startsWith('$')) {
      out += '$';
      t = t.slice(1);
      continue;
    }
    const brace = t.startsWith('{');
    const body = brace ? t.slice(1) : t;
    const nm = NAME_RE.exec(body);
    if (!nm || (brace && body[nm[0].length] !== '}')) {
      out += '$';
      continue;
    }
    const name = nm[0];
    t = body.slice(name.length + (brace ? 1 : 0));
    let num = -1;
    if (/^[0-9]+$/.test(name) && !(name[0] === '0' && name.length > 1) && name.length <= 9) num = Number(name);
    if (num >= 0) out += m[num] ?? '';
    else {
      const i = names.indexOf(name);
      if (i > 0) out += m[i] ?? '';
    }
  }
  return out + t;
}

/** Regexp.ReplaceAllString (literal: ReplaceAllLiteralString). */
export function replaceAll({ re, names }: GoRegexp, src: string, repl: string, literal: boolean): string {
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    const m = execAt(re, src, searchPos);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    out += src.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) out += literal ? repl : expand(repl, m, names);
    lastMatchEnd = end;
    const width = searchPos < src.length ? runeWidth(src, searchPos) : 0;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + src.slice(lastMatchEnd);
}
