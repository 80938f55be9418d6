// Go RE2 regular expressions (regexp/syntax with Perl flags) parsed with Go's rules and error texts,
// then re-emitted as an equivalent JS RegExp (u flag). Pure; never evaluates user input as JS syntax.

export class RegexSyntaxError extends Error {}

export interface GoRegexOptions {
  /** Match the whole input: emitted as ^(?:re)$ (label matchers, label_replace). */
  anchored?: boolean;
  /** Start with the s flag set, so . matches \n (Prometheus' label matchers). */
  dotAll?: boolean;
}

export interface GoRegex {
  regex: RegExp;
  /** groupNames[i] is the name of capture group i (index 0, the whole match, is always undefined). */
  groupNames: (string | undefined)[];
  /** The parse tree (Go's structure before simplification), for callers that rewrite simple shapes. */
  tree: GoRegexNode;
}

const MAX_RUNE = 0x10ffff;
const MAX_REPEAT = 1000;

// ---------------------------------------------------------------------------------------------
// Errors, with Go's texts: `error parsing regexp: <code>: `<expr>``

const ERR = {
  invalidCharClass: 'invalid character class',
  invalidCharRange: 'invalid character class range',
  invalidEscape: 'invalid escape sequence',
  invalidNamedCapture: 'invalid named capture',
  invalidPerlOp: 'invalid or unsupported Perl syntax',
  invalidRepeatOp: 'invalid nested repetition operator',
  invalidRepeatSize: 'invalid repeat count',
  missingBracket: 'missing closing ]',
  missingParen: 'missing closing )',
  missingRepeatArgument: 'missing argument to repetition operator',
  trailingBackslash: 'trailing backslash at end of expression',
  unexpectedParen: 'unexpected )',
} as const;

function fail(code: string, expr: string): never {
  throw new RegexSyntaxError(`error parsing regexp: ${code}: \`${expr}\``);
}

// ---------------------------------------------------------------------------------------------
// Character sets

/** A class element: a code point range, an ASCII group (\d, [:alpha:]) or a Unicode property. */
export type ClassItem =
  | { k: 'range'; lo: number; hi: number }
  | { k: 'group'; ranges: number[]; neg: boolean }
  | { k: 'prop'; prop: UnicodeProp; neg: boolean };

export interface UnicodeProp {
  /** JS class atoms whose union is the property (e.g. ['\\p{Lu}']). */
  atoms: string[];
  /** Atoms of the complement, when JS can express it directly. */
  negAtoms: string[];
  key: string;
}

export interface CharNode {
  t: 'char';
  items: ClassItem[];
  neg: boolean;
  fold: boolean;
  /** . — unaffected by case folding. */
  caseless?: boolean;
}

export type GoRegexNode = Node;

type Node =
  | CharNode
  | { t: 'assert'; src: string }
  | { t: 'group'; cap: number; sub: Node }
  | { t: 'cat'; subs: Node[] }
  | { t: 'alt'; subs: Node[] }
  | { t: 'rep'; op: 'star' | 'plus' | 'quest' | 'repeat'; min: number; max: number; greedy: boolean; sub: Node }
  | { t: 'empty' };

const PERL_GROUPS: Record<string, { ranges: number[]; neg: boolean }> = {
  '\\d': { ranges: [0x30, 0x39], neg: false },
  '\\D': { ranges: [0x30, 0x39], neg: true },
  '\\s': { ranges: [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20], neg: false },
  '\\S': { ranges: [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20], neg: true },
  '\\w': { ranges: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a], neg: false },
  '\\W': { ranges: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a], neg: true },
};

const POSIX_CLASSES: Record<string, number[]> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: [0x30, 0x39],
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

/** Sorts and merges range pairs. */
function cleanRanges(r: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < r.length; i += 2) pairs.push([r[i], r[i + 1]]);
  pairs.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1] + 1) {
      if (hi > out[n - 1]) out[n - 1] = hi;
    } else out.push(lo, hi);
  }
  return out;
}

