// Go RE2 regular expressions compiled to JS RegExp: the syntax differences that matter for LogQL
// (named groups, leading inline flags, anchoring). Unsupported constructs throw RegexSyntaxError.

export class RegexSyntaxError extends Error {}

export interface GoRegexOptions {
  /** Wrap as ^(?:re)$ (label matchers, label_replace). */
  anchored?: boolean;
}

/** Translates Go RE2 syntax to an equivalent JS RegExp. */
export function compileGoRegex(source: string, opts: GoRegexOptions = {}): RegExp {
  let src = source;
  let flags = 'u';
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]) {
      if (f === 'i' && !flags.includes('i')) flags += 'i';
      if (f === 's' && !flags.includes('s')) flags += 's';
      if (f === 'm' && !flags.includes('m')) flags += 'm';
    }
    src = src.slice(lead[0].length);
  }
  src = src.replace(/\(\?P</g, '(?<');
  if (opts.anchored) src = `^(?:${src})$`;
  try {
    return new RegExp(src, flags);
  } catch (e) {
    throw new RegexSyntaxError((e as Error).message);
  }
}
