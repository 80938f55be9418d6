// Operational endpoints: /ready, /metrics, /config, build info, /flush and /services.
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { sendError } from '../http-errors.js';

export interface StatusDeps {
  ready: () => Promise<{ ready: boolean; message: string }>;
  registry: Registry;
  configYaml: () => string;
  /** Flushes every in-memory chunk (ingester targets only). */
  flush?: () => Promise<void>;
  services: () => Record<string, string>;
  version: string;
}

export const BUILD_INFO = { version: '3.4.6', revision: 'lokits', branch: 'main', buildUser: '', buildDate: '', goVersion: '' };

export function registerStatusRoutes(app: FastifyInstance, deps: StatusDeps): void {
  app.get('/ready', async (_req, reply) => {
    const r = await deps.ready();
    return reply
      .code(r.ready ? 200 : 503)
      .header('Content-Type', 'text/plain; charset=utf-8')
      .send(r.ready ? 'ready\n' : r.message + '\n');
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await deps.registry.metrics();
    return reply.header('Content-Type', deps.registry.contentType).send(text);
  });

  app.get('/config', async (_req, reply) => reply.header('Content-Type', 'text/plain; charset=utf-8').send(deps.configYaml()));

  const buildinfo = async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply.header('Content-Type', 'application/json').send(JSON.stringify({ ...BUILD_INFO, version: deps.version }) + '\n');
  app.get('/loki/api/v1/status/buildinfo', buildinfo);
  app.get('/api/v1/status/buildinfo', buildinfo);

  app.get('/services', async (_req, reply) => {
    const lines = Object.entries(deps.services()).map(([name, state]) => `${name} => ${state}`);
    return reply.header('Content-Type', 'text/plain; charset=utf-8').send(lines.join('\n') + '\n');
  });

  if (deps.flush) {
    const flush = deps.flush;
    const handler = async (_req: unknown, reply: import('fastify').FastifyReply) => {
      try {
        await flush();
        return reply.code(204).send();
      } catch (err) {
        return sendError(reply, err, true);
      }
    };
    app.get('/flush', handler);
    app.post('/flush', handler);
  }
}