function negateRanges(clean: number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < clean.length; i += 2) {
    if (next <= clean[i] - 1) out.push(next, clean[i] - 1);
    next = clean[i + 1] + 1;
  }
  if (next <= MAX_RUNE) out.push(next, MAX_RUNE);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Simple case folding orbits (Go's unicode.SimpleFold), derived once from the JS engine.

interface FoldTable {
  /** Sorted code points that have at least one other fold-equivalent. */
  cps: number[];
  orbit: Map<number, number[]>;
}

let foldTable: FoldTable | undefined;

function sameFold(a: number, b: number): boolean {
  return new RegExp(`^\\u{${a.toString(16)}}$`, 'iu').test(String.fromCodePoint(b));
}

function getFoldTable(): FoldTable {
  if (foldTable) return foldTable;
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
    if (!parent.has(rb)) parent.set(rb, rb);
  };
  for (let cp = 0x41; cp <= 0x1e943; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const s = String.fromCodePoint(cp);
    const lower = s.toLowerCase();
    if (lower !== s) {
      const c = lower.codePointAt(0)!;
      if (String.fromCodePoint(c) === lower) union(cp, c);
    }
    const upper = s.toUpperCase();
    if (upper !== s) {
      const c = upper.codePointAt(0)!;
      if (String.fromCodePoint(c) === upper && (String.fromCodePoint(c).toLowerCase() === s || sameFold(cp, c))) union(cp, c);
    }
  }
  const groups = new Map<number, number[]>();
  for (const cp of parent.keys()) {
    const r = find(cp);
    let g = groups.get(r);
    if (!g) groups.set(r, (g = []));
    g.push(cp);
  }
  const orbit = new Map<number, number[]>();
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    g.sort((a, b) => a - b);
    for (const cp of g) orbit.set(cp, g);
  }
  foldTable = { cps: [...orbit.keys()].sort((a, b) => a - b), orbit };
  return foldTable;
}

/** Appends lo-hi and every fold-equivalent of its members. */
function appendFoldedRange(out: number[], lo: number, hi: number): void {
  out.push(lo, hi);
  const { cps, orbit } = getFoldTable();
  let a = 0;
  let b = cps.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (cps[m] < lo) a = m + 1;
    else b = m;
  }
  for (let i = a; i < cps.length && cps[i] <= hi; i++) for (const o of orbit.get(cps[i])!) out.push(o, o);
}

function foldRanges(clean: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < clean.length; i += 2) appendFoldedRange(out, clean[i], clean[i + 1]);
  return cleanRanges(out);
}

const propRangeCache = new Map<string, number[]>();

/** The code points of a Unicode property as ranges (slow; only for negated properties under (?i)). */
function propRanges(prop: UnicodeProp): number[] {
  let r = propRangeCache.get(prop.key);
  if (r) return r;
  const re = new RegExp(`^[${prop.atoms.join('')}]$`, 'u');
  r = [];
  let start = -1;
  for (let cp = 0; cp <= MAX_RUNE + 1; cp++) {
    const inside = cp <= MAX_RUNE && re.test(String.fromCodePoint(cp));
    if (inside && start < 0) start = cp;
    else if (!inside && start >= 0) {
      r.push(start, cp - 1);
      start = -1;
    }
  }
  propRangeCache.set(prop.key, r);
  return r;
}

/** Fold-equivalents of a property's members that the property itself lacks. */
function propFoldExtras(prop: UnicodeProp): number[] {
  const re = new RegExp(`^[${prop.atoms.join('')}]$`, 'u');
  const { cps, orbit } = getFoldTable();
  const out: number[] = [];
  for (const cp of cps) if (re.test(String.fromCodePoint(cp))) for (const o of orbit.get(cp)!) out.push(o, o);
  return cleanRanges(out);
}

// ---------------------------------------------------------------------------------------------
// Unicode property names (\pL, \p{Greek}, \p{^Lu}) as Go resolves them.

const GO_CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

