// Hashes of the source line of every sample a query extracts, so each series sent to a querier can
// carry them and replicas of one entry are recognised as duplicates. Pure; no I/O.
import type { SampleExtractor, SampleOutput, SeriesSamples, StreamSampleExtractor } from '../../logql/contracts.js';
import type { Labels, Nanos } from '../../model/index.js';
import { lineHashLanes } from '../../iter/line-hash.js';

/** Appends the 64-bit hash of `line` (iter/line-hash lanes) as two 32-bit halves, low first. */
export function pushLineHash(line: string, out: number[]): void {
  const [low, high] = lineHashLanes(line);
  out.push(low, high);
}

/**
 * Wraps a sample extractor and records the line hash of each sample it emits, per output series,
 * in emission order. The ingester reads one stream at a time in ascending time order, so after a
 * batch the recorded hashes of a series line up with its timestamps.
 */
export class LineHashRecorder implements SampleExtractor {
  private readonly bySeries = new Map<string, number[]>();

  constructor(private readonly inner: SampleExtractor) {}

  forStream(streamLabels: Labels): StreamSampleExtractor {
    const extractor = this.inner.forStream(streamLabels);
    const bySeries = this.bySeries;
    return {
      process(ts: Nanos, line: string, metadata: Labels | undefined): SampleOutput | undefined {
        const out = extractor.process(ts, line, metadata);
        if (!out) return out;
        let hashes = bySeries.get(out.labels.key);
        if (!hashes) bySeries.set(out.labels.key, (hashes = []));
        pushLineHash(line, hashes);
        return out;
      },
    };
  }

  /** The hashes of one series of the batch just read (low, high pairs), or undefined if they do not line up. */
  hashesOf(series: SeriesSamples): number[] | undefined {
    const pairs = this.bySeries.get(series.labels.key);
    return pairs && pairs.length === series.ts.length * 2 ? pairs : undefined;
  }

  /** Forgets what was recorded (call after each batch). */
  clear(): void {
    this.bySeries.clear();
  }
}
