// Prometheus metrics of one server (its own registry, so several servers can share a process):
// ingest counters per tenant, in-memory streams, flushed chunks, blocks skipped by gram filters and
// request durations.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { skippedBlockTotals } from '../model/stats.js';

export class ServerMetrics {
  readonly registry = new Registry();
  readonly linesReceived = new Counter({
    name: 'loki_distributor_lines_received_total',
    help: 'The total number of log lines received.',
    labelNames: ['tenant'],
    registers: [this.registry],
  });
  readonly bytesReceived = new Counter({
    name: 'loki_distributor_bytes_received_total',
    help: 'The total number of uncompressed bytes received per tenant.',
    labelNames: ['tenant'],
    registers: [this.registry],
  });
  readonly discardedSamples = new Counter({
    name: 'loki_discarded_samples_total',
    help: 'The total number of samples that were discarded.',
    labelNames: ['reason', 'tenant'],
    registers: [this.registry],
  });
  /** Set by an ingester role: streams and unflushed bytes per tenant, read at scrape time. */
  ingesterStatus: (() => Map<string, { streams: number; unflushedBytes: number }>) | undefined;
  readonly memoryStreams = new Gauge({
    name: 'loki_ingester_memory_streams',
    help: 'The total number of streams in memory per tenant.',
    labelNames: ['tenant'],
    registers: [this.registry],
    collect: () => this.collectIngester(),
  });
  readonly memoryBytes = new Gauge({
    name: 'loki_ingester_unflushed_bytes',
    help: 'Uncompressed bytes of entries held in memory and not yet flushed, per tenant.',
    labelNames: ['tenant'],
    registers: [this.registry],
  });
  readonly chunksFlushed = new Counter({
    name: 'loki_ingester_chunks_flushed_total',
    help: 'Total flushed chunks.',
    labelNames: ['tenant'],
    registers: [this.registry],
  });
  readonly chunkBytesFlushed = new Counter({
    name: 'loki_ingester_chunk_stored_bytes_total',
    help: 'Total uncompressed bytes of entries in flushed chunks.',
    labelNames: ['tenant'],
    registers: [this.registry],
  });
  readonly skippedBlocks = new Counter({
    name: 'lokits_gram_filter_skipped_blocks_total',
    help: 'Chunk blocks that line-filter reads skipped undecompressed because their gram filter ruled out a needle (this process).',
    labelNames: ['source'],
    registers: [this.registry],
    collect() {
      this.reset();
      for (const [source, t] of Object.entries(skippedBlockTotals)) this.inc({ source }, t.blocks);
    },
  });
  readonly skippedBlockBytes = new Counter({
    name: 'lokits_gram_filter_skipped_bytes_total',
    help: 'Line and structured metadata bytes of the blocks counted by lokits_gram_filter_skipped_blocks_total (this process).',
    labelNames: ['source'],
    registers: [this.registry],
    collect() {
      this.reset();
      for (const [source, t] of Object.entries(skippedBlockTotals)) this.inc({ source }, t.bytes);
    },
  });
  readonly requestDuration = new Histogram({
    name: 'loki_request_duration_seconds',
    help: 'Time (in seconds) spent serving HTTP requests.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  private collectIngester(): void {
    if (!this.ingesterStatus) return;
    this.memoryStreams.reset();
    this.memoryBytes.reset();
    for (const [tenant, s] of this.ingesterStatus()) {
      this.memoryStreams.set({ tenant }, s.streams);
      this.memoryBytes.set({ tenant }, s.unflushedBytes);
    }
  }
}