const CATEGORY_ALIASES: Record<string, string> = {
  Letter: 'L',
  Casedletter: 'LC',
  Uppercaseletter: 'Lu',
  Lowercaseletter: 'Ll',
  Titlecaseletter: 'Lt',
  Modifierletter: 'Lm',
  Otherletter: 'Lo',
  Mark: 'M',
  Combiningmark: 'M',
  Nonspacingmark: 'Mn',
  Spacingmark: 'Mc',
  Enclosingmark: 'Me',
  Number: 'N',
  Decimalnumber: 'Nd',
  Digit: 'Nd',
  Letternumber: 'Nl',
  Othernumber: 'No',
  Punctuation: 'P',
  Punct: 'P',
  Connectorpunctuation: 'Pc',
  Dashpunctuation: 'Pd',
  Openpunctuation: 'Ps',
  Closepunctuation: 'Pe',
  Initialpunctuation: 'Pi',
  Finalpunctuation: 'Pf',
  Otherpunctuation: 'Po',
  Symbol: 'S',
  Mathsymbol: 'Sm',
  Currencysymbol: 'Sc',
  Modifiersymbol: 'Sk',
  Othersymbol: 'So',
  Separator: 'Z',
  Spaceseparator: 'Zs',
  Lineseparator: 'Zl',
  Paragraphseparator: 'Zp',
  Other: 'C',
  Control: 'Cc',
  Cntrl: 'Cc',
  Format: 'Cf',
  Surrogate: 'Cs',
  Privateuse: 'Co',
};

function canonicalName(name: string): string {
  let out = '';
  let first = true;
  for (const ch of name) {
    if (ch === '_' || ch === '-' || ch === ' ') continue;
    out += first ? ch.toUpperCase() : ch.toLowerCase();
    first = false;
  }
  return out;
}

function validJsAtom(atom: string): boolean {
  try {
    new RegExp(`[${atom}]`, 'u');
    return true;
  } catch {
    return false;
  }
}

function categoryProp(cat: string): UnicodeProp {
  // Go's C is Cc|Cf|Co|Cs (it has no Cn); JS's \p{C} includes unassigned code points.
  if (cat === 'C')
    return { atoms: ['\\p{Cc}', '\\p{Cf}', '\\p{Co}', '\\p{Cs}'], negAtoms: ['\\P{C}', '\\p{Cn}'], key: 'gc=C' };
  return { atoms: [`\\p{${cat}}`], negAtoms: [`\\P{${cat}}`], key: `gc=${cat}` };
}

