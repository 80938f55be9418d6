// The needle part of `npm run bench`: after the reference workload (loadgen.mjs and query-bench.mjs stay
// unchanged), plants a rare token in a few new lines of three prod streams, flushes them to the store and
// times line-filter queries for it, with the chunks' gram filters (`|=`) and without them (the same
// needle as a regular expression, `|~`, which never consults a filter: the same result, every block
// decompressed). Reports bytes decompressed, query times, blocks skipped and whether the results match.
// Setting LOKITS_BLOCK_FILTERS=off for the whole bench makes `|=` ignore the filters as well.

import fs from 'node:fs';
import { median, metricSum } from './util.mjs';

/**
 * Tokens no reference line holds: loadgen's order ids are `ord-<digits>`, it writes no IP addresses, and
 * its trace ids are random (this one is the W3C trace-context example).
 */
export const NEEDLES = ['order-7f3a9c', '10.0.3.17', '4bf92f3577b34da6a3ce929d0e0e4736'];
const STREAMS = 3;
const LINES_PER_STREAM = 5;


async function getJson(url) {
  const r = await fetch(url);
  const text = await r.text();
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** Three prod streams of different apps, by their label sets as the store holds them. */
async function pickStreams(queryUrl, start, end) {
  const p = new URLSearchParams({ 'match[]': '{namespace="prod"}', start: String(start), end: String(end) });
  const series = (await getJson(`${queryUrl}/loki/api/v1/series?${p}`)).data;
  const byApp = new Map();
  for (const s of series.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))) if (!byApp.has(s.app)) byApp.set(s.app, s);
  const picked = [...byApp.values()].slice(0, STREAMS);
  if (picked.length < STREAMS) throw new Error(`needle: found ${picked.length} prod streams, want ${STREAMS}`);
  return picked;
}

/** A line in the stream's own format (JSON for checkout and payments, logfmt otherwise) carrying every needle. */
function plantedLine(labels, tsNs, i) {
  const iso = new Date(Number(tsNs / 1_000_000n)).toISOString();
  if (labels.app === 'checkout' || labels.app === 'payments')
    return JSON.stringify({ ts: iso, level: labels.level, logger: `${labels.app}.service`, msg: 'order placed', order_id: NEEDLES[0], client: NEEDLES[1], trace_id: NEEDLES[2], seq: i });
  return `ts=${iso} level=${labels.level} caller=handler.go:42 msg="order placed" order=${NEEDLES[0]} client=${NEEDLES[1]} trace_id=${NEEDLES[2]} seq=${i}`;
}

async function push(url, streams, afterNs) {
  const body = {
    streams: streams.map((labels) => ({
      stream: labels,
      values: Array.from({ length: LINES_PER_STREAM }, (_, i) => {
        const ts = afterNs + BigInt(i + 1) * 1_000_000n;
        return [String(ts), plantedLine(labels, ts, i)];
      }),
    })),
  };
  const r = await fetch(`${url}/loki/api/v1/push`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status !== 204 && r.status !== 200) throw new Error(`needle push: HTTP ${r.status}: ${await r.text()}`);
}

/** Blocks the server has skipped by gram filters so far (its /metrics), or null without the metric. */
async function skippedBlocks(queryUrl) {
  const text = await (await fetch(`${queryUrl}/metrics`)).text();
  return metricSum(text, 'lokits_gram_filter_skipped_blocks_total');
}

/** Runs one query `runs` times: median ms, its stats and its result (streams sorted, for comparing). */
async function timeQuery(queryUrl, query, start, end, runs) {
  const ms = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const p = new URLSearchParams({ query, start: String(start), end: String(end), limit: '1000', direction: 'backward' });
    const t = performance.now();
    last = await getJson(`${queryUrl}/loki/api/v1/query_range?${p}`);
    ms.push(performance.now() - t);
  }
  const stats = last.data.stats ?? {};
  const store = stats.querier?.store?.chunk ?? {};
  const ingester = stats.ingester?.store?.chunk ?? {};
  const result = last.data.result
    .map((s) => JSON.stringify([Object.entries(s.stream).sort(), s.values]))
    .sort();
  return {
    query,
    medianMs: +median(ms).toFixed(1),
    decompressedBytes: (store.decompressedBytes ?? 0) + (ingester.decompressedBytes ?? 0),
    headChunkBytes: (store.headChunkBytes ?? 0) + (ingester.headChunkBytes ?? 0),
    totalBytesProcessed: stats.summary?.totalBytesProcessed ?? null,
    lines: last.data.result.reduce((n, s) => n + s.values.length, 0),
    result,
  };
}

