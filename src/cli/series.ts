// `logcli series <matcher>`: the matching streams' label sets, or with --analyze-labels a table of
// label names by number of distinct values. Output only; the request is the client's.
import { labelsString, type Labels } from '../model/labels.js';
import type { LokiClient } from './client.js';
import { layoutTable } from './tab-writer.js';
import { FatalError } from './terminal.js';

export interface SeriesSpec {
  matcher: string;
  start: bigint;
  end: bigint;
  quiet: boolean;
  analyzeLabels: boolean;
}

/** The --analyze-labels report: totals, then names sorted by distinct values (most first). */
export function analyzeLabels(series: readonly Labels[]): string {
  const byName = new Map<string, { inStreams: number; values: Set<string> }>();
  for (const ls of series) {
    for (const l of ls) {
      const d = byName.get(l.name);
      if (d) {
        d.inStreams++;
        d.values.add(l.value);
      } else byName.set(l.name, { inStreams: 1, values: new Set([l.value]) });
    }
  }
  const rows = [...byName.entries()].sort((a, b) => b[1].values.size - a[1].values.size || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let out = `Total Streams:  ${series.length}\nUnique Labels:  ${byName.size}\n\n`;
  out += layoutTable(
    [['Label Name', 'Unique Values', 'Found In Streams'], ...rows.map(([name, d]) => [name, String(d.values.size), String(d.inStreams)])],
    { minWidth: 0, tabWidth: 0, padding: 2, padChar: ' ' },
  );
  return out;
}

export async function runSeries(spec: SeriesSpec, client: Pick<LokiClient, 'series'>, write: (s: string) => void): Promise<void> {
  let series: Labels[];
  try {
    series = await client.series([spec.matcher], spec.start, spec.end, spec.quiet);
  } catch (e) {
    throw new FatalError(`Error doing request: ${(e as Error).message}`);
  }
  if (spec.analyzeLabels) write(analyzeLabels(series));
  else for (const ls of series) write(labelsString(ls) + '\n');
}
