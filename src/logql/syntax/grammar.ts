// The LogQL grammar as a chevrotain parser building the typed AST (Loki's syntax.y, restated LL).
// Semantic errors Loki defers to validation are recorded in `deferredErrors`; it never formats messages.
import { EmbeddedActionsParser, type IToken, type TokenType } from 'chevrotain';
import type {
  BinaryOp,
  CmpOp,
  Expr,
  Extraction,
  Grouping,
  LabelFilter,
  LabelFmt,
  LineFilter,
  LineFilterOp,
  LineMatch,
  LogRange,
  LogSelectorExpr,
  Matcher,
  MatchOp,
  NamedLabel,
  RangeOp,
  SampleExpr,
  Stage,
  Unwrap,
  UnwrapConversion,
  VectorMatching,
  VectorOp,
} from '../ast.js';
import { ALL_TOKENS, T } from './tokens.js';
import type { LexedToken } from './lexer.js';
import { buildBinary, type BinaryTail, makeLiteral, makeRangeAggregation, makeVectorAggregation, makeLabelReplace, makeVector } from './construct.js';
import { goRegexError } from './goregex.js';

/** A Loki "panic": an error raised while building a node, reported at once (parse error, no position). */
export class ImmediateError extends Error {}

/** A syntax error Loki's grammar reports at `token` that this LL grammar only detects semantically. */
export class UnexpectedTokenError extends Error {
  constructor(readonly token: IToken) {
    super('unexpected token');
  }
}

const RANGE_OPS: ReadonlyArray<[TokenType, RangeOp]> = [
  [T.COUNT_OVER_TIME, 'count_over_time'], [T.RATE, 'rate'], [T.RATE_COUNTER, 'rate_counter'],
  [T.BYTES_OVER_TIME, 'bytes_over_time'], [T.BYTES_RATE, 'bytes_rate'], [T.AVG_OVER_TIME, 'avg_over_time'],
  [T.SUM_OVER_TIME, 'sum_over_time'], [T.MIN_OVER_TIME, 'min_over_time'], [T.MAX_OVER_TIME, 'max_over_time'],
  [T.STDVAR_OVER_TIME, 'stdvar_over_time'], [T.STDDEV_OVER_TIME, 'stddev_over_time'],
  [T.QUANTILE_OVER_TIME, 'quantile_over_time'], [T.FIRST_OVER_TIME, 'first_over_time'],
  [T.LAST_OVER_TIME, 'last_over_time'], [T.ABSENT_OVER_TIME, 'absent_over_time'],
];
const VECTOR_OPS: ReadonlyArray<[TokenType, VectorOp]> = [
  [T.SUM, 'sum'], [T.AVG, 'avg'], [T.COUNT, 'count'], [T.MAX, 'max'], [T.MIN, 'min'], [T.STDDEV, 'stddev'],
  [T.STDVAR, 'stdvar'], [T.BOTTOMK, 'bottomk'], [T.TOPK, 'topk'], [T.SORT, 'sort'], [T.SORT_DESC, 'sort_desc'],
  [T.APPROX_TOPK, 'approx_topk'],
];
const BINARY_OPS: ReadonlyArray<[TokenType, BinaryOp]> = [
  [T.OR, 'or'], [T.AND, 'and'], [T.UNLESS, 'unless'], [T.ADD, '+'], [T.SUB, '-'], [T.MUL, '*'], [T.DIV, '/'],
  [T.MOD, '%'], [T.POW, '^'], [T.CMP_EQ, '=='], [T.NEQ, '!='], [T.GT, '>'], [T.GTE, '>='], [T.LT, '<'], [T.LTE, '<='],
];
const LINE_FILTER_OPS: ReadonlyArray<[TokenType, LineFilterOp]> = [
  [T.PIPE_EXACT, '|='], [T.NEQ, '!='], [T.PIPE_MATCH, '|~'], [T.NRE, '!~'], [T.PIPE_PATTERN, '|>'], [T.NPA, '!>'],
];
const MATCH_OPS: ReadonlyArray<[TokenType, MatchOp]> = [[T.EQ, '='], [T.NEQ, '!='], [T.RE, '=~'], [T.NRE, '!~']];
const ORDER_CMP_OPS: ReadonlyArray<[TokenType, CmpOp]> = [[T.GT, '>'], [T.GTE, '>='], [T.LT, '<'], [T.LTE, '<=']];
const CONVERSIONS: ReadonlyArray<[TokenType, UnwrapConversion]> = [
  [T.BYTES_CONV, 'bytes'], [T.DURATION_CONV, 'duration'], [T.DURATION_SECONDS_CONV, 'duration_seconds'],
];

