// The labels a hinted sample extractor gives one line, told or not told the line is printable ASCII:
// what the printable-line parser tests compare. One extractor per query and path, reused line after
// line as readers do.
import type { RangeAggregationExpr } from '../../src/logql/ast.js';
import type { StreamSampleExtractor } from '../../src/logql/contracts.js';
import { buildSampleExtractor } from '../../src/logql/log/index.js';
import { parseExpr } from '../../src/logql/syntax/index.js';
import { labelsFromRecord, labelsToRecord } from '../../src/model/labels.js';

const extractors = new Map<string, StreamSampleExtractor>();

/** The output labels of `query`'s extractor (stream {app="a"}) for `line`, or undefined when dropped. */
export function extract(query: string, line: string, printable: boolean): Record<string, string> | undefined {
  const id = `${printable} ${query}`;
  let x = extractors.get(id);
  if (x === undefined) {
    const e = parseExpr(query) as { expr: RangeAggregationExpr; grouping: never };
    extractors.set(id, (x = buildSampleExtractor(e.expr, e.grouping).forStream(labelsFromRecord({ app: 'a' }))));
  }
  const out = x.process(0n, line, undefined, printable);
  return out && labelsToRecord(out.labels.all);
}
