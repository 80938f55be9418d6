// Syntax check of Go RE2 (regexp/syntax, Perl flags) regular expressions, producing Go's own
// `error parsing regexp: <code>: \`<expr>\`` texts. It validates only; it never compiles or matches.

const POSIX_CLASSES = new Set([
  'alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper',
  'word', 'xdigit',
]);
const MAX_REPEAT = 1000;
const MAX_NESTING = 1000;

class RegexError extends Error {
  constructor(code: string, readonly expr: string) {
    super(code);
  }
}

const isAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);
const isWordName = (s: string): boolean => /^[0-9A-Za-z_]+$/.test(s);

function unicodeClassKnown(name: string): boolean {
  const n = name.startsWith('^') ? name.slice(1) : name;
  if (n === 'Any') return true;
  try {
    new RegExp(`\\p{${n}}`, 'u');
    return true;
  } catch {
    try {
      new RegExp(`\\p{Script=${n}}`, 'u');
      return true;
    } catch {
      return false;
    }
  }
}

/** Returns Go's error text for `re`, or undefined when Go accepts it. */
export function goRegexError(re: string): string | undefined {
  try {
    checkRegex([...re]);
    return undefined;
  } catch (e) {
    if (e instanceof RegexError) return `error parsing regexp: ${e.message}: \`${e.expr}\``;
    throw e;
  }
}