type PipelinePart = { kind: 'filter'; filter: LineFilter[] } | { kind: 'stage'; stage: Stage };
interface RangePipeline {
  parts: PipelinePart[];
  unwrap?: Unwrap;
}
interface BinaryOperator {
  op: BinaryOp;
  returnBool: boolean;
  matching?: VectorMatching;
}
type FilterJoin = 'and' | 'or' | ',' | ' ';

/** A token's lexed value (absent while chevrotain records the grammar). */
const valueOf = (t: IToken): unknown => (t as Partial<LexedToken>).payload?.value.value;
const str = (t: IToken): string => valueOf(t) as string;
const dur = (t: IToken): bigint => valueOf(t) as bigint;
const num = (t: IToken): number => valueOf(t) as number;

/** Groups consecutive line filters into one stage, as Loki's nested line filter expressions do. */
function toStages(parts: readonly PipelinePart[]): Stage[] {
  const stages: Stage[] = [];
  for (const p of parts) {
    if (p.kind === 'stage') stages.push(p.stage);
    else {
      const last = stages[stages.length - 1];
      if (last?.kind === 'lineFilters') last.filters.push(...p.filter);
      else stages.push({ kind: 'lineFilters', filters: [...p.filter] });
    }
  }
  return stages;
}

/** Combines label filters the way yacc resolves `labelFilter (and|,|or|ε) labelFilter` conflicts. */
function combineLabelFilters(first: LabelFilter, rest: ReadonlyArray<[FilterJoin, LabelFilter]>): LabelFilter {
  const values: LabelFilter[] = [first];
  const ops: FilterJoin[] = [];
  const reduce = (): void => {
    const right = values.pop()!;
    const left = values.pop()!;
    const op = ops.pop()!;
    values.push({ kind: op === 'or' ? 'or' : 'and', left, right });
  };
  const reducesBefore = (top: FilterJoin, next: FilterJoin): boolean =>
    (top === 'or' && next === 'or') || (top === 'and' && (next === 'or' || next === 'and'));
  for (const [op, f] of rest) {
    while (ops.length > 0 && reducesBefore(ops[ops.length - 1], op)) reduce();
    ops.push(op);
    values.push(f);
  }
  while (ops.length > 0) reduce();
  return values[0];
}

function checkMatcherRegex(m: Matcher): void {
  if (m.op !== '=~' && m.op !== '!~') return;
  const err = goRegexError(m.value);
  if (err !== undefined) throw new ImmediateError(err);
}

export class LogQLGrammar extends EmbeddedActionsParser {
  constructor() {
    super(ALL_TOKENS, { maxLookahead: 3, recoveryEnabled: false });
    this.performSelfAnalysis();
  }

  public root = this.RULE('root', (): Expr => this.SUBRULE(this.expression));

  private expression = this.RULE('expression', (): Expr => {
    const first = this.SUBRULE(this.operand);
    const rest: BinaryTail[] = [];
    this.MANY(() => {
      const op = this.SUBRULE(this.binaryOperator);
      const rhs = this.SUBRULE2(this.operand);
      rest.push({ ...op, rhs });
    });
    return this.ACTION(() => buildBinary(first, rest));
  });

