// Runs lexer, grammar and validation, and turns every failure into Loki's ParseError text
// (`parse error at line L, col C: …` / `parse error : …`). Nothing but ParseError ever leaves it.
import { EOF, type IRecognitionException, type IToken } from 'chevrotain';
import type { Expr } from '../ast.js';
import { ParseError } from '../../model/errors.js';
import { lex, type ErrorPosition, type LexedToken } from './lexer.js';
import { ImmediateError, LogQLGrammar, UnexpectedTokenError } from './grammar.js';
import { byDeclarationOrder, displayName } from './tokens.js';
import { validationError } from './validate.js';

export const MAX_INPUT_SIZE = 131072;

const grammar = new LogQLGrammar();

/** Tokens yacc would shift past after reducing a completed log range, so it never lists them. */
const RANGE_CONTINUATIONS = new Set(['OFFSET', 'PIPE', 'PIPE_EXACT', 'PIPE_MATCH', 'PIPE_PATTERN', 'NEQ', 'NRE', 'NPA']);
/** Content assist is a search; beyond this many tokens its answer is not worth the time. */
const MAX_ASSIST_PREFIX = 256;

export function parseErrorText(pos: ErrorPosition, msg: string): string {
  if (pos.line === 0 && pos.col === 0) return `parse error : ${msg}`;
  return `parse error at line ${pos.line}, col ${pos.col}: ${msg}`;
}

/** A rule path: rule names with the occurrence index each was invoked with. */
interface RulePath {
  rules: readonly string[];
  occurrences: readonly number[];
}

/** Whether path a is a prefix of path b (the start rule's occurrence index differs between the two sources). */
const isPrefix = (a: RulePath, b: RulePath): boolean =>
  a.rules.every((r, i) => b.rules[i] === r && (i === 0 || b.occurrences[i] === a.occurrences[i]));

/**
 * The tokens Loki's yacc parser lists after "expecting" for an error after `prefix`. `ruleStack` is
 * the path the parse actually took (yacc shifts greedily); paths that left it elsewhere are ignored.
 */
function expectedTokens(prefix: IToken[], path: RulePath): string[] {
  if (prefix.length > MAX_ASSIST_PREFIX) return [];
  let names: Set<string>;
  try {
    const suggestions = grammar
      .computeContentAssist('root', prefix)
      .map((s) => ({ name: s.nextTokenType.name, path: { rules: s.ruleStack, occurrences: s.occurrenceStack } }))
      .filter((s) => path.rules.length === 0 || isPrefix(s.path, path) || isPrefix(path, s.path));
    names = new Set(suggestions.map((s) => s.name));
  } catch {
    return [];
  }
  if (names.has('MUL')) return [];
  if (names.has('CLOSE_PARENTHESIS') && !names.has('RANGE')) for (const n of RANGE_CONTINUATIONS) names.delete(n);
  if (names.size > 4) return [];
  return byDeclarationOrder(names);
}

function syntaxError(tokens: LexedToken[], index: number, endPos: ErrorPosition, path: RulePath | undefined): ParseError {
  const tok = tokens[index];
  const name = tok ? displayName(tok.tokenType.name) : '$end';
  let msg = `syntax error: unexpected ${name}`;
  const expected = path ? expectedTokens(tokens.slice(0, index), path) : [];
  if (expected.length > 0) msg += ', expecting ' + expected.map(displayName).join(' or ');
  return new ParseError(parseErrorText(tok ? tok.payload.pos : endPos, msg));
}

/** Parses without the post-parse validation (Loki's ParseExprWithoutValidation). */
export function parseUnvalidated(input: string): Expr {
  const size = Buffer.byteLength(input, 'utf8');
  if (size >= MAX_INPUT_SIZE) throw new ParseError(`parse error : input size too long (${size} > ${MAX_INPUT_SIZE})`);
  const lexed = lex(input);
  const { tokens } = lexed;
  const lexError = (): ParseError => new ParseError(parseErrorText(lexed.error!.pos, lexed.error!.message));
  const indexOf = (t: IToken): number => (t.tokenType === EOF ? tokens.length : tokens.indexOf(t as LexedToken));
  grammar.input = tokens;
  let expr: Expr;
  try {
    expr = grammar.root();
  } catch (e) {
    if (e instanceof ImmediateError) throw new ParseError(`parse error : ${e.message}`);
    if (e instanceof UnexpectedTokenError) {
      const index = indexOf(e.token);
      if (lexed.error && index >= tokens.length) throw lexError();
      throw syntaxError(tokens, index, lexed.endPos, { rules: [], occurrences: [] });
    }
    throw e;
  }
  const first: IRecognitionException | undefined = grammar.errors[0];
  if (first) {
    const index = indexOf(first.token);
    if (lexed.error && index >= tokens.length) throw lexError();
    // Trailing input after a complete query: yacc has reduced to the root, where it expects nothing.
    if (first.name === 'NotAllInputParsedException') throw syntaxError(tokens, index, lexed.endPos, undefined);
    throw syntaxError(tokens, index < 0 ? tokens.length : index, lexed.endPos, {
      rules: first.context?.ruleStack ?? [],
      occurrences: first.context?.ruleOccurrenceStack ?? [],
    });
  }
  if (lexed.error) throw lexError();
  return expr;
}

/** Guards an entry point: whatever goes wrong surfaces as a ParseError. */
export function asParseError<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof ParseError) throw e;
    if (e instanceof RangeError) throw new ParseError('parse error : expression nests too deeply');
    throw new ParseError(`parse error : ${(e as Error).message}`);
  }
}

export function parseValidated(input: string): Expr {
  const expr = parseUnvalidated(input);
  const err = validationError(expr);
  if (err !== undefined) throw new ParseError(`parse error : ${err}`);
  return expr;
}
