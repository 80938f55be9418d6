// Parser-hint micro benchmark: the q4a/q4b sample extractors (`sum by (app) (rate({…} | logfmt|json
// | duration > 500ms [5m]))`) over workload-shaped lines, with the pushed-down `by (app)` (hinted)
// and without a grouping (every label extracted). `npx vitest bench test/logql/log`; not in `vitest run`.
import { bench, describe } from 'vitest';
import type { Grouping, RangeAggregationExpr, Stage } from '../../../src/logql/ast.js';
import { buildSampleExtractor } from '../../../src/logql/log/index.js';
import { workloadStreams, type WorkloadStream } from './workload-lines.js';

const PER_STREAM = 2_500;

function expr(parser: Stage): RangeAggregationExpr {
  return {
    kind: 'rangeAggregation',
    op: 'rate',
    range: {
      selector: {
        kind: 'logSelector',
        matchers: [],
        stages: [parser, { kind: 'labelFilter', filter: { kind: 'duration', name: 'duration', op: '>', value: 500_000_000n, text: '500ms' } }],
      },
      range: 300_000_000_000n,
      offset: 0n,
    },
  };
}

function runAll(e: RangeAggregationExpr, streams: WorkloadStream[], outer: Grouping | undefined): number {
  const ex = buildSampleExtractor(e, outer);
  let n = 0;
  for (const s of streams) {
    const se = ex.forStream(s.labels);
    for (const line of s.lines) if (se.process(0n, line, undefined)) n++;
  }
  return n;
}

const byApp: Grouping = { labels: ['app'], without: false };
const logfmtStreams = workloadStreams('logfmt', ['api-gateway', 'inventory', 'auth'], PER_STREAM);
const jsonStreams = workloadStreams('json', ['checkout', 'payments'], PER_STREAM);
const logfmtExpr = expr({ kind: 'logfmt', strict: false, keepEmpty: false, extractions: [] });
const jsonExpr = expr({ kind: 'json', extractions: [] });

describe(`q4a logfmt, ${logfmtStreams.length * PER_STREAM} lines`, () => {
  bench('sum by (app): hinted', () => void runAll(logfmtExpr, logfmtStreams, byApp), { iterations: 30 });
  bench('no grouping: every label', () => void runAll(logfmtExpr, logfmtStreams, undefined), { iterations: 30 });
});

describe(`q4b json, ${jsonStreams.length * PER_STREAM} lines`, () => {
  bench('sum by (app): hinted', () => void runAll(jsonExpr, jsonStreams, byApp), { iterations: 30 });
  bench('no grouping: every label', () => void runAll(jsonExpr, jsonStreams, undefined), { iterations: 30 });
});