  private binaryOperator = this.RULE('binaryOperator', (): BinaryOperator => {
    const op = this.OR(BINARY_OPS.map(([tok, name]) => ({ ALT: () => (this.CONSUME(tok), name) })));
    let returnBool = false;
    let matching: VectorMatching | undefined;
    this.OPTION(() => {
      this.CONSUME(T.BOOL);
      returnBool = true;
    });
    this.OPTION2(() => {
      const on = this.OR2([
        { ALT: () => (this.CONSUME(T.ON), true) },
        { ALT: () => (this.CONSUME(T.IGNORING), false) },
      ]);
      const labels = this.SUBRULE(this.labelList);
      let card: VectorMatching['card'] = 'one-to-one';
      let include: string[] = [];
      this.OPTION3(() => {
        card = this.OR3([
          { ALT: () => (this.CONSUME(T.GROUP_LEFT), 'many-to-one' as const) },
          { ALT: () => (this.CONSUME(T.GROUP_RIGHT), 'one-to-many' as const) },
        ]);
        this.OPTION4({ MAX_LOOKAHEAD: 1, DEF: () => (include = this.SUBRULE2(this.labelList)) });
      });
      matching = { on, labels, card, include };
    });
    return { op, returnBool, matching };
  });

  /** `( a, b )` or `()`: a parenthesised, possibly empty, list of label names. */
  private labelList = this.RULE('labelList', (): string[] => {
    const labels: string[] = [];
    this.CONSUME(T.OPEN_PARENTHESIS);
    this.OPTION(() => {
      labels.push(this.CONSUME(T.IDENTIFIER).image);
      this.MANY(() => {
        this.CONSUME(T.COMMA);
        labels.push(this.CONSUME2(T.IDENTIFIER).image);
      });
    });
    this.CONSUME(T.CLOSE_PARENTHESIS);
    return labels;
  });

  private grouping = this.RULE('grouping', (): Grouping => {
    const without = this.OR([
      { ALT: () => (this.CONSUME(T.BY), false) },
      { ALT: () => (this.CONSUME(T.WITHOUT), true) },
    ]);
    const labels = this.SUBRULE(this.labelList);
    return { without, labels };
  });

  private operand = this.RULE('operand', (): Expr =>
    this.OR([
      { ALT: () => this.SUBRULE(this.logExpr) },
      {
        ALT: () => {
          this.CONSUME(T.OPEN_PARENTHESIS);
          const e = this.SUBRULE(this.expression);
          this.CONSUME(T.CLOSE_PARENTHESIS);
          return e;
        },
      },
      { ALT: () => this.SUBRULE(this.rangeAggregation) },
      { ALT: () => this.SUBRULE(this.vectorAggregation) },
      { ALT: () => this.SUBRULE(this.literal) },
      { ALT: () => this.SUBRULE(this.labelReplace) },
      { ALT: () => this.SUBRULE(this.vectorExpr) },
    ]),
  );

  /** An expression that must be a metric expression (a bare log query is a syntax error after it). */
  private metricExpression = this.RULE('metricExpression', (): SampleExpr => {
    const e = this.SUBRULE(this.expression);
    return this.ACTION(() => {
      if (e.kind === 'logSelector') throw new UnexpectedTokenError(this.LA(1));
      return e;
    });
  });

  private literal = this.RULE('literal', (): SampleExpr => {
    const negative = this.OPTION(() =>
      this.OR([{ ALT: () => (this.CONSUME(T.ADD), false) }, { ALT: () => (this.CONSUME(T.SUB), true) }]),
    );
    const n = this.CONSUME(T.NUMBER);
    return this.ACTION(() => makeLiteral(n.image, negative === true));
  });

  private vectorExpr = this.RULE('vectorExpr', (): SampleExpr => {
    this.CONSUME(T.VECTOR);
    this.CONSUME(T.OPEN_PARENTHESIS);
    const n = this.CONSUME(T.NUMBER);
    this.CONSUME(T.CLOSE_PARENTHESIS);
    return this.ACTION(() => makeVector(n.image));
  });

