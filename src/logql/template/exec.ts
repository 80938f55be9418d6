// Executes parsed Go templates against one log entry: a tree-walking interpreter following
// text/template's exec.go (evaluation order, variable scopes, argument typing, error positions and
// texts) with missingkey=zero over the label map. Never parses; never does I/O.

import { indirectInterface } from './builtins.js';
import { FuncCallError, TemplateExecError } from './errors.js';
import { TIME_METHODS } from './functions.js';
import { formatValue } from './gofmt.js';
import { GoTime } from './gotime.js';
import {
  ArgNode,
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  K,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  VariableNode,
} from './nodes.js';
import type { TreeSet } from './parser.js';
import { FuncDef, PARAM_TYPE_NAMES, ParamType, TemplateContext } from './signatures.js';
import { goQuote, utf8Length } from './strconv.js';
import { GoInt, GoMap, GoSlice, GoValue, NIL_IFACE, goTypeName, isTrue } from './values.js';

/** The final-argument slot of a command that is not in a pipeline position. */
const MISSING: unique symbol = Symbol('missing');
type Final = GoValue | typeof MISSING;

const enum Flow {
  Normal,
  Break,
  Continue,
}

/** Deep {{template}} recursion fails like Go's depth limit, before the JS stack does. */
const MAX_EXEC_DEPTH = 1000;

/** The label map as a Go map[string]string, read through the entry's context. */
class LabelMap extends GoMap {
  readonly type = 'map[string]string';
  readonly zero: GoValue = '';
  ctx!: TemplateContext;
  get(key: string): GoValue {
    return this.ctx.label(key);
  }
  keys(): readonly string[] {
    return this.ctx.labels().map((l) => l.name);
  }
  size(): number {
    return this.ctx.labels().length;
  }
}

function isHexInt(s: string): boolean {
  return s.length > 2 && s[0] === '0' && (s[1] === 'x' || s[1] === 'X') && !/[pP]/.test(s);
}

function canBeNil(t: ParamType | null): boolean {
  return t === null || t === 'any' || t === 'value';
}

/** Interpreter state for one compiled template; reused across entries (execution is synchronous). */
export class Executor {
  private ctx!: TemplateContext;
  private out = '';
  private node: Node | undefined;
  private tmplName: string;
  /** The variable stack: names and values below varTop; the current template's frame starts at varBase. */
  private readonly varNames: string[] = [];
  private readonly varValues: GoValue[] = [];
  private varTop = 0;
  private varBase = 0;
  private depth = 0;
  private readonly labelMap = new LabelMap();
  private readonly root: ListNode;

  constructor(
    private readonly trees: TreeSet,
    private readonly mainName: string,
    private readonly source: string,
  ) {
    this.tmplName = mainName;
    this.root = trees.get(mainName)!;
  }

  execute(ctx: TemplateContext): string {
    this.ctx = ctx;
    this.labelMap.ctx = ctx;
    this.out = '';
    this.node = undefined;
    this.tmplName = this.mainName;
    this.depth = 0;
    this.varTop = 0;
    this.varBase = 0;
    this.push('$', this.labelMap);
    this.walkList(this.labelMap, this.root);
    const out = this.out;
    this.out = '';
    return out;
  }

  // --- errors -----------------------------------------------------------------------------

  private errorf(msg: string): never {
    const name = goQuote(this.tmplName);
    const n = this.node;
    if (!n) throw new TemplateExecError(`template: ${this.tmplName}: ${msg}`);
    const before = this.source.slice(0, n.pos);
    const nl = before.lastIndexOf('\n');
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = nl < 0 ? utf8Length(before) : utf8Length(before.slice(nl + 1));
    throw new TemplateExecError(`template: ${this.mainName}:${line}:${col}: executing ${name} at <${n}>: ${msg}`);
  }

  // --- variables ----------------------------------------------------------------------------

  private push(name: string, value: GoValue): void {
    this.varNames[this.varTop] = name;
    this.varValues[this.varTop++] = value;
  }

  private pop(mark: number): void {
    for (let i = mark; i < this.varTop; i++) this.varValues[i] = undefined;
    this.varTop = mark;
  }

