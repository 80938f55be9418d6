// The parse-time regex checks Loki makes (label matchers, label_replace), with Go's error texts.
// Parsing is the shared Go RE2 parser in model/regex; this only turns its failure into a message.
import { parseGoRegex, RegexSyntaxError } from '../../model/regex.js';

/** Returns Go's `error parsing regexp: …` text for `re`, or undefined when Go accepts it. */
export function goRegexError(re: string): string | undefined {
  try {
    parseGoRegex(re, { dotAll: true });
    return undefined;
  } catch (e) {
    // Anything else is the JS translation failing on a pattern Go's syntax accepts.
    return e instanceof RegexSyntaxError ? e.message : undefined;
  }
}