function checkRegex(s: string[]): void {
  const whole = s.join('');
  let i = 0;
  let depth = 0;
  const names = new Set<string>();
  // What the last item was: nothing/operator (no repeat argument), an atom, or a repeat.
  let last: 'none' | 'atom' = 'none';
  let lastRepeatStart = -1;
  const text = (from: number, to: number): string => s.slice(from, to).join('');

  const escape = (inClass: boolean): void => {
    const start = i;
    i++;
    if (i >= s.length) throw new RegexError('trailing backslash at end of expression', '');
    const c = s[i];
    if (!inClass && 'AbBz'.includes(c)) {
      i++;
      return;
    }
    if (c === 'p' || c === 'P') {
      i++;
      let name: string;
      if (s[i] === '{') {
        const end = s.indexOf('}', i);
        if (end < 0) throw new RegexError('invalid character class range', text(start, s.length));
        name = text(i + 1, end);
        i = end + 1;
      } else {
        if (i >= s.length) throw new RegexError('invalid character class range', text(start, i));
        name = s[i];
        i++;
      }
      if (!unicodeClassKnown(name)) throw new RegexError('invalid character class range', text(start, i));
      return;
    }
    if ('dDsSwW'.includes(c)) {
      i++;
      return;
    }
    i++;
    if (c >= '1' && c <= '7' && !(s[i] >= '0' && s[i] <= '7')) throw new RegexError('invalid escape sequence', text(start, i));
    if (c >= '0' && c <= '7') {
      for (let k = 1; k < 3 && s[i] >= '0' && s[i] <= '7'; k++) i++;
      return;
    }
    if (c === 'x') {
      if (i >= s.length) throw new RegexError('invalid escape sequence', text(start, i));
      if (s[i] === '{') {
        i++;
        let digits = 0;
        let value = 0;
        for (;;) {
          if (i >= s.length) throw new RegexError('invalid escape sequence', text(start, i));
          const h = s[i++];
          if (h === '}') break;
          if (!/^[0-9a-fA-F]$/.test(h)) throw new RegexError('invalid escape sequence', text(start, i));
          value = value * 16 + parseInt(h, 16);
          if (value > 0x10ffff) throw new RegexError('invalid escape sequence', text(start, i));
          digits++;
        }
        if (digits === 0) throw new RegexError('invalid escape sequence', text(start, i));
        return;
      }
      const x = s[i++];
      const y = s[i++];
      if (!/^[0-9a-fA-F]$/.test(x ?? '') || !/^[0-9a-fA-F]$/.test(y ?? '')) {
        i = Math.min(i, s.length);
        throw new RegexError('invalid escape sequence', text(start, i));
      }
      return;
    }
    if ('afnrtv'.includes(c)) return;
    if (c.length === 1 && c.charCodeAt(0) < 0x80 && !isAlnum(c)) return;
    throw new RegexError('invalid escape sequence', text(start, i));
  };

  const charClass = (): void => {
    const start = i;
    i++;
    if (s[i] === '^') i++;
    let first = true;
    while (i < s.length && (s[i] !== ']' || first)) {
      first = false;
      if (s[i] === '[' && s[i + 1] === ':') {
        const end = s.indexOf(']', i + 2);
        const candidate = end >= 0 ? text(i, end + 1) : '';
        if (end >= 0 && candidate.endsWith(':]')) {
          const name = candidate.slice(2, -2).replace(/^\^/, '');
          if (!POSIX_CLASSES.has(name)) throw new RegexError('invalid character class range', candidate);
          i = end + 1;
          continue;
        }
      }
      const loStart = i;
      const lo = classChar();
      if (s[i] === '-' && s[i + 1] !== ']' && i + 1 < s.length) {
        i++;
        const hi = classChar();
        if (lo === undefined || hi === undefined || hi < lo) throw new RegexError('invalid character class range', text(loStart, i));
      }
    }
    if (i >= s.length) throw new RegexError('missing closing ]', text(start, s.length));
    i++;
  };

  /** One class element; its code point, or undefined for a class escape like \d. */
  const classChar = (): number | undefined => {
    if (s[i] === '\\') {
      const start = i;
      const c = s[i + 1];
      escape(true);
      if (c !== undefined && 'dDsSwWpP'.includes(c)) return undefined;
      const body = text(start + 1, i);
      if (/^[0-7]{1,3}$/.test(body)) return parseInt(body, 8);
      if (body.startsWith('x{')) return parseInt(body.slice(2, -1), 16);
      if (body.startsWith('x')) return parseInt(body.slice(1), 16);
      const simple: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
      return simple[body] ?? body.codePointAt(0);
    }
    return s[i++].codePointAt(0);
  };

  /** Parses a group opening; true when it was a complete flags directive like `(?i)`. */
  const group = (): boolean => {
    const start = i;
    i++;
    if (s[i] !== '?') return false;
    if (s[i + 1] === 'P' && s[i + 2] === '<') i += 3;
    else if (s[i + 1] === '<' && s[i + 2] !== '=' && s[i + 2] !== '!') i += 2;
    else {
      i++;
      let sawFlag = false;
      let negated = false;
      for (;;) {
        const c = s[i];
        if (c === undefined) throw new RegexError('missing argument to repetition operator', text(start, i));
        if ('imsU'.includes(c)) {
          sawFlag = true;
          i++;
          continue;
        }
        if (c === '-' && !negated) {
          negated = true;
          sawFlag = false;
          i++;
          continue;
        }
        if ((c === ':' || c === ')') && (!negated || sawFlag)) {
          i++;
          if (c === ')') depth--;
          return c === ')';
        }
        throw new RegexError('invalid or unsupported Perl syntax', text(start, i + 1));
      }
    }
    const end = s.indexOf('>', i);
    if (end < 0) throw new RegexError('invalid named capture', text(start, s.length));
    const name = text(i, end);
    i = end + 1;
    if (!isWordName(name)) throw new RegexError('invalid named capture', text(start, i));
    if (names.has(name)) throw new RegexError('duplicate capture group name', name);
    names.add(name);
    return false;
  };

  const repeatSpec = (): [number, number] | undefined => {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(text(i, Math.min(s.length, i + 40)));
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
    return [min, max, m[0].length] as unknown as [number, number];
  };

  while (i < s.length) {
    const c = s[i];
    if (c === '*' || c === '+' || c === '?' || (c === '{' && repeatSpec())) {
      const opStart = i;
      let len = 1;
      if (c === '{') {
        const spec = repeatSpec() as unknown as [number, number, number];
        len = spec[2];
        if (spec[0] > MAX_REPEAT || spec[1] > MAX_REPEAT || (spec[1] >= 0 && spec[1] < spec[0]))
          throw new RegexError('invalid repeat count', text(opStart, opStart + len));
      }
      i += len;
      if (s[i] === '?') i++;
      if (lastRepeatStart >= 0) throw new RegexError('invalid nested repetition operator', text(lastRepeatStart, i));
      if (last === 'none') throw new RegexError('missing argument to repetition operator', text(opStart, i));
      lastRepeatStart = opStart;
      continue;
    }
    lastRepeatStart = -1;
    switch (c) {
      case '(':
        depth++;
        if (depth > MAX_NESTING) throw new RegexError('expression nests too deeply', whole);
        if (!group()) last = 'none';
        continue;
      case ')':
        depth--;
        if (depth < 0) throw new RegexError('unexpected )', whole);
        i++;
        last = 'atom';
        continue;
      case '|':
        i++;
        last = 'none';
        continue;
      case '[':
        charClass();
        last = 'atom';
        continue;
      case '\\':
        if (s[i + 1] === 'Q') {
          const end = s.join('').indexOf('\\E', i + 2);
          i = end < 0 ? s.length : end + 2;
          last = 'atom';
          continue;
        }
        escape(false);
        last = 'atom';
        continue;
      default:
        i++;
        last = 'atom';
    }
  }
  if (depth > 0) throw new RegexError('missing closing )', whole);
}
