// Drilldown discovery: detected labels (ID-like and empty labels dropped), Loki's field type
// inference, detected fields from structured metadata and json/logfmt lines, field values, encodings.
import { describe, expect, it } from 'vitest';
import type { ResultStream } from '../../src/logql/engine/index.js';
import { buildPipeline } from '../../src/logql/log/index.js';
import type { Labels } from '../../src/model/index.js';
import {
  FieldDetector,
  detectedLabels,
  determineFieldType,
  encodeDetectedFieldValues,
  encodeDetectedFields,
  encodeDetectedLabels,
  humanizeBytes,
  isUUID,
  jsonFieldPaths,
} from '../../src/querier/detected.js';

const ls = (rec: Record<string, string>): Labels =>
  Object.keys(rec)
    .sort()
    .map((name) => ({ name, value: rec[name] }));

describe('determineFieldType', () => {
  it.each([
    ['42', 'int'],
    ['-7', 'int'],
    ['1', 'int'],
    ['9223372036854775808', 'float'],
    ['3.14', 'float'],
    ['1e5', 'float'],
    ['NaN', 'float'],
    ['inf', 'float'],
    ['true', 'boolean'],
    ['T', 'boolean'],
    ['False', 'boolean'],
    ['5m', 'duration'],
    ['1h30m', 'duration'],
    ['250ms', 'duration'],
    ['10MB', 'bytes'],
    ['5 KiB', 'bytes'],
    ['1,000', 'bytes'],
    ['hello', 'string'],
    ['yes', 'string'],
    ['', 'string'],
  ])('%j is %s', (value, type) => {
    expect(determineFieldType(value)).toBe(type);
  });
});

describe('humanizeBytes', () => {
  it.each([
    [0, '0 B'],
    [9, '9 B'],
    [1000, '1.0 kB'],
    [1500, '1.5 kB'],
    [10_000, '10 kB'],
    [12_500, '12 kB'],
    [13_500, '14 kB'],
    [10_485_760, '10 MB'],
  ])('%d is %s', (n, s) => {
    expect(humanizeBytes(n)).toBe(s);
  });
});

describe('detected labels', () => {
  it('recognises google/uuid forms', () => {
    expect(isUUID('123e4567-e89b-12d3-a456-426614174000')).toBe(true);
    expect(isUUID('{123e4567-e89b-12d3-a456-426614174000}')).toBe(true);
    expect(isUUID('urn:uuid:123e4567-e89b-12d3-a456-426614174000')).toBe(true);
    expect(isUUID('123e4567e89b12d3a456426614174000')).toBe(true);
    expect(isUUID('123e4567-e89b-12d3-a456-42661417400g')).toBe(false);
    expect(isUUID('web-1')).toBe(false);
  });

  it('drops empty and ID-like labels, keeps static ones and 0/1 flags, sorted by name', () => {
    const values = new Map<string, string[]>([
      ['service_name', ['web', 'api']],
      ['request_id', ['123e4567-e89b-12d3-a456-426614174000', '42', '43']],
      ['pod', ['1', '2', '3']],
      ['canary', ['0', '1']],
      ['empty', []],
      ['port', ['8080']],
      ['app', ['web', 'api', 'web']],
    ]);
    expect(detectedLabels(values)).toEqual([
      { label: 'app', cardinality: 2 },
      { label: 'canary', cardinality: 2 },
      { label: 'pod', cardinality: 3 },
      { label: 'service_name', cardinality: 2 },
    ]);
  });

  it('encodes as Loki does, an empty list as {}', () => {
    expect(encodeDetectedLabels([{ label: 'app', cardinality: 4 }])).toBe('{"detectedLabels":[{"label":"app","cardinality":4}]}\n');
    expect(encodeDetectedLabels([])).toBe('{}\n');
  });
});

