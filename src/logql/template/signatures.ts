// What the interpreter needs to know about a callable: Go parameter types (for argument checks and
// literal conversion), variadic-ness and the implementation. Also the per-entry template context.

import type { GoValue } from './values.js';

/** The data a template reads for one log entry. */
export interface TemplateContext {
  /** Value of a label, or undefined when absent (absent renders as empty string, as Loki's map[string]string does). */
  label(name: string): string | undefined;
  /** All current labels (for `.` / range over the map), sorted by name. */
  labels(): ReadonlyArray<{ name: string; value: string }>;
  /** The log line, for __line__. */
  line: string;
  /** Entry timestamp in ns, for __timestamp__. */
  ts: bigint;
}

/** Go parameter types: 'any' is interface{}, 'value' is reflect.Value (text/template's builtins). */
export type ParamType = 'string' | 'int' | 'float64' | 'bool' | 'time' | 'any' | 'value';

export const PARAM_TYPE_NAMES: Record<ParamType, string> = {
  string: 'string',
  int: 'int',
  float64: 'float64',
  bool: 'bool',
  time: 'time.Time',
  any: 'interface {}',
  value: 'reflect.Value',
};

export interface FuncDef {
  /** Parameter types; for a variadic function the last entry is the element type. */
  readonly params: readonly ParamType[];
  readonly variadic?: boolean;
  /** The Go result type is interface{}: a nil result is an interface-typed nil. */
  readonly returnsInterface?: boolean;
  /** Receives arguments already checked against params; throws FuncCallError for Go errors and panics. */
  readonly fn: (args: GoValue[], ctx: TemplateContext) => GoValue;
}

/** A function name resolved at parse time; builtins get text/template's special cases (and, or, call). */
export interface FuncBinding {
  readonly def: FuncDef;
  readonly builtin: boolean;
}