  private labelReplace = this.RULE('labelReplace', (): SampleExpr => {
    this.CONSUME(T.LABEL_REPLACE);
    this.CONSUME(T.OPEN_PARENTHESIS);
    const e = this.SUBRULE(this.metricExpression);
    this.CONSUME(T.COMMA);
    const dst = this.CONSUME(T.STRING);
    this.CONSUME2(T.COMMA);
    const repl = this.CONSUME2(T.STRING);
    this.CONSUME3(T.COMMA);
    const src = this.CONSUME3(T.STRING);
    this.CONSUME4(T.COMMA);
    const re = this.CONSUME4(T.STRING);
    this.CONSUME(T.CLOSE_PARENTHESIS);
    return this.ACTION(() => makeLabelReplace(e, str(dst), str(repl), str(src), str(re)));
  });

  private vectorAggregation = this.RULE('vectorAggregation', (): SampleExpr => {
    const op = this.OR(VECTOR_OPS.map(([tok, name]) => ({ ALT: () => (this.CONSUME(tok), name) })));
    let grouping: Grouping | undefined;
    const args = this.OR2([
      {
        ALT: () => {
          grouping = this.SUBRULE(this.grouping);
          return this.SUBRULE(this.vectorArgs);
        },
      },
      {
        ALT: () => {
          const a = this.SUBRULE2(this.vectorArgs);
          this.OPTION(() => (grouping = this.SUBRULE2(this.grouping)));
          return a;
        },
      },
    ]);
    return this.ACTION(() => makeVectorAggregation(op, args.param, args.expr, grouping));
  });

  private vectorArgs = this.RULE('vectorArgs', (): { param?: string; expr: SampleExpr } => {
    this.CONSUME(T.OPEN_PARENTHESIS);
    let param: string | undefined;
    this.OPTION(() => {
      param = this.CONSUME(T.NUMBER).image;
      this.CONSUME(T.COMMA);
    });
    const expr = this.SUBRULE(this.metricExpression);
    this.CONSUME(T.CLOSE_PARENTHESIS);
    return { param, expr };
  });

  private rangeAggregation = this.RULE('rangeAggregation', (): SampleExpr => {
    const op = this.OR(RANGE_OPS.map(([tok, name]) => ({ ALT: () => (this.CONSUME(tok), name) })));
    this.CONSUME(T.OPEN_PARENTHESIS);
    let param: string | undefined;
    this.OPTION(() => {
      param = this.CONSUME(T.NUMBER).image;
      this.CONSUME(T.COMMA);
    });
    const range = this.SUBRULE(this.logRange);
    this.CONSUME(T.CLOSE_PARENTHESIS);
    const grouping = this.OPTION2(() => this.SUBRULE(this.grouping));
    return this.ACTION(() => makeRangeAggregation(op, param, range, grouping));
  });

  private logRange = this.RULE('logRange', (): LogRange =>
    this.OR([
      { ALT: () => this.SUBRULE(this.selectorRange) },
      {
        ALT: () => {
          this.CONSUME(T.OPEN_PARENTHESIS);
          return this.SUBRULE(this.parenthesisedRange);
        },
      },
    ]),
  );