function unicodeProp(name: string): UnicodeProp | undefined {
  const canon = canonicalName(name);
  switch (canon) {
    case 'Any':
      return { atoms: ['\\u{0}-\\u{10ffff}'], negAtoms: [], key: 'Any' };
    case 'Assigned':
      return { atoms: ['\\P{Cn}'], negAtoms: ['\\p{Cn}'], key: 'Assigned' };
    case 'Ascii':
      return { atoms: ['\\u{0}-\\u{7f}'], negAtoms: ['\\u{80}-\\u{10ffff}'], key: 'ASCII' };
    case 'Lc':
      return categoryProp('LC');
  }
  if (GO_CATEGORIES.has(canon)) return categoryProp(canon);
  const alias = CATEGORY_ALIASES[canon];
  if (alias) return categoryProp(alias);
  if (name === '' || !/^[A-Za-z_ -]+$/.test(name)) return undefined;
  const candidates = [name, name.split(/[_ -]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('_')];
  for (const c of candidates) {
    const atom = `\\p{Script=${c}}`;
    if (validJsAtom(atom)) return { atoms: [atom], negAtoms: [`\\P{Script=${c}}`], key: `sc=${c}` };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Parser: a port of Go's left-to-right stack parser, so errors surface in the same order.

interface Flags {
  fold: boolean;
  dotNL: boolean;
  oneLine: boolean;
  nonGreedy: boolean;
}

type Pseudo = { t: 'lparen'; cap: number; name?: string; flags: Flags } | { t: 'vbar' };
type StackEntry = Node | Pseudo;

const isPseudo = (e: StackEntry): e is Pseudo => e.t === 'lparen' || e.t === 'vbar';

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

class GoRegexParser {
  private flags: Flags;
  private readonly stack: StackEntry[] = [];
  private numCap = 0;
  readonly names: (string | undefined)[] = [undefined];

  constructor(
    private readonly whole: string,
    dotAll: boolean,
  ) {
    this.flags = { fold: false, dotNL: dotAll, oneLine: true, nonGreedy: false };
  }

  parse(): Node {
    const s = this.whole;
    let i = 0;
    let lastRepeat = -1;
    while (i < s.length) {
      let repeat = -1;
      const c = s.charCodeAt(i);
      switch (c) {
        case 0x28: // (
          if (s.charCodeAt(i + 1) === 0x3f) {
            i = this.parsePerlFlags(i);
            break;
          }
          this.numCap++;
          this.names.push(undefined);
          this.stack.push({ t: 'lparen', cap: this.numCap, flags: { ...this.flags } });
          i++;
          break;
        case 0x7c: // |
          this.concat();
          this.stack.push({ t: 'vbar' });
          i++;
          break;
        case 0x29: // )
          this.parseRightParen();
          i++;
          break;
        case 0x5e: // ^
          this.push({ t: 'assert', src: this.flags.oneLine ? '^' : '(?<![^\\n])' });
          i++;
          break;
        case 0x24: // $
          this.push({ t: 'assert', src: this.flags.oneLine ? '$' : '(?![^\\n])' });
          i++;
          break;
        case 0x2e: // .
          this.push({
            t: 'char',
            items: this.flags.dotNL
              ? [{ k: 'range', lo: 0, hi: MAX_RUNE }]
              : [
                  { k: 'range', lo: 0, hi: 9 },
                  { k: 'range', lo: 11, hi: MAX_RUNE },
                ],
            neg: false,
            fold: false,
            caseless: true,
          });
          i++;
          break;
        case 0x5b: // [
          i = this.parseClass(i);
          break;
        case 0x2a:
        case 0x2b:
        case 0x3f: {
          // * + ?
          const op = c === 0x2a ? 'star' : c === 0x2b ? 'plus' : 'quest';
          const [min, max] = c === 0x2a ? [0, -1] : c === 0x2b ? [1, -1] : [0, 1];
          const after = this.repeat(op, min, max, i, i + 1, lastRepeat);
          repeat = i;
          i = after;
          break;
        }
        case 0x7b: {
          // {
          const r = this.parseRepeat(i);
          if (!r) {
            this.literal(0x7b);
            i++;
            break;
          }
          const [min, max, after] = r;
          if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max))
            fail(ERR.invalidRepeatSize, s.slice(i, after));
          const end = this.repeat('repeat', min, max, i, after, lastRepeat);
          repeat = i;
          i = end;
          break;
        }
        case 0x5c: // backslash
          i = this.parseBackslash(i);
          break;
        default: {
          const cp = s.codePointAt(i)!;
          this.literal(cp);
          i += cp > 0xffff ? 2 : 1;
        }
      }
      lastRepeat = repeat;
    }
    this.concat();
    this.alternate();
    if (this.stack.length !== 1) fail(ERR.missingParen, s);
    return this.stack[0] as Node;
  }

  private push(n: Node): void {
    this.stack.push(n);
  }

  private literal(cp: number): void {
    this.push({ t: 'char', items: [{ k: 'range', lo: cp, hi: cp }], neg: false, fold: this.flags.fold });
  }

  /** Applies a repetition to the top of the stack; returns the index after the operator. */
  private repeat(op: 'star' | 'plus' | 'quest' | 'repeat', min: number, max: number, before: number, afterIdx: number, lastRepeat: number): number {
    const s = this.whole;
    let after = afterIdx;
    let nonGreedy = this.flags.nonGreedy;
    if (s.charCodeAt(after) === 0x3f) {
      after++;
      nonGreedy = !nonGreedy;
    }
    if (lastRepeat >= 0) fail(ERR.invalidRepeatOp, s.slice(lastRepeat, after));
    const top = this.stack[this.stack.length - 1];
    if (!top || isPseudo(top)) fail(ERR.missingRepeatArgument, s.slice(before, after));
    const node: Node = { t: 'rep', op, min, max, greedy: !nonGreedy, sub: top };
    this.stack[this.stack.length - 1] = node;
    if (op === 'repeat' && (min >= 2 || max >= 2) && !repeatIsValid(node, MAX_REPEAT))
      fail(ERR.invalidRepeatSize, s.slice(before, after));
    return after;
  }

  /** {min}, {min,} or {min,max}; undefined when the text is not a repeat (then { is a literal). */
  private parseRepeat(start: number): [number, number, number] | undefined {
    const s = this.whole;
    let i = start + 1;
    const parseInt = (): number | undefined => {
      const c = s.charCodeAt(i);
      if (!(c >= 0x30 && c <= 0x39)) return undefined;
      if (c === 0x30 && s.charCodeAt(i + 1) >= 0x30 && s.charCodeAt(i + 1) <= 0x39) return undefined;
      let n = 0;
      while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) {
        if (n >= 1e8) n = -1;
        else if (n >= 0) n = n * 10 + s.charCodeAt(i) - 0x30;
        i++;
      }
      return n;
    };
    let min = parseInt();
    if (min === undefined || i >= s.length) return undefined;
    let max: number;
    if (s[i] !== ',') max = min;
    else {
      i++;
      if (i >= s.length) return undefined;
      if (s[i] === '}') max = -1;
      else {
        const m = parseInt();
        if (m === undefined) return undefined;
        max = m;
        if (max < 0) min = -1;
      }
    }
    if (s[i] !== '}') return undefined;
    return [min, max, i + 1];
  }

  /** Handles (?flags), (?flags:re), (?P<name>re) and (?<name>re); returns the index after them. */
  private parsePerlFlags(start: number): number {
    const s = this.whole;
    const t = s.slice(start);
    const startsWithP = t.length > 4 && t[2] === 'P' && t[3] === '<';
    const startsWithName = t.length > 3 && t[2] === '<';
    if (startsWithP || startsWithName) {
      const exprStart = startsWithP ? 4 : 3;
      const end = t.indexOf('>');
      if (end < 0) fail(ERR.invalidNamedCapture, t);
      const capture = t.slice(0, end + 1);
      const name = t.slice(exprStart, end);
      if (name === '' || !/^[A-Za-z0-9_]+$/.test(name)) fail(ERR.invalidNamedCapture, capture);
      this.numCap++;
      this.names.push(name);
      this.stack.push({ t: 'lparen', cap: this.numCap, name, flags: { ...this.flags } });
      return start + end + 1;
    }
    let i = start + 2;
    const flags = { ...this.flags };
    let negate = false;
    let sawFlag = false;
    while (i < s.length) {
      const c = s[i];
      i++;
      switch (c) {
        case 'i':
          flags.fold = !negate;
          sawFlag = true;
          continue;
        case 'm':
          flags.oneLine = negate;
          sawFlag = true;
          continue;
        case 's':
          flags.dotNL = !negate;
          sawFlag = true;
          continue;
        case 'U':
          flags.nonGreedy = !negate;
          sawFlag = true;
          continue;
        case '-':
          if (negate) break;
          negate = true;
          sawFlag = false;
          continue;
        case ':':
        case ')':
          if (negate && !sawFlag) break;
          if (c === ':') this.stack.push({ t: 'lparen', cap: 0, flags: { ...this.flags } });
          this.flags = flags;
          return i;
      }
      break;
    }
    fail(ERR.invalidPerlOp, s.slice(start, i));
  }

  private parseRightParen(): void {
    this.concat();
    this.alternate();
    const n = this.stack.length;
    if (n < 2) fail(ERR.unexpectedParen, this.whole);
    const sub = this.stack[n - 1] as Node;
    const open = this.stack[n - 2];
    if (open.t !== 'lparen') fail(ERR.unexpectedParen, this.whole);
    this.stack.length = n - 2;
    this.flags = open.flags;
    this.push(open.cap === 0 ? sub : { t: 'group', cap: open.cap, sub });
  }

  /** Replaces the entries above the nearest pseudo-entry with their concatenation. */
  private concat(): void {
    let i = this.stack.length;
    while (i > 0 && !isPseudo(this.stack[i - 1])) i--;
    const subs = this.stack.splice(i) as Node[];
    this.push(subs.length === 0 ? { t: 'empty' } : subs.length === 1 ? subs[0] : { t: 'cat', subs });
  }

  /** Replaces `a | b | c` above the nearest ( with an alternation. */
  private alternate(): void {
    const subs: Node[] = [this.stack.pop() as Node];
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].t === 'vbar') {
      this.stack.pop();
      subs.unshift(this.stack.pop() as Node);
    }
    this.push(subs.length === 1 ? subs[0] : { t: 'alt', subs });
  }

  private parseBackslash(start: number): number {
    const s = this.whole;
    const c1 = s[start + 1];
    switch (c1) {
      case 'A':
        this.push({ t: 'assert', src: '^' });
        return start + 2;
      case 'b':
        this.push({ t: 'assert', src: '\\b' });
        return start + 2;
      case 'B':
        this.push({ t: 'assert', src: '\\B' });
        return start + 2;
      case 'z':
        this.push({ t: 'assert', src: '$' });
        return start + 2;
      case 'C':
        return fail(ERR.invalidEscape, '\\C');
      case 'Q': {
        const end = s.indexOf('\\E', start + 2);
        const lit = end < 0 ? s.slice(start + 2) : s.slice(start + 2, end);
        for (const ch of lit) this.literal(ch.codePointAt(0)!);
        return end < 0 ? s.length : end + 2;
      }
    }
    if (c1 === 'p' || c1 === 'P') {
      const [item, next] = this.parseUnicodeClass(start);
      this.push({ t: 'char', items: [item], neg: false, fold: this.flags.fold });
      return next;
    }
    const perl = PERL_GROUPS[s.slice(start, start + 2)];
    if (perl) {
      this.push({ t: 'char', items: [{ k: 'group', ranges: perl.ranges, neg: perl.neg }], neg: false, fold: this.flags.fold });
      return start + 2;
    }
    const [cp, next] = this.parseEscape(start);
    this.literal(cp);
    return next;
  }

  /** An ordinary escape (\n, \x41, \101, \.) at start; returns the code point and next index. */
  private parseEscape(start: number): [number, number] {
    const s = this.whole;
    let i = start + 1;
    if (i >= s.length) fail(ERR.trailingBackslash, '');
    const c = s.codePointAt(i)!;
    i += c > 0xffff ? 2 : 1;
    const bad = (): never => fail(ERR.invalidEscape, s.slice(start, i));
    if (c < 0x80 && !isAlnum(c)) return [c, i];
    if (c >= 0x30 && c <= 0x37) {
      // Octal; a single non-zero digit would be a backreference, which RE2 does not support.
      if (c !== 0x30 && !(s[i] >= '0' && s[i] <= '7')) return bad();
      let r = c - 0x30;
      for (let k = 1; k < 3 && s[i] >= '0' && s[i] <= '7'; k++) {
        r = r * 8 + s.charCodeAt(i) - 0x30;
        i++;
      }
      return [r, i];
    }
    switch (String.fromCharCode(c)) {
      case 'x': {
        if (i >= s.length) return bad();
        const d = s.codePointAt(i)!;
        i += d > 0xffff ? 2 : 1;
        if (d === 0x7b) {
          let r = 0;
          let nhex = 0;
          for (;;) {
            if (i >= s.length) return bad();
            const h = s.codePointAt(i)!;
            i += h > 0xffff ? 2 : 1;
            if (h === 0x7d) break;
            const v = unhex(h);
            if (v < 0) return bad();
            r = r * 16 + v;
            if (r > MAX_RUNE) return bad();
            nhex++;
          }
          if (nhex === 0) return bad();
          return [r, i];
        }
        const x = unhex(d);
        if (i >= s.length) return bad();
        const e = s.codePointAt(i)!;
        i += e > 0xffff ? 2 : 1;
        const y = unhex(e);
        if (x < 0 || y < 0) return bad();
        return [x * 16 + y, i];
      }
      case 'a':
        return [7, i];
      case 'f':
        return [12, i];
      case 'n':
        return [10, i];
      case 'r':
        return [13, i];
      case 't':
        return [9, i];
      case 'v':
        return [11, i];
    }
    return bad();
  }

  /** \pL, \p{Greek}, \PL, \p{^Greek} at start. */
  private parseUnicodeClass(start: number): [ClassItem, number] {
    const s = this.whole;
    let neg = s[start + 1] === 'P';
    let i = start + 2;
    let name: string;
    let seq: string;
    if (s[i] !== '{') {
      const cp = i < s.length ? s.codePointAt(i)! : -1;
      i += cp > 0xffff ? 2 : cp >= 0 ? 1 : 0;
      seq = s.slice(start, i);
      name = seq.slice(2);
    } else {
      const end = s.indexOf('}', start);
      if (end < 0) fail(ERR.invalidCharRange, s.slice(start));
      seq = s.slice(start, end + 1);
      name = s.slice(start + 3, end);
      i = end + 1;
    }
    if (name.startsWith('^')) {
      neg = !neg;
      name = name.slice(1);
    }
    const prop = unicodeProp(name);
    if (!prop) fail(ERR.invalidCharRange, seq);
    return [{ k: 'prop', prop, neg }, i];
  }

  /** [...] starting at start; returns the index after ]. */
  private parseClass(start: number): number {
    const s = this.whole;
    const wholeClass = s.slice(start);
    let i = start + 1;
    let neg = false;
    if (s[i] === '^') {
      neg = true;
      i++;
    }
    const items: ClassItem[] = [];
    let first = true;
    while (i >= s.length || s[i] !== ']' || first) {
      first = false;
      if (s[i] === '[' && s[i + 1] === ':') {
        const end = s.indexOf(':]', i + 2);
        if (end >= 0) {
          const name = s.slice(i, end + 2);
          const inner = name.slice(2, -2);
          const negated = inner.startsWith('^');
          const ranges = POSIX_CLASSES[negated ? inner.slice(1) : inner];
          if (!ranges) fail(ERR.invalidCharRange, name);
          items.push({ k: 'group', ranges, neg: negated });
          i = end + 2;
          continue;
        }
      }
      if (s[i] === '\\' && (s[i + 1] === 'p' || s[i + 1] === 'P')) {
        const [item, next] = this.parseUnicodeClass(i);
        items.push(item);
        i = next;
        continue;
      }
      const perl = s[i] === '\\' ? PERL_GROUPS[s.slice(i, i + 2)] : undefined;
      if (perl) {
        items.push({ k: 'group', ranges: perl.ranges, neg: perl.neg });
        i += 2;
        continue;
      }
      const rangeStart = i;
      let lo: number;
      [lo, i] = this.parseClassChar(i, wholeClass);
      let hi = lo;
      if (i + 1 < s.length && s[i] === '-' && s[i + 1] !== ']') {
        [hi, i] = this.parseClassChar(i + 1, wholeClass);
        if (hi < lo) fail(ERR.invalidCharRange, s.slice(rangeStart, i));
      }
      items.push({ k: 'range', lo, hi });
    }
    this.push({ t: 'char', items, neg, fold: this.flags.fold });
    return i + 1;
  }

  private parseClassChar(i: number, wholeClass: string): [number, number] {
    const s = this.whole;
    if (i >= s.length) fail(ERR.missingBracket, wholeClass);
    if (s[i] === '\\') return this.parseEscape(i);
    const cp = s.codePointAt(i)!;
    return [cp, i + (cp > 0xffff ? 2 : 1)];
  }
}

