// Routes for Grafana/Logs Drilldown beyond queries: index volume, detected labels/fields, patterns and
// drilldown limits. Parameters in, querier and detection modules called, Loki's JSON out; no logic.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Limits } from '../../config/limits.js';
import { LEVEL_FIELDS } from '../../distributor/log-level.js';
import type { LogSelectorExpr } from '../../logql/ast.js';
import { buildPipeline } from '../../logql/log/index.js';
import { parseLogSelector, parseMatchers } from '../../logql/syntax/index.js';
import { ValidationError, type Nanos } from '../../model/index.js';
import { getLabel } from '../../model/labels.js';
import { QueryStats } from '../../model/stats.js';
import { formatPromDuration } from '../../model/time.js';
import { FieldDetector, detectedLabels, encodeDetectedFieldValues, encodeDetectedFields, encodeDetectedLabels } from '../../querier/detected.js';
import { encodeQueryResponse, encodeStats } from '../../querier/encode.js';
import { parseBounds, parseLimit, parseRangeQuery, type Params } from '../../querier/params.js';
import { detectPatterns, encodePatterns, type PatternStream } from '../../querier/patterns.js';
import type { Querier } from '../../querier/querier.js';
import { parseVolumeRequest, queryVolume } from '../../querier/volume.js';
import { sendError } from '../http-errors.js';
import { formParams } from '../request.js';
import { resolveTenant } from '../tenant.js';
import { BUILD_INFO } from './status.js';

const JSON_UTF8 = 'application/json; charset=UTF-8';
/** Lines read per /patterns request at most (the newest ones), in place of a pattern ingester. */
const PATTERN_LINE_LIMIT = 100_000;
const DEFAULT_FIELD_LIMIT = 1000;


/** loghttp detectedFieldsLimit: `limit`, else the older `field_limit`, default 1000. */
function fieldLimit(p: Params): number {
  const q = new URLSearchParams();
  const v = p.get('limit') || p.get('field_limit');
  if (v) q.set('limit', v);
  return parseLimit(q, DEFAULT_FIELD_LIMIT);
}

function lineLimit(p: Params): number {
  const q = new URLSearchParams();
  const v = p.get('line_limit');
  if (v) q.set('limit', v);
  return parseLimit(q);
}

interface DetectedFieldsRequest {
  selector: LogSelectorExpr;
  query: string;
  start: Nanos;
  end: Nanos;
  step: bigint;
  lineLimit: number;
  fieldLimit: number;
}

/** loghttp.ParseDetectedFieldsQuery, then the frontend's log-selector check. */
function parseDetectedFieldsRequest(p: Params): DetectedFieldsRequest {
  const query = p.get('query') ?? '';
  const { start, end } = parseBounds(p);
  if (end < start) throw new ValidationError('end timestamp must not be before or equal to start time');
  const lines = lineLimit(p);
  const fields = fieldLimit(p);
  const range = parseRangeQuery(withoutLimit(p));
  return { selector: parseLogSelector(query), query, start, end, step: range.step, lineLimit: lines, fieldLimit: fields };
}

/** The parameters without `limit` (it means the field limit here, not the query's entry limit). */
function withoutLimit(p: Params): Params {
  const q = new URLSearchParams(p);
  q.delete('limit');
  return q;
}

/** Published per-tenant limits for Logs Drilldown (Loki's default allow-list, those we have). */
function drilldownLimits(l: Limits): Record<string, unknown> {
  return {
    discover_log_levels: l.discover_log_levels,
    discover_service_name: l.discover_service_name,
    log_level_fields: LEVEL_FIELDS,
    max_entries_limit_per_query: l.max_entries_limit_per_query,
    max_line_size_truncate: l.max_line_size_truncate,
    max_query_length: formatPromDuration(l.max_query_length),
    max_query_lookback: formatPromDuration(l.max_query_lookback),
    max_query_series: l.max_query_series,
    metric_aggregation_enabled: false,
    pattern_persistence_enabled: false,
    query_timeout: formatPromDuration(l.query_timeout),
    retention_period: formatPromDuration(l.retention_period),
    volume_enabled: true,
    volume_max_series: l.volume_max_series,
  };
}

