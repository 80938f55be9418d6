// Loki's pattern expressions (`<name> - <_> "<method> <uri>"`): parsing with Loki's error texts,
// extraction for `| pattern` and the match test for the `|>`/`!>` line filters. Pure; no I/O.

type PatternNode = { capture: string } | { literal: string };

const UNNAMED = '_';

export class PatternError extends Error {}

/** Splits a pattern into literals and <identifier> captures (identifiers are ASCII [A-Za-z_][A-Za-z0-9_]*). */
function parsePatternNodes(src: string): PatternNode[] {
  if (src === '')
    throw new PatternError('parse error at line 1, col 1: syntax error: unexpected $end, expecting IDENTIFIER or LITERAL');
  const nodes: PatternNode[] = [];
  let literal = '';
  let i = 0;
  while (i < src.length) {
    if (src[i] === '<') {
      const m = /^<([A-Za-z_][A-Za-z0-9_]*)>/.exec(src.slice(i));
      if (m) {
        if (literal !== '') nodes.push({ literal });
        literal = '';
        nodes.push({ capture: m[1] });
        i += m[0].length;
        continue;
      }
    }
    literal += src[i];
    i++;
  }
  if (literal !== '') nodes.push({ literal });
  return nodes;
}

function checkNoConsecutiveCaptures(nodes: PatternNode[]): void {
  for (let i = 0; i + 1 < nodes.length; i++) {
    const a = nodes[i];
    const b = nodes[i + 1];
    if ('capture' in a && 'capture' in b)
      throw new PatternError(`found consecutive capture '<${a.capture}><${b.capture}>': invalid expression`);
  }
}

/** A compiled `| pattern` expression. */
export class PatternMatcher {
  readonly names: string[];
  private readonly captures: string[] = [];

  private constructor(private readonly nodes: PatternNode[]) {
    this.names = nodes.flatMap((n) => ('capture' in n && n.capture !== UNNAMED ? [n.capture] : []));
  }

  /** Compiles a parser pattern: at least one named capture, none consecutive, no duplicate names. */
  static forParser(src: string): PatternMatcher {
    const nodes = parsePatternNodes(src);
    const m = new PatternMatcher(nodes);
    if (m.names.length === 0) throw new PatternError('at least one capture is required');
    checkNoConsecutiveCaptures(nodes);
    const seen = new Set<string>();
    for (const n of m.names) {
      if (seen.has(n)) throw new PatternError(`duplicate capture name (${n}): invalid expression`);
      seen.add(n);
    }
    return m;
  }

  /** Compiles a line-filter pattern: only unnamed <_> captures, none consecutive; "" matches empty lines. */
  static forLineFilter(src: string): PatternMatcher {
    if (src === '') return new PatternMatcher([]);
    const nodes = parsePatternNodes(src);
    checkNoConsecutiveCaptures(nodes);
    for (const n of nodes)
      if ('capture' in n && n.capture !== UNNAMED) throw new PatternError(`named captures are not allowed: found '<${n.capture}>'`);
    return new PatternMatcher(nodes);
  }

  /**
   * Values of the named captures in order, or undefined when the line does not start with the
   * leading literal. A capture whose following literal is missing takes the rest of the line and
   * ends the match early (so fewer values than names may be returned). The array is reused.
   */
  matches(line: string): string[] | undefined {
    if (line.length === 0 || this.nodes.length === 0) return undefined;
    const out = this.captures;
    if (out.length !== 0) out.length = 0;
    let k = 0;
    let pos = 0;
    const first = this.nodes[0];
    if ('literal' in first) {
      if (!line.startsWith(first.literal)) return undefined;
      pos = first.literal.length;
      k = 1;
    }
    if (k === this.nodes.length) return undefined;
    while (k < this.nodes.length) {
      const cap = this.nodes[k] as { capture: string };
      if (k === this.nodes.length - 1) {
        if (cap.capture !== UNNAMED) out.push(line.slice(pos));
        return out;
      }
      const lit = (this.nodes[k + 1] as { literal: string }).literal;
      k += 2;
      const i = line.indexOf(lit, pos);
      if (i < 0) {
        if (cap.capture !== UNNAMED) out.push(line.slice(pos));
        return out;
      }
      if (cap.capture !== UNNAMED) out.push(line.slice(pos, i));
      pos = i + lit.length;
    }
    return out;
  }

  /** The `|>` test: literals found in order, no empty capture, and a trailing capture needs text. */
  test(line: string): boolean {
    if (line.length === 0 || this.nodes.length === 0) return line.length === 0 && this.nodes.length === 0;
    let off = 0;
    for (let i = 0; i < this.nodes.length; i++) {
      const n = this.nodes[i];
      if (!('literal' in n)) continue;
      const j = line.indexOf(n.literal, off);
      if (j < 0) return false;
      if (i !== 0 && j === off) return false;
      off = j + n.literal.length;
    }
    const endsWithCapture = 'capture' in this.nodes[this.nodes.length - 1];
    return endsWithCapture === (off !== line.length);
  }
}