/**
 * Plants the needles, flushes, and measures. `url` takes pushes, `queryUrl` queries; `flush()` flushes
 * every ingester and waits until they hold nothing. Returns the figures for results.json.
 */
export async function runNeedleBench({ url, queryUrl, metaPath, runs, flush, settleMs = 0, log }) {
  const meta = JSON.parse(fs.readFileSync(metaPath, 'utf8'));
  const start = BigInt(meta.startNs) - 60_000_000_000n;
  const end = BigInt(meta.endNs) + 60_000_000_000n;
  const streams = await pickStreams(queryUrl, start, end);
  await push(url, streams, BigInt(meta.endNs));
  await flush();
  if (settleMs > 0) await new Promise((res) => setTimeout(res, settleMs));
  const planted = STREAMS * LINES_PER_STREAM;
  const needles = [];
  for (const needle of NEEDLES) {
    const literal = JSON.stringify(needle);
    // A regular expression of the needle with its dots escaped: the same lines, no filter consulted.
    const regex = JSON.stringify(needle.replaceAll('.', '\\.'));
    const skippedBefore = await skippedBlocks(queryUrl);
    const filtered = await timeQuery(queryUrl, `{namespace="prod"} |= ${literal}`, start, end, runs);
    const skippedAfter = await skippedBlocks(queryUrl);
    const unfiltered = await timeQuery(queryUrl, `{namespace="prod"} |~ ${regex}`, start, end, runs);
    const same = filtered.lines === planted && JSON.stringify(filtered.result) === JSON.stringify(unfiltered.result);
    const entry = {
      needle,
      plantedLines: planted,
      sameResults: same,
      withFilters: { ...filtered, result: undefined, blocksSkippedPerQuery: skippedBefore === null ? null : (skippedAfter - skippedBefore) / runs },
      withoutFilters: { ...unfiltered, result: undefined },
      decompressedRatio: filtered.decompressedBytes > 0 ? +(unfiltered.decompressedBytes / filtered.decompressedBytes).toFixed(1) : null,
    };
    log?.(
      `needle ${literal}: ${filtered.lines} lines; decompressed ${(filtered.decompressedBytes / 1e6).toFixed(2)} MB with filters, ` +
        `${(unfiltered.decompressedBytes / 1e6).toFixed(1)} MB without (${entry.decompressedRatio}×); ` +
        `${filtered.medianMs} ms vs ${unfiltered.medianMs} ms; same results: ${same}`,
    );
    needles.push(entry);
  }
  return { streams: streams.map((s) => s.app), linesPerStream: LINES_PER_STREAM, runs, needles };
}

/** The needle figures as a small table under the comparison. */
export function printNeedle(r) {
  const head = ['needle query', 'MB decompressed', 'without filters', 'fewer', 'ms', 'ms without', 'blocks skipped', 'same results'];
  const rows = r.needles.map((n) => [
    n.withFilters.query,
    (n.withFilters.decompressedBytes / 1e6).toFixed(2),
    (n.withoutFilters.decompressedBytes / 1e6).toFixed(1),
    n.decompressedRatio === null ? '-' : `${n.decompressedRatio}×`,
    String(n.withFilters.medianMs),
    String(n.withoutFilters.medianMs),
    n.withFilters.blocksSkippedPerQuery === null ? '-' : String(n.withFilters.blocksSkippedPerQuery),
    n.sameResults ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((c) => c[i].length)));
  const line = (c) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  console.log('');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of rows) console.log(line(c));
  console.log('(without filters: the same needle as |~, which never consults a gram filter; goal ≥ 5× fewer bytes, same results)');
}
