// The fastify HTTP server shell: raw-body parsing for every content type (push needs the bytes),
// response compression, request metrics, Go-style 404s and the error fallback. Routes are
// registered by the caller for the roles this process runs.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { sendError } from './http-errors.js';
import type { ServerMetrics } from './metrics.js';
import { registerResponseCompression } from './request.js';

export interface HttpServerOptions {
  bodyLimit: number;
  compressResponses: boolean;
  metrics: ServerMetrics;
  logger: Logger;
}

export function createHttpServer(o: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: o.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: o.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: o.bodyLimit }, (_req, body, done) => done(null, body));
  if (o.compressResponses) registerResponseCompression(app);
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'other';
    o.metrics.requestDuration.observe(
      { method: req.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (reply.statusCode >= 500) o.logger.warn({ method: req.method, url: req.url, status: reply.statusCode }, 'request failed');
    else o.logger.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).header('Content-Type', 'text/plain; charset=utf-8').send('404 page not found\n'));
  app.setErrorHandler((err, req, reply) => {
    const isPush = req.url.startsWith('/loki/api/v1/push') || req.url.startsWith('/api/prom/push');
    if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const msg = `request body too large: message size too large than max (${req.headers['content-length'] ?? '?'} vs ${o.bodyLimit})`;
      return sendError(reply, Object.assign(new Error(msg), { statusCode: 413 }), isPush);
    }
    return sendError(reply, err, isPush);
  });
  return app;
}