export function registerGrafanaRoutes(app: FastifyInstance, querier: Querier, limits: (tenant: string) => Limits, authEnabled: boolean): void {
  const route = (path: string, fn: (req: FastifyRequest, reply: FastifyReply, tenant: string, p: URLSearchParams) => Promise<unknown>) => {
    const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      try {
        return await fn(req, reply, resolveTenant(req, authEnabled), formParams(req));
      } catch (err) {
        return sendError(reply, err, false);
      }
    };
    app.get(path, handler);
    app.post(path, handler);
  };

  const volume = (range: boolean) => async (_req: FastifyRequest, reply: FastifyReply, tenant: string, p: URLSearchParams) => {
    const started = process.hrtime.bigint();
    const req = parseVolumeRequest(p, range);
    const { result, buckets } = await queryVolume(querier, tenant, req, limits(tenant).volume_max_series);
    const execSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const returned = result.type === 'vector' ? result.samples.length : result.type === 'matrix' ? result.series.length : 0;
    const stats = encodeStats(new QueryStats(), execSeconds, returned, buckets, 0);
    // A Buffer, so the Content-Type stays exactly application/json (no charset added), as Loki sends it.
    return reply.header('Content-Type', 'application/json').send(Buffer.from(encodeQueryResponse(result, stats, false)));
  };
  route('/loki/api/v1/index/volume', volume(false));
  route('/loki/api/v1/index/volume_range', volume(true));

  route('/loki/api/v1/detected_labels', async (_req, reply, tenant, p) => {
    const { start, end } = parseBounds(p);
    if (end < start) throw new ValidationError('end timestamp must not be before or equal to start time');
    const query = p.get('query') || null;
    if (query) parseMatchers(query);
    const values = new Map<string, string[]>();
    for (const name of await querier.labelNames(tenant, start, end, query)) values.set(name, await querier.labelValues(tenant, name, start, end, query));
    return reply.header('Content-Type', JSON_UTF8).send(encodeDetectedLabels(detectedLabels(values)));
  });

  const detectedFieldsSample = async (tenant: string, r: DetectedFieldsRequest) => {
    const out = await querier.rangeQuery(
      tenant,
      { query: r.query, start: r.start, end: r.end, step: r.step, interval: 0n, limit: r.lineLimit, direction: 'backward' },
      true,
    );
    return out.result.type === 'streams' ? out.result.streams : [];
  };

  route('/loki/api/v1/detected_fields', async (_req, reply, tenant, p) => {
    const r = parseDetectedFieldsRequest(p);
    const streams = await detectedFieldsSample(tenant, r);
    const fields = new FieldDetector(buildPipeline).fields(streams, r.fieldLimit);
    return reply.header('Content-Type', JSON_UTF8).send(encodeDetectedFields(fields, r.fieldLimit));
  });

  route('/loki/api/v1/detected_field/:name/values', async (req, reply, tenant, p) => {
    const r = parseDetectedFieldsRequest(p);
    const streams = await detectedFieldsSample(tenant, r);
    const values = new FieldDetector(buildPipeline).values(streams, (req.params as { name: string }).name, r.fieldLimit);
    return reply.header('Content-Type', JSON_UTF8).send(encodeDetectedFieldValues(values, r.fieldLimit));
  });

  route('/loki/api/v1/patterns', async (_req, reply, tenant, p) => {
    const range = parseRangeQuery(withoutLimit(p));
    const selector: LogSelectorExpr = { kind: 'logSelector', matchers: parseMatchers(range.query), stages: [] };
    const streams = await querier.readLogs(tenant, selector, range.start, range.end, PATTERN_LINE_LIMIT);
    const lines: PatternStream[] = streams.map((s) =>
      s.entries
        .map((e) => ({ tsMs: Number(e.ts / 1_000_000n), line: e.line, level: getLabel(e.structuredMetadata ?? [], 'detected_level') }))
        .reverse(),
    );
    const fromMs = Math.floor(Number(range.start) / 1e6);
    const throughMs = Math.ceil(Number(range.end) / 1e6);
    const patterns = detectPatterns(lines, { fromMs, throughMs, stepMs: Number(range.step / 1_000_000n) });
    return reply.header('Content-Type', JSON_UTF8).send(encodePatterns(patterns));
  });

  app.get('/loki/api/v1/drilldown-limits', async (req, reply) => {
    try {
      const tenant = resolveTenant(req, authEnabled);
      const body = { limits: drilldownLimits(limits(tenant)), pattern_ingester_enabled: true, version: BUILD_INFO.version };
      return reply.header('Content-Type', JSON_UTF8).send(JSON.stringify(body) + '\n');
    } catch (err) {
      return sendError(reply, err, false);
    }
  });
}
