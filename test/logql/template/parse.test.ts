import { describe, expect, it } from 'vitest';
import { TemplateParseError, compileTemplate } from '../../../src/logql/template/index.js';
import { render } from './entry-context.js';

function parseError(source: string, name?: string): string {
  try {
    compileTemplate(source, name);
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateParseError);
    return (e as Error).message;
  }
  return 'parsed';
}

describe('template parse errors carry Go text/template texts', () => {
  const cases: [string, string][] = [
    ['{{ foo }}', 'template: line:1: function "foo" not defined'],
    ['hello {{ nope 1 }}', 'template: line:1: function "nope" not defined'],
    ['{{ .foo }', 'template: line:1: unexpected "}" in operand'],
    ['line1\n{{', 'template: line:2: unclosed action'],
    ['line1\n{{"x"\n"y"\n', 'template: line:4: unclosed action started at line:2'],
    ['{{\n\n\n', 'template: line:4: unclosed action started at line:1'],
    ['line1\n{{\nx\n}}', 'template: line:3: function "x" not defined'],
    ['{{/* a\nb */}}{{foo}}', 'template: line:2: function "foo" not defined'],
    ['{{/* x', 'template: line:1: unclosed comment'],
    ['{{/* x */ .a}}', 'template: line:1: comment ends before closing delimiter'],
    ['{{ (1 }}', 'template: line:1: unclosed left paren'],
    ['{{ 1) }}', "template: line:1: unexpected right paren U+0029 ')'"],
    ['{{a#}}', "template: line:1: bad character U+0023 '#'"],
    ["{{'a}}", 'template: line:1: unterminated character constant'],
    ['{{"a}}', 'template: line:1: unterminated quoted string'],
    ['{{`a}}', 'template: line:1: unterminated raw quoted string'],
    ['{{ 3x }}', 'template: line:1: bad number syntax: "3x"'],
    ['{{ 0xi }}', 'template: line:1: illegal number syntax: "0xi"'],
    ['{{ 08 }}', 'template: line:1: integer overflow: "08"'],
    ['{{ 99999999999999999999 }}', 'template: line:1: integer overflow: "99999999999999999999"'],
    ['{{ 1.2.3 }}', 'template: line:1: unexpected ".3" in operand'],
    ["{{ 'ab' }}", "template: line:1: malformed character constant: 'ab'"],
    ["{{ '' }}", 'template: line:1: invalid syntax'],
    ['{{ "\\q" }}', 'template: line:1: invalid syntax'],
    ['{{end}}', 'template: line:1: unexpected {{end}}'],
    ['{{else}}', 'template: line:1: unexpected {{else}}'],
    ['{{if .a}}x', 'template: line:1: unexpected EOF'],
    ['{{if .a}}1{{else}}2{{else}}3{{end}}', 'template: line:1: expected end; found {{else}}'],
    ['{{$x}}', 'template: line:1: undefined variable "$x"'],
    ['{{with $x := 1}}{{end}}{{$x}}', 'template: line:1: undefined variable "$x"'],
    ['{{if true}}{{$y := 1}}{{end}}{{$y}}', 'template: line:1: undefined variable "$y"'],
    ['{{ $x := 1 }}{{ $x += 1 }}', 'template: line:1: illegal number syntax: "+"'],
    ['{{12|false}}', 'template: line:1: non executable command in pipeline stage 2'],
    ['{{ .a | 3 }}', 'template: line:1: non executable command in pipeline stage 2'],
    ['{{ ( ) }}', 'template: line:1: missing value for parenthesized pipeline'],
    ['{{}}', 'template: line:1: missing value for command'],
    ['{{true.x}}', 'template: line:1: unexpected . after term "true"'],
    ['{{printf 3, 4}}', 'template: line:1: unexpected "," in operand'],
    ['{{break}}', 'template: line:1: {{break}} outside {{range}}'],
    ['{{range .}}{{else}}{{continue}}{{end}}', 'template: line:1: {{continue}} outside {{range}}'],
    ['{{range $a, $b, $c := .}}{{end}}', 'template: line:1: too many declarations in range'],
    ['{{range $k, 1 := .}}{{end}}', 'template: line:1: range can only initialize variables'],
    ['{{with $a, $b := .}}{{end}}', 'template: line:1: too many declarations in with'],
    ['{{define "a"}}a{{end}}{{define "a"}}b{{end}}', 'template: line:1: template: multiple definition of template "a"'],
    ['{{define "line"}}x{{end}}y', 'template: line:1: template: multiple definition of template "line"'],
    ['{{define "x"}}{{else}}{{end}}', 'template: line:1: unexpected {{else}} in define clause'],
    ['{{block "foo"}}x{{end}}', 'template: line:1: missing value for block clause'],
    ['{{ .foo é }}', 'template: line:1: function "é" not defined'],
    ['{{ .a ☃ }}', "template: line:1: unrecognized character in action: U+2603 '☃'"],
  ];
  for (const [source, message] of cases) {
    it(`rejects ${JSON.stringify(source)}`, () => {
      expect(parseError(source)).toBe(message);
    });
  }

  it('uses the template name Loki gives label_format templates', () => {
    expect(parseError('{{ bad }}', 'label')).toBe('template: label:1: function "bad" not defined');
  });
});

