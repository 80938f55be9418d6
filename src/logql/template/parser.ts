// Parser for Go text/template: builds the parse trees (the main template plus {{define}}/{{block}}
// templates) with Go's grammar, variable scoping and parse error texts. Never executes anything.

import { TemplateParseError } from './errors.js';
import { Item, Lexer, Token } from './lexer.js';
import {
  ActionNode,
  ArgNode,
  BoolNode,
  BranchNode,
  BreakNode,
  ChainNode,
  CommandNode,
  ContinueNode,
  DotNode,
  ElseNode,
  EndNode,
  FieldNode,
  IdentifierNode,
  K,
  ListNode,
  NilNode,
  Node,
  NumberNode,
  PipeNode,
  StringNode,
  TemplateNode,
  TextNode,
  VariableNode,
  isEmptyTree,
} from './nodes.js';
import type { FuncBinding } from './signatures.js';
import { goQuote, goUnquote, parseFloat64, parseInt64, parseUint, unquoteChar } from './strconv.js';

const MAX_STACK_DEPTH = 10000;
const MAX_PIPELINE_CMDS = 100000;

/** Go's item.String(): how a token is named in "unexpected ..." messages. */
function itemString(t: Token): string {
  if (t.typ === Item.EOF) return 'EOF';
  if (t.typ === Item.Error) return t.val;
  if (t.typ > Item.Keyword) return `<${t.val}>`;
  const runes = [...t.val];
  if (runes.length > 10) return goQuote(runes.slice(0, 10).join('')) + '...';
  return goQuote(t.val);
}

/** The parsed templates of one source: name → root list. */
export type TreeSet = Map<string, ListNode>;

class Tree {
  root: ListNode | undefined;
  private readonly token: Token[] = [];
  private peekCount = 0;
  private vars: string[] = ['$'];
  private actionLine = 0;
  private rangeDepth = 0;
  private stackDepth = 0;

  constructor(
    public name: string,
    private readonly parseName: string,
    private readonly lex: Lexer,
    private readonly treeSet: TreeSet,
    private readonly lookupFunction: (name: string) => FuncBinding | undefined,
  ) {}

  // --- token buffer -----------------------------------------------------------------------

  private next(): Token {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lex.nextItem();
    return this.token[this.peekCount];
  }

  private backup(): void {
    this.peekCount++;
  }