describe('detected fields', () => {
  const stream = (labels: Labels, entries: ResultStream['entries']): ResultStream => ({ labels, entries });
  const streams: ResultStream[] = [
    stream(ls({ app: 'api' }), [
      { ts: 3n, line: '{"app":"x","msg":"hi","user":{"id":7,"name":"ann"},"tags":[1,2]}', structuredMetadata: ls({ trace_id: 'abc' }) },
      { ts: 2n, line: '{"msg":"bye","user":{"id":8}}', structuredMetadata: ls({ trace_id: 'def' }) },
    ]),
    stream(ls({ app: 'web' }), [
      { ts: 1n, line: 'level=info took=5ms size=10MB ok=true', structuredMetadata: ls({ detected_level: 'info' }) },
      { ts: 0n, line: 'just words here' },
    ]),
  ];

  it('reports metadata and parsed fields with types, cardinality, parsers and JSON paths, sorted', () => {
    expect(new FieldDetector(buildPipeline).fields(streams, 1000)).toEqual([
      { label: 'app_extracted', type: 'string', cardinality: 1, parsers: ['json'], jsonPath: ['app'] },
      { label: 'detected_level', type: 'string', cardinality: 1, parsers: [] },
      { label: 'level', type: 'string', cardinality: 1, parsers: ['logfmt'] },
      { label: 'msg', type: 'string', cardinality: 2, parsers: ['json'], jsonPath: ['msg'] },
      { label: 'ok', type: 'boolean', cardinality: 1, parsers: ['logfmt'] },
      { label: 'size', type: 'bytes', cardinality: 1, parsers: ['logfmt'] },
      { label: 'took', type: 'duration', cardinality: 1, parsers: ['logfmt'] },
      { label: 'trace_id', type: 'string', cardinality: 2, parsers: [] },
      { label: 'user_id', type: 'int', cardinality: 2, parsers: ['json'], jsonPath: ['user', 'id'] },
      { label: 'user_name', type: 'string', cardinality: 1, parsers: ['json'], jsonPath: ['user', 'name'] },
    ]);
  });

  it('keeps the first fields found up to the limit', () => {
    const fields = new FieldDetector(buildPipeline).fields(streams, 2);
    expect(fields.map((f) => f.label)).toEqual(['app_extracted', 'trace_id']);
  });

  it('adds the query’s own parsed labels to the fields of the line parser', () => {
    const parsed: ResultStream[] = [stream(ls({ app: 'a' }), [{ ts: 1n, line: 'a=1', parsed: ls({ extra: 'v' }) }])];
    expect(new FieldDetector(buildPipeline).fields(parsed, 10)).toEqual([
      { label: 'a', type: 'int', cardinality: 1, parsers: ['logfmt'] },
      { label: 'extra', type: 'string', cardinality: 1, parsers: ['logfmt'] },
    ]);
  });

  it('lists a field’s values, byte sizes normalized', () => {
    const d = new FieldDetector(buildPipeline);
    expect(d.values(streams, 'msg', 10)).toEqual(['bye', 'hi']);
    expect(d.values(streams, 'size', 10)).toEqual(['10MB']);
    expect(d.values(streams, 'trace_id', 10)).toEqual(['abc', 'def']);
  });

  it('stops taking entries once the value limit is reached', () => {
    expect(new FieldDetector(buildPipeline).values(streams, 'trace_id', 1)).toEqual(['abc']);
  });

  it('maps flattened JSON names to their key paths, skipping arrays', () => {
    expect([...jsonFieldPaths('{"a":{"b-c":{"d":1}},"e":[1],"f":null,"g":"x"}')]).toEqual([
      ['a_b_c_d', ['a', 'b-c', 'd']],
      ['g', ['g']],
    ]);
    expect(jsonFieldPaths('not json').size).toBe(0);
  });

  it('encodes fields with null parsers for metadata, jsonPath only for json fields', () => {
    expect(
      encodeDetectedFields(
        [
          { label: 'trace_id', type: 'string', cardinality: 2, parsers: [] },
          { label: 'user_id', type: 'int', cardinality: 2, parsers: ['json'], jsonPath: ['user', 'id'] },
        ],
        1000,
      ),
    ).toBe(
      '{"fields":[{"label":"trace_id","type":"string","cardinality":2,"parsers":null},' +
        '{"label":"user_id","type":"int","cardinality":2,"parsers":["json"],"jsonPath":["user","id"]}],"limit":1000}\n',
    );
    expect(encodeDetectedFields([], 1000)).toBe('{}\n');
    expect(encodeDetectedFieldValues(['a<b'], 5)).toBe('{"values":["a\\u003cb"],"limit":5}\n');
    expect(encodeDetectedFieldValues([], 5)).toBe('{}\n');
  });
});
