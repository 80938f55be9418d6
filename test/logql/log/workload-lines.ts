// Test data: deterministic lines shaped like the benchmark workload (logfmt and JSON request logs
// with durations around 500ms), for the parser-hint tests and micro-benchmark. No I/O.
import type { Labels } from '../../../src/model/labels.js';
import { labelsFromRecord } from '../../../src/model/labels.js';
import { xorshift } from '../../support/random.js';

export interface WorkloadStream {
  labels: Labels;
  lines: string[];
}

const LEVELS = ['debug', 'info', 'warn', 'error'];
const PATHS = ['/api/v1/orders', '/api/v1/cart', '/api/v1/users', '/healthz'];

/** Streams {namespace, app, pod, container, level} of `format` lines, `perStream` lines each. */
export function workloadStreams(format: 'logfmt' | 'json', apps: string[], perStream: number, seed = 7): WorkloadStream[] {
  const r = xorshift(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const duration = (): string => {
    const ms = Math.exp(r() * r() * 8.2);
    return ms < 10 ? `${ms.toFixed(2)}ms` : ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(3)}s`;
  };
  const out: WorkloadStream[] = [];
  for (const app of apps) {
    for (const level of LEVELS) {
      const labels = labelsFromRecord({ namespace: 'prod', app, pod: `${app}-0`, container: app, level });
      const lines: string[] = [];
      for (let i = 0; i < perStream; i++) {
        const ts = `2025-11-20T00:${String(i % 60).padStart(2, '0')}:00.${String(i % 1000).padStart(3, '0')}Z`;
        const status = level === 'error' ? pick([500, 502, 503]) : pick([200, 200, 201, 204]);
        if (format === 'json') {
          lines.push(
            JSON.stringify({
              ts, level, logger: `${app}.service`, msg: pick(['request completed', 'order placed', 'slow query']),
              order_id: `ord-${Math.floor(r() * 1e6)}`, amount: Math.round(r() * 50000) / 100, currency: pick(['EUR', 'USD']),
              status, duration: duration(), trace_id: Math.floor(r() * 2 ** 52).toString(16),
            }),
          );
        } else {
          lines.push(
            `ts=${ts} level=${level} caller=handler.go:${Math.floor(r() * 400)} msg="request completed" method=${pick(['GET', 'POST'])} ` +
              `path=${pick(PATHS)}/${Math.floor(r() * 1e5)} status=${status} duration=${duration()} bytes=${Math.floor(r() * 20000)} ` +
              `trace_id=${Math.floor(r() * 2 ** 52).toString(16)}`,
          );
        }
      }
      out.push({ labels, lines });
    }
  }
  return out;
}
