// `logcli query` / `instant-query` (logcli's DoQuery): batches moving the boundary to the last printed
// timestamp and skipping its repeats, or one instant request. Printing is ResultPrinter's.
import type { Direction } from './client.js';
import type { PrintedEntry, ResultPrinter } from './result-printer.js';
import { FatalError } from './terminal.js';
import type { QueryResponse } from './wire.js';

export interface QuerySpec {
  query: string;
  start: bigint;
  end: bigint;
  /** 0 fetches everything. */
  limit: number;
  batchSize: number;
  forward: boolean;
  step: bigint;
  interval: bigint;
  quiet: boolean;
}

/** The two requests DoQuery makes; LokiClient implements it. */
export interface QueryClient {
  queryRange(query: string, limit: number, start: bigint, end: bigint, direction: Direction, step: bigint, interval: bigint, quiet: boolean): Promise<QueryResponse>;
  query(query: string, limit: number, time: bigint, direction: Direction, quiet: boolean): Promise<QueryResponse>;
}

export interface QueryHooks {
  printer: ResultPrinter;
  showStats: boolean;
  /** Called after each batch is printed (stdout is flushed there). */
  afterBatch(): void;
}

async function fetchOr<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw new FatalError(`Query failed: ${(e as Error).message}`);
  }
}

/** Runs the query; throws FatalError with logcli's message when a request fails or batching cannot continue. */
export async function runQuery(q: QuerySpec, client: QueryClient, h: QueryHooks): Promise<void> {
  const direction: Direction = q.forward ? 'FORWARD' : 'BACKWARD';
  if (q.start === q.end && q.step === 0n) {
    const resp = await fetchOr(client.query(q.query, q.limit, q.start, direction, q.quiet));
    if (h.showStats) h.printer.printStats(resp.stats);
    h.printer.printResult(resp.result, []);
    h.afterBatch();
    return;
  }

  const unlimited = q.limit === 0;
  const batchSize = q.limit < q.batchSize && !unlimited ? q.limit : q.batchSize;
  let total = 0;
  let start = q.start;
  let end = q.end;
  let lastEntries: PrintedEntry[] = [];
  while (total < q.limit || unlimited) {
    // The last page asks only for what is missing, plus the repeats of the previous boundary.
    const bs = q.limit - total < batchSize && !unlimited ? q.limit - total + lastEntries.length : batchSize;
    const resp = await fetchOr(client.queryRange(q.query, bs, start, end, direction, q.step, q.interval, q.quiet));
    if (h.showStats) h.printer.printStats(resp.stats);
    const outcome = h.printer.printResult(resp.result, lastEntries);
    h.afterBatch();
    lastEntries = outcome.last;
    if (outcome.printed <= 0) break;
    if (lastEntries.length === 0) break;
    if (outcome.printed === q.limit) break;
    if (lastEntries.length >= batchSize) {
      throw new FatalError(
        `Invalid batch size ${batchSize}, the next query will have ${lastEntries.length} overlapping entries ` +
          '(there will always be 1 overlapping entry but Loki allows multiple entries to have ' +
          'the same timestamp, so when a batch ends in this scenario the next query will include ' +
          `all the overlapping entries again).  Please increase your batch size to at least ${lastEntries.length + 1} to account ` +
          'for overlapping entryes\n',
      );
    }
    total += outcome.printed;
    // Backward: `end` is exclusive, so move it 1ns past the boundary to fetch its entries again.
    if (q.forward) start = lastEntries[0].ts;
    else end = lastEntries[0].ts + 1n;
  }
}
