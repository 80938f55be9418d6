// Public API of the Go text/template engine behind LogQL's line_format and label_format: compile a
// template once (Go's parse errors), execute it per entry (Go's exec errors). No I/O.

import { BUILTINS } from './builtins.js';
import { TemplateExecError, TemplateParseError } from './errors.js';
import { Executor } from './exec.js';
import { FUNCTIONS } from './functions.js';
import { ArgNode, K, Node, PipeNode } from './nodes.js';
import { parseTemplate } from './parser.js';
import type { FuncBinding, TemplateContext } from './signatures.js';

export { TemplateExecError, TemplateParseError };
export type { TemplateContext };

export interface CompiledTemplate {
  /** Renders the template for one entry; throws TemplateExecError. */
  execute(ctx: TemplateContext): string;
  /** Label names the template reads via `.name` field access; undefined if it may read any (e.g. uses `.` whole or `range .`). */
  readonly fieldsUsed: readonly string[] | undefined;
  /** True when the template uses __line__ (the line must be available). */
  readonly usesLine: boolean;
}

const BINDINGS = new Map<string, FuncBinding>([
  ...Object.entries(BUILTINS).map(([n, def]): [string, FuncBinding] => [n, { def, builtin: true }]),
  ...Object.entries(FUNCTIONS).map(([n, def]): [string, FuncBinding] => [n, { def, builtin: false }]),
]);

/** Go's lookup order: the template's functions, then text/template's builtins. */
function lookupFunction(name: string): FuncBinding | undefined {
  return BINDINGS.get(name);
}

/** What a template reads: label names, whether it may read the whole map, whether it needs the line. */
class Usage {
  readonly fields = new Set<string>();
  readsAll = false;
  usesLine = false;

  node(n: Node | undefined, dotIsRoot: boolean): void {
    if (!n) return;
    switch (n.kind) {
      case K.List:
        for (const c of n.nodes) this.node(c, dotIsRoot);
        return;
      case K.Action:
        this.pipe(n.pipe, dotIsRoot);
        return;
      case K.If:
        this.pipe(n.pipe, dotIsRoot);
        this.node(n.list, dotIsRoot);
        this.node(n.elseList, dotIsRoot);
        return;
      case K.With:
      case K.Range:
        this.pipe(n.pipe, dotIsRoot);
        this.node(n.list, false);
        this.node(n.elseList, dotIsRoot);
        return;
      case K.Template:
        this.pipe(n.pipe, dotIsRoot);
        return;
      default:
        this.arg(n as ArgNode, dotIsRoot);
    }
  }

  pipe(p: PipeNode | undefined, dotIsRoot: boolean): void {
    if (!p) return;
    for (const c of p.cmds) for (const a of c.args) this.arg(a, dotIsRoot);
  }

  arg(a: ArgNode, dotIsRoot: boolean): void {
    switch (a.kind) {
      case K.Field:
        for (const id of a.ident) this.fields.add(id);
        return;
      case K.Dot:
        if (dotIsRoot) this.readsAll = true;
        return;
      case K.Variable:
        if (a.ident[0] === '$') {
          if (a.ident.length === 1) this.readsAll = true;
          else this.fields.add(a.ident[1]);
        }
        return;
      case K.Identifier:
        if (a.ident === '__line__') this.usesLine = true;
        return;
      case K.Chain:
        this.arg(a.node, dotIsRoot);
        return;
      case K.Pipe:
        this.pipe(a, dotIsRoot);
        return;
    }
  }
}

/**
 * Compiles a Go text/template with Loki's function set. `name` is the template name Go prints in
 * errors: Loki uses "line" for line_format and "label" for label_format. Throws TemplateParseError.
 */
export function compileTemplate(source: string, name = 'line'): CompiledTemplate {
  const trees = parseTemplate(name, source, lookupFunction);
  const usage = new Usage();
  for (const [treeName, root] of trees) usage.node(root, treeName === name);
  const executor = new Executor(trees, name, source);
  return {
    execute: (ctx) => executor.execute(ctx),
    fieldsUsed: usage.readsAll ? undefined : [...usage.fields],
    usesLine: usage.usesLine,
  };
}
