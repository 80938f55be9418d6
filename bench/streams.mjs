// The many-streams memory mode of the bench (`node bench/run.mjs --streams 10000`): after loadgen pushed
// to N streams, reports resident memory per active stream and per MB of unflushed raw data, and records
// it in results.json under `streamsMode`. Reads /proc and /metrics only; never changes the server.
import fs from 'node:fs';
import { metricSum, procStatusMB } from './util.mjs';

/**
 * Measures memory after ingest. `ingest` is loadgen's summary (its `server.rssBeforeMB` is the RSS
 * before the first push). Streams and unflushed bytes come from the ingester's gauges.
 */
export async function streamsModeFigures({ url, pid, ingest, streams, serverCpuSeconds }) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const activeStreams = (metricSum(text, 'loki_ingester_memory_streams') ?? 0);
  const unflushedBytes = (metricSum(text, 'loki_ingester_unflushed_bytes') ?? 0);
  const before = ingest.server?.rssBeforeMB ?? null;
  const after = procStatusMB(pid, 'VmRSS');
  const deltaBytes = before !== null && after !== null ? (after - before) * 2 ** 20 : null;
  return {
    date: new Date().toISOString(),
    streams,
    lines: ingest.lines,
    acceptedLines: ingest.acceptedLines,
    errors: ingest.errors,
    firstError: ingest.firstError,
    linesPerSec: ingest.linesPerSec,
    serverCpuSeconds,
    rawBytes: ingest.rawBytes,
    activeStreams,
    unflushedMB: +(unflushedBytes / 1e6).toFixed(1),
    rssBeforeMB: before === null ? null : +before.toFixed(1),
    rssAfterMB: after === null ? null : +after.toFixed(1),
    peakRssMB: ingest.server?.vmHWMMB ?? null,
    rssBytesPerStream: deltaBytes === null || !activeStreams ? null : Math.round(deltaBytes / activeStreams),
    rssMBPerUnflushedMB: deltaBytes === null || !unflushedBytes ? null : +(deltaBytes / unflushedBytes).toFixed(2),
  };
}

/** Adds `figures` to `file` (results.json) under streamsMode[<streams>], keeping everything else. */
export function recordStreamsMode(file, figures) {
  let doc = {};
  if (fs.existsSync(file)) doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  doc.streamsMode = { ...(doc.streamsMode ?? {}), [String(figures.streams)]: figures };
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
}