  private setVar(name: string, value: GoValue): void {
    for (let i = this.varTop - 1; i >= this.varBase; i--) {
      if (this.varNames[i] === name) {
        this.varValues[i] = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private varValue(name: string): GoValue {
    for (let i = this.varTop - 1; i >= this.varBase; i--) if (this.varNames[i] === name) return this.varValues[i];
    this.errorf(`undefined variable: ${name}`);
  }

  // --- walking ------------------------------------------------------------------------------

  private walk(dot: GoValue, node: Node): Flow {
    this.node = node;
    switch (node.kind) {
      case K.Text:
        this.out += node.text;
        return Flow.Normal;
      case K.Action: {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) {
          this.node = node;
          this.out += typeof v === 'string' ? v : v === undefined ? '<no value>' : formatValue(v);
        }
        return Flow.Normal;
      }
      case K.List:
        return this.walkList(dot, node);
      case K.If:
      case K.With:
        return this.walkIfOrWith(dot, node);
      case K.Range:
        return this.walkRange(dot, node);
      case K.Template:
        return this.walkTemplate(dot, node);
      case K.Break:
        return Flow.Break;
      case K.Continue:
        return Flow.Continue;
    }
    this.errorf(`unknown node: ${node}`);
  }

  private walkList(dot: GoValue, list: ListNode): Flow {
    const nodes = list.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const f = this.walk(dot, nodes[i]);
      if (f !== Flow.Normal) return f;
    }
    return Flow.Normal;
  }

  private walkIfOrWith(dot: GoValue, b: BranchNode): Flow {
    const mark = this.varTop;
    try {
      const val = this.evalPipeline(dot, b.pipe);
      if (isTrue(val)) return this.walk(b.kind === K.With ? val : dot, b.list);
      if (b.elseList) return this.walk(dot, b.elseList);
      return Flow.Normal;
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: GoValue, r: BranchNode): Flow {
    this.node = r;
    const outer = this.varTop;
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.varTop;
      const decl = r.pipe.decl;
      const one = (index: GoValue, elem: GoValue): Flow => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0].ident[0], decl.length > 1 ? index : elem);
          else this.varValues[this.varTop - 1] = elem;
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1].ident[0], elem);
          else this.varValues[this.varTop - 2] = index;
        }
        const f = this.walk(elem, r.list);
        this.pop(mark);
        return f;
      };
      let ran = false;
      if (val instanceof GoInt) {
        if (decl.length > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
        for (let i = 0n; i < val.v; i++) {
          ran = true;
          if (one(undefined, new GoInt(val.type, i)) === Flow.Break) break;
        }
      } else if (val instanceof GoSlice) {
        for (let i = 0; i < val.items.length; i++) {
          ran = true;
          if (one(new GoInt('int', BigInt(i)), val.items[i]) === Flow.Break) break;
        }
      } else if (val instanceof GoMap) {
        for (const k of val.keys()) {
          ran = true;
          const v = val.get(k);
          if (one(k, v === undefined ? val.zero : v) === Flow.Break) break;
        }
      } else if (val !== undefined) {
        this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
      if (!ran && r.elseList) return this.walk(dot, r.elseList);
      return Flow.Normal;
    } finally {
      this.pop(outer);
    }
  }

  private walkTemplate(dot: GoValue, t: TemplateNode): Flow {
    this.node = t;
    const root = this.trees.get(t.name);
    if (!root) this.errorf(`template ${goQuote(t.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = this.evalPipeline(dot, t.pipe);
    const savedBase = this.varBase;
    const savedTop = this.varTop;
    const savedName = this.tmplName;
    this.varBase = this.varTop;
    this.push('$', newDot);
    this.tmplName = t.name;
    this.depth++;
    try {
      this.walk(newDot, root);
    } finally {
      this.depth--;
      this.pop(savedTop);
      this.varBase = savedBase;
      this.tmplName = savedName;
    }
    return Flow.Normal;
  }

  // --- evaluation ---------------------------------------------------------------------------

  private evalPipeline(dot: GoValue, pipe: PipeNode | undefined): GoValue {
    if (!pipe) return undefined;
    this.node = pipe;
    let value: Final = MISSING;
    const cmds = pipe.cmds;
    for (let i = 0; i < cmds.length; i++) {
      value = this.evalCommand(dot, cmds[i], value);
      if (value === NIL_IFACE) value = undefined;
    }
    const v = value as GoValue;
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.setVar(variable.ident[0], v);
      else this.push(variable.ident[0], v);
    }
    return v;
  }

  private notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${args[0]}`);
  }

  private evalCommand(dot: GoValue, cmd: CommandNode, final: Final): GoValue {
    const first = cmd.args[0];
    switch (first.kind) {
      case K.Field:
        return this.evalFieldNode(dot, first, cmd.args, final);
      case K.Chain:
        return this.evalChainNode(dot, first, cmd.args, final);
      case K.Identifier:
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case K.Pipe:
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case K.Variable:
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case K.Bool:
        return first.value;
      case K.Dot:
        return dot;
      case K.Nil:
        this.errorf('nil is not a command');
      case K.Number:
        return this.idealConstant(first);
      case K.String:
        return first.text;
    }
    this.errorf(`can't evaluate command ${goQuote(String(first))}`);
  }

  private idealConstant(n: NumberNode): GoValue {
    this.node = n;
    if (n.isComplex) this.errorf(`complex constant ${n.text} is not supported`);
    if (n.isFloat && !isHexInt(n.text) && n.text[0] !== "'" && /[.eEpP]/.test(n.text)) return n.float64;
    if (n.isInt) return new GoInt('int', n.int64);
    if (n.isUint) this.errorf(`${n.text} overflows int`);
    return undefined;
  }

  private evalFieldNode(dot: GoValue, field: FieldNode, args: readonly ArgNode[] | null, final: Final): GoValue {
    this.node = field;
    if (field.ident.length === 1 && dot === this.labelMap && (args === null || args.length <= 1) && final === MISSING) {
      return this.ctx.label(field.ident[0]) ?? '';
    }
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: GoValue, chain: ChainNode, args: readonly ArgNode[] | null, final: Final): GoValue {
    this.node = chain;
    if (chain.node.kind === K.Nil) this.errorf(`indirection through explicit nil in ${chain}`);
    const pipe = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: GoValue, v: VariableNode, args: readonly ArgNode[] | null, final: Final): GoValue {
    this.node = v;
    const value = this.varValue(v.ident[0]);
    if (v.ident.length === 1) {
      this.notAFunction(args ?? [v], final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: GoValue,
    receiver: GoValue,
    node: Node,
    ident: readonly string[],
    args: readonly ArgNode[] | null,
    final: Final,
  ): GoValue {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, ident[i], node, null, MISSING, receiver);
    return this.evalField(dot, ident[n - 1], node, args, final, receiver);
  }

  private evalFunction(dot: GoValue, node: IdentifierNode, cmd: Node, args: readonly ArgNode[] | null, final: Final): GoValue {
    this.node = node;
    return this.evalCall(dot, node.binding.def, node.binding.builtin, cmd, node.ident, args, final);
  }

  private evalField(dot: GoValue, name: string, node: Node, args: readonly ArgNode[] | null, final: Final, receiver: GoValue): GoValue {
    if (receiver === undefined) return undefined;
    if (receiver === NIL_IFACE) this.errorf(`nil pointer evaluating interface {}.${name}`);
    if (receiver instanceof GoTime && Object.hasOwn(TIME_METHODS, name)) {
      return this.evalCall(dot, TIME_METHODS[name](receiver), false, node, name, args, final);
    }
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (receiver instanceof GoMap) {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
      const v = receiver.get(name);
      return v === undefined ? receiver.zero : v;
    }
    if (receiver instanceof GoTime && (name === 'wall' || name === 'ext' || name === 'loc')) {
      this.errorf(`${name} is an unexported field of struct type time.Time`);
    }
    this.errorf(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  private evalCall(dot: GoValue, fn: FuncDef, isBuiltin: boolean, node: Node, name: string, args: readonly ArgNode[] | null, final: Final): GoValue {
    const nArgs = args === null ? 0 : args.length - 1;
    const numIn = nArgs + (final !== MISSING ? 1 : 0);
    const numParams = fn.params.length;
    let numFixed = nArgs;
    if (fn.variadic) {
      numFixed = numParams - 1;
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${numParams - 1} got ${nArgs}`);
    } else if (numIn !== numParams) {
      this.errorf(`wrong number of args for ${name}: want ${numParams} got ${numIn}`);
    }

    if (isBuiltin && (name === 'and' || name === 'or')) {
      let v: GoValue = undefined;
      for (let i = 1; i <= nArgs; i++) {
        v = this.evalArg(dot, 'value', args![i]);
        if (isTrue(indirectInterface(v)) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = this.validateType(final, 'value');
      return v;
    }

    const argv: GoValue[] = new Array(numIn);
    let i = 0;
    for (; i < numFixed && i < nArgs; i++) argv[i] = this.evalArg(dot, fn.params[i], args![i + 1]);
    if (fn.variadic) {
      const t = fn.params[numParams - 1];
      for (; i < nArgs; i++) argv[i] = this.evalArg(dot, t, args![i + 1]);
    }
    if (final !== MISSING) {
      const t = fn.variadic && numIn - 1 < numFixed ? fn.params[numIn - 1] : fn.params[numParams - 1];
      argv[i] = this.validateType(final, t);
    }

    if (isBuiltin && name === 'call') {
      const callee = nArgs === 0 ? (typeof final === 'string' ? final : `<${goTypeName(final as GoValue)} Value>`) : String(args![1]);
      const target = indirectInterface(argv[0]);
      this.node = node;
      this.errorf(`error calling call: ${target === undefined ? 'call of nil' : `non-function ${callee} of type ${goTypeName(target)}`}`);
    }

    let result: GoValue;
    try {
      result = fn.fn(argv, this.ctx);
    } catch (e) {
      if (e instanceof FuncCallError || e instanceof RangeError) {
        this.node = node;
        this.errorf(`error calling ${name}: ${e.message}`);
      }
      throw e;
    }
    if (result === undefined && fn.returnsInterface) return NIL_IFACE;
    return result;
  }

  private validateType(value: GoValue, typ: ParamType | null): GoValue {
    if (value === undefined) {
      if (canBeNil(typ)) return undefined;
      this.errorf(`invalid value; expected ${PARAM_TYPE_NAMES[typ!]}`);
    }
    if (typ === null || typ === 'value') return value;
    if (typ === 'any') return value === NIL_IFACE ? undefined : value;
    const want = PARAM_TYPE_NAMES[typ];
    const got = goTypeName(value);
    if (got !== want) this.errorf(`wrong type for value; expected ${want}; got ${got}`);
    return value;
  }

  private evalArg(dot: GoValue, typ: ParamType | null, n: ArgNode): GoValue {
    this.node = n;
    switch (n.kind) {
      case K.Dot:
        return this.validateType(dot, typ);
      case K.Nil:
        if (canBeNil(typ)) return undefined;
        this.errorf(`cannot assign nil to ${PARAM_TYPE_NAMES[typ!]}`);
      case K.Field:
        return this.validateType(this.evalFieldNode(dot, n, null, MISSING), typ);
      case K.Variable:
        return this.validateType(this.evalVariableNode(dot, n, null, MISSING), typ);
      case K.Pipe:
        return this.validateType(this.evalPipeline(dot, n), typ);
      case K.Identifier:
        return this.validateType(this.evalFunction(dot, n, n, null, MISSING), typ);
      case K.Chain:
        return this.validateType(this.evalChainNode(dot, n, null, MISSING), typ);
    }
    switch (typ) {
      case 'bool':
        if (n.kind === K.Bool) return n.value;
        this.errorf(`expected bool; found ${n}`);
      case 'float64':
        if (n.kind === K.Number && n.isFloat) return n.float64;
        this.errorf(`expected float; found ${n}`);
      case 'int':
        if (n.kind === K.Number && n.isInt) return new GoInt('int', n.int64);
        this.errorf(`expected integer; found ${n}`);
      case 'string':
        if (n.kind === K.String) return n.text;
        this.errorf(`expected string; found ${n}`);
      case 'any':
      case 'value':
        return this.evalEmptyInterface(n);
    }
    this.errorf(`can't handle ${n} for arg of type ${typ === null ? '<nil>' : PARAM_TYPE_NAMES[typ]}`);
  }

  private evalEmptyInterface(n: ArgNode): GoValue {
    this.node = n;
    switch (n.kind) {
      case K.Bool:
        return n.value;
      case K.Number:
        return this.idealConstant(n);
      case K.String:
        return n.text;
    }
    this.errorf(`can't handle assignment of ${n} to empty interface argument`);
  }
}
