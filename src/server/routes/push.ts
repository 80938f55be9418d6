// POST /loki/api/v1/push and the legacy /api/prom/push: hands the raw body to the distributor
// and answers 204, or the distributor's typed error as plain text.
import type { FastifyInstance } from 'fastify';
import { sendError } from '../http-errors.js';
import { resolveTenant } from '../tenant.js';

export interface PushService {
  push(
    tenant: string,
    body: Buffer,
    opts: { contentType: string | undefined; contentEncoding: string | undefined; legacyJson: boolean; userAgent?: string },
  ): Promise<void>;
}

export function registerPushRoutes(app: FastifyInstance, push: PushService, authEnabled: boolean): void {
  const handler = (legacyJson: boolean) => async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    try {
      const tenant = resolveTenant(req, authEnabled);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      await push.push(tenant, body, {
        contentType: req.headers['content-type'],
        contentEncoding: req.headers['content-encoding'] as string | undefined,
        legacyJson,
        userAgent: req.headers['user-agent'],
      });
      return reply.code(204).send();
    } catch (err) {
      return sendError(reply, err, true);
    }
  };
  app.post('/loki/api/v1/push', handler(false));
  app.post('/api/prom/push', handler(true));
}
