import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultLimits, type Limits } from '../../src/config/limits.js';
import { decodePushRequest } from '../../src/distributor/decode.js';
import type { PushPayload } from '../../src/distributor/push-payload.js';
import { streamLabelsCaches, validatePush } from '../../src/distributor/validate.js';
import type { Entry } from '../../src/model/entry.js';
import { TooLargeError, UnprocessableError, ValidationError } from '../../src/model/errors.js';

/** 2026-11-23T15:34:27.5Z, the moment the fixtures were recorded at (within a second). */
const NOW = 1795448067_500_000_000n;
const SECOND = 1_000_000_000n;

function limits(overrides: Partial<Limits> = {}): Limits {
  return { ...defaultLimits(), ...overrides };
}

const plain = limits({ discover_service_name: [], discover_log_levels: false });

function entry(line: string, ts = NOW, metadata?: Record<string, string>): Entry {
  return { ts, line, metadata: metadata && Object.entries(metadata).map(([name, value]) => ({ name, value })) };
}

function payload(...streams: [string, ...Entry[]][]): PushPayload {
  return { streams: streams.map(([labels, ...entries]) => ({ labels, entries })) };
}

function fixture(name: string): { body: Buffer; response: string } {
  const request = readFileSync(`test/fixtures/loki/${name}.request`, 'utf8').trimEnd().split('\n');
  return {
    body: Buffer.from(request[request.length - 1]),
    response: readFileSync(`test/fixtures/loki/${name}.body`, 'utf8').replace(/\n$/, ''),
  };
}

function decodeFixture(body: Buffer): PushPayload {
  return decodePushRequest(body, {
    contentType: 'application/json',
    contentEncoding: undefined,
    legacyJson: false,
    maxRecvMsgSize: 100 << 20,
    maxDecompressedSize: 5000 << 20,
  });
}

describe("Loki's recorded answers", () => {
  it('refuses an entry older than reject_old_samples_max_age with the recorded text', () => {
    const { body, response } = fixture('error_push_too_old');
    const result = validatePush(decodeFixture(body), 'fake', limits(), NOW);
    expect(result.streams).toEqual([]);
    expect(result.error).toBeInstanceOf(ValidationError);
    expect(result.error?.message).toBe(response);
  });

  it('refuses the whole request when a stream label set does not parse', () => {
    const { body, response } = fixture('error_push_bad_labels');
    expect(() => validatePush(decodeFixture(body), 'fake', limits(), NOW)).toThrow(new ValidationError(response));
  });

  it('accepts the recorded good push, adding service_name and detected_level', () => {
    const { body } = fixture('push_ok');
    const result = validatePush(decodeFixture(body), 'fake', limits(), NOW);
    expect(result).toEqual({
      streams: [
        {
          labels: [
            { name: 'job', value: 'ooo-test' },
            { name: 'service_name', value: 'ooo-test' },
          ],
          labelsString: '{job="ooo-test", service_name="ooo-test"}',
          entries: [{ ts: 1795448066462000536n, line: 'newest line', metadata: [{ name: 'detected_level', value: 'unknown' }] }],
        },
      ],
      lineCount: 1,
      byteSize: 'newest line'.length + 'detected_level'.length + 'unknown'.length,
    });
  });
});

describe('request-wide checks', () => {
  it('answers 422 when the request has no streams', () => {
    expect(() => validatePush({ streams: [] }, 't', plain, NOW)).toThrow(
      new UnprocessableError('error at least one valid stream is required for ingestion'),
    );
  });

  it('skips streams without entries silently, even when every stream is empty', () => {
    expect(validatePush(payload(['{a="b"}']), 't', plain, NOW)).toEqual({ streams: [], lineCount: 0, byteSize: 0 });
  });

  it('still parses the labels of streams without entries', () => {
    expect(() => validatePush(payload(['{a=}']), 't', plain, NOW)).toThrow(ValidationError);
  });

  it('refuses a labels string over 16 MiB with 413', () => {
    const huge = `{a="${'x'.repeat(1 << 24)}"}`;
    expect(() => validatePush(payload([huge, entry('x')]), 't', plain, NOW)).toThrow(
      new TooLargeError('request body too large: stream labels size 17 MB exceeds limit of 17 MB'),
    );
  });
});

