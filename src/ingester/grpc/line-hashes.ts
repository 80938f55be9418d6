// Hashes of the source line of every sample a query extracts, so each series sent to a querier can
// carry them and replicas of one entry are recognised as duplicates. Pure; no I/O.
import type { SampleExtractor, SampleOutput, SeriesSamples, StreamSampleExtractor } from '../../logql/contracts.js';
import type { Labels, Nanos } from '../../model/index.js';

/**
 * Appends a 64-bit hash of `line` as two 32-bit halves (low, high): FNV-1a and a multiply-xorshift
 * lane over its UTF-16 code units. Not cryptographic; the same on every ingester and version.
 */
export function pushLineHash(line: string, out: number[]): void {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b = Math.imul(b ^ line.length, 0x5bd1e995);
  out.push(a >>> 0, (b ^ (b >>> 13)) >>> 0);
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
