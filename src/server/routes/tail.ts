// Live tail websocket routes (v1 and legacy): parameters and tenant checked before the upgrade, then
// a Tailer runs the session; pings every second. Session logic lives in querier/tail, not here.
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Limits } from '../../config/limits.js';
import { NS_PER_SECOND, type Nanos } from '../../model/time.js';
import type { Querier } from '../../querier/querier.js';
import { parseTailRequest, tailSelector, type TailRequest } from '../../querier/tail/request.js';
import type { TailSource } from '../../querier/tail/source.js';
import { CLOSE_INTERNAL_ERROR, Tailer, type TailConnection } from '../../querier/tail/tailer.js';
import { formParams } from '../request.js';
import { resolveTenant } from '../tenant.js';
import { categorizeLabels } from '../request.js';

const PING_PERIOD_MS = 1000;
/** A close frame's reason fits in 123 bytes. */
const MAX_CLOSE_REASON_BYTES = 123;

export interface TailRouteDeps {
  querier: Querier;
  source: TailSource;
  limits: (tenant: string) => Limits;
  /** querier.tail_max_duration */
  maxDurationMs: number;
  authEnabled: boolean;
}

/** The reason cut to what a close frame can carry, on a character boundary. */
function closeReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let out = '';
  for (const ch of reason) {
    if (Buffer.byteLength(out + ch) > MAX_CLOSE_REASON_BYTES) break;
    out += ch;
  }
  return out;
}

function connectionOf(socket: WebSocket): TailConnection {
  return {
    send: (frame, sent) => socket.send(frame, sent),
    close: (code, reason) => socket.close(code, closeReason(reason)),
  };
}

interface CheckedTail {
  tenant: string;
  request: TailRequest;
}

export function registerTailRoutes(app: FastifyInstance, deps: TailRouteDeps): void {
  const checked = new WeakMap<FastifyRequest, CheckedTail>();

  const history = (tenant: string, query: string, categorize: boolean) => async (start: Nanos, end: Nanos, limit: number) => {
    const req = { query, start, end, step: NS_PER_SECOND, interval: 0n, limit, direction: 'backward' as const };
    const out = await deps.querier.rangeQuery(tenant, req, categorize);
    return out.result.type === 'streams' ? out.result.streams : [];
  };

  const session = (legacy: boolean) => (socket: WebSocket, req: FastifyRequest) => {
    const { tenant, request } = checked.get(req)!;
    const connection = connectionOf(socket);
    const categorize = categorizeLabels(req);
    let selector;
    try {
      selector = tailSelector(request);
    } catch (err) {
      connection.close(CLOSE_INTERNAL_ERROR, err instanceof Error ? err.message : String(err));
      return;
    }
    const tailer = new Tailer({
      tenant,
      request,
      selector,
      categorize,
      legacy,
      source: deps.source,
      history: history(tenant, request.query, categorize),
      maxConcurrent: deps.limits(tenant).max_concurrent_tail_requests,
      maxDurationMs: deps.maxDurationMs,
      connection,
    });
    const ping = setInterval(() => {
      if (socket.readyState === socket.OPEN) socket.ping();
    }, PING_PERIOD_MS);
    socket.on('close', () => {
      clearInterval(ping);
      tailer.stop();
    });
    void tailer.start();
  };

  /** A plain HTTP request to a tail path: gorilla/websocket's refusal. */
  const notWebsocket = async (_req: FastifyRequest, reply: FastifyReply) =>
    reply.code(400).header('Content-Type', 'text/plain; charset=utf-8').header('Sec-Websocket-Version', '13').send('Bad Request\n');

  app.register(async (scope) => {
    await scope.register(fastifyWebsocket);
    for (const [url, legacy] of [
      ['/loki/api/v1/tail', false],
      ['/api/prom/tail', true],
    ] as const) {
      scope.route({
        method: 'GET',
        url,
        preValidation: async (req) => {
          checked.set(req, { tenant: resolveTenant(req, deps.authEnabled), request: parseTailRequest(formParams(req)) });
        },
        handler: notWebsocket,
        wsHandler: session(legacy),
      });
    }
  });
}