describe('stream labels', () => {
  it('parses a stream seen before through the cache to the same labels, and re-parses once discovery changes', () => {
    const cache = streamLabelsCaches().forTenant('t');
    const l = limits({ discover_log_levels: false });
    const first = validatePush(payload(['{ z="1",app="a" }', entry('x')]), 't', l, NOW, cache).streams[0];
    const again = validatePush(payload(['{ z="1",app="a" }', entry('y')]), 't', l, NOW, cache).streams[0];
    expect(again.labelsString).toBe('{app="a", service_name="a", z="1"}');
    expect(again.labels).toBe(first.labels);
    expect(again.labelsString).toBe(validatePush(payload(['{ z="1",app="a" }', entry('y')]), 't', l, NOW).streams[0].labelsString);
    const other = limits({ discover_log_levels: false, discover_service_name: ['z'] });
    expect(validatePush(payload(['{ z="1",app="a" }', entry('x')]), 't', other, NOW, cache).streams[0].labelsString).toBe('{app="a", service_name="1", z="1"}');
    expect(() => validatePush(payload(['{a=}', entry('x')]), 't', l, NOW, cache)).toThrow(ValidationError);
    expect(() => validatePush(payload(['{a=}', entry('x')]), 't', l, NOW, cache)).toThrow(ValidationError);
  });

  it('canonicalises labels and drops empty values', () => {
    const result = validatePush(payload(['{ z="1",a="2", e="" }', entry('x')]), 't', plain, NOW);
    expect(result.streams[0].labelsString).toBe('{a="2", z="1"}');
  });

  it('discovers service_name from the first listed label present, else unknown_service', () => {
    const l = limits({ discover_log_levels: false });
    const names = (raw: string): string => validatePush(payload([raw, entry('x')]), 't', l, NOW).streams[0].labelsString;
    expect(names('{job="j", app="a"}')).toBe('{app="a", job="j", service_name="a"}');
    expect(names('{k8s_job_name="k", container="c"}')).toBe('{container="c", k8s_job_name="k", service_name="c"}');
    expect(names('{foo="bar"}')).toBe('{foo="bar", service_name="unknown_service"}');
    expect(names('{service_name="mine", app="a"}')).toBe('{app="a", service_name="mine"}');
    expect(names('{__pattern__="p"}')).toBe('{__pattern__="p"}');
    expect(names('{}')).toBe('{service_name="unknown_service"}');
  });

  it('refuses a stream without labels when service_name discovery is off', () => {
    const result = validatePush(payload(['{}', entry('x')]), 't', plain, NOW);
    expect(result.error?.message).toBe('error at least one label pair is required per stream');
  });

  it('counts label names without service_name against max_label_names_per_series', () => {
    const labels = (n: number): string => `{${Array.from({ length: n }, (_, i) => `l${String(i).padStart(2, '0')}="v"`).join(', ')}}`;
    const l = limits({ discover_log_levels: false });
    expect(validatePush(payload([labels(15), entry('x')]), 't', l, NOW).error).toBeUndefined();
    const result = validatePush(payload([labels(16), entry('x')]), 't', l, NOW);
    expect(result.error?.message).toBe(
      `entry for stream '${labels(16).slice(0, -1)}, service_name="unknown_service"}' has 16 label names; limit 15`,
    );
  });

  it('refuses names and values longer than their limits in bytes, and duplicate names', () => {
    const l = limits({ discover_service_name: [], discover_log_levels: false, max_label_name_length: 4, max_label_value_length: 4 });
    const problem = (raw: string): string | undefined => validatePush(payload([raw, entry('x')]), 't', l, NOW).error?.message;
    expect(problem('{abcde="v"}')).toBe(`stream '{abcde="v"}' has label name too long: 'abcde'`);
    expect(problem('{a="ééé"}')).toBe(`stream '{a="ééé"}' has label value too long: 'ééé'`);
    expect(problem('{a="éé"}')).toBeUndefined();
    expect(problem('{a="1", a="2"}')).toBe(`stream '{a="1", a="2"}' has duplicate label name: 'a'`);
  });
});

