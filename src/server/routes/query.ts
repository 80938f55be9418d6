// Query API routes (v1 and legacy): parameters in, querier call, Loki JSON out. No query logic
// lives here beyond choosing the endpoint's encoding.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { QueryResult } from '../../logql/engine/index.js';
import { parseExpr, prettyExpr } from '../../logql/syntax/index.js';
import { ValidationError } from '../../model/errors.js';
import { formatRFC3339Nano } from '../../model/time.js';
import {
  encodeLegacyStreams,
  encodeQueryResponse,
  encodeSeries,
  encodeStats,
  encodeStringList,
  jsonString,
} from '../../querier/encode.js';
import { parseBounds, parseInstantQuery, parseRangeQuery } from '../../querier/params.js';
import type { Querier } from '../../querier/querier.js';
import { sendError } from '../http-errors.js';
import { categorizeLabels, clientGoneSignal } from '../request.js';
import { formParams } from '../request.js';
import { resolveTenant } from '../tenant.js';

const JSON_UTF8 = 'application/json; charset=UTF-8';


/**
 * Streams answers carry `application/json; charset=UTF-8`, Prometheus-style ones plain
 * `application/json` (as Loki's codecs); a Buffer body keeps fastify from appending a charset.
 */
function sendQueryResult(reply: FastifyReply, result: QueryResult, stats: string, categorize: boolean): FastifyReply {
  const body = encodeQueryResponse(result, stats, categorize && result.type === 'streams');
  if (result.type === 'streams') return reply.header('Content-Type', JSON_UTF8).send(body);
  return reply.header('Content-Type', 'application/json').send(Buffer.from(body));
}

export function registerQueryRoutes(app: FastifyInstance, querier: Querier, authEnabled: boolean): void {
  const route = (path: string, fn: (req: FastifyRequest, reply: FastifyReply, tenant: string, p: URLSearchParams) => Promise<unknown>) => {
    const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      try {
        const tenant = resolveTenant(req, authEnabled);
        return await fn(req, reply, tenant, formParams(req));
      } catch (err) {
        return sendError(reply, err, false);
      }
    };
    app.get(path, handler);
    app.post(path, handler);
  };

  route('/loki/api/v1/query_range', async (req, reply, tenant, p) => {
    const cat = categorizeLabels(req);
    const out = await querier.rangeQuery(tenant, parseRangeQuery(p), cat, clientGoneSignal(reply));
    const stats = encodeStats(out.stats, out.execSeconds, out.entriesReturned);
    return sendQueryResult(reply, out.result, stats, cat);
  });

  route('/loki/api/v1/query', async (req, reply, tenant, p) => {
    const cat = categorizeLabels(req);
    const out = await querier.instantQuery(tenant, parseInstantQuery(p), cat, clientGoneSignal(reply));
    const stats = encodeStats(out.stats, out.execSeconds, out.entriesReturned);
    return sendQueryResult(reply, out.result, stats, cat);
  });

  const labelNames = async (_req: FastifyRequest, reply: FastifyReply, tenant: string, p: URLSearchParams) => {
    const { start, end } = parseBounds(p);
    const names = await querier.labelNames(tenant, start, end, p.get('query'));
    return reply.header('Content-Type', JSON_UTF8).send(encodeStringList(names));
  };
  route('/loki/api/v1/labels', labelNames);
  route('/loki/api/v1/label', labelNames);

  const labelValues = async (req: FastifyRequest, reply: FastifyReply, tenant: string, p: URLSearchParams) => {
    const { start, end } = parseBounds(p);
    const name = (req.params as { name: string }).name;
    const values = await querier.labelValues(tenant, name, start, end, p.get('query'));
    return reply.header('Content-Type', JSON_UTF8).send(encodeStringList(values));
  };
  route('/loki/api/v1/label/:name/values', labelValues);

  const series = async (_req: FastifyRequest, reply: FastifyReply, tenant: string, p: URLSearchParams) => {
    const { start, end } = parseBounds(p);
    const groups = [...p.getAll('match[]'), ...p.getAll('match')];
    const uniq = [...new Set(groups)];
    const result = await querier.series(tenant, uniq, start, end);
    return reply.header('Content-Type', JSON_UTF8).send(encodeSeries(result));
  };
  route('/loki/api/v1/series', series);

  route('/loki/api/v1/index/stats', async (_req, reply, tenant, p) => {
    const { start, end } = parseBounds(p);
    const s = await querier.indexStats(tenant, p.get('query') ?? '', start, end);
    return reply.header('Content-Type', JSON_UTF8).send(JSON.stringify(s) + '\n');
  });

  route('/loki/api/v1/format_query', async (_req, reply, _tenant, p) => {
    try {
      const pretty = prettyExpr(parseExpr(p.get('query') ?? ''));
      return reply.header('Content-Type', JSON_UTF8).send(`{"status":"success","data":${jsonString(pretty)}}\n`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return reply.code(400).header('Content-Type', JSON_UTF8).send(`{"status":"invalid-query","error":${jsonString(err.message)}}\n`);
    }
  });

  // Legacy API (Loki 1.x paths still used by old clients).
  route('/api/prom/query', async (_req, reply, tenant, p) => {
    const regexp = p.get('regexp');
    if (regexp) p.set('query', `${p.get('query') ?? ''} |~ ${JSON.stringify(regexp)}`);
    const req = parseRangeQuery(p);
    const expr = parseExpr(req.query);
    if (expr.kind !== 'logSelector') throw new ValidationError('legacy endpoints only support streams result type');
    const out = await querier.rangeQuery(tenant, req, false, clientGoneSignal(reply));
    if (out.result.type !== 'streams') throw new ValidationError('legacy endpoints only support streams result type');
    const stats = encodeStats(out.stats, out.execSeconds, out.entriesReturned);
    return reply.header('Content-Type', JSON_UTF8).send(encodeLegacyStreams(out.result.streams, stats, formatRFC3339Nano));
  });
  route('/api/prom/label', async (_req, reply, tenant, p) => {
    const { start, end } = parseBounds(p);
    const names = await querier.labelNames(tenant, start, end, p.get('query'));
    return reply.header('Content-Type', JSON_UTF8).send(names.length ? `{"values":[${names.map(jsonString).join(',')}]}\n` : '{}\n');
  });
  route('/api/prom/label/:name/values', async (req, reply, tenant, p) => {
    const { start, end } = parseBounds(p);
    const values = await querier.labelValues(tenant, (req.params as { name: string }).name, start, end, p.get('query'));
    return reply.header('Content-Type', JSON_UTF8).send(values.length ? `{"values":[${values.map(jsonString).join(',')}]}\n` : '{}\n');
  });
  route('/api/prom/series', series);
}
