#!/usr/bin/env node
// `npm run bench`: builds, starts our server, runs the reference workload (loadgen.mjs, query-bench.mjs,
// both unchanged) against it and prints our figures beside real Loki's. Never edits the workload scripts.
//
// Usage: node bench/run.mjs [--quick] [--lines N] [--runs N] [--no-build] [--profile DIR] [--keep]
//                           [--out FILE] [--cluster]
//   --quick        200,000 lines (fast iteration; stored-bytes and query figures scale, ratios do not)
//   --profile DIR  also records server CPU profiles (inspector, one .cpuprofile per phase: ingest,
//                  flush, each query) into DIR after the timed runs; see bench/profile-top.mjs
//   --ingest-only  skips the queries (for ingest experiments; results.json is not written)
//   --streams N    memory mode (bench/streams.mjs): loadgen pushes to N streams, then RSS per active stream and
//                  per MB of unflushed data go to results.json under streamsMode (no flush, no queries)
//   --profile-only with --profile: skips the timed pass (results.json is not written)
//   --node-flags F extra node flags for the server process (e.g. "--max-semi-space-size=64"), for experiments
//   --keep         keeps the temporary data folder
//   --cluster      a cluster of separate processes (bench/cluster.mjs: Redis ring, 3 ingesters with
//                  replication factor 3, a distributor, a querier); writes bench/results-cluster.json
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startCluster } from './cluster.mjs';
import { printNeedle, runNeedleBench } from './needle.mjs';
import { spawnServer } from './server-process.mjs';
import { metricSum, procStatusMB } from './util.mjs';
import { recordStreamsMode, streamsModeFigures } from './streams.mjs';

/**
 * This process blocks in spawnSync while loadgen and query-bench run, so it never sees a server close
 * an idle keep-alive socket; the next request on that socket fails with UND_ERR_SOCKET. Every request
 * of the bench is safe to send again (a repeated push is dropped as exact duplicates), so it is.
 */
const fetchOnce = globalThis.fetch;
globalThis.fetch = (url, init) =>
  fetchOnce(url, init).catch((e) => {
    if (e?.cause?.code !== 'UND_ERR_SOCKET') throw e;
    return fetchOnce(url, init);
  });

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH_DIR);

/** Real Loki 3.4.6 on a 2-core machine with the same scripts (the workload README). */
const LOKI = {
  version: '3.4.6',
  ingest: { linesPerSec: 306_000, rawMBPerSec: 68.5, peakRssMB: 525 },
  storedBytes: 104.5e6,
  rawBytes: 448e6,
  queriesMs: {
    q1_stream_selector: 43,
    q2_line_filter: 90,
    q3_count_over_time_by_level: 1103,
    q4a_logfmt_duration_rate: 674,
    q4b_json_duration_rate: 478,
    q5_topk_bytes_over_time: 1555,
  },
};

/** How much faster than Loki each query must be (1 = no slower). */
const QUERY_TARGET = { q3_count_over_time_by_level: 2, q5_topk_bytes_over_time: 2 };