describe('entries', () => {
  it('refuses entries newer than creation_grace_period', () => {
    const future = NOW + 10n * 60n * SECOND + 1n;
    const result = validatePush(payload(['{a="b"}', entry('x', future), entry('y', NOW + 10n * 60n * SECOND)]), 't', plain, NOW);
    expect(result.error?.message).toBe(`entry for stream '{a="b"}' has timestamp too new: 2026-11-23T15:44:27Z`);
    expect(result.streams[0].entries.map((e) => e.line)).toEqual(['y']);
  });

  it('accepts old entries when reject_old_samples is off', () => {
    const result = validatePush(payload(['{a="b"}', entry('x', 1n)]), 't', { ...plain, reject_old_samples: false }, NOW);
    expect(result.error).toBeUndefined();
    expect(result.lineCount).toBe(1);
  });

  it('refuses lines longer than max_line_size bytes, or truncates them on a character boundary', () => {
    const l = { ...plain, max_line_size: 5 };
    expect(validatePush(payload(['{a="b"}', entry('ab€d')]), 't', l, NOW).error?.message).toBe(
      `max entry size '5' bytes exceeded for stream '{a="b"}' while adding an entry with length '6' bytes`,
    );
    const truncated = validatePush(payload(['{a="b"}', entry('abcd€'), entry('abcdefgh')]), 't', { ...l, max_line_size_truncate: true }, NOW);
    expect(truncated.error).toBeUndefined();
    expect(truncated.streams[0].entries.map((e) => e.line)).toEqual(['abcd', 'abcde']);
    expect(validatePush(payload(['{a="b"}', entry('x'.repeat(1000))]), 't', { ...plain, max_line_size: 0 }, NOW).error).toBeUndefined();
  });

  it('checks structured metadata: allowed, total size, count', () => {
    const problem = (l: Limits, meta: Record<string, string>): string | undefined =>
      validatePush(payload(['{a="b"}', entry('x', NOW, meta)]), 't', l, NOW).error?.message;
    expect(problem({ ...plain, allow_structured_metadata: false }, { k: 'v' })).toBe(
      "stream '{a=\"b\"}' includes structured metadata, but this feature is disallowed. Please see `limits_config.allow_structured_metadata` or contact your Loki administrator to enable it.",
    );
    expect(problem({ ...plain, max_structured_metadata_size: 4 }, { key: 'vv' })).toBe(
      "stream '{a=\"b\"}' has structured metadata too large: '5' bytes, limit: '4' bytes. Please see `limits_config.max_structured_metadata_size` or contact your Loki administrator to increase it.",
    );
    expect(problem({ ...plain, max_structured_metadata_entries_count: 1 }, { a: '1', b: '2' })).toBe(
      "stream '{a=\"b\"}' has too many structured metadata labels: '2', limit: '1'. Please see `limits_config.max_structured_metadata_entries_count` or contact your Loki administrator to increase it.",
    );
  });

  it('sanitises structured metadata names and drops invalid UTF-8 from values', () => {
    const result = validatePush(
      payload(['{a="b"}', entry('x', NOW, { 'trace-id': '1', '1st': '2', _x: '3', __y: '4', ok: 'a\ufffdb' })]),
      't',
      plain,
      NOW,
    );
    expect(result.streams[0].entries[0].metadata).toEqual([
      { name: 'trace_id', value: '1' },
      { name: 'key_1st', value: '2' },
      { name: 'key_x', value: '3' },
      { name: '__y', value: '4' },
      { name: 'ok', value: 'ab' },
    ]);
  });

  it('keeps the valid entries and streams of a request that also has invalid ones, grouping the messages', () => {
    const old = 1n;
    const result = validatePush(
      payload(
        ['{a="good"}', entry('kept 1'), entry('old 1', old), entry('kept 2'), entry('old 2', old)],
        ['{a="bad", a="dup"}', entry('dropped')],
        ['{a="other"}', entry('kept 3', NOW, { k: 'v' })],
      ),
      't',
      plain,
      NOW,
    );
    expect(result.streams.map((s) => [s.labelsString, s.entries.map((e) => e.line)])).toEqual([
      ['{a="good"}', ['kept 1', 'kept 2']],
      ['{a="other"}', ['kept 3']],
    ]);
    expect(result.lineCount).toBe(3);
    expect(result.byteSize).toBe('kept 1kept 2kept 3kv'.length);
    expect(result.error?.message).toBe(
      `2 errors like: entry for stream '{a="good"}' has timestamp too old: 1970-01-01T00:00:00Z, oldest acceptable timestamp is: 2026-11-16T15:34:27Z; ` +
        `1 errors like: stream '{a="bad", a="dup"}' has duplicate label name: 'a'`,
    );
  });

  it('moves entries with a repeated timestamp but a different line 1ns later when increment_duplicate_timestamp is on', () => {
    const l = { ...plain, increment_duplicate_timestamp: true };
    const t = NOW - SECOND;
    const result = validatePush(
      payload(['{a="b"}', entry('a', t), entry('b', t), entry('b', t), entry('c', t), entry('d', t + 5n)]),
      't',
      l,
      NOW,
    );
    expect(result.streams[0].entries.map((e) => [e.line, e.ts - t])).toEqual([
      ['a', 0n],
      ['b', 1n],
      ['b', 0n],
      ['c', 1n],
      ['d', 5n],
    ]);
    const off = validatePush(payload(['{a="b"}', entry('a', t), entry('b', t)]), 't', plain, NOW);
    expect(off.streams[0].entries.map((e) => e.ts - t)).toEqual([0n, 0n]);
  });
});