/** Go's limit on nested counted repetitions: their product may not exceed n copies. */
function repeatIsValid(n: Node, limit: number): boolean {
  let lim = limit;
  if (n.t === 'rep' && n.op === 'repeat') {
    let m = n.max;
    if (m === 0) return true;
    if (m < 0) m = n.min;
    if (m > lim) return false;
    if (m > 0) lim = Math.trunc(lim / m);
  }
  switch (n.t) {
    case 'rep':
    case 'group':
      return repeatIsValid(n.sub, lim);
    case 'cat':
    case 'alt':
      return n.subs.every((x) => repeatIsValid(x, lim));
    default:
      return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Emitter

function escapeCp(cp: number): string {
  if (isAlnum(cp) || cp === 0x5f) return String.fromCharCode(cp);
  return `\\u{${cp.toString(16)}}`;
}

function rangesSrc(r: number[]): string {
  let out = '';
  for (let i = 0; i < r.length; i += 2) out += r[i] === r[i + 1] ? escapeCp(r[i]) : `${escapeCp(r[i])}-${escapeCp(r[i + 1])}`;
  return out;
}

interface EmitMode {
  /** The regex is compiled with the JS i flag (every character node folds, no negated groups). */
  jsFold: boolean;
}

function charSrc(n: CharNode, mode: EmitMode): string {
  const explicitFold = n.fold && !mode.jsFold;
  let ranges: number[] = [];
  const atoms: string[] = [];
  for (const it of n.items) {
    switch (it.k) {
      case 'range':
        if (explicitFold) appendFoldedRange(ranges, it.lo, it.hi);
        else ranges.push(it.lo, it.hi);
        break;
      case 'group': {
        const pos = explicitFold ? foldRanges(cleanRanges(it.ranges)) : cleanRanges(it.ranges);
        ranges.push(...(it.neg ? negateRanges(pos) : pos));
        break;
      }
      case 'prop':
        if (!explicitFold) atoms.push(...(it.neg ? it.prop.negAtoms : it.prop.atoms));
        else if (!it.neg) {
          atoms.push(...it.prop.atoms);
          ranges.push(...propFoldExtras(it.prop));
        } else {
          const pos = cleanRanges([...propRanges(it.prop), ...propFoldExtras(it.prop)]);
          ranges.push(...negateRanges(pos));
        }
        break;
    }
  }
  ranges = cleanRanges(ranges);
  if (!n.neg && atoms.length === 0 && ranges.length === 2 && ranges[0] === ranges[1]) return escapeCp(ranges[0]);
  return `[${n.neg ? '^' : ''}${rangesSrc(ranges)}${atoms.join('')}]`;
}

function emit(n: Node, mode: EmitMode): string {
  switch (n.t) {
    case 'char':
      return charSrc(n, mode);
    case 'assert':
      return n.src;
    case 'empty':
      return '(?:)';
    case 'group':
      return `(${emit(n.sub, mode)})`;
    case 'cat':
      return n.subs.map((x) => (x.t === 'alt' ? `(?:${emit(x, mode)})` : emit(x, mode))).join('');
    case 'alt':
      return n.subs.map((x) => emit(x, mode)).join('|');
    case 'rep': {
      const sub = n.sub;
      const inner = emit(sub, mode);
      const atomic = sub.t === 'char' || sub.t === 'group';
      const base = atomic ? inner : `(?:${inner})`;
      let q: string;
      if (n.op === 'star') q = '*';
      else if (n.op === 'plus') q = '+';
      else if (n.op === 'quest') q = '?';
      else if (n.max === n.min) q = `{${n.min}}`;
      else if (n.max < 0) q = `{${n.min},}`;
      else q = `{${n.min},${n.max}}`;
      return base + q + (n.greedy ? '' : '?');
    }
  }
}

/** Visits every character node; used to choose between the JS i flag and explicit folding. */
function charNodes(n: Node, out: CharNode[]): CharNode[] {
  switch (n.t) {
    case 'char':
      out.push(n);
      break;
    case 'group':
    case 'rep':
      charNodes(n.sub, out);
      break;
    case 'cat':
    case 'alt':
      for (const x of n.subs) charNodes(x, out);
      break;
  }
  return out;
}

const cache = new Map<string, GoRegex>();
const CACHE_SIZE = 2000;

/** Parses Go RE2 syntax and returns an equivalent JS RegExp plus capture names. Throws RegexSyntaxError. */
export function parseGoRegex(source: string, opts: GoRegexOptions = {}): GoRegex {
  const key = `${opts.anchored ? 'a' : '-'}${opts.dotAll ? 's' : '-'}${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const parser = new GoRegexParser(source, opts.dotAll ?? false);
  const root = parser.parse();
  const chars = charNodes(root, []);
  const jsFold =
    chars.some((c) => !c.caseless) &&
    chars.every((c) => c.caseless || (c.fold && !c.items.some((it) => (it.k === 'group' || it.k === 'prop') && it.neg)));
  let body = emit(root, { jsFold });
  if (opts.anchored) body = `^(?:${body})$`;
  const out: GoRegex = {
    regex: new RegExp(body, jsFold ? 'iu' : 'u'),
    groupNames: parser.names,
    tree: root,
  };
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, out);
  return out;
}

/** Translates Go RE2 syntax to an equivalent JS RegExp. Throws RegexSyntaxError with Go's message. */
export function compileGoRegex(source: string, opts: GoRegexOptions = {}): RegExp {
  return parseGoRegex(source, opts).regex;
}
