// Parse-tree nodes of Go text/template, with Go's String() forms (used in execution error
// contexts such as `at <.foo>`). Plain data; parsing and execution live elsewhere.

import type { FuncBinding } from './signatures.js';

export const enum K {
  List,
  Text,
  Action,
  Pipe,
  Command,
  Identifier,
  Variable,
  Dot,
  Nil,
  Field,
  Chain,
  Bool,
  Number,
  String,
  If,
  Range,
  With,
  Template,
  Break,
  Continue,
  End,
  Else,
}

export type ArgNode = IdentifierNode | VariableNode | DotNode | NilNode | FieldNode | ChainNode | BoolNode | NumberNode | StringNode | PipeNode;
export type Node = ListNode | TextNode | ActionNode | BranchNode | TemplateNode | BreakNode | ContinueNode | EndNode | ElseNode | ArgNode | CommandNode;

export class ListNode {
  readonly kind = K.List;
  readonly nodes: Node[] = [];
  constructor(readonly pos: number) {}
  toString(): string {
    return this.nodes.map(String).join('');
  }
}

export class TextNode {
  readonly kind = K.Text;
  constructor(
    readonly pos: number,
    readonly text: string,
  ) {}
  toString(): string {
    return this.text;
  }
}

export class PipeNode {
  readonly kind = K.Pipe;
  isAssign = false;
  readonly decl: VariableNode[] = [];
  readonly cmds: CommandNode[] = [];
  constructor(
    readonly pos: number,
    readonly line: number,
  ) {}
  toString(): string {
    let s = '';
    if (this.decl.length > 0) s = this.decl.map(String).join(', ') + ' := ';
    return s + this.cmds.map(String).join(' | ');
  }
}

export class ActionNode {
  readonly kind = K.Action;
  constructor(
    readonly pos: number,
    readonly line: number,
    readonly pipe: PipeNode,
  ) {}
  toString(): string {
    return `{{${this.pipe}}}`;
  }
}

export class CommandNode {
  readonly kind = K.Command;
  readonly args: ArgNode[] = [];
  constructor(readonly pos: number) {}
  toString(): string {
    return this.args.map((a) => (a.kind === K.Pipe ? `(${a})` : String(a))).join(' ');
  }
}

export class IdentifierNode {
  readonly kind = K.Identifier;
  constructor(
    readonly pos: number,
    readonly ident: string,
    /** The function the name resolved to when parsed. */
    readonly binding: FuncBinding,
  ) {}
  toString(): string {
    return this.ident;
  }
}

export class VariableNode {
  readonly kind = K.Variable;
  readonly ident: string[];
  constructor(
    readonly pos: number,
    ident: string,
  ) {
    this.ident = ident.split('.');
  }
  toString(): string {
    return this.ident.join('.');
  }
}

export class DotNode {
  readonly kind = K.Dot;
  constructor(readonly pos: number) {}
  toString(): string {
    return '.';
  }
}

export class NilNode {
  readonly kind = K.Nil;
  constructor(readonly pos: number) {}
  toString(): string {
    return 'nil';
  }
}

export class FieldNode {
  readonly kind = K.Field;
  readonly ident: string[];
  constructor(
    readonly pos: number,
    ident: string,
  ) {
    this.ident = ident.slice(1).split('.');
  }
  toString(): string {
    return this.ident.map((i) => '.' + i).join('');
  }
}

export class ChainNode {
  readonly kind = K.Chain;
  readonly field: string[] = [];
  constructor(
    readonly pos: number,
    readonly node: ArgNode,
  ) {}
  add(field: string): void {
    this.field.push(field.slice(1));
  }
  toString(): string {
    const head = this.node.kind === K.Pipe ? `(${this.node})` : String(this.node);
    return head + this.field.map((f) => '.' + f).join('');
  }
}

export class BoolNode {
  readonly kind = K.Bool;
  constructor(
    readonly pos: number,
    readonly value: boolean,
  ) {}
  toString(): string {
    return this.value ? 'true' : 'false';
  }
}

export class NumberNode {
  readonly kind = K.Number;
  isInt = false;
  isUint = false;
  isFloat = false;
  isComplex = false;
  int64 = 0n;
  uint64 = 0n;
  float64 = 0;
  constructor(
    readonly pos: number,
    readonly text: string,
  ) {}
  toString(): string {
    return this.text;
  }
}

export class StringNode {
  readonly kind = K.String;
  constructor(
    readonly pos: number,
    readonly quoted: string,
    readonly text: string,
  ) {}
  toString(): string {
    return this.quoted;
  }
}

export class BranchNode {
  constructor(
    readonly kind: K.If | K.Range | K.With,
    readonly pos: number,
    readonly line: number,
    readonly pipe: PipeNode,
    readonly list: ListNode,
    readonly elseList: ListNode | undefined,
  ) {}
  toString(): string {
    const name = this.kind === K.If ? 'if' : this.kind === K.Range ? 'range' : 'with';
    let s = `{{${name} ${this.pipe}}}${this.list}`;
    if (this.elseList) s += `{{else}}${this.elseList}`;
    return s + '{{end}}';
  }
}

export class TemplateNode {
  readonly kind = K.Template;
  constructor(
    readonly pos: number,
    readonly line: number,
    readonly name: string,
    readonly pipe: PipeNode | undefined,
    private readonly quotedName: string,
  ) {}
  toString(): string {
    return `{{template ${this.quotedName}${this.pipe ? ' ' + this.pipe : ''}}}`;
  }
}

export class BreakNode {
  readonly kind = K.Break;
  constructor(
    readonly pos: number,
    readonly line: number,
  ) {}
  toString(): string {
    return '{{break}}';
  }
}

export class ContinueNode {
  readonly kind = K.Continue;
  constructor(
    readonly pos: number,
    readonly line: number,
  ) {}
  toString(): string {
    return '{{continue}}';
  }
}

export class EndNode {
  readonly kind = K.End;
  constructor(readonly pos: number) {}
  toString(): string {
    return '{{end}}';
  }
}

export class ElseNode {
  readonly kind = K.Else;
  constructor(
    readonly pos: number,
    readonly line: number,
  ) {}
  toString(): string {
    return '{{else}}';
  }
}

const GO_SPACE_ONLY_RE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

/** IsEmptyTree: nothing but white space text (comments are not kept in the tree). */
export function isEmptyTree(list: ListNode | undefined): boolean {
  if (!list) return true;
  return list.nodes.every((n) => n.kind === K.Text && GO_SPACE_ONLY_RE.test(n.text));
}