describe('detected_level', () => {
  const l = limits({ discover_service_name: [] });
  const level = (labels: string, line: string, meta?: Record<string, string>, lim: Limits = l): string | undefined =>
    validatePush(payload([labels, entry(line, NOW, meta)]), 't', lim, NOW).streams[0].entries[0].metadata?.find(
      (m) => m.name === 'detected_level',
    )?.value;

  it('takes a level label of the stream as is', () => {
    expect(level('{app="x", level="WARN"}', 'an error happened')).toBe('WARN');
  });

  it('takes a level field of the structured metadata as is, then the OTLP severity number', () => {
    expect(level('{app="x"}', 'an error', { lvl: 'Notice' })).toBe('Notice');
    expect(level('{app="x"}', 'an error', { severity_number: '17' })).toBe('error');
    expect(level('{app="x"}', 'x', { severity_number: '3' })).toBe('trace');
    expect(level('{app="x"}', 'x', { severity_number: '0' })).toBe('unknown');
    expect(level('{app="x"}', 'x', { severity_number: 'high' })).toBe('info');
  });

  it('reads JSON lines two levels deep', () => {
    expect(level('{app="x"}', '{"msg":"m","level":"warn"}')).toBe('warn');
    expect(level('{app="x"}', '  {"ctx":{"severity":"DBG"}} ')).toBe('debug');
    expect(level('{app="x"}', '{"a":{"level":"trc"}}')).toBe('trace');
    expect(level('{app="x"}', '{"a":{"b":{"level":"trc"}},"msg":"quiet"}')).toBe('unknown');
    expect(level('{app="x"}', '{"level":"custom", "msg":"failed with err"}')).toBe('error');
  });

  it('reads logfmt lines, preferring the earliest level field name in any case', () => {
    expect(level('{app="x"}', 'ts=1 lvl=wrn msg="x"')).toBe('warn');
    expect(level('{app="x"}', 'lvl=info LEVEL=error')).toBe('error');
    expect(level('{app="x"}', 'msg="level=debug inside" severity=critical')).toBe('critical');
    expect(level('{app="x"}', 'a=b msg=plain')).toBe('unknown');
  });

  it('falls back to words in the line', () => {
    expect(level('{app="x"}', 'GET /index 200 INFO')).toBe('info');
    expect(level('{app="x"}', 'connection ERR: refused')).toBe('error');
    expect(level('{app="x"}', 'disk warning')).toBe('warn');
    expect(level('{app="x"}', 'CRITICAL failure')).toBe('critical');
    expect(level('{app="x"}', 'debugging')).toBe('debug');
    expect(level('{app="x"}', 'hello')).toBe('unknown');
  });

  it('is not added when discover_log_levels or allow_structured_metadata is off', () => {
    expect(level('{app="x"}', 'level=info', undefined, { ...l, discover_log_levels: false })).toBeUndefined();
    expect(level('{app="x"}', 'level=info', undefined, { ...l, allow_structured_metadata: false })).toBeUndefined();
  });

  it('is appended after the pushed structured metadata and counted in the byte size', () => {
    const result = validatePush(payload(['{app="x"}', entry('level=info', NOW, { trace: 't1' })]), 't', l, NOW);
    expect(result.streams[0].entries[0].metadata).toEqual([
      { name: 'trace', value: 't1' },
      { name: 'detected_level', value: 'info' },
    ]);
    expect(result.byteSize).toBe('level=info'.length + 'tracet1'.length + 'detected_levelinfo'.length);
  });
});