function parseArgs(argv) {
  const flags = new Set(['quick', 'no-build', 'keep', 'cluster', 'profile-only', 'ingest-only']);
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const k = a.slice(2);
    out[k] = flags.has(k) ? true : argv[++i];
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const LINES = Number(args.lines ?? (args.quick ? 200_000 : 2_000_000));
const RUNS = Number(args.runs ?? 3);
/** Streams loadgen pushes to; other than 100 it is the memory mode (bench/streams.mjs): no flush, no queries. */
const STREAMS = Number(args.streams ?? 100);
const OUT = path.resolve(args.out ?? path.join(BENCH_DIR, args.cluster ? 'results-cluster.json' : 'results.json'));

/**
 * Single-process config: Loki's defaults except the limits the workload README raises. chunk_encoding
 * is Loki's default (gzip), which Loki's figures were measured with; ours defaults to snappy.
 */
const SINGLE_PROCESS_CONFIG = `
auth_enabled: false
server:
  http_listen_address: 127.0.0.1
  http_listen_port: 0
  log_level: info
common:
  path_prefix: {{DATA}}
ingester:
  chunk_encoding: gzip
  chunk_retain_period: 0s
{{LIMITS}}`;

/** The limits the workload README raises (single process and cluster alike). */
const BENCH_LIMITS = `limits_config:
  reject_old_samples: false
  ingestion_rate_mb: 100000
  ingestion_burst_size_mb: 100000
  per_stream_rate_limit: 10GB
  per_stream_rate_limit_burst: 20GB
  max_line_size: 0
  max_global_streams_per_user: 0
  max_query_series: 100000
`;

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited with ${r.status}`);
}

/** Runs a workload script (unchanged) and returns its stdout JSON. */
function runScript(script, argv) {
  const r = spawnSync(process.execPath, [path.join(BENCH_DIR, script), ...argv], {
    cwd: BENCH_DIR,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`${script} exited with ${r.status}: ${r.stdout.toString().slice(-2000)}`);
  return JSON.parse(r.stdout.toString());
}

/** The node flags `npm start` uses, unless --node-flags replaces them. */
const SERVER_NODE_FLAGS = (args['node-flags'] ?? '--max-semi-space-size=32').split(/\s+/).filter(Boolean);

/** Starts `node dist/src/main.js` with its own data folder; resolves once /ready answers 200. */
async function startSingleProcess({ inspect }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lokits-bench-'));
  const config = SINGLE_PROCESS_CONFIG.replaceAll('{{DATA}}', dataDir).replace('{{LIMITS}}', BENCH_LIMITS);
  const p = await spawnServer({ root: ROOT, nodeFlags: SERVER_NODE_FLAGS, config, dir: dataDir, name: 'server', inspect });
  return {
    url: p.url,
    queryUrl: p.url,
    pids: [p.pid],
    ingesterUrls: [p.url],
    dataDir,
    chunksDir: path.join(dataDir, 'chunks', 'chunks'),
    inspectorUrl: p.inspectorUrl,
    stop: () => p.stop(),
  };
}

/** Apparent size of every file under `dir` (the chunk objects). */
function folderBytes(dir) {
  let total = 0;
  let files = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        total += fs.statSync(p).size;
        files++;
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return { bytes: total, files };
}

/** CPU seconds (user + system) the processes (all threads) and their main threads have used so far. */
function cpuSeconds(pids) {
  const read = (file) => {
    const stat = fs.readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  let total = 0;
  let main = 0;
  for (const pid of pids) {
    total += read(`/proc/${pid}/stat`);
    main += read(`/proc/${pid}/task/${pid}/stat`);
  }
  return { total, main };
}

function cpuSince(pids, before) {
  const now = cpuSeconds(pids);
  return { total: +(now.total - before.total).toFixed(2), main: +(now.main - before.main).toFixed(2) };
}

/** A /proc/<pid>/status figure summed over processes, MB. */
function sumMB(pids, field) {
  return +pids.reduce((n, pid) => n + (procStatusMB(pid, field) ?? 0), 0).toFixed(1);
}

/** Streams the ingester still holds in memory (loki_ingester_memory_streams, summed over tenants). */
async function memoryStreams(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return metricSum(text, 'loki_ingester_memory_streams') ?? 0;
}

/**
 * POST /flush to every ingester (the single process is its own), then until they have released every
 * flushed chunk (chunk_retain_period 0s), so the queries read the store as Loki's figures did.
 * Returns the seconds the first round of flushes took.
 */
async function flush(ingesterUrls) {
  const t = performance.now();
  let seconds;
  const deadline = Date.now() + 60_000;
  for (;;) {
    await Promise.all(
      ingesterUrls.map(async (url) => {
        const r = await fetch(`${url}/flush`, { method: 'POST' });
        if (r.status !== 204) throw new Error(`${url}/flush answered ${r.status}: ${await r.text()}`);
      }),
    );
    seconds ??= (performance.now() - t) / 1000;
    const held = await Promise.all(ingesterUrls.map(memoryStreams));
    if (held.every((n) => n === 0)) return seconds;
    if (Date.now() > deadline) throw new Error('ingesters still hold streams 60 s after /flush');
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** A CPU profiler over the server's inspector (Chrome DevTools protocol). */
async function connectProfiler(wsUrl) {
  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  const pending = new Map();
  ws.on('message', (m) => {
    const msg = JSON.parse(m.toString());
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(msg.error.message));
      else resolve(msg.result);
    }
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const n = ++id;
      pending.set(n, { resolve, reject });
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 500 });
  return {
    async record(file, fn) {
      await send('Profiler.start');
      try {
        await fn();
      } finally {
        const { profile } = await send('Profiler.stop');
        fs.writeFileSync(file, JSON.stringify(profile));
      }
    },
    close: () => ws.close(),
  };
}

/** The query-bench.mjs queries, for profiling one at a time; checked against the script's text. */
function profileQueries(meta) {
  const queries = [
    { id: 'q1_stream_selector', query: '{app="checkout"}', limit: 1000 },
    { id: 'q2_line_filter', query: '{namespace="prod"} |= "error"', limit: 1000 },
    { id: 'q3_count_over_time_by_level', query: 'sum by (level) (count_over_time({namespace="prod"}[1m]))' },
    {
      id: 'q4a_logfmt_duration_rate',
      query: 'sum by (app) (rate({namespace="prod", app=~"api-gateway|inventory|auth"} | logfmt | duration > 500ms [5m]))',
    },
    { id: 'q4b_json_duration_rate', query: 'sum by (app) (rate({namespace="prod", app=~"checkout|payments"} | json | duration > 500ms [5m]))' },
    { id: 'q5_topk_bytes_over_time', query: 'topk(5, sum by (pod) (bytes_over_time({namespace="prod"}[5m])))' },
  ];
  const text = fs.readFileSync(path.join(BENCH_DIR, 'query-bench.mjs'), 'utf8');
  for (const q of queries) {
    const templ = q.query.replaceAll('"prod"', '"${NS}"').replaceAll('"checkout"', '"${APP}"');
    if (!text.includes(q.id) || !(text.includes(q.query) || text.includes(templ)))
      throw new Error(`profile query ${q.id} no longer matches query-bench.mjs`);
  }
  const start = BigInt(meta.startNs) - 60_000_000_000n;
  const end = BigInt(meta.endNs) + 60_000_000_000n;
  const step = Math.ceil(Number((end - start) / 1_000_000_000n) / 150);
  return queries.map((q) => {
    const p = new URLSearchParams({ query: q.query, start: String(start), end: String(end) });
    if (q.limit) {
      p.set('limit', String(q.limit));
      p.set('direction', 'backward');
    } else p.set('step', `${step}s`);
    return { id: q.id, path: `/loki/api/v1/query_range?${p}` };
  });
}

function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryMB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageBefore: os.loadavg().map((x) => +x.toFixed(2)),
  };
}

const fmt = (n, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** Rows of (measure, ours, Loki, ratio, target met); ratio > 1 means we are better. */
function comparisonRows(r) {
  const rows = [];
  const scale = LINES / 2_000_000;
  const ing = r.ingest;
  rows.push(['ingest lines/s', fmt(ing.linesPerSec), fmt(LOKI.ingest.linesPerSec), ing.linesPerSec / LOKI.ingest.linesPerSec, ing.linesPerSec >= LOKI.ingest.linesPerSec]);
  rows.push(['ingest raw MB/s', fmt(ing.rawMBPerSec, 1), fmt(LOKI.ingest.rawMBPerSec, 1), ing.rawMBPerSec / LOKI.ingest.rawMBPerSec, ing.rawMBPerSec >= LOKI.ingest.rawMBPerSec]);
  rows.push(['peak RSS MB (VmHWM)', fmt(ing.peakRssMB, 0), fmt(LOKI.ingest.peakRssMB), LOKI.ingest.peakRssMB / ing.peakRssMB, ing.peakRssMB <= LOKI.ingest.peakRssMB]);
  const lokiStored = LOKI.storedBytes * scale;
  rows.push([
    `stored chunk MB${scale === 1 ? '' : ' (Loki scaled)'}`,
    fmt(r.stored.bytes / 1e6, 1),
    fmt(lokiStored / 1e6, 1),
    lokiStored / r.stored.bytes,
    r.stored.bytes <= lokiStored,
  ]);
  for (const q of r.queries.queries) {
    const loki = LOKI.queriesMs[q.id];
    const target = QUERY_TARGET[q.id] ?? 1;
    rows.push([`${q.id} ms${scale === 1 ? '' : ' (Loki unscaled)'}`, fmt(q.medianMs, 1), fmt(loki), loki / q.medianMs, loki / q.medianMs >= target]);
  }
  return rows;
}

function printTable(rows) {
  const head = ['measure', 'ours', 'Loki 3.4.6', 'ours vs Loki', 'target'];
  const cells = rows.map(([m, o, l, ratio, ok]) => [m, o, l, `${ratio.toFixed(2)}×`, ok ? 'met' : 'MISSED']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
  console.log('(ours vs Loki > 1 is better: Loki/ours for times, sizes and RSS; ours/Loki for rates)');
}

async function main() {
  if (!args['no-build']) {
    log('npm run build');
    run('npm', ['run', 'build', '--silent']);
  }
  const profileDir = args.profile ? path.resolve(args.profile) : undefined;
  if (profileDir && args['profile-only']) return profile(profileDir);
  const server = args.cluster
    ? await startCluster({ root: ROOT, nodeFlags: SERVER_NODE_FLAGS, limits: BENCH_LIMITS, log })
    : await startSingleProcess({ inspect: false });
  const result = {
    date: new Date().toISOString(),
    mode: args.cluster ? 'cluster' : 'single-process',
    machine: machine(),
    lines: LINES,
    runs: RUNS,
    serverNodeFlags: SERVER_NODE_FLAGS.join(' '),
  };
  try {
    log(`server ${server.pids.join(',')} at ${server.url}, data in ${server.dataDir}`);
    const meta = path.join(server.dataDir, 'run.json');
    log(`loadgen: ${LINES} lines`);
    const cpuBefore = cpuSeconds(server.pids);
    const cpuBeforeByPid = server.pids.map((pid) => cpuSeconds([pid]));
    const ingest = runScript('loadgen.mjs', [
      '--url', server.url, '--lines', String(LINES), '--streams', String(STREAMS), '--batch-bytes', '1048576',
      '--concurrency', '4', '--meta', meta, '--pid', String(server.pids[0]),
    ]);
    if (ingest.errors) throw new Error(`loadgen: ${ingest.errors} failed pushes, first: ${ingest.firstError}`);
    const cpuIngest = cpuSince(server.pids, cpuBefore);
    const cpuIngestByPid = server.pids.map((pid, i) => ({ pid, ...cpuSince([pid], cpuBeforeByPid[i]) }));
    if (server.roles) log(`ingest CPU s by process (distributor, querier, ingesters): ${cpuIngestByPid.map((c) => `${c.total} (${c.main})`).join(', ')}`);
    log(
      `ingest: ${ingest.linesPerSec} lines/s; server CPU ${cpuIngest.total} s, main thread ${cpuIngest.main} s ` +
        `(${((cpuIngest.main / LINES) * 1e6).toFixed(2)} µs a line)`,
    );
    if (STREAMS !== 100) {
      const figures = await streamsModeFigures({ url: server.url, pid: server.pids[0], ingest, streams: STREAMS, serverCpuSeconds: cpuIngest });
      log(`${STREAMS} streams: ${figures.rssBytesPerStream} B of RSS per active stream, ${figures.rssMBPerUnflushedMB} MB of RSS per MB unflushed`);
      recordStreamsMode(OUT, figures);
      return;
    }
    const flushSec = await flush(server.ingesterUrls);
    // A querier refreshes its view of the store's index every index_cache_refresh (1 s in the cluster).
    if (args.cluster) await new Promise((res) => setTimeout(res, 2_500));
    const stored = folderBytes(server.chunksDir);
    log(`flushed in ${flushSec.toFixed(1)} s: ${stored.files} chunks, ${(stored.bytes / 1e6).toFixed(1)} MB`);
    if (args['ingest-only']) return;
    log(`query-bench: ${RUNS} runs`);
    const cpuBeforeQueries = cpuSeconds(server.pids);
    const queries = runScript('query-bench.mjs', ['--url', server.queryUrl, '--meta', meta, '--runs', String(RUNS)]);
    const cpuQueries = cpuSince(server.pids, cpuBeforeQueries);
    log(`queries: server CPU ${cpuQueries.total} s, main thread ${cpuQueries.main} s`);
    const needle = await runNeedleBench({
      url: server.url, queryUrl: server.queryUrl, metaPath: meta, runs: RUNS, flush: () => flush(server.ingesterUrls), settleMs: args.cluster ? 2_500 : 0, log,
    });
    result.ingest = {
      linesPerSec: ingest.linesPerSec,
      rawMBPerSec: ingest.rawMBPerSec,
      seconds: ingest.seconds,
      // loadgen samples one pid; a cluster's peak is the sum of every process's own peak.
      peakRssMB: server.pids.length > 1 ? sumMB(server.pids, 'VmHWM') : (ingest.server?.vmHWMMB ?? null),
      peakRssMBByProcess: server.roles ? Object.fromEntries(server.pids.map((pid) => [pid, +(procStatusMB(pid, 'VmHWM') ?? 0).toFixed(1)])) : undefined,
      maxSampledRssMB: ingest.server?.maxSampledRssMB ?? null,
      latencyMs: ingest.latencyMs,
      serverCpuSeconds: cpuIngest,
      serverCpuSecondsByProcess: server.roles ? cpuIngestByPid : undefined,
      rawBytes: ingest.rawBytes,
      requests: ingest.requests,
    };
    result.flushSeconds = +flushSec.toFixed(2);
    result.stored = { ...stored, ratio: +(ingest.rawBytes / stored.bytes).toFixed(2) };
    result.queries = queries;
    result.queriesServerCpuSeconds = cpuQueries;
    result.needle = needle;
    result.loadAverageAfter = os.loadavg().map((x) => +x.toFixed(2));
    result.rssAfterQueriesMB = { vmRSS: sumMB(server.pids, 'VmRSS'), vmHWM: sumMB(server.pids, 'VmHWM') };
    if (server.roles) result.cluster = { roles: server.roles, replicationFactor: server.roles.ingesters.length };
    result.loki = LOKI;
    const rows = comparisonRows(result);
    result.comparison = rows.map(([measure, ours, loki, ratio, met]) => ({ measure, ours, loki, ratio: +ratio.toFixed(3), met }));
    printTable(rows);
    printNeedle(needle);
    // The memory mode's figures (--streams N) are measured by separate runs: keep them.
    const previous = fs.existsSync(OUT) ? JSON.parse(fs.readFileSync(OUT, 'utf8')) : {};
    if (previous.streamsMode) result.streamsMode = previous.streamsMode;
    fs.writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
    log(`wrote ${path.relative(process.cwd(), OUT)}`);
  } finally {
    await server.stop();
    if (!args.keep) fs.rmSync(server.dataDir, { recursive: true, force: true });
  }
  if (profileDir) await profile(profileDir);
}

/** A second, untimed pass with the server under the inspector: one CPU profile per phase. */
async function profile(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const server = await startSingleProcess({ inspect: true });
  const profiler = await connectProfiler(server.inspectorUrl);
  try {
    const meta = path.join(server.dataDir, 'run.json');
    await profiler.record(path.join(dir, 'ingest.cpuprofile'), async () => {
      await runScriptAsync('loadgen.mjs', [
        '--url', server.url, '--lines', String(LINES), '--streams', String(STREAMS), '--batch-bytes', '1048576',
        '--concurrency', '4', '--meta', meta, '--pid', String(server.pids[0]),
      ]);
    });
    await profiler.record(path.join(dir, 'flush.cpuprofile'), () => flush(server.ingesterUrls));
    if (args['ingest-only']) return;
    for (const q of profileQueries(JSON.parse(fs.readFileSync(meta, 'utf8')))) {
      await profiler.record(path.join(dir, `${q.id}.cpuprofile`), async () => {
        const r = await fetch(server.url + q.path);
        await r.text();
        if (!r.ok) throw new Error(`${q.id}: HTTP ${r.status}`);
      });
    }
    log(`profiles in ${dir}`);
  } finally {
    profiler.close();
    await server.stop();
    if (!args.keep) fs.rmSync(server.dataDir, { recursive: true, force: true });
  }
}

/** Runs a workload script without blocking this process (the profiler's socket must stay served). */
function runScriptAsync(script, argv) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(BENCH_DIR, script), ...argv], { cwd: BENCH_DIR, stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}`))));
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
