// The plain substring tests storage may run on raw line bytes: which line filters yield needles.
import { describe, expect, it } from 'vitest';
import type { LogSelectorExpr } from '../../../src/logql/ast.js';
import { extractLineNeedles } from '../../../src/logql/log/index.js';
import { parseExpr } from '../../../src/logql/syntax/index.js';

const needles = (q: string) => extractLineNeedles((parseExpr(q) as LogSelectorExpr).stages);

describe('extractLineNeedles', () => {
  it('takes |= without alternatives as includes and every != alternative as excludes', () => {
    expect(needles('{a="b"} |= "x" != "y" or "z" |= "w"')).toEqual({ include: ['x', 'w'], exclude: ['y', 'z'] });
  });

  it('keeps filters after parsers and stops at the first stage that rewrites the line', () => {
    expect(needles('{a="b"} | json |= "x" | line_format "{{.a}}" |= "y"')).toEqual({ include: ['x'], exclude: [] });
    expect(needles('{a="b"} | decolorize |= "x"')).toBeUndefined();
    expect(needles('{a="b"} | unpack |= "x"')).toBeUndefined();
  });

  it('leaves regex, pattern, ip, empty and |= alternatives to the pipeline', () => {
    expect(needles('{a="b"} |~ "x" !~ "y" |> "<_> z" |= ip("10.0.0.1") |= "" != "" |= "p" or "q"')).toBeUndefined();
    expect(needles('{a="b"}')).toBeUndefined();
  });
});
