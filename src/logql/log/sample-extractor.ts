// Sample extraction for range aggregations: the pipeline, then a value per entry (1, line bytes, or
// an unwrapped label converted like Loki), unwrap post-filters and by/without grouping. No I/O.
import type { Labels } from '../../model/labels.js';
import type { Grouping, LabelFilter, RangeAggregationExpr, UnwrapConversion } from '../ast.js';
import type { SampleExtractor, SampleOutput, StreamSampleExtractor } from '../contracts.js';
import { parseGoDurationSeconds, parseGoFloat, parseHumanBytes, type Converted } from './conversions.js';
import { ERR_SAMPLE_EXTRACTION } from './errors.js';
import { compileLabelFilter, LabelFilterStage } from './label-filter.js';
import { LabelsBuilder, LabelsResultCache, LabelsMap, type LabelGrouping } from './labels-builder.js';
import { buildParserHints, type ParserHints } from './parser-hints.js';
import { compileStage, runStages } from './pipeline.js';
import type { Stage } from './stage.js';

type LineValue = (line: string) => number;

const CONVERSIONS: Record<UnwrapConversion, (v: string) => Converted> = {
  '': parseGoFloat,
  bytes: parseHumanBytes,
  duration: parseGoDurationSeconds,
  duration_seconds: parseGoDurationSeconds,
};

interface Unwrapping {
  label: string;
  convert: (v: string) => Converted;
  postFilters: ((lbs: LabelsBuilder) => boolean)[];
}

/** How the samples of one entry are produced (shared by every stream). */
interface ExtractionPlan {
  stages: readonly Stage[];
  grouping: LabelGrouping;
  hints: ParserHints | undefined;
  lineValue?: LineValue;
  unwrap?: Unwrapping;
}

class StreamExtractor implements StreamSampleExtractor {
  constructor(
    private readonly plan: ExtractionPlan,
    private readonly builder: LabelsBuilder,
  ) {}

  process(ts: bigint, line: string, metadata: Labels | undefined, printable?: boolean): SampleOutput | undefined {
    const { plan, builder } = this;
    const out = runStages(plan.stages, builder, ts, line, metadata, printable);
    if (out === undefined) return undefined;
    const u = plan.unwrap;
    if (!u) return { value: plan.lineValue!(out), labels: builder.groupedLabels(plan.grouping) };
    const raw = builder.get(u.label) ?? '';
    // An entry without the unwrapped label is not an error: it yields no sample.
    if (raw === '') return undefined;
    const c = u.convert(raw);
    let value = 0;
    if (c.ok) value = c.value;
    else builder.setErr(ERR_SAMPLE_EXTRACTION, c.error);
    let keep = true;
    for (const f of u.postFilters) keep = f(builder) && keep;
    if (!keep) return undefined;
    return { value, labels: builder.groupedLabels(plan.grouping) };
  }
}

class PlannedExtractor implements SampleExtractor {
  private readonly cache = new LabelsResultCache();
  private readonly streams = new LabelsMap<StreamSampleExtractor>();
  readonly usesPrintableLines: boolean;
  readonly readsTimestamps: boolean;

  constructor(
    private readonly plan: ExtractionPlan,
    readonly compiledFrom: { expr: RangeAggregationExpr; outer?: Grouping },
  ) {
    this.usesPrintableLines = plan.hints?.required !== undefined && plan.stages.some((s) => s.usesPrintableLines === true);
    this.readsTimestamps = plan.stages.some((s) => s.readsTimestamp === true);
  }

  forStream(streamLabels: Labels): StreamSampleExtractor {
    let s = this.streams.get(streamLabels);
    if (!s) {
      s = new StreamExtractor(this.plan, new LabelsBuilder(streamLabels, this.cache, this.plan.hints));
      this.streams.set(streamLabels, s);
    }
    return s;
  }
}

const lineCount: LineValue = () => 1;
const lineBytes: LineValue = (line) => Buffer.byteLength(line, 'utf8');

/** The unwrap post-filters as Loki reduces them for its hints: one filter, and-ed when several. */
function reducedPostFilter(filters: readonly LabelFilter[]): Stage | undefined {
  if (filters.length === 0) return undefined;
  return new LabelFilterStage(filters.reduce((left, right) => ({ kind: 'and', left, right })));
}

/**
 * Compiles the sample extractor of a range aggregation. `outer` is an enclosing vector
 * aggregation's grouping that may replace the range aggregation's own (Loki's grouping pushdown).
 * With a `by` grouping (or none at all), parsers extract only the labels the query reads.
 */
export function buildSampleExtractor(expr: RangeAggregationExpr, outer?: Grouping): SampleExtractor {
  const compiledFrom = { expr, outer };
  const stages = expr.range.selector.stages.map(compileStage);
  let groups: string[] = [];
  let without = false;
  let noLabels = false;
  for (const g of [expr.grouping, outer]) {
    if (!g) continue;
    groups = [...g.labels];
    without = g.without;
    noLabels = !g.without && g.labels.length === 0;
  }
  if (expr.op === 'absent_over_time') noLabels = true;
  const unwrap = expr.range.unwrap;
  if (unwrap) {
    if (groups.length === 0 || without) {
      without = true;
      groups.push(unwrap.label);
    }
    groups.sort();
    const hints = buildParserHints({
      stages,
      groups,
      without,
      noLabels,
      metricLabel: unwrap.label,
      postFilter: reducedPostFilter(unwrap.postFilters),
    });
    return new PlannedExtractor({
      stages,
      grouping: { groups, without, noLabels },
      hints,
      unwrap: {
        label: unwrap.label,
        convert: CONVERSIONS[unwrap.conversion],
        postFilters: unwrap.postFilters.map((f: LabelFilter) => compileLabelFilter(f)),
      },
    }, compiledFrom);
  }
  groups.sort();
  const lineValue = expr.op === 'bytes_over_time' || expr.op === 'bytes_rate' ? lineBytes : lineCount;
  const hints = buildParserHints({ stages, groups, without, noLabels, metricLabel: '' });
  return new PlannedExtractor({ stages, grouping: { groups, without, noLabels }, hints, lineValue }, compiledFrom);
}
