import { describe, expect, it } from 'vitest';
import { defaultLimits, type Limits } from '../../src/config/limits.js';
import { Distributor } from '../../src/distributor/distributor.js';
import type { ValidStream } from '../../src/distributor/validate.js';
import { RateLimitedError, ValidationError } from '../../src/model/errors.js';
import { promtailBody } from './push-bodies.js';

const NOW = 1795448067_500_000_000n;
const OPTS = { contentType: 'application/x-protobuf', contentEncoding: undefined, legacyJson: false };

function counter(): { inc(labels: object, value: number): void; seen: [object, number][] } {
  const seen: [object, number][] = [];
  return { seen, inc: (labels, value) => seen.push([labels, value]) };
}

function setup(limits: Partial<Limits> = {}) {
  const pushed: [string, ValidStream[]][] = [];
  const metrics = { linesReceived: counter(), bytesReceived: counter(), discardedSamples: counter() };
  const distributor = new Distributor({
    limits: () => ({ ...defaultLimits(), discover_log_levels: false, ...limits }),
    maxRecvMsgSize: 100 << 20,
    maxDecompressedSize: 5000 << 20,
    push: async (tenant, streams) => {
      // Protobuf entries keep their line as bytes and decode it when read: record plain entries.
      const plain = streams.map((s) => ({ ...s, entries: s.entries.map((e) => ({ ts: e.ts, line: e.line, metadata: e.metadata })) }));
      pushed.push([tenant, plain]);
    },
    metrics,
    now: () => NOW,
  });
  return { distributor, pushed, metrics };
}

describe('Distributor.push', () => {
  it('writes the valid streams of a Promtail push and counts what it received', async () => {
    const { distributor, pushed, metrics } = setup();
    await distributor.push('t1', promtailBody([{ labels: '{app="a"}', entries: [{ ns: NOW - 1n, line: 'hello', metadata: { k: 'v' } }] }]), OPTS);
    expect(pushed).toEqual([
      [
        't1',
        [
          {
            labels: [
              { name: 'app', value: 'a' },
              { name: 'service_name', value: 'a' },
            ],
            labelsString: '{app="a", service_name="a"}',
            entries: [{ ts: NOW - 1n, line: 'hello', metadata: [{ name: 'k', value: 'v' }] }],
          },
        ],
      ],
    ]);
    expect(metrics.linesReceived.seen).toEqual([[{ tenant: 't1' }, 1]]);
    expect(metrics.bytesReceived.seen).toEqual([[{ tenant: 't1' }, 7]]);
  });

  it('writes the valid entries and then answers 400 for the invalid ones', async () => {
    const { distributor, pushed } = setup();
    const body = promtailBody([{ labels: '{app="a"}', entries: [{ ns: NOW, line: 'ok' }, { ns: 1n, line: 'old' }] }]);
    await expect(distributor.push('t1', body, OPTS)).rejects.toThrow(ValidationError);
    expect(pushed[0][1][0].entries.map((e) => e.line)).toEqual(['ok']);
  });

  it('refuses the whole push with 429 when the tenant is over its ingestion rate', async () => {
    const { distributor, pushed, metrics } = setup({ ingestion_burst_size_mb: 1 / (1 << 20) * 10 });
    const body = promtailBody([{ labels: '{app="a"}', entries: [{ ns: NOW, line: 'more than ten bytes' }] }]);
    const err = await distributor.push('t1', body, OPTS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as Error).message).toBe(
      "ingestion rate limit exceeded for user t1 (limit: 4194304 bytes/sec) while attempting to ingest '1' lines totaling '19' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased",
    );
    expect(pushed).toEqual([]);
    expect(metrics.discardedSamples.seen).toEqual([[{ reason: 'rate_limited', tenant: 't1' }, 1]]);
  });

  it('answers a push whose streams are all empty with success and writes nothing', async () => {
    const { distributor, pushed } = setup();
    await distributor.push('t1', promtailBody([{ labels: '{app="a"}', entries: [] }]), OPTS);
    expect(pushed).toEqual([]);
  });
});