  private backup2(t1: Token): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }

  private backup3(t2: Token, t1: Token): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }

  private peek(): Token {
    if (this.peekCount > 0) return this.token[this.peekCount - 1];
    this.peekCount = 1;
    this.token[0] = this.lex.nextItem();
    return this.token[0];
  }

  private nextNonSpace(): Token {
    let t: Token;
    do t = this.next();
    while (t.typ === Item.Space);
    return t;
  }

  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  // --- errors -----------------------------------------------------------------------------

  errorf(msg: string): never {
    this.root = undefined;
    const line = this.token[0]?.line ?? 1;
    throw new TemplateParseError(`template: ${this.parseName}:${line}: ${msg}`);
  }

  private expect(expected: Item, context: string): Token {
    const t = this.nextNonSpace();
    if (t.typ !== expected) this.unexpected(t, context);
    return t;
  }

  private expectOneOf(e1: Item, e2: Item, context: string): Token {
    const t = this.nextNonSpace();
    if (t.typ !== e1 && t.typ !== e2) this.unexpected(t, context);
    return t;
  }

  private unexpected(t: Token, context: string): never {
    if (t.typ === Item.Error) {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`;
        if (t.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${itemString(t)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(t)} in ${context}`);
  }

  // --- grammar ----------------------------------------------------------------------------

  /** The top level: text and actions up to EOF, plus {{define}} clauses. */
  parse(): void {
    this.root = new ListNode(this.peek().pos);
    while (this.peek().typ !== Item.EOF) {
      if (this.peek().typ === Item.LeftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().typ === Item.Define) {
          const def = new Tree('definition', this.parseName, this.lex, this.treeSet, this.lookupFunction);
          def.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.kind === K.End || n.kind === K.Else) this.errorf(`unexpected ${n}`);
      this.root.nodes.push(n);
    }
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const name = this.expectOneOf(Item.String, Item.RawString, context);
    const unq = goUnquote(name.val);
    if (unq === undefined) this.errorf('invalid syntax');
    this.name = unq;
    this.expect(Item.RightDelim, context);
    const [list, end] = this.itemList();
    this.root = list;
    if (end.kind !== K.End) this.errorf(`unexpected ${end} in ${context}`);
    this.add();
  }

  /** Adds this tree to the set, with Go's rules for empty and duplicate definitions. */
  add(): void {
    const existing = this.treeSet.get(this.name);
    if (existing === undefined || isEmptyTree(existing)) {
      this.treeSet.set(this.name, this.root!);
      return;
    }
    if (!isEmptyTree(this.root)) this.errorf(`template: multiple definition of template ${goQuote(this.name)}`);
  }

  private itemList(): [ListNode, Node] {
    const list = new ListNode(this.peekNonSpace().pos);
    while (this.peekNonSpace().typ !== Item.EOF) {
      const n = this.textOrAction();
      if (n.kind === K.End || n.kind === K.Else) return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case Item.Text:
        return new TextNode(t.pos, t.val);
      case Item.LeftDelim: {
        this.actionLine = t.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
    }
    this.unexpected(t, 'input');
  }

  private action(): Node {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case Item.Block:
        return this.blockControl();
      case Item.Break:
        return this.breakControl(t.pos, t.line);
      case Item.Continue:
        return this.continueControl(t.pos, t.line);
      case Item.Else:
        return this.elseControl();
      case Item.End:
        return new EndNode(this.expect(Item.RightDelim, 'end').pos);
      case Item.If:
        return this.branch(K.If);
      case Item.Range:
        return this.branch(K.Range);
      case Item.Template:
        return this.templateControl();
      case Item.With:
        return this.branch(K.With);
    }
    this.backup();
    const tok = this.peek();
    return new ActionNode(tok.pos, tok.line, this.pipeline('command', Item.RightDelim));
  }

  private breakControl(pos: number, line: number): Node {
    const t = this.nextNonSpace();
    if (t.typ !== Item.RightDelim) this.unexpected(t, '{{break}}');
    if (this.rangeDepth === 0) this.errorf('{{break}} outside {{range}}');
    return new BreakNode(pos, line);
  }

  private continueControl(pos: number, line: number): Node {
    const t = this.nextNonSpace();
    if (t.typ !== Item.RightDelim) this.unexpected(t, '{{continue}}');
    if (this.rangeDepth === 0) this.errorf('{{continue}} outside {{range}}');
    return new ContinueNode(pos, line);
  }

  private pipeline(context: string, end: Item): PipeNode {
    const tok = this.peekNonSpace();
    const pipe = new PipeNode(tok.pos, tok.line);
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== Item.Variable) break;
      this.next();
      const tokenAfterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.typ === Item.Assign || next.typ === Item.Declare) {
        pipe.isAssign = next.typ === Item.Assign;
        this.nextNonSpace();
        pipe.decl.push(new VariableNode(v.pos, v.val));
        this.vars.push(v.val);
      } else if (next.typ === Item.Char && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(new VariableNode(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().typ;
          if (p === Item.Variable || p === Item.RightDelim || p === Item.RightParen) continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else if (tokenAfterVariable.typ === Item.Space) {
        this.backup3(v, tokenAfterVariable);
      } else {
        this.backup2(v);
      }
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      switch (t.typ) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case Item.Bool:
        case Item.CharConstant:
        case Item.Complex:
        case Item.Dot:
        case Item.Field:
        case Item.Identifier:
        case Item.Number:
        case Item.Nil:
        case Item.RawString:
        case Item.String:
        case Item.Variable:
        case Item.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          if (pipe.cmds.length > MAX_PIPELINE_CMDS) this.errorf('pipeline too long');
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < pipe.cmds.length; i++) {
      const k = pipe.cmds[i].args[0].kind;
      if (k === K.Bool || k === K.Dot || k === K.Nil || k === K.Number || k === K.String) {
        this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  private parseControl(context: 'if' | 'range' | 'with'): [number, number, PipeNode, ListNode, ListNode | undefined] {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, Item.RightDelim);
      if (context === 'range') this.rangeDepth++;
      const [list, first] = this.itemList();
      let next = first;
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.kind === K.Else) {
        if (context === 'if' && this.peek().typ === Item.If) {
          this.next();
          elseList = new ListNode(next.pos);
          elseList.nodes.push(this.branch(K.If));
        } else if (context === 'with' && this.peek().typ === Item.With) {
          this.next();
          elseList = new ListNode(next.pos);
          elseList.nodes.push(this.branch(K.With));
        } else {
          [elseList, next] = this.itemList();
          if (next.kind !== K.End) this.errorf(`expected end; found ${next}`);
        }
      }
      return [pipe.pos, pipe.line, pipe, list, elseList];
    } finally {
      this.vars.length = mark;
    }
  }

  private branch(kind: K.If | K.Range | K.With): BranchNode {
    const ctx = kind === K.If ? 'if' : kind === K.Range ? 'range' : 'with';
    const [pos, line, pipe, list, elseList] = this.parseControl(ctx);
    return new BranchNode(kind, pos, line, pipe, list, elseList);
  }

  private elseControl(): Node {
    const p = this.peekNonSpace();
    if (p.typ === Item.If || p.typ === Item.With) return new ElseNode(p.pos, p.line);
    const t = this.expect(Item.RightDelim, 'else');
    return new ElseNode(t.pos, t.line);
  }

  private blockControl(): Node {
    const context = 'block clause';
    const t = this.nextNonSpace();
    const name = this.parseTemplateName(t, context);
    const pipe = this.pipeline(context, Item.RightDelim);
    const block = new Tree(name, this.parseName, this.lex, this.treeSet, this.lookupFunction);
    const [list, end] = block.itemList();
    block.root = list;
    if (end.kind !== K.End) this.errorf(`unexpected ${end} in ${context}`);
    block.add();
    return new TemplateNode(t.pos, t.line, name, pipe, goQuote(name));
  }

  private templateControl(): Node {
    const context = 'template clause';
    const t = this.nextNonSpace();
    const name = this.parseTemplateName(t, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().typ !== Item.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, Item.RightDelim);
    }
    return new TemplateNode(t.pos, t.line, name, pipe, goQuote(name));
  }

  private parseTemplateName(t: Token, context: string): string {
    if (t.typ === Item.String || t.typ === Item.RawString) {
      const s = goUnquote(t.val);
      if (s === undefined) this.errorf('invalid syntax');
      return s;
    }
    this.unexpected(t, context);
  }

  private command(): CommandNode {
    const cmd = new CommandNode(this.peekNonSpace().pos);
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.typ === Item.Space) continue;
      if (t.typ === Item.RightDelim || t.typ === Item.RightParen) this.backup();
      else if (t.typ !== Item.Pipe) this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): ArgNode | undefined {
    let node = this.term();
    if (!node) return undefined;
    if (this.peek().typ === Item.Field) {
      const chain = new ChainNode(this.peek().pos, node);
      while (this.peek().typ === Item.Field) chain.add(this.next().val);
      switch (node.kind) {
        case K.Field:
          node = new FieldNode(chain.pos, chain.toString());
          break;
        case K.Variable:
          node = new VariableNode(chain.pos, chain.toString());
          break;
        case K.Bool:
        case K.String:
        case K.Number:
        case K.Nil:
        case K.Dot:
          this.errorf(`unexpected . after term ${goQuote(node.toString())}`);
          break;
        default:
          node = chain;
      }
    }
    return node;
  }

  private term(): ArgNode | undefined {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case Item.Identifier: {
        const binding = this.lookupFunction(t.val);
        if (!binding) this.errorf(`function ${goQuote(t.val)} not defined`);
        return new IdentifierNode(t.pos, t.val, binding);
      }
      case Item.Dot:
        return new DotNode(t.pos);
      case Item.Nil:
        return new NilNode(t.pos);
      case Item.Variable:
        return this.useVar(t.pos, t.val);
      case Item.Field:
        return new FieldNode(t.pos, t.val);
      case Item.Bool:
        return new BoolNode(t.pos, t.val === 'true');
      case Item.CharConstant:
      case Item.Complex:
      case Item.Number:
        return this.newNumber(t);
      case Item.LeftParen: {
        if (this.stackDepth >= MAX_STACK_DEPTH) this.errorf('max expression depth exceeded');
        this.stackDepth++;
        try {
          return this.pipeline('parenthesized pipeline', Item.RightParen);
        } finally {
          this.stackDepth--;
        }
      }
      case Item.String:
      case Item.RawString: {
        const s = goUnquote(t.val);
        if (s === undefined) this.errorf('invalid syntax');
        return new StringNode(t.pos, t.val, s);
      }
    }
    this.backup();
    return undefined;
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = new VariableNode(pos, name);
    if (this.vars.includes(v.ident[0])) return v;
    this.errorf(`undefined variable ${goQuote(v.ident[0])}`);
  }

  private newNumber(t: Token): NumberNode {
    const text = t.val;
    const n = new NumberNode(t.pos, text);
    if (t.typ === Item.CharConstant) {
      const u = unquoteChar(text, 1, 0x27);
      if (!u) this.errorf('invalid syntax');
      if (text.slice(u.next) !== "'") this.errorf(`malformed character constant: ${text}`);
      n.isInt = n.isUint = n.isFloat = true;
      n.int64 = n.uint64 = BigInt(u.value);
      n.float64 = u.value;
      return n;
    }
    if (t.typ === Item.Complex) {
      if (!/^[+-]?[0-9.][0-9a-fA-FxXoObB._eEpP]*[+-][0-9.][0-9a-fA-FxXoObB._eEpP]*i$/.test(text)) this.errorf(`illegal number syntax: ${goQuote(text)}`);
      n.isComplex = true;
      return n;
    }
    if (text.endsWith('i') && typeof parseFloat64(text.slice(0, -1)) === 'number') {
      n.isComplex = true;
      return n;
    }
    const u = parseUint(text, true);
    if (typeof u === 'bigint') {
      n.isUint = true;
      n.uint64 = u;
    }
    const i = parseInt64(text, true);
    if (typeof i === 'bigint') {
      n.isInt = true;
      n.int64 = i;
      if (i === 0n) {
        n.isUint = true;
        n.uint64 = typeof u === 'bigint' ? u : 0n;
      }
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float64 = Number(n.int64);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float64 = Number(n.uint64);
    } else {
      const f = parseFloat64(text);
      if (typeof f === 'number') {
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${goQuote(text)}`);
        n.isFloat = true;
        n.float64 = f;
        if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
          n.isInt = true;
          n.int64 = BigInt(f);
        }
        if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
          n.isUint = true;
          n.uint64 = BigInt(f);
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${goQuote(text)}`);
    return n;
  }
}

/**
 * Parses a template source into its trees. The main template is stored under `name`; templates
 * from {{define}} and {{block}} under theirs. Throws TemplateParseError with Go's message.
 */
export function parseTemplate(name: string, text: string, lookupFunction: (name: string) => FuncBinding | undefined): TreeSet {
  const treeSet: TreeSet = new Map();
  const t = new Tree(name, name, new Lexer(text), treeSet, lookupFunction);
  t.parse();
  t.add();
  return treeSet;
}
