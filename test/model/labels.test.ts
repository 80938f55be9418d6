import { describe, expect, it } from 'vitest';
import { fingerprint, labelsString, parseLabels } from '../../src/model/labels.js';

describe('labels', () => {
  it('parses and prints canonical sorted label strings', () => {
    const ls = parseLabels('{job="x", app="a\\"b"}');
    expect(ls).toEqual([
      { name: 'app', value: 'a"b' },
      { name: 'job', value: 'x' },
    ]);
    expect(labelsString(ls)).toBe('{app="a\\"b", job="x"}');
  });
  it('reports Prometheus-style parse errors', () => {
    expect(() => parseLabels('{0bad="x"}')).toThrow("1:2: parse error: unexpected character inside braces: '0'");
    expect(() => parseLabels('{a="x"')).toThrow('parse error');
  });
  it('fingerprints are stable and order independent', () => {
    const a = parseLabels('{a="1", b="2"}');
    const b = parseLabels('{b="2", a="1"}');
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint(a)).not.toBe(fingerprint(parseLabels('{a="1", b="3"}')));
  });
});