describe('template text, comments and trim markers', () => {
  const cases: [string, string][] = [
    ['plain text only', 'plain text only'],
    ['', ''],
    ['x \r\n\t{{- 3}}', 'x3'],
    ['{{3 -}}\n\n\ty', '3y'],
    ['x \r\n\t{{- 3 -}}\n\n\ty', 'x3y'],
    ['x\n{{-  3   -}}\ny', 'x3y'],
    ['a {{- "b" -}} c', 'abc'],
    ['x \r\n\t{{- /* hi */ -}}\n\n\ty', 'xy'],
    ['a{{/* comment */}}b', 'ab'],
    ['{{-3}}', '-3'],
    ['{{- "a" }} {{ "b" -}} ', 'a b'],
    ['日本語 {{ "→" }} 🙂', '日本語 → 🙂'],
  ];
  for (const [source, out] of cases) {
    it(`renders ${JSON.stringify(source)}`, () => {
      expect(render(source)).toBe(out);
    });
  }

  it('keeps unicode text and label values byte for byte', () => {
    expect(render('ünïcödé {{.a}} ✓', { a: 'значение 🙂' })).toBe('ünïcödé значение 🙂 ✓');
  });
});

describe('template literals', () => {
  const cases: [string, string][] = [
    ['{{ 9223372036854775807 }}', '9223372036854775807'],
    ['{{ 0x7fffffffffffffff }}', '9223372036854775807'],
    ['{{ -42 }}', '-42'],
    ['{{ 1_000 }}', '1000'],
    ['{{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 0x1F }}', '15 15 5 31'],
    ["{{ 'a' }} {{ '\\n' }} {{ '\\x41' }} {{ '世' }}", '97 10 65 19990'],
    ['{{ 1e3 }} {{ 1.5 }} {{ .5 }} {{ 0x1p4 }}', '1000 1.5 0.5 16'],
    ['{{ true }} {{ false }}', 'true false'],
    ['{{ "a\\tb\\u00e9\\x41\\101\\U0001F600" }}', 'a\tbéAA😀'],
    ['{{ `a\\tb` }}', 'a\\tb'],
    ['{{ "\\xe4\\xb8\\x96" }}', '世'],
  ];
  for (const [source, out] of cases) {
    it(`evaluates ${source}`, () => {
      expect(render(source)).toBe(out);
    });
  }
});

describe('define, template and block', () => {
  it('invokes a defined template with a new dot', () => {
    expect(render('{{define "T"}}[{{.}}]{{end}}{{template "T" .a}}-{{template "T" "x"}}', { a: '1' })).toBe('[1]-[x]');
  });

  it('renders a block in place and defines it', () => {
    expect(render('{{block "B" .a}}<{{.}}>{{end}}|{{template "B" "z"}}', { a: '1' })).toBe('<1>|<z>');
  });

  it('lets a define with the main name replace an empty main template', () => {
    expect(render('{{define "line"}}from define {{.a}}{{end}}', { a: '1' })).toBe('from define 1');
  });

  it('gives invoked templates no access to the caller variables but their own $', () => {
    expect(render('{{define "T"}}{{$}}{{end}}{{$x := 5}}{{template "T" .a}}', { a: 'dot' })).toBe('dot');
  });
});
