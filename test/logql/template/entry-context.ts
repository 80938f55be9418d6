// Builds the per-entry TemplateContext the template tests execute against.
import { compileTemplate, type TemplateContext } from '../../../src/logql/template/index.js';

export function entryContext(labels: Record<string, string> = {}, line = '', ts = 0n): TemplateContext {
  const sorted = Object.keys(labels)
    .sort()
    .map((name) => ({ name, value: labels[name] }));
  return {
    label: (name) => (Object.hasOwn(labels, name) ? labels[name] : undefined),
    labels: () => sorted,
    line,
    ts,
  };
}

/** Compiles and executes in one step (line_format's template name). */
export function render(source: string, labels: Record<string, string> = {}, line = '', ts = 0n): string {
  return compileTemplate(source).execute(entryContext(labels, line, ts));
}

/** The TemplateExecError message of executing source, or the rendered text if it succeeded. */
export function renderError(source: string, labels: Record<string, string> = {}, line = '', ts = 0n): string {
  try {
    return `no error: ${render(source, labels, line, ts)}`;
  } catch (e) {
    return (e as Error).message;
  }
}
