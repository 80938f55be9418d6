import { describe, expect, it } from 'vitest';
import { Replicator, type IngesterPusher } from '../../src/distributor/replication.js';
import type { ValidStream } from '../../src/distributor/validate.js';
import { INGESTER_METHODS } from '../../src/ingester/grpc/service.js';
import { LokiError, StatusError, ValidationError } from '../../src/model/errors.js';
import { parseLabels } from '../../src/model/labels.js';
import { createInMemoryKV, Ring, type InstanceDesc, type RingDesc } from '../../src/ring/index.js';

function ringOf(rf: number, ids: string[]): Ring {
  const ring = new Ring(createInMemoryKV('replicator-unused'), { heartbeatTimeoutMs: 60_000, replicationFactor: rf });
  const desc: RingDesc = { instances: {} };
  ids.forEach((id, i) => {
    const inst: InstanceDesc = { id, addr: `${id}:9095`, state: 'ACTIVE', tokens: [(i + 1) * 1_000_000_000], heartbeatMs: Date.now(), registeredMs: Date.now() };
    desc.instances[id] = inst;
  });
  ring.update(desc);
  return ring;
}

function stream(labels: string): ValidStream {
  return { labels: parseLabels(labels), labelsString: labels, entries: [{ ts: 1n, line: labels }] };
}

/** Ingesters that record what they were sent and answer as `behave` says. */
function ingesters(behave: (id: string) => Promise<void> = () => Promise.resolve()) {
  const sent = new Map<string, (readonly ValidStream[])[]>();
  const client = (inst: InstanceDesc): IngesterPusher => ({
    push: (_tenant, streams) => {
      sent.set(inst.id, [...(sent.get(inst.id) ?? []), streams]);
      return behave(inst.id);
    },
  });
  return { sent, client };
}

const STREAMS = ['{app="a"}', '{app="b"}', '{app="c"}', '{app="d"}'].map(stream);

describe('Replicator', () => {
  it('sends every stream to RF ingesters, one list shared by replicas given the same streams (encoded once)', async () => {
    const { sent, client } = ingesters();
    await new Replicator({ ring: ringOf(3, ['i1', 'i2', 'i3']), client }).push('fake', STREAMS);
    expect([...sent.keys()].sort()).toEqual(['i1', 'i2', 'i3']);
    const lists = [...sent.values()].map((calls) => calls[0]);
    expect(lists.every((l) => l === lists[0])).toBe(true);
    expect(lists[0].map((s) => s.labelsString).sort()).toEqual(STREAMS.map((s) => s.labelsString).sort());
    // The gRPC codec encodes a list once, however many replicas it is sent to.
    expect(INGESTER_METHODS.push.serializeRequest(lists[0])).toBe(INGESTER_METHODS.push.serializeRequest(lists[1]));
  });

  it('gives replicas with different streams their own lists', async () => {
    const { sent, client } = ingesters();
    await new Replicator({ ring: ringOf(2, ['i1', 'i2', 'i3', 'i4']), client }).push('fake', STREAMS);
    let placements = 0;
    for (const [, calls] of sent) placements += calls[0].length;
    expect(placements).toBe(STREAMS.length * 2);
    const lists = [...sent.values()].map((calls) => calls[0]);
    const names = (l: readonly ValidStream[]): string => l.map((s) => s.labelsString).join(',');
    for (let i = 0; i < lists.length; i++)
      for (let j = 0; j < i; j++) if (lists[i] !== lists[j]) expect(names(lists[i])).not.toBe(names(lists[j]));
  });

  it('acknowledges at quorum: one of three replicas down is fine, two is a 5xx', async () => {
    const down = (ids: string[]) => ingesters((id) => (ids.includes(id) ? Promise.reject(new Error('connection refused')) : Promise.resolve()));
    await expect(new Replicator({ ring: ringOf(3, ['i1', 'i2', 'i3']), client: down(['i2']).client }).push('fake', STREAMS)).resolves.toBeUndefined();
    const err = await new Replicator({ ring: ringOf(3, ['i1', 'i2', 'i3']), client: down(['i1', 'i3']).client }).push('fake', STREAMS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LokiError);
    expect((err as LokiError).status).toBeGreaterThanOrEqual(500);
  });

  it("returns a replica's client error (what it could store is stored) once the quorum is reached", async () => {
    const { client } = ingesters((id) => (id === 'i1' ? Promise.reject(new ValidationError('entry out of order')) : Promise.resolve()));
    const err = await new Replicator({ ring: ringOf(3, ['i1', 'i2', 'i3']), client }).push('fake', STREAMS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as StatusError).message).toBe('entry out of order');
  });
});
