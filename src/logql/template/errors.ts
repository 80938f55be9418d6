// Errors of Go text/template as LogQL's line_format/label_format report them, with Go's texts.
// Only message construction lives here; nothing is caught or logged.

/** A template that does not parse: `template: line:1: function "foo" not defined`. */
export class TemplateParseError extends Error {}

/** A failure while executing a template: `template: line:1:2: executing "line" at <.foo>: ...`. */
export class TemplateExecError extends Error {}

/** Thrown by template functions; the interpreter reports it as `error calling NAME: <message>`. */
export class FuncCallError extends Error {}
