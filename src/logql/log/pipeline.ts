// Compiles LogQL pipeline stages (AST) into Stage objects once per query and runs them per entry,
// with per-stream builders and shared LabelsResult caching. Pure; no I/O.
import type { Labels } from '../../model/labels.js';
import type { Stage as StageExpr } from '../ast.js';
import type { LabelsResult, Pipeline, PipelineOutput, StreamPipeline } from '../contracts.js';
import { DecolorizeStage } from './decolorize.js';
import { DropStage, KeepStage } from './drop-keep.js';
import { PipelineBuildError } from './errors.js';
import { LabelFormatStage, LineFormatStage } from './formatters.js';
import { JsonExpressionStage, JsonParserStage } from './json-parser.js';
import { LabelFilterStage } from './label-filter.js';
import { Category, LabelsBuilder, LabelsResultCache, LabelsMap } from './labels-builder.js';
import { LineFilterStage } from './line-filter.js';
import { PatternParserStage, RegexpParserStage, UnpackStage } from './line-parsers.js';
import { LogfmtExpressionStage, LogfmtParserStage } from './logfmt-parser.js';
import type { Stage } from './stage.js';

/** Loki reports bad regexp/pattern parser arguments as parse errors of the query. */
function parserError(kind: string, build: () => Stage): Stage {
  try {
    return build();
  } catch (e) {
    throw new PipelineBuildError(`parse error : invalid ${kind} parser: ${(e as Error).message}`);
  }
}

export function compileStage(s: StageExpr): Stage {
  switch (s.kind) {
    case 'lineFilters':
      return new LineFilterStage(s.filters);
    case 'json':
      return s.extractions.length > 0 ? new JsonExpressionStage(s.extractions) : new JsonParserStage();
    case 'logfmt':
      return s.extractions.length > 0 ? new LogfmtExpressionStage(s.extractions, s.strict) : new LogfmtParserStage(s.strict, s.keepEmpty);
    case 'regexp':
      return parserError('regexp', () => new RegexpParserStage(s.pattern));
    case 'pattern':
      return parserError('pattern', () => new PatternParserStage(s.pattern));
    case 'unpack':
      return new UnpackStage();
    case 'labelFilter':
      return new LabelFilterStage(s.filter);
    case 'lineFormat':
      return new LineFormatStage(s.template);
    case 'labelFormat':
      return new LabelFormatStage(s.formats);
    case 'decolorize':
      return new DecolorizeStage();
    case 'drop':
      return new DropStage(s.labels);
    case 'keep':
      return new KeepStage(s.labels);
  }
}

const LABEL_CHAR = /^[A-Za-z0-9_]$/;
const normalizedNames = new Map<string, string>();

/**
 * Prometheus' NormalizeLabel for structured metadata names: runes other than letters/digits → `_`,
 * `key_` before a leading digit, `key` before a single leading underscore.
 */
function normalizeMetadataName(name: string): string {
  let n = normalizedNames.get(name);
  if (n !== undefined) return n;
  if (/^[A-Za-z][A-Za-z0-9_]*$|^__[A-Za-z0-9_]*$/.test(name)) {
    if (normalizedNames.size < 4096) normalizedNames.set(name, name);
    return name;
  }
  n = '';
  for (const ch of name) n += LABEL_CHAR.test(ch) || /^[\p{L}\p{Nd}]$/u.test(ch) ? ch : '_';
  if (/^\p{Nd}/u.test(n)) n = 'key_' + n;
  else if (n.startsWith('_') && !n.startsWith('__')) n = 'key' + n;
  if (normalizedNames.size < 4096) normalizedNames.set(name, n);
  return n;
}

/** Structured metadata with Loki's name normalisation applied (the input is left untouched). */
export function normalizedMetadata(md: Labels): Labels {
  for (const l of md) {
    if (normalizeMetadataName(l.name) !== l.name) return md.map((x) => ({ name: normalizeMetadataName(x.name), value: x.value }));
  }
  return md;
}

/** The last metadata object normalized, and its result: consecutive entries usually share one. */
let normalizedFrom: Labels | undefined;
let normalizedTo: Labels = [];

function lastNormalized(md: Labels): Labels {
  if (md !== normalizedFrom) {
    normalizedTo = normalizedMetadata(md);
    normalizedFrom = md;
  }
  return normalizedTo;
}

/**
 * Runs the stages over one entry; undefined when a stage drops it. `printable`: the caller knows
 * every character of the line is printable ASCII.
 */
export function runStages(stages: readonly Stage[], b: LabelsBuilder, ts: bigint, line: string, metadata: Labels | undefined, printable = false): string | undefined {
  b.reset();
  b.printableLine = printable ? line : undefined;
  if (metadata && metadata.length > 0) b.addLabels(Category.StructuredMetadata, lastNormalized(metadata));
  let out: string | undefined = line;
  for (let i = 0; i < stages.length && out !== undefined; i++) out = stages[i].process(ts, out, b);
  return out;
}

class StagesStreamPipeline implements StreamPipeline {
  constructor(
    private readonly stages: readonly Stage[],
    private readonly builder: LabelsBuilder,
  ) {}

  process(ts: bigint, line: string, metadata: Labels | undefined): PipelineOutput | undefined {
    const out = runStages(this.stages, this.builder, ts, line, metadata);
    if (out === undefined) return undefined;
    const labels: LabelsResult = this.builder.labelsResult();
    return { line: out, labels };
  }
}

class StagesPipeline implements Pipeline {
  readonly noop: boolean;
  private readonly cache = new LabelsResultCache();
  private readonly streams = new LabelsMap<StreamPipeline>();

  constructor(private readonly stages: readonly Stage[]) {
    this.noop = stages.length === 0;
  }

  forStream(streamLabels: Labels): StreamPipeline {
    let p = this.streams.get(streamLabels);
    if (!p) {
      p = new StagesStreamPipeline(this.stages, new LabelsBuilder(streamLabels, this.cache));
      this.streams.set(streamLabels, p);
    }
    return p;
  }
}

/** Compiles a log pipeline; throws PipelineBuildError (HTTP 400) with Loki's text for bad stages. */
export function buildPipeline(stages: readonly StageExpr[]): Pipeline {
  return new StagesPipeline(stages.map(compileStage));
}
