import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defaultLimits } from '../../src/config/limits.js';
import { decodePushRequest, type DecodeOptions } from '../../src/distributor/decode.js';
import { validatePush } from '../../src/distributor/validate.js';
import { LokiError } from '../../src/model/errors.js';
import { snappyLiteral } from '../fixtures/conformance/loki.mjs';
import { encodePushRequest, snappyBlock } from './push-bodies.js';

const NOW = 1795448067_500_000_000n;

/** mulberry32: a small seeded generator so every run sees the same cases. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = random(0x5eed);
const int = (n: number): number => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

function mutate(bytes: Buffer): Buffer {
  const out = [...bytes];
  const edits = 1 + int(4);
  for (let i = 0; i < edits; i++) {
    const at = int(out.length + 1);
    switch (int(5)) {
      case 0:
        if (out.length) out[at % out.length] ^= 1 << int(8);
        break;
      case 1:
        if (out.length) out[at % out.length] = pick([0x00, 0x07, 0x08, 0x0a, 0x12, 0x1a, 0x22, 0x7f, 0x80, 0xff]);
        break;
      case 2:
        out.splice(at, 0, int(256));
        break;
      case 3:
        out.splice(at, 1 + int(3));
        break;
      default:
        out.length = Math.min(out.length, at);
    }
  }
  return Buffer.from(out);
}

function mutateText(text: string): string {
  let out = text;
  const edits = 1 + int(3);
  for (let i = 0; i < edits; i++) {
    const at = int(out.length + 1);
    const piece = pick(['"', '\\', '{', '}', '[', ']', ',', ':', 'null', '1', '-', '\\u00', '\\uD800', 'é', '\x00', ' ']);
    out = int(2) === 0 ? out.slice(0, at) + piece + out.slice(at + 1) : out.slice(0, at) + piece + out.slice(at);
  }
  return int(5) === 0 ? out.slice(0, int(out.length + 1)) : out;
}

const sampleStreams = [
  {
    labels: '{app="fuzz", env="prod"}',
    entries: [
      { ns: 1795448066462000536n, line: 'level=info msg="hello"', metadata: { trace_id: 'abc' } },
      { ns: 1795448066462000537n, line: '{"level":"warn","n":1}' },
    ],
  },
  { labels: '{job="x", level="debug"}', entries: [{ ns: 1n, line: 'ancient ERROR' }] },
];
const protobuf = encodePushRequest(sampleStreams);
const json = JSON.stringify({
  streams: [
    { stream: { app: 'fuzz', env: 'prod' }, values: [['1795448066462000536', 'level=info', { trace_id: 'abc' }], ['1', 'old']] },
    { stream: { a: 'b' }, values: null },
  ],
});
const legacy = JSON.stringify({ streams: [{ labels: '{a="b"}', entries: [{ ts: '2026-11-23T15:34:26.462Z', line: 'x' }] }] });
const labelStrings = ['{a="b"}', '{a="b", c="\\U0001F600"}', '{a="\\x41"}', '{__pattern__="p"}', '{a=`raw`}'];

const base: DecodeOptions = {
  contentType: 'application/x-protobuf',
  contentEncoding: undefined,
  legacyJson: false,
  maxRecvMsgSize: 1 << 20,
  maxDecompressedSize: 4 << 20,
};

/** Runs one body through decode and validation; returns what escaped that is not a typed Loki error. */
function untypedFailure(body: Buffer, opts: DecodeOptions): unknown {
  try {
    const payload = decodePushRequest(body, opts);
    validatePush(payload, 'fuzz', { ...defaultLimits(), increment_duplicate_timestamp: true }, NOW);
  } catch (err) {
    if (err instanceof LokiError && typeof err.status === 'number' && err.message.length > 0) return undefined;
    return err;
  }
  return undefined;
}

describe('push decoding under arbitrary input', () => {
  it('only ever answers with typed errors (a fixed-seed fuzz of random and mutated bodies)', () => {
    const cases: [string, Buffer, DecodeOptions][] = [];
    for (let i = 0; i < 600; i++) {
      const bytes = Buffer.from(Array.from({ length: int(200) }, () => int(256)));
      const contentType = pick(['application/x-protobuf', 'application/json', undefined, 'application/json; x']);
      const contentEncoding = pick([undefined, 'snappy', 'gzip', 'deflate', 'br']);
      cases.push(['random', bytes, { ...base, contentType, contentEncoding, legacyJson: int(2) === 0 }]);
    }
    for (let i = 0; i < 1200; i++) cases.push(['protobuf in literal snappy', snappyLiteral(mutate(protobuf)), base]);
    for (let i = 0; i < 600; i++) cases.push(['compressed snappy', mutate(snappyBlock(protobuf)), base]);
    for (let i = 0; i < 800; i++) {
      cases.push(['json', Buffer.from(mutateText(json)), { ...base, contentType: 'application/json' }]);
    }
    for (let i = 0; i < 300; i++) {
      cases.push(['legacy json', Buffer.from(mutateText(legacy)), { ...base, contentType: 'application/json', legacyJson: true }]);
    }
    for (let i = 0; i < 300; i++) {
      cases.push(['gzip', mutate(gzipSync(json)), { ...base, contentType: 'application/json', contentEncoding: 'gzip' }]);
    }
    for (let i = 0; i < 300; i++) {
      const labels = mutateText(pick(labelStrings));
      const body = snappyBlock(encodePushRequest([{ labels, entries: [{ ns: NOW, line: 'x' }] }]));
      cases.push(['labels', body, base]);
    }
    cases.push(['deep JSON', Buffer.from('['.repeat(20000)), { ...base, contentType: 'application/json' }]);
    cases.push(['deep JSON object', Buffer.from('{"streams":' + '['.repeat(20000)), { ...base, contentType: 'application/json' }]);

    const escaped: string[] = [];
    for (const [kind, body, opts] of cases) {
      const err = untypedFailure(body, opts);
      if (err !== undefined) escaped.push(`${kind} ${body.toString('hex').slice(0, 200)}: ${String(err)}`);
    }
    expect(cases.length).toBeGreaterThan(4000);
    expect(escaped).toEqual([]);
  });
});
