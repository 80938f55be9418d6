// `logcli stats` and `logcli volume` / `volume_range`: index statistics printed as logcli's
// key/value block, volumes printed as a metric result. The requests are the client's.
import type { LokiClient, VolumeRequest } from './client.js';
import { humanizeBytes } from './go-text.js';
import type { ResultPrinter } from './result-printer.js';
import { FatalError, type Colors } from './terminal.js';
import type { IndexStats, QueryResponse } from './wire.js';

export interface StatsSpec {
  query: string;
  start: bigint;
  end: bigint;
  quiet: boolean;
}

/** logcli's stats block: bytes humanized without the space, then chunks, streams, entries. */
export function formatIndexStats(s: IndexStats, colors: Colors): string {
  const rows: [string, string][] = [
    ['bytes', humanizeBytes(s.bytes).replace(' ', '')],
    ['chunks', String(s.chunks)],
    ['streams', String(s.streams)],
    ['entries', String(s.entries)],
  ];
  return '{\n' + rows.map(([k, v]) => `  ${colors.blue(k)}: ${v}\n`).join('') + '}\n';
}

export async function runStats(spec: StatsSpec, client: Pick<LokiClient, 'indexStats'>, write: (s: string) => void, colors: Colors): Promise<void> {
  let stats: IndexStats;
  try {
    stats = await client.indexStats(spec.query, spec.start, spec.end, spec.quiet);
  } catch (e) {
    throw new FatalError(`Error doing request: ${(e as Error).message}`);
  }
  write(formatIndexStats(stats, colors));
}

export async function runVolume(v: VolumeRequest, range: boolean, client: Pick<LokiClient, 'volume'>, printer: ResultPrinter, showStats: boolean): Promise<void> {
  let resp: QueryResponse;
  try {
    resp = await client.volume(v, range);
  } catch (e) {
    throw new FatalError(`Error doing request: ${(e as Error).message}`);
  }
  if (showStats) printer.printStats(resp.stats);
  printer.printResult(resp.result, []);
}
