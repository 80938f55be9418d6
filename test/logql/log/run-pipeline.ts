// Test harness: builds pipelines from hand-written AST stages and runs single entries through them.
import { labelsFromRecord, labelsToRecord } from '../../../src/model/labels.js';
import type { LabelFilter, LineFilter, LineFilterOp, Matcher, Stage } from '../../../src/logql/ast.js';
import type { LabelsResult } from '../../../src/logql/contracts.js';
import { buildPipeline } from '../../../src/logql/log/index.js';

export interface RunResult {
  line: string;
  labels: Record<string, string>;
  stream: Record<string, string>;
  structuredMetadata: Record<string, string>;
  parsed: Record<string, string>;
  result: LabelsResult;
}

export function run(
  stages: Stage[],
  stream: Record<string, string>,
  line: string,
  metadata?: Record<string, string>,
  ts = 0n,
): RunResult | undefined {
  const out = buildPipeline(stages).forStream(labelsFromRecord(stream)).process(ts, line, metadata && labelsFromRecord(metadata));
  if (!out) return undefined;
  return {
    line: out.line,
    labels: labelsToRecord(out.labels.all),
    stream: labelsToRecord(out.labels.stream),
    structuredMetadata: labelsToRecord(out.labels.structuredMetadata),
    parsed: labelsToRecord(out.labels.parsed),
    result: out.labels,
  };
}

/** Labels after the pipeline, or undefined when the entry was filtered out. */
export function labelsOf(stages: Stage[], stream: Record<string, string>, line: string, metadata?: Record<string, string>) {
  return run(stages, stream, line, metadata)?.labels;
}

export function lineFilter(op: LineFilterOp, value: string, ...or: string[]): Stage {
  return { kind: 'lineFilters', filters: [{ op, match: { value, ip: false }, or: or.map((v) => ({ value: v, ip: false })) }] };
}

export function ipLineFilter(op: LineFilterOp, value: string): Stage {
  return { kind: 'lineFilters', filters: [{ op, match: { value, ip: true }, or: [] } satisfies LineFilter] };
}

export function matcher(name: string, op: Matcher['op'], value: string): LabelFilter {
  return { kind: 'matcher', matcher: { name, op, value } };
}

export function labelFilter(f: LabelFilter): Stage {
  return { kind: 'labelFilter', filter: f };
}

export const json: Stage = { kind: 'json', extractions: [] };
export const logfmt: Stage = { kind: 'logfmt', strict: false, keepEmpty: false, extractions: [] };