  /** After `(` in a log range: `( selector … ) [r]`, `( logRange )`. */
  private parenthesisedRange = this.RULE('parenthesisedRange', (): LogRange =>
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.OPEN_PARENTHESIS);
          const inner = this.SUBRULE(this.parenthesisedRange);
          this.CONSUME(T.CLOSE_PARENTHESIS);
          return inner;
        },
      },
      {
        ALT: () => {
          const matchers = this.SUBRULE(this.selector);
          return this.SUBRULE(this.parenthesisedSelectorRest, { ARGS: [matchers] });
        },
      },
    ]),
  );

  private parenthesisedSelectorRest = this.RULE('parenthesisedSelectorRest', (matchers: Matcher[]): LogRange =>
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.CLOSE_PARENTHESIS);
          const r = this.CONSUME(T.RANGE);
          const offset = this.OPTION(() => this.SUBRULE(this.offset));
          const unwrap = this.OPTION2({ MAX_LOOKAHEAD: 1, DEF: () => this.SUBRULE(this.unwrapExpr) });
          return this.ACTION(() => this.logRangeOf(matchers, { parts: [], unwrap }, dur(r), offset));
        },
      },
      {
        ALT: () => {
          const r = this.CONSUME2(T.RANGE);
          const offset = this.OPTION3(() => this.SUBRULE2(this.offset));
          const pipeline = this.OPTION4(() => this.SUBRULE(this.rangePipeline));
          this.CONSUME2(T.CLOSE_PARENTHESIS);
          return this.ACTION(() => this.logRangeOf(matchers, pipeline, dur(r), offset));
        },
      },
      {
        ALT: () => {
          const pipeline = this.SUBRULE2(this.rangePipeline);
          return this.OR2([
            {
              ALT: () => {
                this.CONSUME3(T.CLOSE_PARENTHESIS);
                const r = this.CONSUME3(T.RANGE);
                const offset = this.OPTION5(() => this.SUBRULE3(this.offset));
                return this.ACTION(() => this.logRangeOf(matchers, pipeline, dur(r), offset));
              },
            },
            {
              ALT: () => {
                const r = this.CONSUME4(T.RANGE);
                const offset = this.OPTION6(() => this.SUBRULE4(this.offset));
                this.CONSUME4(T.CLOSE_PARENTHESIS);
                return this.ACTION(() => this.logRangeOf(matchers, pipeline, dur(r), offset));
              },
            },
          ]);
        },
      },
    ]),
  );

  private selectorRange = this.RULE('selectorRange', (): LogRange => {
    const matchers = this.SUBRULE(this.selector);
    return this.OR([
      {
        ALT: () => {
          const r = this.CONSUME(T.RANGE);
          const offset = this.OPTION(() => this.SUBRULE(this.offset));
          const pipeline = this.OPTION2(() => this.SUBRULE(this.rangePipeline));
          return this.ACTION(() => this.logRangeOf(matchers, pipeline, dur(r), offset));
        },
      },
      {
        ALT: () => {
          const pipeline = this.SUBRULE2(this.rangePipeline);
          const r = this.CONSUME2(T.RANGE);
          const offset = this.OPTION3(() => this.SUBRULE2(this.offset));
          return this.ACTION(() => this.logRangeOf(matchers, pipeline, dur(r), offset));
        },
      },
    ]);
  });

  private logRangeOf(matchers: Matcher[], pipeline: RangePipeline | undefined, range: bigint, offset?: bigint): LogRange {
    const selector: LogSelectorExpr = { kind: 'logSelector', matchers, stages: toStages(pipeline?.parts ?? []) };
    const out: LogRange = { selector, range, offset: offset ?? 0n };
    if (pipeline?.unwrap) out.unwrap = pipeline.unwrap;
    return out;
  }

  /** Pipeline stages inside a range aggregation, optionally ending with `| unwrap …`. */
  private rangePipeline = this.RULE('rangePipeline', (): RangePipeline => {
    const parts: PipelinePart[] = [];
    let unwrap: Unwrap | undefined;
    this.AT_LEAST_ONE({
      GATE: () => unwrap === undefined,
      DEF: () =>
        this.OR([
          { ALT: () => parts.push({ kind: 'filter', filter: this.SUBRULE(this.lineFilter) }) },
          {
            ALT: () => {
              this.CONSUME(T.PIPE);
              this.OR2([
                { ALT: () => (unwrap = this.SUBRULE(this.unwrapBody)) },
                { ALT: () => parts.push({ kind: 'stage', stage: this.SUBRULE(this.pipeStage) }) },
              ]);
            },
          },
        ]),
    });
    return { parts, unwrap };
  });

  private unwrapExpr = this.RULE('unwrapExpr', (): Unwrap => {
    this.CONSUME(T.PIPE);
    return this.SUBRULE(this.unwrapBody);
  });

  private unwrapBody = this.RULE('unwrapBody', (): Unwrap => {
    this.CONSUME(T.UNWRAP);
    const { label, conversion } = this.OR([
      { ALT: () => ({ label: this.CONSUME(T.IDENTIFIER).image, conversion: '' as UnwrapConversion }) },
      {
        ALT: () => {
          const conversion = this.OR2(CONVERSIONS.map(([tok, name]) => ({ ALT: () => (this.CONSUME(tok), name) })));
          this.CONSUME(T.OPEN_PARENTHESIS);
          const label = this.CONSUME2(T.IDENTIFIER).image;
          this.CONSUME(T.CLOSE_PARENTHESIS);
          return { label, conversion };
        },
      },
    ]);
    const postFilters: LabelFilter[] = [];
    this.MANY({
      MAX_LOOKAHEAD: 1,
      DEF: () => {
        this.CONSUME(T.PIPE);
        postFilters.push(this.SUBRULE(this.labelFilter));
      },
    });
    return { label, conversion, postFilters };
  });

  private offset = this.RULE('offset', (): bigint => {
    this.CONSUME(T.OFFSET);
    return dur(this.CONSUME(T.DURATION));
  });

  private selector = this.RULE('selector', (): Matcher[] => {
    const matchers: Matcher[] = [];
    this.CONSUME(T.OPEN_BRACE);
    this.OPTION(() => {
      matchers.push(this.SUBRULE(this.matcher));
      this.MANY(() => {
        this.CONSUME(T.COMMA);
        matchers.push(this.SUBRULE2(this.matcher));
      });
    });
    this.CONSUME(T.CLOSE_BRACE);
    return matchers;
  });

  private matcher = this.RULE('matcher', (): Matcher => {
    const name = this.CONSUME(T.IDENTIFIER).image;
    const op = this.OR(MATCH_OPS.map(([tok, o]) => ({ ALT: () => (this.CONSUME(tok), o) })));
    const value = this.CONSUME(T.STRING);
    return this.ACTION(() => {
      const m: Matcher = { name, op, value: str(value) };
      checkMatcherRegex(m);
      return m;
    });
  });

  private logExpr = this.RULE('logExpr', (): LogSelectorExpr => {
    const matchers = this.SUBRULE(this.selector);
    const parts: PipelinePart[] = [];
    this.MANY({
      MAX_LOOKAHEAD: 1,
      DEF: () => {
        this.OR([
          { ALT: () => parts.push({ kind: 'filter', filter: this.SUBRULE(this.lineFilter) }) },
          {
            ALT: () => {
              this.CONSUME(T.PIPE);
              parts.push({ kind: 'stage', stage: this.SUBRULE(this.pipeStage) });
            },
          },
        ]);
      },
    });
    return this.ACTION(() => ({ kind: 'logSelector' as const, matchers, stages: toStages(parts) }));
  });

  /** One line filter with its `or` alternatives; negative ops become chained filters. */
  private lineFilter = this.RULE('lineFilter', (): LineFilter[] => {
    const op = this.OR(LINE_FILTER_OPS.map(([tok, o]) => ({ ALT: () => (this.CONSUME(tok), o) })));
    const first = this.SUBRULE(this.lineMatch);
    const alternatives: LineMatch[] = [];
    this.MANY(() => {
      this.CONSUME(T.OR);
      alternatives.push(this.SUBRULE2(this.lineMatch));
    });
    return this.ACTION(() => {
      if (op === '|=' || op === '|~' || op === '|>') return [{ op, match: first, or: alternatives }];
      return [first, ...alternatives].map((match) => ({ op, match, or: [] }));
    });
  });

  private lineMatch = this.RULE('lineMatch', (): LineMatch =>
    this.OR([
      { ALT: () => ({ value: str(this.CONSUME(T.STRING)), ip: false }) },
      {
        ALT: () => {
          this.CONSUME(T.IP);
          this.CONSUME(T.OPEN_PARENTHESIS);
          const value = str(this.CONSUME2(T.STRING));
          this.CONSUME(T.CLOSE_PARENTHESIS);
          return { value, ip: true };
        },
      },
    ]),
  );

  /** What may follow a `|` in a pipeline. */
  private pipeStage = this.RULE('pipeStage', (): Stage =>
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.JSON);
          const extractions = this.OPTION(() => this.SUBRULE(this.extractions)) ?? [];
          return { kind: 'json' as const, extractions };
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LOGFMT);
          let strict = false;
          let keepEmpty = false;
          this.MANY(() => {
            const flag = this.CONSUME(T.PARSER_FLAG).image;
            if (flag === '--strict') strict = true;
            else keepEmpty = true;
          });
          const extractions = this.OPTION2(() => this.SUBRULE2(this.extractions)) ?? [];
          return { kind: 'logfmt' as const, strict, keepEmpty, extractions };
        },
      },
      { ALT: () => (this.CONSUME(T.REGEXP), { kind: 'regexp' as const, pattern: str(this.CONSUME(T.STRING)) }) },
      { ALT: () => (this.CONSUME(T.PATTERN), { kind: 'pattern' as const, pattern: str(this.CONSUME2(T.STRING)) }) },
      { ALT: () => (this.CONSUME(T.UNPACK), { kind: 'unpack' as const }) },
      { ALT: () => ({ kind: 'labelFilter' as const, filter: this.SUBRULE(this.labelFilter) }) },
      { ALT: () => (this.CONSUME(T.LINE_FMT), { kind: 'lineFormat' as const, template: str(this.CONSUME3(T.STRING)) }) },
      { ALT: () => (this.CONSUME(T.DECOLORIZE), { kind: 'decolorize' as const }) },
      {
        ALT: () => {
          this.CONSUME(T.LABEL_FMT);
          const formats: LabelFmt[] = [this.SUBRULE(this.labelFormat)];
          this.MANY2(() => {
            this.CONSUME(T.COMMA);
            formats.push(this.SUBRULE2(this.labelFormat));
          });
          return { kind: 'labelFormat' as const, formats };
        },
      },
      { ALT: () => (this.CONSUME(T.DROP), { kind: 'drop' as const, labels: this.SUBRULE(this.namedLabels) }) },
      { ALT: () => (this.CONSUME(T.KEEP), { kind: 'keep' as const, labels: this.SUBRULE2(this.namedLabels) }) },
    ]),
  );

  private extractions = this.RULE('extractions', (): Extraction[] => {
    const out: Extraction[] = [this.SUBRULE(this.extraction)];
    this.MANY(() => {
      this.CONSUME(T.COMMA);
      out.push(this.SUBRULE2(this.extraction));
    });
    return out;
  });

  private extraction = this.RULE('extraction', (): Extraction => {
    const label = this.CONSUME(T.IDENTIFIER).image;
    let expression = label;
    this.OPTION(() => {
      this.CONSUME(T.EQ);
      expression = str(this.CONSUME(T.STRING));
    });
    return { label, expression };
  });

  private labelFormat = this.RULE('labelFormat', (): LabelFmt => {
    const dst = this.CONSUME(T.IDENTIFIER).image;
    this.CONSUME(T.EQ);
    return this.OR([
      { ALT: () => ({ dst, rename: this.CONSUME2(T.IDENTIFIER).image }) },
      { ALT: () => ({ dst, template: str(this.CONSUME(T.STRING)) }) },
    ]);
  });

  private namedLabels = this.RULE('namedLabels', (): NamedLabel[] => {
    const out: NamedLabel[] = [this.SUBRULE(this.namedLabel)];
    this.MANY(() => {
      this.CONSUME(T.COMMA);
      out.push(this.SUBRULE2(this.namedLabel));
    });
    return out;
  });

  private namedLabel = this.RULE('namedLabel', (): NamedLabel => {
    const name = this.CONSUME(T.IDENTIFIER).image;
    const matcher = this.OPTION(() => {
      const op = this.OR(MATCH_OPS.map(([tok, o]) => ({ ALT: () => (this.CONSUME(tok), o) })));
      const value = str(this.CONSUME(T.STRING));
      return this.ACTION(() => {
        const m: Matcher = { name, op, value };
        checkMatcherRegex(m);
        return m;
      });
    });
    return matcher ? { name, matcher } : { name };
  });

  private labelFilter = this.RULE('labelFilter', (): LabelFilter => {
    const first = this.SUBRULE(this.labelFilterAtom);
    const rest: Array<[FilterJoin, LabelFilter]> = [];
    this.MANY({
      MAX_LOOKAHEAD: 1,
      DEF: () => {
        const join =
          this.OPTION(() =>
            this.OR([
              { ALT: () => (this.CONSUME(T.AND), 'and' as const) },
              { ALT: () => (this.CONSUME(T.COMMA), ',' as const) },
              { ALT: () => (this.CONSUME(T.OR), 'or' as const) },
            ]),
          ) ?? ' ';
        rest.push([join, this.SUBRULE2(this.labelFilterAtom)]);
      },
    });
    return this.ACTION(() => combineLabelFilters(first, rest));
  });

  private labelFilterAtom = this.RULE('labelFilterAtom', (): LabelFilter =>
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.OPEN_PARENTHESIS);
          const f = this.SUBRULE(this.labelFilter);
          this.CONSUME(T.CLOSE_PARENTHESIS);
          return f;
        },
      },
      {
        ALT: () => {
          const name = this.CONSUME(T.IDENTIFIER).image;
          return this.OR2([
            { ALT: () => this.SUBRULE(this.regexFilterRest, { ARGS: [name] }) },
            { ALT: () => this.SUBRULE(this.equalityFilterRest, { ARGS: [name] }) },
            { ALT: () => this.SUBRULE(this.orderFilterRest, { ARGS: [name] }) },
          ]);
        },
      },
    ]),
  );

  private regexFilterRest = this.RULE('regexFilterRest', (name: string): LabelFilter => {
    const op = this.OR([{ ALT: () => (this.CONSUME(T.RE), '=~' as const) }, { ALT: () => (this.CONSUME(T.NRE), '!~' as const) }]);
    const value = str(this.CONSUME(T.STRING));
    return this.ACTION(() => {
      const matcher: Matcher = { name, op, value };
      checkMatcherRegex(matcher);
      return { kind: 'matcher' as const, matcher };
    });
  });

  private equalityFilterRest = this.RULE('equalityFilterRest', (name: string): LabelFilter => {
    const op = this.OR([{ ALT: () => (this.CONSUME(T.EQ), '=' as const) }, { ALT: () => (this.CONSUME(T.NEQ), '!=' as const) }]);
    return this.OR2([
      { ALT: () => ({ kind: 'matcher' as const, matcher: { name, op, value: str(this.CONSUME(T.STRING)) } }) },
      {
        ALT: () => {
          this.CONSUME(T.IP);
          this.CONSUME(T.OPEN_PARENTHESIS);
          const pattern = str(this.CONSUME2(T.STRING));
          this.CONSUME(T.CLOSE_PARENTHESIS);
          return { kind: 'ip' as const, name, op, pattern };
        },
      },
      { ALT: () => this.SUBRULE(this.unitValue, { ARGS: [name, op] }) },
    ]);
  });

  private orderFilterRest = this.RULE('orderFilterRest', (name: string): LabelFilter => {
    const op = this.OR([
      { ALT: () => (this.CONSUME(T.CMP_EQ), '==' as CmpOp) },
      ...ORDER_CMP_OPS.map(([tok, o]) => ({ ALT: () => (this.CONSUME(tok), o) })),
    ]);
    return this.SUBRULE(this.unitValue, { ARGS: [name, op] });
  });

  /** The right side of a numeric, duration or bytes label filter. */
  private unitValue = this.RULE('unitValue', (name: string, op: CmpOp): LabelFilter =>
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(T.DURATION);
          return { kind: 'duration' as const, name, op, value: dur(t), text: t.image };
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.BYTES);
          return { kind: 'bytes' as const, name, op, value: num(t), text: t.image };
        },
      },
      {
        ALT: () => {
          const sign = this.OPTION(() =>
            this.OR2([{ ALT: () => this.CONSUME(T.ADD).image }, { ALT: () => this.CONSUME(T.SUB).image }]),
          );
          const n = this.CONSUME(T.NUMBER);
          return this.ACTION(() => {
            const lit = makeLiteral(n.image, sign === '-');
            const value = lit.kind === 'literal' ? lit.value : 0;
            return { kind: 'number' as const, name, op, value, text: (sign === '-' ? '-' : '') + n.image };
          });
        },
      },
    ]),
  );
}

export type { BinaryOperator };
