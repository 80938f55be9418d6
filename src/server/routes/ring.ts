// The /ring status page (HTML table, or JSON for Accept: application/json) and POST forget=<id>.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_RING_KEY, forgetInstance, renderRingPage, type KVStore } from '../../ring/index.js';
import { sendError } from '../http-errors.js';
import { formParams } from '../request.js';

export interface RingRouteDeps {
  kv: KVStore | undefined;
  heartbeatTimeoutMs: number;
}

export function registerRingRoutes(app: FastifyInstance, deps: RingRouteDeps): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      const p = formParams(req);
      const forget = p.get('forget');
      if (req.method === 'POST' && forget && deps.kv) await forgetInstance(deps.kv, forget, DEFAULT_RING_KEY);
      const desc = (deps.kv && (await deps.kv.get(DEFAULT_RING_KEY))) || { instances: {} };
      const page = renderRingPage(desc, Date.now(), deps.heartbeatTimeoutMs, { showTokens: p.get('tokens') === 'true' });
      if (String(req.headers.accept ?? '').includes('application/json'))
        return reply.header('Content-Type', 'application/json').send(JSON.stringify(page.json));
      return reply.header('Content-Type', 'text/html; charset=utf-8').send(page.html);
    } catch (err) {
      return sendError(reply, err, false);
    }
  };
  app.get('/ring', handler);
  app.post('/ring', handler);
  app.get('/ingester/ring', handler);
  app.post('/ingester/ring', handler);
}
